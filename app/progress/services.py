"""Recording progress: module opened, module completed, course completed (and certified)."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import contains_eager

from app.accounts.models import Role, User
from app.content.format.course_format import CourseSpec
from app.content.models import Course, Module
from app.content.outline import ModuleEntry, course_outline
from app.database import begin_write_transaction, utcnow
from app.extensions import db
from app.problems import Problem
from app.progress import enrolment_summary
from app.progress.models import CourseCompletion, Enrolment, ModuleProgress
from app.progress.rules import CompletionRule, course_score
from app.progress.signals import course_completed, course_completion_pending, module_first_opened


def enrol(user: User, course: Course) -> Enrolment:
    """Enrol a learner in a course; enrolling twice returns the existing enrolment."""
    enrolment = db.session.scalar(
        sa.select(Enrolment).filter_by(user_id=user.id, course_id=course.id)
    )
    if enrolment is None:
        enrolment = Enrolment(user_id=user.id, course_id=course.id)
        db.session.add(enrolment)
        db.session.flush()
        enrolment_summary.rebuild(course.id, [user.id])  # staff may have tried the course before joining
    return enrolment


# Hot-path statements are built once: SQLAlchemy then reuses their cache key and compiled
# form, about 100 us less per query than building the select on every request.
_ENROLMENT_ID = sa.select(Enrolment.id).where(Enrolment.user_id == sa.bindparam("user_id"),
                                              Enrolment.course_id == sa.bindparam("course_id"))
_ENROLLED_COURSE_IDS = sa.select(Enrolment.course_id).where(Enrolment.user_id == sa.bindparam("user_id"))
_PROGRESS_IN_COURSES = (
    sa.select(ModuleProgress)
    .join(Module)
    .where(ModuleProgress.user_id == sa.bindparam("user_id"),
           Module.course_id.in_(sa.bindparam("course_ids", expanding=True)))
)
_MODULE_PROGRESS = sa.select(ModuleProgress).where(
    ModuleProgress.user_id == sa.bindparam("user_id"),
    ModuleProgress.module_id == sa.bindparam("module_id"),
)


@dataclass(frozen=True)
class ModuleForLearner:
    """A module with its course, and where she stands in it: enrolled or not, her progress row."""

    module: Module
    enrolled: bool
    progress: ModuleProgress | None


# The module page reads these three on every view: one statement instead of three.
_MODULE_FOR_LEARNER = (
    sa.select(Module, Enrolment.id, ModuleProgress)
    .join(Module.course)
    .options(contains_eager(Module.course))
    .outerjoin(Enrolment, sa.and_(Enrolment.course_id == Course.id,
                                  Enrolment.user_id == sa.bindparam("user_id")))
    .outerjoin(ModuleProgress, sa.and_(ModuleProgress.module_id == Module.id,
                                       ModuleProgress.user_id == sa.bindparam("user_id")))
    .where(Course.slug == sa.bindparam("course_slug"), Course.is_archived.is_(False),
           Module.slug == sa.bindparam("module_slug"), Module.is_archived.is_(False))
)


def module_for_learner(user: User, course_slug: str, module_slug: str) -> ModuleForLearner | None:
    """The module by its slugs (None if there is none), whether she is enrolled, her progress row."""
    found = db.session.execute(_MODULE_FOR_LEARNER, {
        "user_id": user.id, "course_slug": course_slug, "module_slug": module_slug,
    }).first()
    if found is None:
        return None
    module, enrolment_id, row = found
    return ModuleForLearner(module, enrolment_id is not None, row)


def is_enrolled(user: User, course: Course) -> bool:
    return db.session.scalar(_ENROLMENT_ID, {"user_id": user.id, "course_id": course.id}) is not None


def may_study(user: User, course: Course, *, enrolled: bool | None = None) -> bool:
    """Whether she may open the course's modules, files and quizzes: a learner once enrolled;
    instructors and admins always (they preview). `enrolled`, when the caller already read it,
    spares the query."""
    if user.role != Role.LEARNER:
        return True
    return is_enrolled(user, course) if enrolled is None else enrolled


def enrolled_course_ids(user: User) -> set[int]:
    """The courses she is enrolled in, in one query (for the course list)."""
    return set(db.session.scalars(_ENROLLED_COURSE_IDS, {"user_id": user.id}))


def progress_by_module(user: User, course: Course) -> dict[int, ModuleProgress]:
    return progress_of_courses(user, {course.id})


def module_progress(user: User, module: Module) -> ModuleProgress | None:
    return db.session.scalar(_MODULE_PROGRESS, {"user_id": user.id, "module_id": module.id})


def record_module_opened(user: User, module: Module,
                         known: ModuleProgress | None = None) -> tuple[ModuleProgress, bool]:
    """Her progress row for the module, created when she first opens it; True if created now.

    Only the first open writes (it is what "started" counts in reports), so reading a module
    again takes no write lock; "resume" follows the first module not yet completed. `known` is
    her row if the caller has read it already.
    """
    row = known or module_progress(user, module)
    if row is not None:
        return row, False
    return record_first_open(user, module), True


def record_first_open(user: User, module: Module) -> ModuleProgress:
    """Her progress row for a module the caller found she has not opened yet, created now.

    Her row is read again under the write lock (another tab may have won); the user and the
    module stay loaded across the lock, since nothing here decides on what they hold.
    """
    begin_write_transaction(keep_loaded=True)
    row = _progress_row(user, module)
    db.session.flush()
    module_first_opened.send(current_app._get_current_object(), user=user, module=module)
    return row


def record_quiz_result(
    user: User, module: Module, score: int, passed: bool, grading: str
) -> CourseCompletion | None:
    """Count a submitted attempt: the module's score follows the quiz's grading method
    (highest or last attempt); passing completes the module once, never undone later."""
    row = _progress_row(user, module)
    if grading == "last" or row.best_score is None or score > row.best_score:
        row.best_score = score
    if not passed:
        db.session.flush()
        return None
    return _complete_module_row(user, module, row, score=None)


def _progress_row(user: User, module: Module) -> ModuleProgress:
    row = db.session.scalar(
        sa.select(ModuleProgress).filter_by(user_id=user.id, module_id=module.id)
    )
    if row is None:
        row = ModuleProgress(user_id=user.id, module_id=module.id, opened_at=utcnow())
        db.session.add(row)
        enrolment_summary.mark_started(user.id, module.course_id, row.opened_at)
    return row


def complete_module(user: User, module: Module, score: int | None) -> CourseCompletion | None:
    """Mark a module complete (once) and complete the course if that was the last one.

    Returns the course completion if this call created it.
    """
    return _complete_module_row(user, module, _progress_row(user, module), score)


def _complete_module_row(user: User, module: Module, row: ModuleProgress,
                         score: int | None) -> CourseCompletion | None:
    if score is not None and (row.best_score is None or score > row.best_score):
        row.best_score = score
    if row.completed_at is None:
        row.completed_at = utcnow()
    db.session.flush()
    return complete_course_if_done(user, module.course)


def complete_course_if_done(user: User, course: Course) -> CourseCompletion | None:
    """Record the completion on the transition, exactly once, and tell those who follow it (the
    certificate is issued then, app/progress/signals.py): when every required module is complete
    and nothing else holds it back, such as a required live session not yet attended (whichever
    comes last calls this, see app/live_sessions/services.py).

    Only an enrolled learner completes a course: an instructor or admin trying it out (even
    one who pressed "join") gets nothing issued."""
    if user.role != Role.LEARNER:
        return None
    existing = db.session.scalar(
        sa.select(CourseCompletion).filter_by(user_id=user.id, course_id=course.id)
    )
    if existing is not None:
        return None
    standing = summarize(user, course)
    if not standing.rule.is_met(standing.completed_ids):  # modules first: most submits stop here
        return None
    app = current_app._get_current_object()
    held_back = any(answer is False for _, answer in
                    course_completion_pending.send(app, user=user, course=course))
    if held_back or not is_enrolled(user, course):
        return None
    completion = CourseCompletion(user_id=user.id, course_id=course.id, score=standing.score)
    db.session.add(completion)
    db.session.flush()
    enrolment_summary.mark_completed(completion)
    # The certificate, the xAPI statement, the score for the LMS she came from: their rows join
    # this transaction (app/progress/signals.py).
    course_completed.send(app, user=user, course=course, completion=completion)
    return completion


@dataclass(frozen=True)
class CourseSummary:
    rule: CompletionRule
    completed_ids: frozenset[str]
    required_count: int
    completed_required_count: int
    score: int | None
    resume_module: ModuleEntry | None


def summarize(user: User, course: Course) -> CourseSummary:
    """Where a learner stands in a course: x of y required modules, score, where to resume."""
    return summary_from(course_outline(course).modules, progress_by_module(user, course))


def summary_from(modules: tuple[ModuleEntry, ...], progress: dict[int, ModuleProgress]
                 ) -> CourseSummary:
    """The summary of one course's modules given her progress rows (keyed by module id)."""
    completed = frozenset(m.slug for m in modules if m.id in progress and progress[m.id].is_completed)
    rule = CompletionRule(frozenset(m.slug for m in modules if m.required))
    scores = {m.slug: progress[m.id].best_score for m in modules if m.has_quiz and m.id in progress}
    resume = next((m for m in modules if m.slug not in completed), None)
    return CourseSummary(
        rule=rule,
        completed_ids=completed,
        required_count=len(rule.required_module_ids),
        completed_required_count=len(rule.required_module_ids & completed),
        score=course_score(scores),
        resume_module=resume,
    )


def progress_of_courses(user: User, course_ids: set[int]) -> dict[int, ModuleProgress]:
    """Her progress rows in these courses, keyed by module id, in one query."""
    if not course_ids:
        return {}
    rows = db.session.scalars(_PROGRESS_IN_COURSES,
                              {"user_id": user.id, "course_ids": sorted(course_ids)})
    return {row.module_id: row for row in rows}


def completion_of(user: User, course: Course) -> CourseCompletion | None:
    return db.session.scalar(
        sa.select(CourseCompletion).filter_by(user_id=user.id, course_id=course.id)
    )


def deadline_of(user: User, course: Course) -> date | None:
    """The last day she may submit work: her own deadline, else her intake's."""
    enrolment = db.session.scalar(
        sa.select(Enrolment).filter_by(user_id=user.id, course_id=course.id)
    )
    if enrolment is None:
        return None
    if enrolment.deadline is not None:
        return enrolment.deadline
    return enrolment.intake.deadline if enrolment.intake else None


def deadline_passed(user: User, course: Course, now: datetime, zone: ZoneInfo) -> bool:
    """Server time only: the deadline day ends at midnight in the province's time zone."""
    deadline = deadline_of(user, course)
    return deadline is not None and now.astimezone(zone).date() > deadline


def records_at_risk(specs: list[CourseSpec]) -> list[Problem]:
    """Warn about loaded modules that vanished from the files (or changed id) while learners
    have records for them: sync will archive them, keeping the records, not delete them."""
    problems = []
    for spec in specs:
        course = db.session.scalar(sa.select(Course).filter_by(slug=spec.id))
        if course is None:
            continue
        kept = {m.id for m in spec.modules}
        for module in course.active_modules:
            if module.slug in kept:
                continue
            learners = db.session.scalar(
                sa.select(sa.func.count(sa.distinct(ModuleProgress.user_id)))
                .where(ModuleProgress.module_id == module.id)
            )
            if learners:
                problems.append(Problem(
                    path=f"{spec.folder}/course.yml", line=1, severity="warning",
                    message=(f"module '{module.slug}' is gone or its id changed, but {learners} "
                             "learner(s) have records for it; sync will archive it and keep them. "
                             "If you renamed the id, put the old id back."),
                ))
    return problems
