"""Builders for quiz answers and journeys, shared by the client and browser tests."""

import sqlalchemy as sa

from app.content.models import Course, Module
from app.extensions import db
from app.quizzes.models import QuizAttempt
from bench.population import plain_words


def course(slug: str = "khoa-mau") -> Course:
    return db.session.scalar(sa.select(Course).filter_by(slug=slug))


def module(slug: str, course_slug: str = "khoa-mau") -> Module:
    return db.session.scalar(
        sa.select(Module).join(Course).where(Module.slug == slug, Course.slug == course_slug)
    )


def answers_for(module_slug: str, correct: bool = True, course_slug: str = "khoa-mau",
                token: str | None = None) -> dict:
    """Form data answering every question of the module's current quiz right (or wrong).

    Option values are per attempt: with the attempt's token they are that attempt's option
    ids, as its page shows them; without, the author's indexes (which only an attempt started
    before option ids existed accepts, and which a tampering learner might send)."""
    definition = module(module_slug, course_slug).quiz_version.definition
    option_ids = _option_ids(token) if token is not None else None
    data: dict[str, list[str]] = {}
    for question in definition["questions"]:
        values = _answer(question, correct)
        if option_ids is not None and question["options"]:
            values = [option_ids[question["id"]][int(v)] for v in values if question["id"] in option_ids]
        data[f"q-{question['id']}"] = values
    return data


def choices_for(module_slug: str, correct: bool = True, course_slug: str = "khoa-mau") -> dict:
    """Field name -> the words of the options to tap, as a person picks them in the page."""
    definition = module(module_slug, course_slug).quiz_version.definition
    return {
        f"q-{question['id']}": [plain_words(question["options"][int(i)]["html"])
                                for i in _answer(question, correct)]
        for question in definition["questions"] if question["options"]
    }


def option_id(token: str, question_id: str, index: int) -> str:
    """The value the attempt's form sends for the author's option `index` of a question."""
    return _option_ids(token)[question_id][index]


def _option_ids(token: str) -> dict[str, dict[int, str]]:
    """question id -> {author's option index: this attempt's option id}."""
    attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
    assert attempt is not None and attempt.option_ids is not None, token
    return {
        qid: dict(zip(attempt.option_order[qid], ids, strict=True))
        for qid, ids in attempt.option_ids.items()
    }


def _answer(question: dict, correct: bool) -> list[str]:
    if question["kind"] == "short":
        return [question["accepted_answers"][0] if correct else "không biết"]
    if question["kind"] == "numeric":
        return [f"{question['numeric_value']:g}" if correct else "-1"]
    indexes = [i for i, o in enumerate(question["options"]) if o["correct"] == correct]
    if question["kind"] != "multiple":
        indexes = indexes[:1]
    return [str(i) for i in indexes]


def start_attempt(client, module_slug: str, course_slug: str = "khoa-mau") -> str:
    """Start a quiz through the client and return the attempt token."""
    response = client.post(f"/courses/{course_slug}/modules/{module_slug}/quiz")
    assert response.status_code == 302, response.status_code
    return response.headers["Location"].rsplit("/", 1)[-1]


def complete_course(client, course_slug: str = "khoa-mau") -> None:
    """Enrol and complete every module of the fixture course through the client."""
    client.post(f"/courses/{course_slug}/enrol")
    for m in course(course_slug).active_modules:
        if m.has_quiz:
            token = start_attempt(client, m.slug, course_slug)
            client.post(f"/attempts/{token}", data=answers_for(m.slug, True, course_slug, token))
        else:
            client.post(f"/courses/{course_slug}/modules/{m.slug}/read")
