"""An instructor edits a module in Debian's Chromium, previews and publishes it; a learner sees it.

The server and the browser are conftest.py's: the app in a thread on 127.0.0.1 with CSRF checks
on, Debian's Chromium driven through Playwright's sync API.
Buttons are found by their form values, so the test holds whatever the catalogues call them.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from app import demo
from app.extensions import db
from tests import builders
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

OLD_TEXT = "Bài đọc không có câu hỏi"
NEW_TEXT = "Xã đã số hóa toàn bộ hồ sơ một cửa"


@pytest.fixture
def page(chromium):
    """A fresh context with a phone-sized window; requests off 127.0.0.1 and console errors fail."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1" and problems.append(r.url))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: m.type == "error" and "favicon" not in m.location.get("url", "")
            and problems.append(m.text))
    try:
        yield page
        assert problems == []
    finally:
        context.close()


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.locator('input[name="login"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(f"{base}/courses")


def assert_no_horizontal_scroll(page: Page) -> None:
    page.wait_for_load_state()
    widths = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert widths[1] <= widths[0], f"{page.url} scrolls sideways: {widths[1]}px wide"


def assert_preview_below_on_phones_and_beside_on_desktops(page: Page) -> None:
    editor, preview = page.locator("textarea#source"), page.locator("section.preview")
    page.locator('a[href="#preview-title"]').click()  # phones: one tap from the editor's top
    expect(page.locator("#preview-title")).to_be_in_viewport()
    assert preview.bounding_box()["y"] > editor.bounding_box()["y"] + editor.bounding_box()["height"]
    page.set_viewport_size({"width": 1280, "height": 900})
    assert preview.bounding_box()["x"] >= editor.bounding_box()["x"] + editor.bounding_box()["width"]
    expect(page.locator('a[href="#preview-title"]')).to_be_hidden()
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})


def test_instructor_previews_and_publishes_and_a_learner_sees_the_change(
    app, live_server, page, make_user, monkeypatch
):
    """The demo instructor of `make run` (`flask demo create`) finds the demo course to edit."""
    base = live_server
    monkeypatch.setattr(demo, "DEMO_COURSE", "khoa-mau")  # the fixture course plays the demo course
    assert app.test_cli_runner().invoke(args=["demo", "create"]).exit_code == 0
    make_user(username="lan")
    db.session.commit()

    log_in(page, base, "giangvien", "GiangVien@2025")
    page.locator('header nav a[href="/authoring/"]').click()
    page.get_by_role("link", name="Khóa học mẫu về chuyển đổi số").click()
    page.locator('a[href="/authoring/courses/khoa-mau/modules/doc-them"]').click()
    source = page.locator("textarea#source")
    expect(source).to_be_visible()
    assert_no_horizontal_scroll(page)
    source.fill(source.input_value().replace(OLD_TEXT, NEW_TEXT))
    page.locator('button[name="action"][value="preview"]').click()
    expect(page.locator("section.preview article.prose")).to_contain_text(NEW_TEXT)
    expect(page.locator("section.check .flash-success")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_preview_below_on_phones_and_beside_on_desktops(page)
    db.session.expire_all()
    assert OLD_TEXT in builders.module("doc-them").html  # a preview writes nothing

    page.locator('button[name="action"][value="publish"]').click()
    expect(page).to_have_url(f"{base}/authoring/courses/khoa-mau")
    expect(page.locator("p.flash-success")).to_be_visible()
    page.locator('header form[action="/logout"] button').click()
    expect(page).to_have_url(f"{base}/login")

    log_in(page, base, "lan")
    page.get_by_role("link", name="Khóa học mẫu về chuyển đổi số").click()
    page.get_by_role("button", name="Tham gia khóa học").click()
    page.get_by_role("link", name="Đọc thêm về chính quyền số", exact=True).click()
    expect(page.locator("article.prose")).to_contain_text(NEW_TEXT)
    expect(page.locator("article.prose")).not_to_contain_text(OLD_TEXT)
