"""Intakes (đợt) and enrolment into them: one learner, a list, or every learner of some units.

Services add and flush; the view or command commits. Every admin action is audited.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.services import find_by_login
from app.audit import services as audit
from app.content.models import Course
from app.extensions import db
from app.i18n.markers import N_
from app.intakes.models import Intake
from app.progress import enrolment_summary
from app.progress.models import Enrolment
from app.units.choices import ChoiceError, find_unit_code, unit_choices
from app.units.models import Unit
from app.units.services import learners_of

INTAKE_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_INTAKE_NAME_LENGTH = 200
MAX_INTAKE_TARGET = 10_000_000


class EnrolmentError(ValueError):
    """An intake or enrolment change was refused; `message` is an English msgid."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass
class EnrolmentCounts:
    enrolled: int = 0  # newly in the intake
    already: int = 0  # were in this intake
    elsewhere: list[str] = field(default_factory=list)  # in another intake of the course: unchanged


def create_intake(course: Course, code: str, name: str, deadline: date | None = None,
                  target: int | None = None) -> Intake:
    """A new intake of `course`; its code is unique within the course."""
    code, name = code.strip(), _checked_name(name, target)
    if not INTAKE_CODE_PATTERN.match(code):
        raise EnrolmentError(N_("The intake code %(code)s is not valid: use up to 32 letters, digits, "
                                "dot, dash or underscore."), code=code)
    if intake_of(course, code) is not None:
        raise EnrolmentError(N_("The course already has an intake %(code)s."), code=code)
    intake = Intake(course=course, code=code, name=name, deadline=deadline, target=target)
    db.session.add(intake)
    db.session.flush()
    audit.record("intake.created", target=f"{course.slug}:{code}", name=name,
                 deadline=deadline.isoformat() if deadline else None, learner_target=target)
    return intake


def update_intake(intake: Intake, name: str, deadline: date | None, target: int | None) -> None:
    """Change an intake's name, deadline and target (its code stays: reports and links use it)."""
    intake.name, intake.deadline, intake.target = _checked_name(name, target), deadline, target
    db.session.flush()
    audit.record("intake.updated", target=f"{intake.course.slug}:{intake.code}", name=intake.name,
                 deadline=deadline.isoformat() if deadline else None, learner_target=target)


def _checked_name(name: str, target: int | None) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_INTAKE_NAME_LENGTH:
        raise EnrolmentError(N_("The intake name must be 1-%(limit)d characters."),
                             limit=MAX_INTAKE_NAME_LENGTH)
    if target is not None and not 1 <= target <= MAX_INTAKE_TARGET:
        raise EnrolmentError(N_("The target must be a whole number from 1 to %(limit)d."),
                             limit=MAX_INTAKE_TARGET)
    return name


def intake_of(course: Course, code: str) -> Intake | None:
    return db.session.scalar(sa.select(Intake).filter_by(course_id=course.id, code=code))


def intake_by_reference(reference: str) -> Intake | None:
    """"khoa-mau:2025-dot-1" -> that intake of that course, or None."""
    slug, _, code = reference.partition(":")
    course = db.session.scalar(sa.select(Course).filter_by(slug=slug.strip()))
    return intake_of(course, code.strip()) if course and code else None


def intakes() -> list[Intake]:
    """Every intake, newest first."""
    return list(db.session.scalars(sa.select(Intake).order_by(Intake.created_at.desc(), Intake.id.desc())))


def roster_sizes() -> dict[int, int]:
    """Intake id -> number of enrolled learners."""
    query = sa.select(Enrolment.intake_id, sa.func.count()).where(Enrolment.intake_id.is_not(None))
    return dict(db.session.execute(query.group_by(Enrolment.intake_id)).all())


def roster(intake: Intake) -> list[User]:
    query = sa.select(User).join(Enrolment, Enrolment.user_id == User.id)
    query = query.where(Enrolment.intake_id == intake.id)
    return list(db.session.scalars(query.order_by(User.name_sort_key)))


def enrol_in_intake(users: list[User], intake: Intake, units: list[Unit] | None = None) -> EnrolmentCounts:
    """Put these users in the intake. A learner enrolled in the course without an intake joins
    it; one already in another intake of the course stays there (and is counted)."""
    counts = EnrolmentCounts()
    existing = _enrolments(intake.course_id, [u.id for u in users])
    joined = []
    for user in users:
        enrolment = existing.get(user.id)
        if enrolment is None:
            db.session.add(Enrolment(user_id=user.id, course_id=intake.course_id, intake_id=intake.id))
            joined.append(user.id)
            counts.enrolled += 1
        elif enrolment.intake_id is None:
            enrolment.intake_id = intake.id
            counts.enrolled += 1
        elif enrolment.intake_id == intake.id:
            counts.already += 1
        else:
            counts.elsewhere.append(user.username)
    db.session.flush()
    if joined:  # staff who tried the course before joining it have progress already
        enrolment_summary.rebuild(intake.course_id, joined)
    audit.record("enrolment.added", target=f"{intake.course.slug}:{intake.code}",
                 enrolled=counts.enrolled, already=counts.already, elsewhere=len(counts.elsewhere),
                 units=[u.code for u in units or []], users=len(users))
    return counts


def enrol_references(intake: Intake, unit_refs: list[str], logins: list[str]) -> EnrolmentCounts:
    """Enrol every learner of the units (code, name or "Name (code)") and the users (usernames
    or phones) listed."""
    units, unknown = [], []
    choices = unit_choices() if unit_refs else []
    for reference in unit_refs:
        try:
            code = find_unit_code(reference, choices)
        except ChoiceError as problem:
            raise EnrolmentError(problem.message, **problem.params) from problem
        units.append(db.session.scalar(sa.select(Unit).filter_by(code=code)))
    users = {user.id: user for user in learners_of(units)}
    for login in logins:
        user = find_by_login(login)
        if user is None or not user.is_active:
            unknown.append(login)
        else:
            users[user.id] = user
    if unknown:
        raise EnrolmentError(N_("Not found (nothing was enrolled): %(names)s"), names=", ".join(unknown))
    if not users:
        raise EnrolmentError(N_("No active learner was found in what you listed."))
    return enrol_in_intake(list(users.values()), intake, units)


def _enrolments(course_id: int, user_ids: list[int]) -> dict[int, Enrolment]:
    found = {}
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        query = sa.select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.user_id.in_(chunk))
        found.update({e.user_id: e for e in db.session.scalars(query)})
    return found
