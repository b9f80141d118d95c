"""Reading on a bus with no signal, in Debian's Chromium at phone size, in Vietnamese and English.

A learner saves a course, the context goes offline (Playwright's offline mode), she reads a
module and its image, marks it as read and finds that quizzes wait for a connection; back
online, what she did is sent once and lands in her progress rows.
"""

import re
import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.progress.models import ModuleProgress
from tests.browser.conftest import PHONE_WIDTH, Phone
from tests.client.test_offline_reading import IMAGE_URL, copy_courses_with_an_image
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WORDS = {
    "vi-VN": {
        "login": "Tên đăng nhập hoặc số điện thoại", "password": "Mật khẩu", "log in": "Đăng nhập",
        "join": "Tham gia khóa học", "save": "Lưu để đọc khi không có mạng",
        "saved": "Đã lưu vào thiết bị này", "mark read": "Xác nhận đã đọc xong bài học",
        "pending": "sẽ được gửi đi khi có kết nối trở lại", "quiz": "Làm bài kiểm tra",
        "offline": "Bạn đang không có kết nối mạng",
    },
    "en-US": {
        "login": "Username or phone number", "password": "Password", "log in": "Log in",
        "join": "Join this course", "save": "Save for offline reading",
        "saved": "Saved on this device", "mark read": "Mark this module as read",
        "pending": "will be sent when you are back online", "quiz": "Take the quiz",
        "offline": "You are offline",
    },
}
READING_TITLE = "Đọc thêm về chính quyền số"  # the fixture course has no English titles
QUIZ_TITLE = "Giới thiệu chuyển đổi số"


@pytest.fixture
def courses_dir(tmp_path):
    return copy_courses_with_an_image(tmp_path)


@pytest.fixture(params=["vi-VN", "en-US"])
def phone(request, chromium):
    """A phone-sized context in one language, watching requests and the console."""
    context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 844},
                                   device_scale_factor=3, is_mobile=True, has_touch=True,
                                   locale=request.param)
    page = context.new_page()
    watched = Phone(page)
    page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1"
            and watched.foreign_requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and watched.console_errors.append(m.text))
    page.on("pageerror", lambda error: watched.console_errors.append(str(error)))
    watched.words = WORDS[request.param]
    try:
        yield watched
    finally:
        context.close()


def rows_by_module(user_id: int) -> dict[str, ModuleProgress]:
    db.session.commit()  # end the test's read: the server thread wrote since
    rows = db.session.scalars(sa.select(ModuleProgress).filter_by(user_id=user_id))
    return {row.module.slug: row for row in rows}


def wait_for_rows(user_id: int, expected: set[str], seconds: float = 15) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = rows_by_module(user_id)
        if set(rows) == expected and rows["doc-them"].completed_at is not None:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"progress rows after coming back online: {rows_by_module(user_id)}")


def cached_urls(page) -> list[str]:
    return page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(name + " " + request.url);
        }
        return urls;
    }""")


def image_shown(page) -> bool:
    return page.evaluate(f"""() => {{
        const img = document.querySelector('article img[src="{IMAGE_URL}"]');
        return Boolean(img && img.complete && img.naturalWidth === 1);
    }}""")


def save_the_course(phone: Phone, base: str) -> None:
    page, words = phone.page, phone.words
    page.goto(f"{base}/login")
    page.get_by_label(words["login"]).fill("nhung")
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["log in"], exact=True).click()
    page.goto(f"{base}/courses/khoa-mau")
    page.get_by_role("button", name=words["join"]).click()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator(".offline-status")).to_contain_text(words["saved"])


def test_a_saved_course_is_read_offline_and_progress_is_sent_back_once(live_server, phone, make_user):
    base, page, words = live_server, phone.page, phone.words
    learner = make_user(username="nhung")
    learner_id = learner.id
    db.session.commit()  # the server thread must see her; the test holds no transaction
    save_the_course(phone, base)
    assert rows_by_module(learner_id) == {}  # saving is not reading
    saved = cached_urls(page)
    assert any(url.endswith(IMAGE_URL) for url in saved)
    assert not [url for url in saved if "/quiz" in url or "/attempts/" in url]

    page.context.set_offline(True)
    page.get_by_role("link", name=READING_TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(READING_TITLE)
    assert image_shown(page)
    phone.assert_no_horizontal_scroll()
    page.get_by_role("button", name=words["mark read"]).click()
    expect(page).to_have_url(f"{base}/courses/khoa-mau")
    expect(page.locator(".offline-pending")).to_contain_text(words["pending"])
    page.get_by_role("link", name=QUIZ_TITLE, exact=True).click()
    page.get_by_role("button", name=words["quiz"]).click()  # a quiz needs the server
    expect(page.get_by_role("heading", level=1)).to_have_text(words["offline"])
    page.goto(f"{base}/certificates")  # never saved
    expect(page.get_by_role("heading", level=1)).to_have_text(words["offline"])
    assert rows_by_module(learner_id) == {}

    page.context.set_offline(False)
    rows = wait_for_rows(learner_id, {"doc-them", "gioi-thieu"})
    assert rows["gioi-thieu"].completed_at is None
    opened = {slug: (row.id, row.opened_at, row.completed_at) for slug, row in rows.items()}
    page.goto(f"{base}/courses/khoa-mau")  # online again: nothing is left to send twice
    expect(page.locator(".offline-pending")).to_be_hidden()
    again = rows_by_module(learner_id)
    assert {slug: (r.id, r.opened_at, r.completed_at) for slug, r in again.items()} == opened

    page.get_by_role("link", name=QUIZ_TITLE, exact=True).click()
    page.get_by_role("button", name=words["quiz"]).click()  # back online: the quiz works
    expect(page).to_have_url(re.compile(r"/attempts/[^/]+$"))
    expect(page.locator("fieldset.question").first).to_be_visible()
    assert not [url for url in cached_urls(page) if "/quiz" in url or "/attempts/" in url]
    phone.assert_clean()


def test_logging_out_clears_the_saved_course(live_server, phone, make_user):
    base, page = live_server, phone.page
    make_user(username="nhung")
    db.session.commit()
    save_the_course(phone, base)
    assert cached_urls(page) != []
    # The form's own submit, wherever the header shows it (a menu may hide the button).
    page.evaluate("document.querySelector('form[action=\"/logout\"]').requestSubmit()")
    expect(page).to_have_url(f"{base}/login")
    page.wait_for_function("caches.keys().then(names => names.length === 0)")
    assert cached_urls(page) == []
    page.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(f"{base}/courses/khoa-mau/modules/doc-them")
