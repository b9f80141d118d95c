"""WCAG 2 A/AA checks with axe-core on the pages learners and the public use, at phone size."""

from pathlib import Path

import pytest

from tests import builders
from tests.browser.test_journey import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}"


def violations(page) -> list[str]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(f"axe.run(document, {RULES}).then(r => r.violations)")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in found]


@pytest.fixture
def certified_learner(app, make_user) -> str:
    """A learner who completed the course and has an open attempt (made before CSRF is on)."""
    make_user(username="nhung", full_name="Nguyễn Thị Hồng Nhung")
    client = app.test_client()
    client.post("/login", data={"login": "nhung", "password": PASSWORD})
    builders.complete_course(client)
    return builders.start_attempt(client, "an-toan")


@pytest.fixture
def page(chromium):
    """A phone-sized page; CSP is bypassed only so that axe itself can be injected."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                   locale="vi-VN", bypass_csp=True)
    yield context.new_page()
    context.close()


def test_learner_pages_meet_wcag_aa(certified_learner, live_server, page):
    token = certified_learner
    page.goto(f"{live_server}/login")
    checked = {"/login": violations(page)}
    log_in(page, live_server, "nhung")
    for path in ("/courses", "/courses/khoa-mau", "/courses/khoa-mau/modules/gioi-thieu",
                 f"/attempts/{token}", "/certificates", "/verify"):
        page.goto(f"{live_server}{path}")
        checked[path] = violations(page)
    failing = {path: found for path, found in checked.items() if found}
    assert failing == {}
