"""Case 3: templates clean stored HTML with exactly the learner's sanitiser.

The instructor's preview arrives with issue 4. Until then this pins the one path every page
uses: the `sanitized` Jinja filter, which wraps app.content.rendering.sanitize_html. The
preview must render through the same filter; these tests then cover it too, because they
check every template and every place the app cleans HTML.
"""

import re
from pathlib import Path

from markupsafe import Markup

from app.content import rendering
from tests.security.payloads import PAYLOADS

APP_DIR = Path(__file__).resolve().parents[2] / "app"
STORED_HTML = re.compile(r"\.(html|toc_html|explanation_html)\b")
OUTPUT = re.compile(r"{{(.*?)}}", re.DOTALL)


def templates() -> list[Path]:
    return sorted(APP_DIR.rglob("templates/**/*.html"))


def test_sanitized_filter_is_a_wrapper_of_sanitize_html(app):
    sanitized = app.jinja_env.filters["sanitized"]
    closure = [cell.cell_contents for cell in sanitized.__closure__ or ()]
    # The filter calls the cache of sanitize_html's results, keyed by the exact text.
    assert rendering.sanitize_html_cached in closure
    assert rendering.sanitize_html_cached.__wrapped__.__code__.co_names == ("sanitize_html",)
    for payload in PAYLOADS:
        output = sanitized(payload)
        assert isinstance(output, Markup)
        assert str(output) == rendering.sanitize_html(payload)


def test_every_template_output_of_stored_html_goes_through_sanitized():
    unsanitised = [
        f"{path.relative_to(APP_DIR)}: {{{{{expression.strip()}}}}}"
        for path in templates()
        for expression in OUTPUT.findall(path.read_text(encoding="utf-8"))
        if STORED_HTML.search(expression) and not re.search(r"\|\s*sanitized\s*$", expression.strip())
    ]
    assert unsanitised == []


def test_no_template_turns_autoescaping_off():
    switched_off = [
        str(path.relative_to(APP_DIR))
        for path in templates()
        if re.search(r"{%-?\s*autoescape\s+false", path.read_text(encoding="utf-8"))
    ]
    assert switched_off == []


def test_html_is_cleaned_only_in_app_content_rendering():
    libraries = r"(nh3|bleach|html_sanitizer|lxml\.html\.clean)"
    cleaners = re.compile(rf"^\s*(import|from)\s+{libraries}\b|\b{libraries}\.\w+\(", re.MULTILINE)
    elsewhere = [
        str(path.relative_to(APP_DIR))
        for path in APP_DIR.rglob("*.py")
        if path != APP_DIR / "content" / "rendering.py"
        and cleaners.search(path.read_text(encoding="utf-8"))
    ]
    assert elsewhere == []
