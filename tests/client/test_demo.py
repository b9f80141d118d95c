"""`flask demo create`: the demo instructor finds the demo course in /authoring/ (issue 14 item 8)."""

import shutil

import pytest
import sqlalchemy as sa

from app import demo
from app.authoring.models import CourseAssignment
from app.extensions import db
from app.progress.models import Enrolment
from tests import builders
from tests.conftest import row_count


@pytest.fixture
def demo_course(monkeypatch):
    """The fixture course stands in for the shipped demo course."""
    monkeypatch.setattr(demo, "DEMO_COURSE", "khoa-mau")
    return "khoa-mau"


def demo_create(app):
    result = app.test_cli_runner().invoke(args=["demo", "create"])
    assert result.exit_code == 0, result.output
    return result


def test_the_demo_instructor_edits_the_demo_course(app, client, auth, demo_course):
    demo_create(app)

    auth.login("giangvien", "GiangVien@2025")
    page = client.get("/authoring/").get_data(as_text=True)

    assert "Khóa học mẫu về chuyển đổi số" in page
    assert client.get("/authoring/courses/khoa-mau").status_code == 200


def test_demo_create_twice_assigns_and_enrols_once(app, demo_course):
    demo_create(app)
    demo_create(app)

    assert row_count(CourseAssignment) == 1 and row_count(Enrolment) == 1


def test_a_demo_course_loaded_after_demo_create_is_assigned_then(app, courses_dir, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_COURSE", "khoa-sau")
    demo_create(app)
    assert row_count(CourseAssignment) == 0
    later = courses_dir / "khoa-sau"
    shutil.copytree(courses_dir / "khoa-mau", later)
    course_yml = later / "course.yml"
    course_yml.write_text(course_yml.read_text(encoding="utf-8").replace("id: khoa-mau", "id: khoa-sau"),
                          encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["courses", "sync"])

    assert result.exit_code == 0, result.output
    assignment = db.session.scalar(
        sa.select(CourseAssignment).filter_by(course_id=builders.course("khoa-sau").id))
    assert assignment is not None and assignment.user.username == "giangvien"
    assert row_count(Enrolment) == 1

