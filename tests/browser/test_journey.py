"""A learner on a phone, in Debian's Chromium: from login to a publicly verified certificate.

The app runs in a thread on 127.0.0.1 with CSRF checks on, as in production; the browser is
driven through Playwright's sync API. Never run `playwright install`: Debian's Chromium is used.
"""

import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.browser.conftest import Phone
from tests.builders import choices_for
from tests.conftest import PASSWORD
from tests.pdf.poppler import pdf_text

pytestmark = pytest.mark.browser

FULL_NAME = "Nguyễn Thị Hồng Nhung"
COURSE_TITLE = "Khóa học mẫu về chuyển đổi số"
LOGIN_LABEL = "Tên đăng nhập hoặc số điện thoại"
PASSWORD_LABEL = "Mật khẩu"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(LOGIN_LABEL).fill(username)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{base}/courses")


def option_label(page: Page, name: str, words: str):
    """The label of the option of question `name` that reads exactly `words`."""
    exactly = re.compile(rf"^\s*{re.escape(words)}\s*$")
    return (page.locator("label.option").filter(has=page.locator(f'input[name="{name}"]'))
            .filter(has=page.locator("span", has_text=exactly)))


def answer_by_tapping_labels(page: Page, answers: dict[str, list[str]]) -> None:
    """Check the options that read as given by clicking their labels (values are per attempt)."""
    for name, choices in answers.items():
        for words in choices:
            label = option_label(page, name, words)
            label.click()
            expect(label.locator("input")).to_be_checked()
    chosen = page.locator("form.quiz input:checked")
    expect(chosen).to_have_count(sum(len(values) for values in answers.values()))


def take_quiz(phone: Phone, module_title: str, answers: dict[str, list[str]]) -> None:
    """From the course page: open the module, start its quiz, answer, submit."""
    page = phone.page
    page.get_by_role("link", name=module_title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(module_title)
    phone.assert_no_horizontal_scroll()
    page.get_by_role("button", name="Làm bài kiểm tra").click()
    expect(page).to_have_url(re.compile(r"/attempts/[^/]+$"))
    expect(page.locator("fieldset.question")).to_have_count(len(answers))
    phone.assert_no_horizontal_scroll()
    answer_by_tapping_labels(page, answers)
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator("p.score")).to_contain_text("Điểm của bạn: 100%")
    expect(page.locator("p.score")).to_contain_text("Bạn đã đạt.")
    phone.assert_no_horizontal_scroll()


def pdf_words(path: Path) -> str:
    """The PDF's words on one line, NFC, as a reader would copy them."""
    return unicodedata.normalize("NFC", " ".join(pdf_text(path, layout=False).split()))


def test_learner_journey_on_a_phone(live_server, phone, make_user, tmp_path):
    base, page = live_server, phone.page
    make_user(username="nhung", full_name=FULL_NAME)
    first_quiz, last_quiz = choices_for("gioi-thieu"), choices_for("an-toan")
    db.session.commit()  # the server thread must see the user; the test holds no transaction

    log_in(page, base, "nhung")

    page.get_by_role("link", name=COURSE_TITLE).click()
    expect(page).to_have_url(f"{base}/courses/khoa-mau")
    page.get_by_role("button", name="Tham gia khóa học").click()
    expect(page.locator("progress")).to_have_attribute("value", "0")

    take_quiz(phone, "Giới thiệu chuyển đổi số", first_quiz)
    page.locator("p.crumbs a").first.click()  # back to the course
    expect(page.locator("progress")).to_have_attribute("value", "1")

    page.get_by_role("link", name="Đọc thêm về chính quyền số", exact=True).click()
    phone.assert_no_horizontal_scroll()
    page.get_by_role("button", name="Xác nhận đã đọc xong bài học").click()
    expect(page).to_have_url(f"{base}/courses/khoa-mau")
    expect(page.locator("progress")).to_have_attribute("value", "2")

    take_quiz(phone, "An toàn thông tin", last_quiz)
    expect(page.get_by_role("status").first).to_contain_text(
        "Chúc mừng! Bạn đã hoàn thành khóa học và giấy chứng nhận đã sẵn sàng."
    )
    certificate_link = page.get_by_role("link", name="Tải giấy chứng nhận (PDF)")
    expect(certificate_link).to_be_visible()
    href = certificate_link.get_attribute("href")
    match = re.fullmatch(r"/certificates/([^/]+)\.pdf", href or "")
    assert match, href
    code = match.group(1)

    with page.expect_download() as download_info:
        certificate_link.click()
    download = download_info.value
    assert download.failure() is None
    filename = re.fullmatch(r"chung-nhan-([A-Z0-9-]+)\.pdf", download.suggested_filename)
    assert filename, download.suggested_filename
    assert filename.group(1).replace("-", "") == code.replace("-", "")
    pdf = tmp_path / "certificate.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_words(pdf)
    assert FULL_NAME in text
    assert COURSE_TITLE in text

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(f"{base}/login")
    page.goto(f"{base}/verify/{code}")
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)  # anonymous
    expect(page.locator(".status-valid")).to_contain_text("Hợp lệ")
    expect(page.locator("dl.facts")).to_contain_text(FULL_NAME)
    expect(page.locator("dl.facts")).to_contain_text(COURSE_TITLE)
    phone.assert_no_horizontal_scroll()

    phone.assert_clean()


def test_keyboard_only_login(live_server, phone, make_user):
    base, page = live_server, phone.page
    make_user(username="lan")
    db.session.commit()
    page.goto(f"{base}/login")

    # Every visible input of the login form has a <label for> that names it.
    inputs = page.locator("main form input:not([type=hidden])")
    expect(inputs).to_have_count(2)
    for index in range(inputs.count()):
        assert inputs.nth(index).evaluate("el => el.labels.length") == 1
    expect(page.locator('input[name="login"]')).to_have_accessible_name(LOGIN_LABEL)
    expect(page.locator('input[name="password"]')).to_have_accessible_name(PASSWORD_LABEL)

    def focused() -> str:
        return page.evaluate("document.activeElement ? document.activeElement.name || '' : ''")

    for _ in range(10):
        page.keyboard.press("Tab")
        if focused() == "login":
            break
    else:
        pytest.fail("Tab never reaches the login field")
    page.keyboard.type("lan")
    page.keyboard.press("Tab")
    assert focused() == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/courses")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    phone.assert_clean()
