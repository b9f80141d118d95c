"""Learners and answer sheets for load runs, written straight into the database (in an app context)."""

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts.models import Role, User
from app.accounts.services import create_user
from app.certificates.models import Certificate
from app.content.format.course_format import Quiz
from app.content.format.parsing import parse_course_folder
from app.content.models import Course, Module
from app.database import utcnow
from app.extensions import db
from app.progress.models import Enrolment, ModuleProgress
from app.progress.services import complete_module
from app.questions.question import Question
from app.quizzes.grading import grade_quiz
from app.units.models import Unit, UnitLevel

PASSWORD = "Mat-khau-tai-thu-2025"
LOAD_TEST_HASH = "scrypt:1024:8:1"
COURSE_SLUG = "khoa-mau"


@dataclass(frozen=True)
class AnswerSheet:
    """Form fields answering a whole quiz, and the score the server must record for them.

    Option values are per attempt (app/quizzes/option_ids.py), so the options to choose are
    kept by their words, as a person reads them, and form_for() finds their values in the
    attempt's page; `form` holds the typed answers (and the author's indexes, which only an
    attempt started before option ids accepts)."""

    form: dict[str, list[str]]
    score: int
    labels: dict[str, list[str]] = field(default_factory=dict)  # field name -> words to choose

    def form_for(self, page: str) -> dict[str, list[str]]:
        """The form fields answering the attempt shown in this page."""
        values = option_values(page)
        form = {key: list(answer) for key, answer in self.form.items() if key not in self.labels}
        for key, words in self.labels.items():
            shown = values.get(key, {})
            form[key] = [shown[w] for w in words if w in shown]
        return form


def option_values(page: str) -> dict[str, dict[str, str]]:
    """Field name -> {an option's words: the value this attempt's form sends for it}."""
    values: dict[str, dict[str, str]] = {}
    for name, value, label in _OPTION_INPUT.findall(page):
        values.setdefault(name, {})[plain_words(label)] = html.unescape(value)
    return values


_OPTION_INPUT = re.compile(
    r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]*)">\s*<span>(.*?)</span>\s*</label>',
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]+>")


def plain_words(option_html: str) -> str:
    """An option's words without markup, as the eye reads them: matched between page and sheet."""
    return " ".join(html.unescape(_TAG.sub("", option_html)).split())


def create_enrolled_learners(count: int, prefix: str = "hocvien", read_modules: bool = False,
                             course_slug: str = COURSE_SLUG, cheap_hash: bool = True) -> list[str]:
    """`count` learners sharing PASSWORD, enrolled in the course; returns their usernames.

    The password is hashed once and the hash copied to every learner (bulk inserts). With
    cheap_hash it is scrypt at n=2**10 instead of the app's own: the server still checks it on
    every login, but 200 logins cost seconds of CPU, not a minute, so a run measures quiz
    submissions rather than password hashing. Without it, the hash is the one the app makes
    for a new account, so logins cost what they cost in production. With read_modules, every
    module without a quiz is already complete, so passing the quizzes completes the course and
    issues a certificate.
    """
    course = db.session.scalar(sa.select(Course).filter_by(slug=course_slug))
    unit = Unit(code=f"{prefix}-xa", name="Xã Tải Thử", level=UnitLevel.COMMUNE)
    db.session.add(unit)
    first = create_user(f"{prefix}0", "Trần Thị Mai", PASSWORD, Role.LEARNER, unit)
    if cheap_hash:
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


def correct_sheet_from_files(courses_dir: Path, course_slug: str, module_slug: str) -> AnswerSheet:
    """The all-right answers of a module's quiz, read from the course folder (as its author wrote them).

    Every question of the pool is answered, so the sheet fits whichever questions an attempt drew.
    """
    spec, problems = parse_course_folder(courses_dir / course_slug, courses_dir)
    if spec is None:
        raise ValueError(f"{course_slug}: " + "; ".join(map(str, problems)))
    module = next((m for m in spec.modules if m.id == module_slug and m.quiz and m.quiz.questions), None)
    if module is None:  # a final exam drawing from other modules has no questions of its own
        raise ValueError(f"{course_slug} has no module {module_slug!r} with quiz questions of its own")
    pass_mark = module.quiz.pass_mark if module.quiz.pass_mark is not None else spec.pass_mark
    return _sheet(module.quiz, pass_mark, right=True)


def _answer(question: Question, right: bool) -> list[str]:
    if question.kind == "short":
        return [question.accepted_answers[0] if right else "?"]
    if question.kind == "numeric":
        return [f"{question.numeric_value:g}" if right else "NaN"]
    chosen = [str(i) for i, option in enumerate(question.options) if option.correct == right]
    return chosen if question.kind == "multiple" else chosen[:1]


def _sheet(quiz: Quiz, pass_mark: int, right: bool) -> AnswerSheet:
    answers = {question.id: _answer(question, right) for question in quiz.questions}
    grade = grade_quiz(quiz, answers, pass_mark)
    labels = {
        f"q-{question.id}": [plain_words(question.options[int(i)].html) for i in answers[question.id]]
        for question in quiz.questions if question.options
    }
    return AnswerSheet({f"q-{qid}": values for qid, values in answers.items()}, grade.percent, labels)


def certify(username: str, course_slug: str = COURSE_SLUG) -> str:
    """Complete every module of the course for the learner, as the app would; her certificate's code."""
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    course = db.session.scalar(sa.select(Course).filter_by(slug=course_slug))
    for module in course.active_modules:
        complete_module(user, module, score=100 if module.has_quiz else None)
    db.session.commit()
    return db.session.scalar(sa.select(Certificate).filter_by(user_id=user.id)).display_code
