"""Builders for quiz answers and journeys, shared by the client and browser tests."""

import sqlalchemy as sa

from app.content.models import Course, Module
from app.extensions import db


def course(slug: str = "khoa-mau") -> Course:
    return db.session.scalar(sa.select(Course).filter_by(slug=slug))


def module(slug: str, course_slug: str = "khoa-mau") -> Module:
    return db.session.scalar(
        sa.select(Module).join(Course).where(Module.slug == slug, Course.slug == course_slug)
    )


def answers_for(module_slug: str, correct: bool = True, course_slug: str = "khoa-mau") -> dict:
    """Form data answering every question of the module's current quiz right (or wrong)."""
    definition = module(module_slug, course_slug).quiz_version.definition
    data: dict[str, list[str]] = {}
    for question in definition["questions"]:
        data[f"q-{question['id']}"] = _answer(question, correct)
    return data


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
            client.post(f"/attempts/{token}", data=answers_for(m.slug, True, course_slug))
        else:
            client.post(f"/courses/{course_slug}/modules/{m.slug}/read")
