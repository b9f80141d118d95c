"""Reading offline through the client: the manifest, the replay endpoint and the headers."""

import base64
import shutil

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.progress.models import CourseCompletion, ModuleProgress
from app.security.headers import content_security_policy
from tests import builders
from tests.conftest import FIXTURE_COURSES, PASSWORD, csrf_token_from

# A 1x1 PNG: the image the reading module shows, stored for reading offline.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
IMAGE_URL = "/courses/khoa-mau/files/so-do.png"
MANIFEST = "/courses/khoa-mau/offline.json"
SAVING = {"Hocso-Offline-Save": "1"}
OPENED = "/courses/khoa-mau/modules/doc-them/offline/opened"
READ = "/courses/khoa-mau/modules/doc-them/offline/read"


def copy_courses_with_an_image(tmp_path):
    """The fixture courses, with an image in the reading module (doc-them)."""
    target = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, target)
    (target / "khoa-mau" / "so-do.png").write_bytes(PNG)
    module = target / "khoa-mau" / "02-doc-them.md"
    module.write_text(module.read_text(encoding="utf-8") + "\n![Sơ đồ chính quyền số](so-do.png)\n",
                      encoding="utf-8")
    return target


@pytest.fixture
def courses_dir(tmp_path):
    return copy_courses_with_an_image(tmp_path)


@pytest.fixture
def learner(client, auth, make_user):
    """A learner enrolled in khoa-mau, logged in."""
    user = make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    return user


def rows_of(user) -> list[ModuleProgress]:
    return list(db.session.scalars(sa.select(ModuleProgress).filter_by(user_id=user.id)))


def test_manifest_lists_the_course_its_modules_css_and_images(client, learner):
    response = client.get(MANIFEST)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    manifest = response.get_json()
    assert manifest["pages"] == [
        "/courses/khoa-mau", "/courses/khoa-mau/modules/gioi-thieu",
        "/courses/khoa-mau/modules/doc-them", "/courses/khoa-mau/modules/an-toan",
    ]
    assert manifest["assets"][0].startswith("/static/hocso.css?v=")
    assert manifest["assets"][1:] == [IMAGE_URL]
    assert manifest["fallback"] == "/offline"
    assert client.get(IMAGE_URL).data == PNG


def test_manifest_never_lists_quiz_or_attempt_urls(client, learner):
    token = builders.start_attempt(client, "gioi-thieu")
    text = client.get(MANIFEST).get_data(as_text=True)
    assert "/quiz" not in text and "/attempts/" not in text and token not in text


def test_manifest_is_for_enrolled_learners_only(client, auth, make_user):
    assert client.get(MANIFEST).status_code == 302  # anonymous: to the login page
    make_user(username="khach")
    auth.login("khach")
    assert client.get(MANIFEST).status_code == 403  # a learner who has not joined
    assert client.get("/courses/khong-co/offline.json").status_code == 404
    for role in ("instructor", "admin"):
        make_user(role=role, username=role)
        auth.logout()
        auth.login(role)
        client.post("/courses/khoa-mau/enrol")
        assert client.get(MANIFEST).status_code == 403, role


def test_saving_a_module_page_does_not_count_as_opening_it(client, learner):
    page = client.get("/courses/khoa-mau/modules/doc-them", headers=SAVING)
    assert page.status_code == 200 and IMAGE_URL in page.get_data(as_text=True)
    assert rows_of(learner) == []
    client.get("/courses/khoa-mau/modules/doc-them")
    assert len(rows_of(learner)) == 1


def test_an_open_sent_twice_is_recorded_once(client, learner):
    assert client.post(OPENED).status_code == 204
    [row] = rows_of(learner)
    opened_at = row.opened_at
    assert client.post(OPENED).status_code == 204
    [again] = rows_of(learner)
    assert again.id == row.id and again.opened_at == opened_at and again.completed_at is None


def test_a_read_sent_twice_completes_the_module_once(client, learner):
    assert client.post(READ).status_code == 204
    [row] = rows_of(learner)
    completed_at = row.completed_at
    assert completed_at is not None
    assert client.post(READ).status_code == 204
    assert [r.completed_at for r in rows_of(learner)] == [completed_at]


def test_a_quiz_module_cannot_be_completed_by_a_replayed_read(client, learner):
    assert client.post("/courses/khoa-mau/modules/gioi-thieu/offline/read").status_code == 403
    assert rows_of(learner) == []
    assert client.post("/courses/khoa-mau/modules/gioi-thieu/offline/opened").status_code == 204


def test_replay_refuses_unknown_modules_events_and_outsiders(client, auth, make_user, learner):
    assert client.post("/courses/khoa-mau/modules/khong-co/offline/opened").status_code == 404
    assert client.post("/courses/khoa-mau/modules/doc-them/offline/passed").status_code == 404
    assert client.get(OPENED).status_code == 405
    outsider = make_user(username="khach")
    auth.logout()
    auth.login("khach")
    assert client.post(OPENED).status_code == 403
    assert client.post(READ).status_code == 403
    assert rows_of(outsider) == [] and rows_of(learner) == []
    auth.logout()
    assert client.post(OPENED).status_code == 302  # logged out: to the login page


def test_replay_records_only_for_the_learner_logged_in(client, auth, make_user, learner):
    other = make_user(username="hoa")
    auth.logout()
    auth.login("hoa")
    client.post("/courses/khoa-mau/enrol")
    assert client.post(READ).status_code == 204
    assert rows_of(learner) == [] and len(rows_of(other)) == 1


def test_replay_needs_the_csrf_token_of_her_session(csrf_app, make_user):
    make_user(username="lan")
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": "lan", "password": PASSWORD, "csrf_token": token})
    token = csrf_token_from(client.get("/courses/khoa-mau").get_data(as_text=True))
    client.post("/courses/khoa-mau/enrol", data={"csrf_token": token})
    foreign = csrf_token_from(csrf_app.test_client().get("/login").get_data(as_text=True))
    assert client.post(OPENED).status_code == 400
    assert client.post(OPENED, headers={"X-CSRFToken": foreign}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleProgress)) == 0
    assert client.post(OPENED, headers={"X-CSRFToken": token}).status_code == 204
    assert client.post(READ, headers={"X-CSRFToken": token}).status_code == 204
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleProgress)) == 1


def test_the_last_module_read_offline_completes_the_course(client, learner):
    for module_slug in ("gioi-thieu", "an-toan"):
        token = builders.start_attempt(client, module_slug)
        client.post(f"/attempts/{token}", data=builders.answers_for(module_slug, token=token))
    assert client.post(READ).status_code == 204
    assert db.session.scalar(sa.select(CourseCompletion).filter_by(user_id=learner.id)) is not None


def test_service_worker_headers(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    assert "max-age=0" in response.headers["Cache-Control"]
    assert b"hocso-offline:" in response.data


def test_the_policy_names_the_two_scripts_exactly(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "http://localhost/static/offline.js"
    assert directives["worker-src"] == "http://localhost/sw.js"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


def test_an_odd_host_gets_no_script_at_all():
    assert "script-src 'none';" in content_security_policy("http", "evil.vn; script-src *")
    assert "worker-src" not in content_security_policy("javascript", "hocso.vn")
    assert "script-src https://[::1]:8443/static/offline.js;" in content_security_policy(
        "https", "[::1]:8443")


def test_the_script_loads_on_learner_pages_only(client, auth, make_user, learner):
    page = client.get("/courses/khoa-mau").get_data(as_text=True)
    assert '<script src="/static/offline.js?v=' in page and f'data-user="{learner.id}"' in page
    assert 'id="offline-save"' in page and "hidden" in page.split('id="offline-save"')[1][:80]
    auth.logout()
    assert "<script" not in client.get("/login").get_data(as_text=True)
    make_user(role="admin", username="quan-tri")
    auth.login("quan-tri")
    assert "<script" not in client.get("/courses/khoa-mau").get_data(as_text=True)


def test_the_save_button_needs_an_enrolment(client, auth, make_user):
    make_user(username="khach")
    auth.login("khach")
    assert 'id="offline-save"' not in client.get("/courses/khoa-mau").get_data(as_text=True)


def test_both_scripts_stay_small():
    static = FIXTURE_COURSES.parents[2] / "app" / "static"
    assert (static / "sw.js").stat().st_size + (static / "offline.js").stat().st_size <= 10 * 1024


def test_logout_clears_what_was_saved_on_the_device(client, learner):
    response = client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_the_offline_page_in_both_languages(client):
    assert "Bạn đang không có kết nối mạng" in client.get("/offline").get_data(as_text=True)
    english = client.get("/offline", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You are offline" in english and "Quizzes need a connection" in english
