"""Attempt limits, deadlines and grading methods hold, on the server's clock."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.content.models import QuizVersion
from app.extensions import db
from app.progress.models import Enrolment, ModuleProgress
from app.quizzes.models import QuizAttempt
from tests import builders


def set_quiz_rules(**rules):
    version = builders.module("gioi-thieu").quiz_version
    version.definition = {**version.definition, **rules}
    db.session.commit()


def enrolled(client, auth, make_user, username="lan"):
    user = make_user(username=username)
    auth.login(username)
    client.post("/courses/khoa-mau/enrol")
    return user


def submit(client, correct: bool) -> str:
    token = builders.start_attempt(client, "gioi-thieu")
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", correct, token=token))
    return token


def submitted(user) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt).filter_by(
        user_id=user.id, state="submitted"))


def test_attempt_limit_stops_new_attempts(client, auth, make_user):
    set_quiz_rules(max_attempts=2)
    user = enrolled(client, auth, make_user)
    submit(client, False)
    submit(client, False)
    response = client.post("/courses/khoa-mau/modules/gioi-thieu/quiz")
    assert response.status_code == 302 and "/attempts/" not in response.headers["Location"]
    assert submitted(user) == 2


def test_grading_last_counts_the_latest_attempt_but_never_uncompletes(client, auth, make_user):
    set_quiz_rules(grading="last")
    user = enrolled(client, auth, make_user)
    submit(client, True)
    submit(client, False)
    row = db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=user.id))
    assert row.best_score == 0 and row.completed_at is not None


def test_grading_highest_keeps_the_best(client, auth, make_user):
    user = enrolled(client, auth, make_user)
    submit(client, True)
    submit(client, False)
    row = db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=user.id))
    assert row.best_score == 100


def test_a_pool_draws_the_set_number_of_questions(client, auth, make_user):
    set_quiz_rules(draw=2)
    enrolled(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    page = client.get(f"/attempts/{token}").get_data(as_text=True)
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert len(attempt.question_ids) == 2 and page.count('class="question"') == 2
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", token=token))
    db.session.refresh(attempt)
    assert attempt.max_points == 2 and attempt.score == 100


def test_no_attempt_after_the_deadline(client, auth, make_user):
    user = enrolled(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    enrolment = db.session.scalar(sa.select(Enrolment).filter_by(user_id=user.id))
    enrolment.deadline = dt.date.today() - dt.timedelta(days=2)
    db.session.commit()
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", token=token))
    assert submitted(user) == 0
    assert client.post("/courses/khoa-mau/modules/gioi-thieu/quiz").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


def test_attempt_limit_holds_under_concurrent_submissions(app, make_user):
    """Two attempts opened on two quiz versions, limit 1: concurrent submits count once."""
    from app.quizzes.services import AttemptLimitReached, start_attempt, submit_attempt

    set_quiz_rules(max_attempts=1)
    user = make_user(username="lan")
    module = builders.module("gioi-thieu")
    first = start_attempt(user, module)
    db.session.commit()
    second_version = QuizVersion(module_id=module.id, content_hash="v2", pass_mark=70,
                                 definition=module.quiz_version.definition)
    db.session.add(second_version)
    db.session.flush()
    module.quiz_version_id = second_version.id
    db.session.commit()
    second = start_attempt(user, module)
    db.session.commit()
    tokens, user_id = [first.token, second.token], user.id
    answers = {token: {key.removeprefix("q-"): values for key, values in
                       builders.answers_for("gioi-thieu", token=token).items()} for token in tokens}

    def run(token):
        with app.app_context():
            from app.accounts.models import User
            try:
                submit_attempt(db.session.get(User, user_id), token, answers[token])
                db.session.commit()
                return "ok"
            except AttemptLimitReached:
                db.session.rollback()
                return "limit"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(run, tokens))
    assert outcomes == ["limit", "ok"]
    db.session.rollback()  # end the test's read snapshot, taken before the threads wrote
    assert submitted(user) == 1
