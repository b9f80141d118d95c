"""Editing, reordering, renaming and removing modules keeps learners' records."""

import sqlalchemy as sa

from app.certificates.models import Certificate
from app.content.models import Module, QuizVersion
from app.content.services import sync_courses
from app.extensions import db
from app.progress.models import ModuleProgress
from app.quizzes.models import QuizAttempt
from tests import builders


def resync(courses_dir):
    sync_courses(courses_dir)
    db.session.commit()


def learner_with_first_module_done(client, auth, make_user):
    user = make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    token = builders.start_attempt(client, "gioi-thieu")
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", token=token))
    return user, token


def test_editing_a_quiz_keeps_attempts_on_the_version_they_were_graded_against(
        app, client, auth, make_user, courses_dir):
    user, token = learner_with_first_module_done(client, auth, make_user)
    old_version = builders.module("gioi-thieu").quiz_version_id
    path = courses_dir / "khoa-mau" / "01-gioi-thieu.md"
    path.write_text(path.read_text().replace("- ( ) 2025", "- ( ) 2024"))
    resync(courses_dir)
    assert builders.module("gioi-thieu").quiz_version_id != old_version
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.quiz_version_id == old_version and attempt.score == 100
    assert client.get(f"/attempts/{token}").status_code == 200  # feedback still renders
    versions = sa.select(sa.func.count()).select_from(QuizVersion).filter_by(
        module_id=builders.module("gioi-thieu").id)
    assert db.session.scalar(versions) == 2


def test_reordering_and_renaming_keep_progress(app, client, auth, make_user, courses_dir):
    user, _ = learner_with_first_module_done(client, auth, make_user)
    path = courses_dir / "khoa-mau" / "01-gioi-thieu.md"
    text = path.read_text().replace("order: 1", "order: 9").replace(
        "title: Giới thiệu chuyển đổi số", "title: Nhập môn chuyển đổi số")
    path.unlink()
    (courses_dir / "khoa-mau" / "09-nhap-mon.md").write_text(text)
    resync(courses_dir)
    module = builders.module("gioi-thieu")
    assert module.title == "Nhập môn chuyển đổi số" and module.position == 9
    row = db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=user.id, module_id=module.id))
    assert row.completed_at is not None


def test_a_removed_module_is_archived_with_its_records(app, client, auth, make_user, courses_dir):
    user, token = learner_with_first_module_done(client, auth, make_user)
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(courses_dir)])
    assert "is gone" not in result.output
    (courses_dir / "khoa-mau" / "01-gioi-thieu.md").unlink()
    result = app.test_cli_runner().invoke(args=["courses", "validate", str(courses_dir)])
    assert "module 'gioi-thieu' is gone" in result.output and result.exit_code == 0
    resync(courses_dir)
    module = db.session.scalar(sa.select(Module).filter_by(slug="gioi-thieu"))
    assert module.is_archived
    assert db.session.scalar(sa.select(QuizAttempt).filter_by(token=token)) is not None
    assert client.get("/courses/khoa-mau/modules/gioi-thieu").status_code == 404


def test_changing_the_rules_never_touches_an_issued_certificate(
        app, client, auth, make_user, courses_dir):
    make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    certificate = db.session.scalars(sa.select(Certificate)).one()
    pdf_hash = certificate.pdf_sha256
    (courses_dir / "khoa-mau" / "04-moi.md").write_text(
        "---\nid: bai-moi\ntitle: Bài mới bắt buộc\norder: 4\nminutes: 5\n---\n\nNội dung mới.\n")
    course = builders.course()
    course_yml = courses_dir / "khoa-mau" / "course.yml"
    course_yml.write_text(course_yml.read_text().replace("pass_mark: 70", "pass_mark: 95"))
    resync(courses_dir)
    db.session.refresh(certificate)
    assert certificate.status == "valid" and certificate.pdf_sha256 == pdf_hash
    assert len(course.active_modules) == 4
