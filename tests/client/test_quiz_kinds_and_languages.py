"""Short and numeric answers, hints, option feedback, English versions and a final exam."""

import sqlalchemy as sa

from app.extensions import db
from app.quizzes.models import QuizAttempt
from tests import builders

COURSE = "khoa-song-ngu"


def learner(client, auth, make_user, language=None):
    make_user(username="lan")
    auth.login("lan")
    if language:
        client.post("/language", data={"language": language, "next": "/courses"})
    client.post(f"/courses/{COURSE}/enrol")


def attempt_page(client, module="dang-cau-hoi"):
    token = builders.start_attempt(client, module, COURSE)
    return token, client.get(f"/attempts/{token}").get_data(as_text=True)


def test_typed_answers_have_labelled_inputs_and_hints_show_before_submission(client, auth, make_user):
    learner(client, auth, make_user)
    _, page = attempt_page(client)
    assert 'name="q-q-thu-do"' in page and 'inputmode="decimal"' in page
    assert "Thành phố bên sông Hồng." in page
    assert "CANARY-OPTION-FEEDBACK" not in page and "Hà Nội</" not in page


def test_short_answer_without_tones_is_accepted_when_the_author_allows_it(client, auth, make_user):
    learner(client, auth, make_user)
    token, _ = attempt_page(client)
    client.post(f"/attempts/{token}", data={"q-q-thu-do": "ha noi", "q-q-bit": "128,0",
                                            "q-q-nam": builders.option_id(token, "q-nam", 0)})
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt.points == 2 and attempt.answers["q-thu-do"] == ["ha noi"]
    page = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert "CANARY-OPTION-FEEDBACK" in page  # feedback of the wrong option she chose
    assert "ha noi" in page and "Hà Nội" in page


def test_english_learners_read_and_answer_the_english_version(client, auth, make_user):
    learner(client, auth, make_user, language="en")
    module_page = client.get(f"/courses/{COURSE}/modules/dang-cau-hoi").get_data(as_text=True)
    assert "English reading" in module_page and "Bài đọc tiếng Việt" not in module_page
    assert "Bilingual course" in client.get(f"/courses/{COURSE}").get_data(as_text=True)
    token, page = attempt_page(client)
    assert "What is the capital of Viet Nam?" in page and "A city on the Red River." in page
    client.post(f"/attempts/{token}", data=builders.answers_for("dang-cau-hoi", True, COURSE, token))
    result = client.get(f"/attempts/{token}").get_data(as_text=True)
    assert "Hanoi is the capital." in result and "100%" in result


def test_final_exam_draws_from_the_modules_it_names(client, auth, make_user):
    learner(client, auth, make_user)
    token, page = attempt_page(client, "bai-thi")
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert len(attempt.question_ids) == 2
    assert all(qid.startswith("dang-cau-hoi/") for qid in attempt.question_ids)
    assert page.count('class="question"') == 2
    client.post(f"/attempts/{token}", data=builders.answers_for("bai-thi", True, COURSE, token))
    db.session.refresh(attempt)
    assert attempt.score == 100 and attempt.passed


def test_completing_the_bilingual_course_issues_one_certificate(client, auth, make_user):
    learner(client, auth, make_user)
    builders.complete_course(client, COURSE)
    from app.certificates.models import Certificate

    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert certificate.course_title == "Khóa học song ngữ"


def test_a_short_answer_is_right_in_either_language(client, auth, make_user):
    learner(client, auth, make_user)
    for typed in ("Hanoi", "ha noi"):
        token, _ = attempt_page(client)
        client.post(f"/attempts/{token}", data={"q-q-thu-do": typed})
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
        assert attempt.points == 1, typed
