"""Certificates admin: search, revoke with a reason, correct a name and reissue; CSRF; roles."""


import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.services import create_user
from app.certificates.models import Certificate
from app.certificates.services import issue_certificate
from app.extensions import db
from app.jobs.models import BatchJob
from app.progress.models import CourseCompletion
from app.units.models import Unit, UnitLevel
from tests import builders
from tests.conftest import PASSWORD, audit_events, csrf_token_from
from tests.pdf.poppler import pdf_text

ADMIN_BASE = "/admin/certificates"


def certify(username: str, full_name: str, unit: Unit, score: int = 90) -> Certificate:
    """A learner with a completed course and its certificate, issued as on completion."""
    user = create_user(username, full_name, PASSWORD, unit=unit)
    course = builders.course()
    completion = CourseCompletion(user_id=user.id, course_id=course.id, score=score)
    db.session.add(completion)
    db.session.flush()
    certificate = issue_certificate(user, course, completion)
    db.session.commit()
    return certificate


@pytest.fixture
def units(app) -> dict[str, Unit]:
    lao_cai = Unit(code="LC", name="Tỉnh Lào Cai", level=UnitLevel.PROVINCE)
    ta_van = Unit(code="LC-TV", name="Xã Tả Van", level=UnitLevel.COMMUNE, parent=lao_cai)
    ban_ho = Unit(code="LC-BH", name="Xã Bản Hồ", level=UnitLevel.COMMUNE, parent=lao_cai)
    db.session.add_all([lao_cai, ta_van, ban_ho])
    db.session.commit()
    return {u.code: u for u in (lao_cai, ta_van, ban_ho)}


def test_search_by_name_without_tone_marks_by_code_unit_and_status(client, units, admin):
    an = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    duc = certify("hv-duc", "Hoàng Văn Đức", units["LC-BH"])

    def found(**args) -> list[str]:
        page = client.get(ADMIN_BASE, query_string=args).get_data(as_text=True)
        return [c.display_code for c in (an, duc) if c.display_code in page]

    assert found(q="nguyen an") == [an.display_code]
    assert found(q="Đức") == [duc.display_code]
    assert found(q=duc.code.lower()) == [duc.display_code]
    assert found(unit="LC-BH") == [duc.display_code]
    assert found(unit="LC") == [an.display_code, duc.display_code]
    assert found(course="khoa-mau", status="valid") == [an.display_code, duc.display_code]
    assert found(status="revoked") == []
    assert found(q="100%_") == []  # LIKE wildcards are matched literally


def test_revoke_with_a_reason_shows_on_the_verify_page_and_is_audited(client, units, admin):
    certificate = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    response = client.post(f"{ADMIN_BASE}/{certificate.display_code}/revoke",
                           data={"reason": "Cấp nhầm người"})
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.status == "revoked" and certificate.revoke_reason == "Cấp nhầm người"
    (event,) = audit_events("certificate.revoked")
    assert event.actor_name == "quantri" and event.details["reason"] == "Cấp nhầm người"
    client.post("/logout")
    page = client.get(f"/verify/{certificate.display_code}").get_data(as_text=True)
    assert "Đã bị thu hồi ngày" in page and "Lý do: Cấp nhầm người" in page


def test_revoke_needs_a_reason_and_a_valid_certificate(client, units, admin):
    certificate = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    url = f"{ADMIN_BASE}/{certificate.display_code}/revoke"
    assert client.post(url, data={"reason": "   "}).status_code == 400
    db.session.refresh(certificate)
    assert certificate.status == "valid"
    client.post(url, data={"reason": "Sai thông tin"})
    again = client.post(url, data={"reason": "Lần nữa"}, follow_redirects=True)
    assert again.status_code == 200 and len(audit_events("certificate.revoked")) == 1


def test_correct_the_name_then_reissue_gives_a_new_code_and_supersedes_the_old(client, units, admin):
    old = certify("hv-nhung", "Nguyen Thi Hong Nhung", units["LC-TV"])
    response = client.post(f"{ADMIN_BASE}/{old.display_code}/name",
                           data={"full_name": "Nguyễn Thị Hồng Nhung"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).filter_by(username="hv-nhung"))
    assert user.full_name == "Nguyễn Thị Hồng Nhung" and user.name_sort_key.startswith("nhung nguyen")
    assert audit_events("user.name_corrected")[0].details["old_name"] == "Nguyen Thi Hong Nhung"

    response = client.post(f"{ADMIN_BASE}/{old.display_code}/reissue")
    assert response.status_code == 302
    new = db.session.scalars(sa.select(Certificate).filter_by(status="valid")).one()
    assert response.headers["Location"].endswith(f"{ADMIN_BASE}/{new.display_code}")
    assert new.code != old.code and new.full_name == "Nguyễn Thị Hồng Nhung"
    assert "Nguyễn Thị Hồng Nhung" in pdf_text(new.pdf, layout=False)
    db.session.refresh(old)
    assert old.status == "superseded" and old.superseded_by_id == new.id
    assert audit_events("certificate.reissued")[0].actor_name == "quantri"

    client.post("/logout")
    old_page = client.get(f"/verify/{old.display_code}").get_data(as_text=True)
    assert "Đã được thay thế" in old_page and new.display_code in old_page
    assert "Hợp lệ" in client.get(f"/verify/{new.display_code}").get_data(as_text=True)


def test_a_name_that_cannot_be_printed_is_refused(client, units, admin):
    certificate = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    response = client.post(f"{ADMIN_BASE}/{certificate.display_code}/name",
                           data={"full_name": "Nguyễn\u202eVăn An"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(User.full_name).filter_by(username="hv-an")) == "Nguyễn Văn An"


def test_the_detail_page_shows_the_forms_and_the_hostile_name_as_text(client, units, admin):
    certificate = certify("hv-x", "<script>alert(1)</script>", units["LC-TV"])
    page = client.get(f"{ADMIN_BASE}/{certificate.display_code}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert 'name="reason"' in page and 'name="full_name"' in page
    assert client.get(f"{ADMIN_BASE}/AAAAA-AAAAA-AAAAA-AAAAA").status_code == 404


def test_admin_forms_refuse_a_missing_or_foreign_csrf_token(csrf_app, client, make_user, units):
    certificate = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    make_user(role="admin", username="quantri")
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"login": "quantri", "password": PASSWORD,
                                "csrf_token": csrf_token_from(login_page)})
    foreign = csrf_token_from(csrf_app.test_client().get("/login").get_data(as_text=True))
    base = f"{ADMIN_BASE}/{certificate.display_code}"
    for url, data in ((f"{base}/revoke", {"reason": "Sai"}), (f"{base}/reissue", {}),
                      (f"{base}/name", {"full_name": "Nguyễn Văn Ân"}),
                      (f"{ADMIN_BASE}/print", {"course": "khoa-mau", "output": "pdf"})):
        assert client.post(url, data=data).status_code == 400, url
        assert client.post(url, data={**data, "csrf_token": foreign}).status_code == 400, url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BatchJob)) == 0
    db.session.refresh(certificate)
    assert certificate.status == "valid"
    token = csrf_token_from(client.get(base).get_data(as_text=True))
    assert client.post(f"{base}/revoke", data={"reason": "Sai", "csrf_token": token}).status_code == 302
    db.session.refresh(certificate)
    assert certificate.status == "revoked"


def admin_requests(code: str, token: str = "t" * 22) -> list[tuple[str, str]]:
    return [
        ("GET", ADMIN_BASE), ("GET", f"{ADMIN_BASE}/{code}"),
        ("POST", f"{ADMIN_BASE}/{code}/revoke"), ("POST", f"{ADMIN_BASE}/{code}/name"),
        ("POST", f"{ADMIN_BASE}/{code}/reissue"), ("GET", f"{ADMIN_BASE}/print"),
        ("POST", f"{ADMIN_BASE}/print"), ("GET", f"{ADMIN_BASE}/print/{token}"),
        ("GET", f"{ADMIN_BASE}/print/{token}/download"),
    ]


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_get_403_everywhere(client, auth, make_user, units, role):
    certificate = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    make_user(role=role, username="someone")
    auth.login("someone")
    for method, url in admin_requests(certificate.display_code):
        data = {"reason": "x", "full_name": "X Y", "course": "khoa-mau"}
        assert client.open(url, method=method, data=data).status_code == 403, (method, url)
    db.session.refresh(certificate)
    assert certificate.status == "valid"


def test_anonymous_users_are_sent_to_login(client, units):
    certificate = certify("hv-an", "Nguyễn Văn An", units["LC-TV"])
    for method, url in admin_requests(certificate.display_code):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)
