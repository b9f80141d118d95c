"""Issue 14 item 12: the admin home reaches every admin task, admins land on it, and the jobs page."""

import pytest

from app.certificates import batch
from app.enrolment.services import create_intake
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import JobState
from app.progress.models import CourseCompletion, Enrolment
from tests import builders
from tests.conftest import PASSWORD, csrf_token_from

pytestmark = pytest.mark.usefixtures("no_job_left_running")

NEW_ROUTES = ["/admin/", "/admin/jobs"]
# Where each admin task starts; the home links to every one (the funnel through the reports list).
TASK_LINKS = [
    "/admin/users/", "/admin/imports/learners", "/admin/units/", "/admin/intakes", "/admin/reports",
    "/admin/reports/courses/khoa-mau", "/admin/certificates", "/admin/certificates/print",
    "/courses/khoa-mau/live", "/admin/jobs", "/admin/audit", "/authoring/",
]


@pytest.fixture
def admin_locale():
    return "en"  # the assertions read the English pages


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_are_refused(client, auth, make_user, role):
    make_user(role=role, username="someone")
    auth.login("someone")
    for url in NEW_ROUTES:
        assert client.get(url).status_code == 403, url


def test_anonymous_users_are_sent_to_login(client):
    for url in NEW_ROUTES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_the_home_links_every_admin_task_and_gives_figures(client, admin, make_user):
    lan, hoa = make_user(username="lan"), make_user(username="hoa")
    intake = create_intake(builders.course(), "dot-1", "Đợt 1")
    db.session.add_all([Enrolment(user_id=u.id, course_id=intake.course_id, intake_id=intake.id)
                        for u in (lan, hoa)])
    db.session.add(CourseCompletion(user_id=lan.id, course_id=intake.course_id, score=90))
    db.session.commit()
    page = client.get("/admin/").get_data(as_text=True)
    for url in TASK_LINKS:
        assert f'href="{url}"' in page, url
    assert "2 learners" in page and "1 intake" in page
    assert "Completed / enrolled in an intake: <strong>1/2 — 50,0%</strong>" in page
    assert "0 queued or running, 0 failed" in page


def test_admins_land_on_the_admin_home_unless_a_safe_next_says_otherwise(client, make_user):
    make_user(role="admin", username="quantri")
    make_user(username="lan")
    assert client.post("/login", data={"login": "quantri", "password": PASSWORD}
                       ).headers["Location"] == "/admin/"
    assert client.get("/login").headers["Location"] == "/admin/"  # already logged in
    client.post("/logout")
    response = client.post("/login?next=/admin/reports", data={"login": "quantri", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/reports"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/", data={"login": "quantri", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"
    client.post("/logout")
    response = client.post("/login", data={"login": "lan", "password": PASSWORD})
    assert response.headers["Location"] == "/courses"


def test_the_header_links_the_admin_home_for_admins_only(client, auth, admin, make_user):
    assert 'href="/admin/">Administration</a>' in client.get("/courses").get_data(as_text=True)
    client.post("/logout")
    make_user(username="lan")
    auth.login("lan")
    assert 'href="/admin/"' not in client.get("/courses").get_data(as_text=True)


def test_the_jobs_page_lists_jobs_with_state_progress_and_a_retry_for_failed_ones(client, admin):
    done = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "unit": "T99"}, admin.id)
    failed = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau"}, admin.id)
    done.state, done.progress_done, done.progress_total = JobState.DONE, 12, 12
    failed.state, failed.attempts = JobState.FAILED, 2
    failed.error = "no valid certificate matches this selection"
    db.session.commit()
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Certificate printing</a> · khoa-mau · T99" in page and "12/12" in page and "quantri" in page
    assert "no valid certificate matches this selection" in page and "Failed" in page
    assert f'action="/admin/jobs/{failed.token}/retry"' in page
    assert f'action="/admin/jobs/{done.token}/retry"' not in page
    only_failed = client.get("/admin/jobs?state=failed").get_data(as_text=True)
    assert failed.token in only_failed and done.token not in only_failed
    assert client.get("/admin/jobs?state=<script>").status_code == 200


def test_retry_from_the_jobs_page_needs_the_csrf_token(csrf_app, make_user):
    make_user(role="admin", username="quantri")
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": "quantri", "password": PASSWORD, "csrf_token": token})
    job = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "on": "2025-08-01"}, None)
    job.state = JobState.FAILED
    db.session.commit()
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert client.post(f"/admin/jobs/{job.token}/retry").status_code == 400
    response = client.post(f"/admin/jobs/{job.token}/retry", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
