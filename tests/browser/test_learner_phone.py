"""Issue 14 items 1-6: a learner on a 390 x 844 phone, mostly in English, in Debian's Chromium.

The served address in the certificate, translated titles on every learner page, the
several-answer hint shown once, an empty quiz refused without using an attempt, a course list
that tells courses apart, and a header that fits the phone and offers the other language.
"""

import re
import socket
import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.jobs import services as jobs
from config import DevelopmentConfig
from tests import builders
from tests.browser.conftest import PHONE_WIDTH
from tests.browser.test_accessibility import violations
from tests.browser.test_journey import log_in, option_label, pdf_words
from tests.conftest import PASSWORD, IsolatedClient

pytestmark = pytest.mark.browser
# The live server, Debian's Chromium and the watched phone of the journey test.
BILINGUAL = "khoa-song-ngu"


def switch_to_english(page: Page) -> None:
    """The language switch at the top of the page, not the footer's."""
    page.locator("header").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def enrolled_english_learner(app, make_user, course: str = BILINGUAL) -> None:
    """Lan, enrolled in `course`, who chose English once (her choice is saved on her account)."""
    make_user(username="lan", full_name="Lê Thị Lan")
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False  # set up through the client; the server is idle
    try:
        client.post("/login", data={"login": "lan", "password": PASSWORD})
        client.post("/language", data={"language": "en", "next": "/courses"})
        client.post(f"/courses/{course}/enrol")
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    db.session.commit()


def log_in_english(page: Page, base: str, username: str = "lan") -> None:
    """A fresh phone shows the login page in Vietnamese; her saved English applies once in."""
    log_in(page, base, username)
    expect(page.locator("html")).to_have_attribute("lang", "en")


def heading_and_crumbs(page: Page) -> str:
    return " ".join([page.title(), page.locator("h1").inner_text(),
                     " ".join(page.locator("p.crumbs").all_inner_texts())])


# ---- item 1: the certificate's link is the address being served ---------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def development_server(app, tmp_path):
    """`PORT=<port> make run` on the test database: DevelopmentConfig, no PUBLIC_BASE_URL set."""
    port = free_port()

    class Development(DevelopmentConfig):
        PUBLIC_BASE_URL = ""
        SERVED_HOST, SERVED_PORT = "127.0.0.1", str(port)  # what make run exports
        SECRET_KEY = ""
        SECRET_KEY_FILE = tmp_path / "instance" / "secret_key"
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        COURSES_DIR = app.config["COURSES_DIR"]
        RATELIMIT_STORAGE_URI = "memory://"
        CERTIFICATE_SIGNING_KEY = app.config["CERTIFICATE_SIGNING_KEY"]
        CERTIFICATE_SIGNING_CERT = app.config["CERTIFICATE_SIGNING_CERT"]
        CERTIFICATE_SIGNING_PASSPHRASE = app.config["CERTIFICATE_SIGNING_PASSPHRASE"]
        CERTIFICATE_PDF_IN_BACKGROUND = False
        WTF_CSRF_ENABLED = False  # the builders complete the course without form tokens

    development = create_app(Development)
    development.test_client_class = IsolatedClient
    server = make_server("127.0.0.1", port, development, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="development-server", daemon=True)
    thread.start()
    try:
        yield development, f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        # DevelopmentConfig sweeps for jobs for ever (JOBS_LOCAL_SWEEP): its request started this
        # process's job thread with this app, which on PostgreSQL would go on taking the jobs of
        # later tests from the shared database (a queued login slips job, run by the wrong app).
        jobs.wait_for_local_jobs()


def test_certificate_link_opens_on_the_served_address(development_server, make_user, phone,
                                                       tmp_path):
    development, base = development_server
    assert development.config["PUBLIC_BASE_URL"] == base
    make_user(username="lan", full_name="Lê Thị Lan")
    client = development.test_client()
    client.post("/login", data={"login": "lan", "password": PASSWORD})
    builders.complete_course(client)  # the certificate is issued (and its PDF made) by this app
    page = phone.page
    log_in(page, base, "lan")
    switch_to_english(page)
    page.goto(f"{base}/certificates")
    link = page.get_by_role("link", name="Download (PDF)")
    with page.expect_download() as download_info:
        link.click()
    pdf = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf)
    printed = re.search(r"https?://\S+/verify/[A-Z0-9-]+", pdf_words(pdf))
    assert printed, pdf_words(pdf)
    assert printed.group(0).startswith(f"{base}/verify/")
    page.goto(printed.group(0))  # what scanning the QR code opens on this phone
    expect(page.locator(".status-valid")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Lê Thị Lan")
    phone.assert_no_horizontal_scroll()
    phone.assert_clean()


# ---- item 2: every learner page in English shows English titles ---------------------------------


def test_every_learner_page_in_english_shows_the_english_titles(app, make_user, live_server, phone):
    enrolled_english_learner(app, make_user)
    base, page = live_server, phone.page
    log_in_english(page, base)
    vietnamese = ("Khóa học song ngữ", "Các dạng câu hỏi")

    page.get_by_role("link", name="Bilingual course").click()
    expect(page.locator("h1")).to_have_text("Bilingual course")
    page.get_by_role("link", name="Question kinds", exact=True).click()
    expect(page.locator("h1")).to_have_text("Question kinds")
    seen = {"module": heading_and_crumbs(page)}
    page.get_by_role("button", name="Take the quiz").click()
    expect(page.locator("h1")).to_have_text("Quiz: Question kinds")
    expect(page.locator("p.crumbs")).to_contain_text("Bilingual course")
    seen["quiz"] = heading_and_crumbs(page)
    page.get_by_label("Your answer").first.fill("Hanoi")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("h1")).to_have_text("Result: Question kinds")
    seen["result"] = heading_and_crumbs(page)
    page.locator("p.crumbs").get_by_role("link", name="Bilingual course").click()
    expect(page.locator("h1")).to_have_text("Bilingual course")
    seen["course"] = heading_and_crumbs(page)
    for path in ("/courses", "/certificates", "/account/password", "/verify"):
        page.goto(f"{base}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        seen[path] = heading_and_crumbs(page)
        phone.assert_no_horizontal_scroll()
    leaks = {where: words for where, text in seen.items() for words in vietnamese if words in text}
    assert leaks == {}
    phone.assert_clean()


def test_english_learner_pages_meet_wcag_aa(app, make_user, live_server, chromium):
    enrolled_english_learner(app, make_user)
    context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True,
                                   locale="vi-VN", bypass_csp=True)  # only so axe can be injected
    page = context.new_page()
    try:
        log_in_english(page, live_server)
        page.goto(f"{live_server}/courses/{BILINGUAL}/modules/dang-cau-hoi")
        page.get_by_role("button", name="Take the quiz").click()
        token = page.url.rsplit("/", 1)[-1]
        checked = {}
        for path in ("/courses", f"/courses/{BILINGUAL}", f"/courses/{BILINGUAL}/modules/dang-cau-hoi",
                     f"/attempts/{token}", "/certificates", "/verify"):
            page.goto(f"{live_server}{path}")
            checked[path] = violations(page)
        assert {path: found for path, found in checked.items() if found} == {}
    finally:
        context.close()


# ---- item 3: "choose all answers that apply" once ------------------------------------------------


def test_several_answer_questions_say_choose_all_once(app, make_user, live_server, phone):
    enrolled_english_learner(app, make_user, course="khoa-mau")
    base, page = live_server, phone.page
    log_in_english(page, base)
    page.goto(f"{base}/courses/khoa-mau/modules/gioi-thieu")
    page.get_by_role("button", name="Take the quiz").click()
    several = page.locator("fieldset.question").filter(has=page.locator("input[type=checkbox]"))
    expect(several).to_have_count(1)
    expect(several.get_by_text("Choose all answers that apply.")).to_have_count(1)
    expect(page.get_by_text("Choose all answers that apply.")).to_have_count(1)
    phone.assert_clean()


# ---- item 4: an empty quiz is asked again, not counted --------------------------------------------


def limit_attempts(module_slug: str, limit: int) -> None:
    version = builders.module(module_slug).quiz_version
    version.definition = {**version.definition, "max_attempts": limit}
    db.session.commit()


def test_an_empty_quiz_is_asked_again_and_uses_no_attempt(app, make_user, live_server, phone):
    enrolled_english_learner(app, make_user, course="khoa-mau")
    limit_attempts("gioi-thieu", 1)
    base, page = live_server, phone.page
    log_in_english(page, base)
    page.goto(f"{base}/courses/khoa-mau/modules/gioi-thieu")
    expect(page.locator(".module-end")).to_contain_text("Attempts left: 1.")
    page.get_by_role("button", name="Take the quiz").click()
    quiz_url = page.url
    page.get_by_role("button", name="Send my answers").click()  # a thumb slipped: nothing chosen

    expect(page).to_have_url(quiz_url)
    expect(page.locator(".flash-error")).to_contain_text("You answered no question")
    expect(page.locator("form.quiz fieldset.question")).to_have_count(3)
    phone.assert_no_horizontal_scroll()
    page.goto(f"{base}/courses/khoa-mau/modules/gioi-thieu")
    expect(page.locator(".module-end")).to_contain_text("Attempts left: 1.")

    page.get_by_role("button", name="Take the quiz").click()
    expect(page).to_have_url(quiz_url)  # the same open attempt
    for name, choices in builders.choices_for("gioi-thieu").items():
        for words in choices:
            option_label(page, name, words).click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("p.score")).to_contain_text("Your score: 100%")
    page.goto(f"{base}/courses/khoa-mau/modules/gioi-thieu")
    expect(page.locator(".module-end")).to_contain_text("Attempts left: 0.")
    phone.assert_clean()


# ---- item 5: a new learner can tell the courses apart ---------------------------------------------


def test_course_list_says_whom_each_course_is_for_and_how_long_it_is(make_user, live_server, phone):
    make_user(username="lan")
    db.session.commit()
    base, page = live_server, phone.page
    log_in(page, base, "lan")
    switch_to_english(page)
    expect(page.locator("main h2")).to_have_text("Courses you can join")
    cards = page.locator("li.card")
    expect(cards).to_have_count(2)
    bilingual = cards.filter(has=page.get_by_role("link", name="Bilingual course"))
    expect(bilingual).to_contain_text("For: Testers reading in English")
    expect(bilingual).to_contain_text("Length: 2 modules, about 15 minutes of reading")
    expect(bilingual).to_contain_text("A test course for the new question kinds.")
    sample = cards.filter(has=page.get_by_role("link", name="Khóa học mẫu về chuyển đổi số"))
    expect(sample).to_contain_text("For: Cán bộ xã dùng thử Hocso")
    expect(sample).to_contain_text("Length: 3 modules")
    phone.assert_no_horizontal_scroll()

    bilingual.get_by_role("link", name="Bilingual course").click()
    page.get_by_role("button", name="Join this course").click()
    page.goto(f"{base}/courses")
    first = page.locator("li.card").first
    expect(first).to_contain_text("Bilingual course")  # hers first
    expect(first.locator("progress")).to_be_visible()
    expect(page.locator("main h2").last).to_have_text("Other courses")
    phone.assert_clean()


# ---- item 6: a header that fits the phone --------------------------------------------------------


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


@pytest.mark.parametrize("language", ["vi", "en"])
def test_header_fits_a_phone_and_offers_the_other_language(make_user, live_server, phone, language):
    make_user(username="lan")
    db.session.commit()
    base, page = live_server, phone.page
    log_in(page, base, "lan")
    if language == "en":
        switch_to_english(page)
    names = {"vi": ("Khóa học", "Đăng xuất", "English"), "en": ("Courses", "Log out", "Tiếng Việt")}
    courses, log_out, other_language = names[language]
    header = page.locator("header")
    first_link = header.get_by_role("link", name=courses, exact=True)
    logout = header.get_by_role("button", name=log_out)
    # Every menu entry on one row, "log out" aligned with the links, nothing off screen.
    entries = header.locator("nav a, nav button")
    tops = {round(box(entries.nth(i))["y"] + box(entries.nth(i))["height"] / 2)
            for i in range(entries.count())}
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} rows: {tops}"
    assert abs(box(logout)["y"] - box(first_link)["y"]) <= 2
    assert box(logout)["x"] + box(logout)["width"] <= PHONE_WIDTH
    assert box(header)["height"] <= 130, "the header takes too much of the first screen"
    for target in (first_link, logout, header.get_by_role("button", name=other_language)):
        assert box(target)["height"] >= 36, "a tap target is too small"
    phone.assert_no_horizontal_scroll()

    switch = header.get_by_role("button", name=other_language)
    expect(switch).to_be_in_viewport()
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "vi" if language == "en" else "en")
    expect(page).to_have_url(f"{base}/courses")  # the same page, in the other language
    phone.assert_clean()


def test_header_works_with_the_keyboard_and_shows_focus(make_user, live_server, phone):
    make_user(username="lan")
    db.session.commit()
    base, page = live_server, phone.page
    log_in(page, base, "lan")
    reached, rings = [], []
    for _ in range(8):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.textContent.trim(), s.outlineStyle, s.outlineWidth]; }")
        reached.append(focused[0])
        rings.append(focused[1] != "none" and focused[2] != "0px")
    for name in ("Hocso", "English", "Khóa học", "Chứng nhận", "Tài khoản", "Đăng xuất"):
        assert name in reached, f"Tab never reaches {name}: {reached}"
    assert all(rings), f"an element shows no focus ring: {list(zip(reached, rings))}"
    page.keyboard.press("Shift+Tab")
    while page.evaluate("document.activeElement.textContent.trim()") != "English":
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    phone.assert_clean()


def test_no_script_is_needed(make_user, live_server, chromium):
    """The header, the language switch and the quiz all work with JavaScript off."""
    make_user(username="lan")
    db.session.commit()
    context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 844},
                                   locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, "lan")
        page.locator("header").get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("header").get_by_role("button", name="Log out")).to_be_visible()
    finally:
        context.close()

