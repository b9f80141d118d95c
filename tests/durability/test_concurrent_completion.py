"""Case 19: twenty concurrent completions of a learner's last module give one completion, one certificate."""

import sqlalchemy as sa

from app.accounts.models import User
from app.certificates.models import Certificate
from app.extensions import db
from app.progress import services as progress
from app.progress.models import CourseCompletion
from app.quizzes import services as quizzes
from app.quizzes.models import QuizAttempt
from tests import builders
from tests.durability.conftest import database_name, open_attempts, run_together

THREADS = 20


def learner_before_last_module(make_user) -> User:
    user = make_user(username="lan")
    progress.enrol(user, builders.course())
    progress.complete_module(user, builders.module("gioi-thieu"), 100)
    progress.complete_module(user, builders.module("doc-them"), None)
    db.session.commit()
    return user


def test_twenty_concurrent_last_submissions_issue_one_certificate(app, threaded_app, make_user, figures):
    pooled = threaded_app(THREADS)
    user = learner_before_last_module(make_user)
    tokens = open_attempts(user, "an-toan", THREADS)
    answers = [{key.removeprefix("q-"): values for key, values in
                builders.answers_for("an-toan", token=token).items()} for token in tokens]
    user_id = user.id

    def submit(number: int) -> bool:
        with pooled.app_context():
            try:
                learner = db.session.get(User, user_id)
                submission = quizzes.submit_attempt(learner, tokens[number], answers[number])
                db.session.commit()
                return submission.completed_course
            finally:
                db.session.rollback()

    db.session.commit()  # the test's own transaction ends, so nothing below reads an old snapshot
    completed, errors = run_together(THREADS, submit)
    db.session.commit()
    completions = db.session.scalar(sa.select(sa.func.count()).select_from(CourseCompletion))
    certificates = db.session.scalar(sa.select(sa.func.count()).select_from(Certificate))
    submitted = db.session.scalar(
        sa.select(sa.func.count()).select_from(QuizAttempt).where(QuizAttempt.state == "submitted")
    )
    figures.add(
        f"H19 ({database_name()}): {THREADS} concurrent completions → {completions} completion, "
        f"{certificates} certificate, {len(errors)} errors"
    )
    assert not errors, errors
    assert submitted == THREADS
    assert completed.count(True) == 1
    assert (completions, certificates) == (1, 1)
    certificate = db.session.scalars(sa.select(Certificate)).one()
    completion = db.session.scalars(sa.select(CourseCompletion)).one()
    assert certificate.completion_id == completion.id and certificate.user_id == user_id
