"""Admin pages for intakes, enrolment and accounts: who may use them, CSRF, audit, effects."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.enrolment.services import create_intake
from app.extensions import db
from app.progress.models import Enrolment
from app.units.models import Unit, UnitLevel
from tests import builders
from tests.conftest import PASSWORD, audit_events, csrf_token_from

# Every admin route of units, enrolment and accounts, as (method, url).
ADMIN_ROUTES = [
    ("GET", "/admin/"), ("GET", "/admin/imports/learners"), ("POST", "/admin/imports/learners"),
    ("POST", "/admin/imports/learners/confirm"), ("GET", "/admin/imports/learners/template.xlsx"),
    ("GET", "/admin/intakes"), ("POST", "/admin/intakes"), ("GET", "/admin/intakes/1"),
    ("POST", "/admin/intakes/1/enrol"), ("POST", "/admin/intakes/1/edit"), ("GET", "/admin/users/"),
    ("GET", "/admin/users/1"),
    ("POST", "/admin/users/1/password"), ("POST", "/admin/users/1/deactivate"),
    ("POST", "/admin/users/1/reactivate"), ("GET", "/admin/units/"), ("GET", "/admin/units/new"),
    ("POST", "/admin/units/new"), ("GET", "/admin/units/1"), ("POST", "/admin/units/1/rename"),
    ("POST", "/admin/units/1/move"), ("POST", "/admin/units/1/merge"),
]
STATE_CHANGING = [url for method, url in ADMIN_ROUTES if method == "POST"]


@pytest.fixture
def intake(app):
    intake = create_intake(builders.course(), "2025-dot-1", "Đợt 1 năm 2025", date(2025, 12, 31))
    db.session.commit()
    return intake


@pytest.fixture
def admin_locale():
    return "en"  # the assertions read the English pages


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_are_refused_every_admin_route(client, auth, make_user, intake, role):
    make_user(role=role, username="someone")
    auth.login("someone")
    for method, url in ADMIN_ROUTES:
        assert client.open(url, method=method, data={"name": "x"}).status_code == 403, (method, url)
    assert db.session.get(User, 1).is_active_account and not audit_events("user.password_reset")


def test_anonymous_users_are_sent_to_login(client, make_user, intake):
    make_user(username="lan")
    for method, url in ADMIN_ROUTES:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


def test_admin_forms_reject_missing_and_foreign_csrf_tokens(csrf_app, make_user, intake):
    make_user(role="admin", username="quantri")
    target = make_user(username="lan")
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": "quantri", "password": PASSWORD, "csrf_token": token})
    foreign = csrf_token_from(csrf_app.test_client().get("/login").get_data(as_text=True))
    for url in STATE_CHANGING:
        assert client.post(url, data={}).status_code == 400, url
        assert client.post(url, data={"csrf_token": foreign}).status_code == 400, url
    assert db.session.get(User, target.id).is_active_account and not audit_events("user.password_reset")
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.post(f"/admin/users/{target.id}/deactivate", data={"csrf_token": token}).status_code == 302
    assert not db.session.get(User, target.id).is_active_account


def test_create_an_intake_and_enrol_whole_units_including_merged_ones(client, admin, commune, make_user):
    province = commune.parent
    old = Unit(code="T99-OLD", name="Xã Cũ", level=UnitLevel.COMMUNE, parent=province,
               valid_until=date(2025, 7, 1), successor=commune)
    other = Unit(code="T99-X09", name="Xã Khác", level=UnitLevel.COMMUNE, parent=province)
    db.session.add_all([old, other])
    db.session.commit()
    here, merged, elsewhere = (make_user(username=n) for n in ("lan", "hoa", "mai"))
    merged.unit, elsewhere.unit = old, other
    make_user(role="instructor", username="giangvien")  # only learners are enrolled with a unit
    db.session.commit()
    response = client.post("/admin/intakes", data={"course": "khoa-mau", "code": "2025-dot-1",
                                                   "name": "Đợt 1 năm 2025", "deadline": "2025-12-31"})
    assert response.status_code == 302
    intake_url = response.headers["Location"]
    response = client.post(intake_url + "/enrol", data={"unit_codes": "T99-X01\n", "logins": ""})
    assert response.status_code == 302
    enrolled = {db.session.get(User, e.user_id).username for e in db.session.scalars(sa.select(Enrolment))}
    assert enrolled == {"lan", "hoa"}
    assert "Đợt 1 năm 2025" in client.get(intake_url).get_data(as_text=True)
    client.post(intake_url + "/enrol", data={"unit_codes": "T99"})  # the province: every unit below
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 3
    first, second = audit_events("enrolment.added")
    assert first.details["enrolled"] == 2 and first.details["units"] == ["T99-X01"]
    assert (second.details["enrolled"], second.details["already"]) == (1, 2)
    assert audit_events("intake.created")[0].target == "khoa-mau:2025-dot-1"


def test_enrolling_unknown_references_enrols_nobody(client, admin, intake, make_user):
    make_user(username="lan")
    response = client.post(f"/admin/intakes/{intake.id}/enrol", data={"unit_codes": "NOPE", "logins": "lan"})
    assert response.status_code == 400 and "NOPE" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_a_learner_in_another_intake_stays_there(client, admin, intake, make_user):
    lan = make_user(username="lan")
    other = create_intake(intake.course, "2025-dot-2", "Đợt 2")
    db.session.add(Enrolment(user_id=lan.id, course_id=intake.course_id, intake_id=other.id))
    db.session.commit()
    client.post(f"/admin/intakes/{intake.id}/enrol", data={"logins": "lan"})
    assert db.session.scalar(sa.select(Enrolment.intake_id)) == other.id


def test_password_reset_shows_a_one_time_password_once(client, auth, admin, make_user):
    lan = make_user(username="lan")
    response = client.post(f"/admin/users/{lan.id}/password")
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    password = page.split('class="credential">')[2].split("<")[0]
    details = [event.details for event in audit_events("user.password_reset")]
    assert len(password) == 14 and password not in repr(details)
    assert db.session.get(User, lan.id).must_change_password
    assert audit_events("user.password_reset")[0].target == "lan"
    auth.logout()
    assert auth.login("lan").status_code == 200  # the old password no longer works
    assert auth.login("lan", password).status_code == 302


def test_an_admin_cannot_reset_or_deactivate_herself(client, admin):
    client.post(f"/admin/users/{admin.id}/password")
    client.post(f"/admin/users/{admin.id}/deactivate")
    me = db.session.get(User, admin.id)
    assert me.is_active_account and not me.must_change_password
    assert client.get("/admin/").status_code == 200


def test_deactivation_ends_sessions_at_once_and_reactivation_restores_login(app, client, admin, make_user):
    lan = make_user(username="lan")
    learner_client = app.test_client()
    learner_client.post("/login", data={"login": "lan", "password": PASSWORD})
    assert learner_client.get("/courses").status_code == 200
    assert client.post(f"/admin/users/{lan.id}/deactivate").status_code == 302
    assert learner_client.get("/courses").status_code == 302  # her next request
    assert learner_client.post("/login", data={"login": "lan", "password": PASSWORD}).status_code == 200
    client.post(f"/admin/users/{lan.id}/reactivate")
    assert learner_client.post("/login", data={"login": "lan", "password": PASSWORD}).status_code == 302
    assert [e.event for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target == "lan"))
            if e.event.startswith("user.")] == ["user.deactivated", "user.reactivated"]


def test_user_search_and_admin_home(client, admin, make_user):
    make_user(username="lan", full_name="Trần Thị Lan", phone="0912345678")
    make_user(username="hoa", full_name="Lê Thị Hoa")
    assert "Trần Thị Lan" in client.get("/admin/users/?q=0912 345 678").get_data(as_text=True)
    page = client.get("/admin/users/?q=lan").get_data(as_text=True)
    assert "Trần Thị Lan" in page and "Lê Thị Hoa" not in page
    home = client.get("/admin/").get_data(as_text=True)
    assert "Import learners" in home and 'href="/admin/"' in home  # the nav link


def test_user_search_finds_names_typed_without_tone_marks_word_by_word(client, admin, make_user):
    make_user(username="nguyen.an", full_name="Nguyễn Văn An")
    make_user(username="dung", full_name="Đặng Thị Dung")
    make_user(username="binh", full_name="Nguyễn Thị Bình")
    make_user(username="x_100", full_name="Phạm Minh")
    make_user(username="xa100", full_name="Lý Hùng")

    def found(text: str) -> set[str]:
        page = client.get("/admin/users/", query_string={"q": text}).get_data(as_text=True)
        names = ("Nguyễn Văn An", "Đặng Thị Dung", "Nguyễn Thị Bình", "Phạm Minh", "Lý Hùng")
        return {name for name in names if name in page}

    assert found("nguyen") == {"Nguyễn Văn An", "Nguyễn Thị Bình"}
    assert found("NGUYỄN") == {"Nguyễn Văn An", "Nguyễn Thị Bình"}
    assert found("dang dung") == {"Đặng Thị Dung"}  # đ typed as d
    assert found("an nguyen") == {"Nguyễn Văn An"}  # each word, in any order
    assert found("binh van") == set()  # every word must match
    assert found("NGUYEN.AN") == {"Nguyễn Văn An"}  # the username, any case
    assert found("x_1") == {"Phạm Minh"} and found("%") == set()  # LIKE's wildcards are letters here


def test_malformed_admin_input_never_fails_the_server(client, admin, intake, commune):
    attempts = [
        ("/admin/imports/learners", {"file": "not a file", "intake": "abc"}),
        ("/admin/imports/learners/confirm", {"payload": "x" * 5000}),
        ("/admin/intakes", {"course": "no-such-course", "code": "../..", "name": "", "deadline": "31/12"}),
        (f"/admin/intakes/{intake.id}/enrol", {"unit_codes": "\n" * 50, "logins": "' OR 1=1 --"}),
        ("/admin/units/new", {"code": "=cmd|' /C calc'!A0", "name": "x", "level": "village"}),
        (f"/admin/units/{commune.id}/merge", {"into_code": commune.code, "effective": "yesterday"}),
        (f"/admin/units/{commune.id}/move", {"parent_code": "T99-X01"}),
        ("/admin/users/999999/password", {}),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code < 500, url
    for data in (b"PK\x03\x04" + b"\x00" * 100, bytes(range(256)) * 10, b"\xff\xfe" + b"\x00\xd8" * 50):
        response = client.post("/admin/imports/learners", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), "x.xlsx"), "intake": "0"})
        assert response.status_code == 200 and 'name="payload"' not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
