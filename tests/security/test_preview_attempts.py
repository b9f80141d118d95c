"""Issue 10, item 8: an instructor's or admin's quiz attempts are previews that issue nothing."""

import pytest
import sqlalchemy as sa

from app.authoring.statistics import module_statistics
from app.certificates.models import Certificate
from app.extensions import db
from app.progress.models import CourseCompletion
from app.quizzes.models import QuizAttempt
from tests import builders
from tests.conftest import row_count


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_issue10_8_staff_trying_a_course_get_previews_and_no_certificate(
    client, auth, make_user, role, figures
):
    make_user(role=role, username="thu")
    auth.login("thu")
    builders.complete_course(client)  # joins, reads every module, passes every quiz
    attempts = db.session.scalars(sa.select(QuizAttempt)).all()
    assert attempts and all(a.is_preview and a.is_submitted and a.passed for a in attempts)
    page = client.get(f"/attempts/{attempts[0].token}").get_data(as_text=True)
    assert "Bản xem thử" in page
    module_page = client.get("/courses/khoa-mau/modules/gioi-thieu").get_data(as_text=True)
    assert "Bản xem thử" in module_page
    certificates, completions = row_count(Certificate), row_count(CourseCompletion)
    asked = module_statistics(builders.module("gioi-thieu")).current
    figures.add(f"issue 10.8: {role} passing every quiz → {len(attempts)} preview attempts, "
                f"{completions} completions, {certificates} certificates, "
                f"{sum(s.attempts for s in asked)} answers in question statistics")
    assert (certificates, completions) == (0, 0)
    assert sum(s.attempts for s in asked) == 0


def test_issue10_8_a_learners_attempts_are_real_and_counted(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    assert not any(a.is_preview for a in db.session.scalars(sa.select(QuizAttempt)))
    assert row_count(Certificate) == 1
    assert all(s.attempts == 1 for s in module_statistics(builders.module("gioi-thieu")).current)
    page = client.get("/courses/khoa-mau/modules/gioi-thieu").get_data(as_text=True)
    assert "Bản xem thử" not in page
