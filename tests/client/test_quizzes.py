"""Quiz attempts through the client: no answer key before submission, server grading, idempotence."""

import sqlalchemy as sa

from app.extensions import db
from app.progress.models import ModuleProgress
from app.quizzes.models import QuizAttempt
from tests import builders


def enrolled_learner(client, auth, make_user, username="lan"):
    user = make_user(username=username)
    auth.login(username)
    client.post("/courses/khoa-mau/enrol")
    return user


def test_quiz_page_shows_questions_but_no_answer_key(client, auth, make_user):
    enrolled_learner(client, auth, make_user)
    module_page = client.get("/courses/khoa-mau/modules/gioi-thieu").get_data(as_text=True)
    token = builders.start_attempt(client, "gioi-thieu")
    quiz_page = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert "2022" in quiz_page and "Quyết định 146" in quiz_page
    for page in (module_page, quiz_page):
        assert "CANARY-EXPLANATION" not in page
        assert "correct" not in page.lower()


def test_answer_key_is_in_no_page_or_static_file_before_submission(client, auth, make_user, app):
    enrolled_learner(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    pages = ["/courses", "/courses/khoa-mau", "/courses/khoa-mau/modules/gioi-thieu",
             f"/attempts/{token}", "/static/hocso.css", "/courses/khoa-mau/files/01-gioi-thieu.md"]
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        assert "CANARY-EXPLANATION" not in body, url
        if not url.startswith("/static"):
            # the correct option is shown as an option, but nothing marks it as correct
            assert "is-correct" not in body and "correct" not in body.lower(), url


def test_options_are_shuffled_per_attempt_and_true_false_kept_in_order(client, auth, make_user):
    user = enrolled_learner(client, auth, make_user)
    orders = set()
    for _ in range(12):
        token = builders.start_attempt(client, "gioi-thieu")
        client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", correct=False, token=token))
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
        orders.add(tuple(attempt.option_order["q-nam"]))
        assert attempt.option_order["q-dvc"] == [0, 1]
        assert attempt.user_id == user.id
    assert len(orders) > 1


def test_correct_answers_pass_and_complete_the_module(client, auth, make_user):
    user = enrolled_learner(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    response = client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", token=token))
    assert response.status_code == 302
    page = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert "100%" in page and "CANARY-EXPLANATION" in page  # explanations after submission
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.score == 100 and attempt.passed and attempt.pass_mark == 70
    assert attempt.quiz_version_id == builders.module("gioi-thieu").quiz_version_id
    row = db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=user.id))
    assert row.completed_at is not None and row.best_score == 100


def test_wrong_answers_fail_and_leave_the_module_incomplete(client, auth, make_user):
    user = enrolled_learner(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", correct=False, token=token))
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.score == 0 and attempt.passed is False
    row = db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=user.id))
    assert row is None or row.completed_at is None


def test_posted_score_fields_are_ignored(client, auth, make_user):
    enrolled_learner(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    data = {**builders.answers_for("gioi-thieu", correct=False, token=token),
            "score": "100", "points": "99", "correct": "1", "passed": "true"}
    client.post(f"/attempts/{token}", data=data)
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.score == 0 and attempt.points == 0 and attempt.max_points == 3


def test_resubmitting_counts_once(client, auth, make_user):
    enrolled_learner(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", correct=False, token=token))
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", token=token))
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.score == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


def test_starting_twice_reuses_the_open_attempt(client, auth, make_user):
    enrolled_learner(client, auth, make_user)
    assert builders.start_attempt(client, "gioi-thieu") == builders.start_attempt(client, "gioi-thieu")


def test_another_learners_attempt_is_not_found(client, auth, make_user):
    enrolled_learner(client, auth, make_user, "lan")
    token = builders.start_attempt(client, "gioi-thieu")
    auth.logout()
    enrolled_learner(client, auth, make_user, "hoa")
    assert client.get(f"/attempts/{token}").status_code == 404
    assert client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu")).status_code == 404
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.state == "in_progress"


def test_quiz_of_a_course_not_joined_is_refused(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    assert client.post("/courses/khoa-mau/modules/gioi-thieu/quiz").status_code == 403


def test_reading_module_has_no_quiz(client, auth, make_user):
    enrolled_learner(client, auth, make_user)
    assert client.post("/courses/khoa-mau/modules/doc-them/quiz").status_code == 404
