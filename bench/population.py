"""Learners and answer sheets for load runs, written straight into the database (in an app context)."""

from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts.models import Role, Unit, UnitLevel, User
from app.accounts.services import create_user
from app.content.course_format import Quiz
from app.content.models import Course, Module
from app.database import utcnow
from app.extensions import db
from app.progress.models import Enrolment, ModuleProgress
from app.quizzes.grading import grade_quiz

PASSWORD = "Mat-khau-tai-thu-2025"
LOAD_TEST_HASH = "scrypt:1024:8:1"
COURSE_SLUG = "khoa-mau"


@dataclass(frozen=True)
class AnswerSheet:
    """Form fields answering a whole quiz, and the score the server must record for them."""

    form: dict[str, list[str]]
    score: int


def create_enrolled_learners(count: int, prefix: str = "hocvien", read_modules: bool = False,
                             course_slug: str = COURSE_SLUG) -> list[str]:
    """`count` learners sharing PASSWORD, enrolled in the course; returns their usernames.

    The password is hashed once, with scrypt at n=2**10 instead of the app's 2**15, and copied:
    the server still checks it on every login, but 200 logins cost seconds of CPU, not a
    minute, so a run measures quiz submissions rather than password hashing. With
    read_modules, every module without a quiz is already complete, so passing the quizzes
    completes the course and issues a certificate.
    """
    course = db.session.scalar(sa.select(Course).filter_by(slug=course_slug))
    unit = Unit(code=f"{prefix}-xa", name="Xã Tải Thử", level=UnitLevel.COMMUNE)
    db.session.add(unit)
    first = create_user(f"{prefix}0", "Trần Thị Mai", PASSWORD, Role.LEARNER, unit)
    first.password_hash = generate_password_hash(PASSWORD, method=LOAD_TEST_HASH)
    usernames = [f"{prefix}{i}" for i in range(count)]
    others = [
        {"username": name, "full_name": f"Trần Thị Mai {i}", "name_sort_key": f"mai {i}|{name}",
         "password_hash": first.password_hash, "role": Role.LEARNER, "unit_id": unit.id}
        for i, name in enumerate(usernames) if i > 0
    ]
    if others:
        db.session.execute(sa.insert(User), others)
    ids = db.session.scalars(sa.select(User.id).where(User.username.in_(usernames))).all()
    db.session.execute(sa.insert(Enrolment), [{"user_id": i, "course_id": course.id} for i in ids])
    if read_modules:
        readings = [m for m in course.active_modules if not m.has_quiz]
        db.session.execute(sa.insert(ModuleProgress), [
            {"user_id": i, "module_id": m.id, "completed_at": utcnow()} for i in ids for m in readings
        ])
    db.session.commit()
    return usernames


def quiz_modules(course_slug: str = COURSE_SLUG) -> list[str]:
    course = db.session.scalar(sa.select(Course).filter_by(slug=course_slug))
    return [m.slug for m in course.active_modules if m.has_quiz]


def answer_sheets(course_slug: str = COURSE_SLUG) -> dict[str, list[AnswerSheet]]:
    """For each quiz module: an all-right and an all-wrong sheet, with their scores."""
    sheets = {}
    for slug in quiz_modules(course_slug):
        module = db.session.scalar(
            sa.select(Module).join(Course).where(Module.slug == slug, Course.slug == course_slug)
        )
        version = module.quiz_version
        quiz = Quiz.from_dict(version.definition)
        sheets[slug] = [_sheet(quiz, version.pass_mark, right) for right in (True, False)]
    return sheets


def _sheet(quiz: Quiz, pass_mark: int, right: bool) -> AnswerSheet:
    answers = {}
    for question in quiz.questions:
        chosen = [str(i) for i, option in enumerate(question.options) if option.correct == right]
        answers[question.id] = chosen if question.kind == "multiple" else chosen[:1]
    grade = grade_quiz(quiz, answers, pass_mark)
    return AnswerSheet({f"q-{qid}": values for qid, values in answers.items()}, grade.percent)
