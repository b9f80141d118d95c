"""Issue 14 item 12: an admin on a phone, in English, reaches the funnel and the certificate search
from the admin home she lands on after login, by clicks only; the certificate search's results
fit the phone's width."""

import pytest
from playwright.sync_api import expect

from app.certificates import batch
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import JobState
from tests.browser import test_journey
from tests.browser.conftest import PHONE_WIDTH
from tests.browser.test_accessibility import violations
from tests.browser.test_journey import LOGIN_LABEL, PASSWORD_LABEL
from tests.client.test_certificates_admin import certify
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
COURSE_TITLE = test_journey.COURSE_TITLE


def log_in_admin(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label(LOGIN_LABEL).fill("quantri")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture
def english_admin(make_user):
    admin = make_user(role="admin", username="quantri", full_name="Lê Minh Châu")
    admin.locale = "en"  # her saved language applies once she is in
    db.session.commit()


def test_an_admin_lands_on_the_admin_home_and_clicks_to_the_funnel_and_the_certificates(
        english_admin, live_server, phone):
    page = phone.page
    log_in_admin(page, live_server)

    expect(page).to_have_url(f"{live_server}/admin/")
    expect(page.locator("h1")).to_have_text("Administration")
    expect(page.locator("header nav").get_by_role("link", name="Administration")).to_be_visible()
    phone.assert_no_horizontal_scroll()

    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name=COURSE_TITLE).click()
    expect(page.locator("h1")).to_contain_text("Funnel")
    expect(page.get_by_label("Unit (empty: every province)")).to_be_visible()
    phone.assert_no_horizontal_scroll()

    page.locator("header nav").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Issued certificates").click()
    expect(page.locator("h1")).to_have_text("Issued certificates")
    expect(page.get_by_label("Unit (and the units beneath it)")).to_be_visible()
    phone.assert_no_horizontal_scroll()
    phone.assert_clean()


def test_the_admin_home_funnel_and_certificate_search_meet_wcag_aa(english_admin, commune, live_server,
                                                                   chromium):
    certify("lan", "Lê Thị Lan", commune)  # tables to read, wider than the phone
    job = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "unit": commune.code}, None)
    job.state, job.error = JobState.FAILED, "no valid certificate matches this selection"
    db.session.commit()
    context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True,
                                   locale="vi-VN", bypass_csp=True)  # only so axe can be injected
    page = context.new_page()
    try:
        log_in_admin(page, live_server)
        for path in ("/admin/", "/admin/reports/courses/khoa-mau", "/admin/certificates", "/admin/jobs"):
            page.goto(f"{live_server}{path}")
            assert violations(page) == [], path
    finally:
        context.close()


def test_the_certificate_search_fits_a_phone_with_long_rows(english_admin, commune, live_server, phone):
    """The results table scrolled sideways at 390 px: on a phone each certificate is a stacked card
    whose cells are named by their column, and nothing is wider than the screen."""
    certify("nguyen-thi-hong-nhung-2025", "Công Tôn Nữ Thị Hồng Nhung Nguyễn Phước", commune)
    certify("lan", "Lê Thị Lan", commune)
    page = phone.page
    log_in_admin(page, live_server)
    page.goto(f"{live_server}/admin/certificates")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    phone.assert_no_horizontal_scroll()
    region = page.get_by_role("region", name="Issued certificates")
    widths = region.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert widths[0] <= widths[1], f"the table scrolls inside its box: {widths}"
    first = rows.filter(has_text="Công Tôn Nữ")
    expect(first.locator('td[data-label="Account"]')).to_contain_text("nguyen-thi-hong-nhung-2025")
    assert first.locator('td[data-label="Code"]').bounding_box()["width"] <= PHONE_WIDTH
    first.get_by_role("link", name="Công Tôn Nữ Thị Hồng Nhung Nguyễn Phước").click()
    expect(page.locator("h1")).to_contain_text("Certificate")
    expect(page.locator("main")).to_contain_text("Công Tôn Nữ Thị Hồng Nhung Nguyễn Phước")
    phone.assert_no_horizontal_scroll()
    phone.assert_clean()
