"""Learner journey through the client: courses, modules, progress, resume."""

import sqlalchemy as sa

from app.extensions import db
from app.progress.models import CourseCompletion, Enrolment, ModuleProgress
from tests import builders


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/courses")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_course_list_offers_courses_to_join(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    page = client.get("/courses").get_data(as_text=True)
    assert "Khóa học mẫu về chuyển đổi số" in page


def test_joining_a_course_enrols_once(client, auth, make_user):
    user = make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    client.post("/courses/khoa-mau/enrol")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).filter_by(user_id=user.id))
    assert count == 1


def test_learner_must_join_before_reading(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    response = client.get("/courses/khoa-mau/modules/gioi-thieu")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/courses/khoa-mau")


def test_module_page_renders_markdown_and_records_opening(client, auth, make_user):
    user = make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    page = client.get("/courses/khoa-mau/modules/gioi-thieu").get_data(as_text=True)
    assert "<table>" in page and "admonition" in page
    row = db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=user.id))
    assert row is not None and row.completed_at is None


def test_course_page_shows_x_of_y_and_resume(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    client.post("/courses/khoa-mau/modules/doc-them/read")
    client.get("/?lang=en")
    page = client.get("/courses/khoa-mau", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 of 3 modules completed" in page
    assert "/courses/khoa-mau/modules/gioi-thieu" in page  # resume at the first unfinished


def test_reading_module_cannot_be_marked_read_when_it_has_a_quiz(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    assert client.post("/courses/khoa-mau/modules/gioi-thieu/read").status_code == 403


def test_completing_every_module_completes_the_course_once(client, auth, make_user):
    user = make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    builders.complete_course(client)
    completions = db.session.scalars(sa.select(CourseCompletion).filter_by(user_id=user.id)).all()
    assert len(completions) == 1
    assert completions[0].score == 100


def test_unknown_course_and_module_are_404(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    assert client.get("/courses/khong-co").status_code == 404
    assert client.get("/courses/khoa-mau/modules/khong-co").status_code == 404


def test_course_files_serve_images_but_never_sources(client, auth, make_user, courses_dir):
    (courses_dir / "khoa-mau" / "images").mkdir()
    (courses_dir / "khoa-mau" / "images" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    assert client.get("/courses/khoa-mau/files/images/a.png").status_code == 200
    assert client.get("/courses/khoa-mau/files/01-gioi-thieu.md").status_code == 404
    assert client.get("/courses/khoa-mau/files/course.yml").status_code == 404
    assert client.get("/courses/khoa-mau/files/../../etc/passwd").status_code == 404
