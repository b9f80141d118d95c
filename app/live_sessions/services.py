"""Scheduling live sessions and recording attendance; completion follows at once.

Every way of recording attendance ends in record_attendance(), which then asks app/progress
whether that was the learner's last requirement, so the certificate is issued in the same
transaction whether she checked in, was ticked on the roster or was imported a week later.
Services add and flush; the view or command commits.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import Role, User
from app.audit import services as audit
from app.authoring.instructors import may_edit
from app.content.models import Course
from app.database import utcnow
from app.extensions import db
from app.i18n.markers import N_
from app.intakes.models import Intake
from app.live_sessions import requirements
from app.live_sessions.models import Attendance, AttendanceMethod, LiveSession
from app.live_sessions.schedule import (
    WindowState,
    checkin_window,
    codes_match,
    local_to_utc,
    new_checkin_code,
)
from app.progress import services as progress
from app.progress.models import CourseCompletion, Enrolment

ROSTER_PAGE_SIZE = 100


class LiveSessionError(ValueError):
    """Refused, with an English msgid and its parameters for the page to translate."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


@dataclass(frozen=True)
class SessionDetails:
    """What the schedule form holds; the day and time are in the province's time zone."""

    title: str
    day: date
    at: time
    duration_minutes: int
    meeting_url: str
    location: str
    intake_id: int | None
    attendance_required: bool
    minimum_minutes: int


def may_manage(user: User, course: Course) -> bool:
    """Admins, and the instructors assigned to the course."""
    return user.is_authenticated and may_edit(user, course)


def sessions_of(course: Course) -> list[LiveSession]:
    return list(db.session.scalars(
        sa.select(LiveSession).where(LiveSession.course_id == course.id).order_by(LiveSession.starts_at)
    ))


def schedule_session(course: Course, details: SessionDetails, zone: ZoneInfo, by: User) -> LiveSession:
    session = LiveSession(course_id=course.id, checkin_code=new_checkin_code(), created_by_id=by.id)
    _apply_details(session, course, details, zone)
    db.session.add(session)
    db.session.flush()
    audit.record("live_session.scheduled", target=course.slug, session=session.id, title=session.title)
    return session


def update_session(session: LiveSession, details: SessionDetails, zone: ZoneInfo) -> list[CourseCompletion]:
    """Change a session; if that lifts a requirement, learners it held back complete now."""
    was_required, old_intake = session.attendance_required, session.intake_id
    _apply_details(session, session.course, details, zone)
    db.session.flush()
    audit.record("live_session.updated", target=session.course.slug, session=session.id)
    lifted = was_required and (not session.attendance_required or session.intake_id != old_intake)
    return reconsider_completions(session.course) if lifted else []


def delete_session(session: LiveSession) -> list[CourseCompletion]:
    """Remove a session nobody attended (attendance is a record, kept once made)."""
    if db.session.scalar(sa.select(Attendance.id).where(Attendance.session_id == session.id).limit(1)):
        raise LiveSessionError(N_("Attendance was already recorded for this session, so it cannot be "
                                  "deleted. Edit it instead, for example so that it is no longer required."))
    course, was_required = session.course, session.attendance_required
    audit.record("live_session.deleted", target=course.slug, session=session.id, title=session.title)
    db.session.delete(session)
    db.session.flush()
    return reconsider_completions(course) if was_required else []


def _apply_details(session: LiveSession, course: Course, details: SessionDetails, zone: ZoneInfo) -> None:
    if details.intake_id is not None and db.session.scalar(
        sa.select(Intake.id).where(Intake.id == details.intake_id, Intake.course_id == course.id)
    ) is None:
        raise LiveSessionError(N_("This intake does not belong to the course."))
    session.title = " ".join(details.title.split())[:200]
    session.starts_at = local_to_utc(details.day, details.at, zone)
    session.duration_minutes = details.duration_minutes
    session.meeting_url = details.meeting_url.strip()
    session.location = " ".join(details.location.split())[:300]
    session.intake_id = details.intake_id
    session.attendance_required = details.attendance_required
    session.minimum_minutes = details.minimum_minutes


def roster_query(session: LiveSession) -> sa.Select:
    """The learners expected at the session: enrolled in its course (and its intake, if it has one)."""
    query = (sa.select(User).join(Enrolment, Enrolment.user_id == User.id)
             .where(Enrolment.course_id == session.course_id, User.role == Role.LEARNER))
    if session.intake_id is not None:
        query = query.where(Enrolment.intake_id == session.intake_id)
    return query


def roster_page(session: LiveSession, page: int, search: str = "") -> tuple[list[User], int]:
    """One page of the roster in Vietnamese name order, and the number of learners it has in all."""
    query = roster_query(session)
    if search:
        pattern = f"%{search.strip()[:60]}%"
        query = query.where(sa.or_(User.full_name.ilike(pattern), User.username.ilike(pattern)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    users = db.session.scalars(query.options(selectinload(User.unit))
                               .order_by(User.name_sort_key, User.username)
                               .limit(ROSTER_PAGE_SIZE).offset((max(page, 1) - 1) * ROSTER_PAGE_SIZE))
    return list(users), total or 0


def attendance_of(session: LiveSession, user_ids: Iterable[int] | None = None) -> dict[int, Attendance]:
    query = sa.select(Attendance).where(Attendance.session_id == session.id)
    if user_ids is not None:
        query = query.where(Attendance.user_id.in_(list(user_ids)))
    return {a.user_id: a for a in db.session.scalars(query)}


def attendance_count(session: LiveSession) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)
                             .where(Attendance.session_id == session.id)) or 0


def record_attendance(session: LiveSession, minutes_by_user: dict[int, int | None], method: str,
                      by: User | None) -> tuple[int, list[CourseCompletion]]:
    """Record these learners as present (once each: those already recorded keep their row) and
    complete the course of each for whom this was the last requirement.

    Returns how many rows were new, and the completions created."""
    already = set(db.session.scalars(sa.select(Attendance.user_id).where(
        Attendance.session_id == session.id, Attendance.user_id.in_(list(minutes_by_user)))))
    new_ids = [uid for uid in minutes_by_user if uid not in already]
    now = utcnow()
    db.session.add_all(Attendance(session_id=session.id, user_id=uid, method=method,
                                  minutes=minutes_by_user[uid], recorded_at=now,
                                  recorded_by_id=by.id if by else None) for uid in new_ids)
    db.session.flush()
    return len(new_ids), complete_where_done(session.course, new_ids)


def complete_where_done(course: Course, user_ids: list[int]) -> list[CourseCompletion]:
    """Ask the completion rule again for these learners; certificates follow in this transaction."""
    completions = []
    for start in range(0, len(user_ids), 500):
        users = db.session.scalars(sa.select(User).options(selectinload(User.unit))
                                   .where(User.id.in_(user_ids[start:start + 500])))
        for user in users:
            completion = progress.complete_course_if_done(user, course)
            if completion is not None:
                completions.append(completion)
    return completions


def reconsider_completions(course: Course) -> list[CourseCompletion]:
    """Every enrolled learner not yet complete: a requirement was lifted, some may be done now."""
    done = sa.select(CourseCompletion.user_id).where(CourseCompletion.course_id == course.id)
    user_ids = list(db.session.scalars(
        sa.select(Enrolment.user_id).where(Enrolment.course_id == course.id,
                                           Enrolment.user_id.not_in(done))))
    return complete_where_done(course, user_ids)


def remove_attendance(session: LiveSession, user_ids: Iterable[int]) -> int:
    """Untick learners on the roster; a completion already recorded stays (it is never undone)."""
    ids = list(user_ids)
    if not ids:
        return 0
    removed = db.session.execute(sa.delete(Attendance).where(
        Attendance.session_id == session.id, Attendance.user_id.in_(ids))).rowcount
    audit.record("live_session.attendance_removed", target=session.course.slug, session=session.id,
                 learners=removed)
    return removed or 0


def update_roster(session: LiveSession, shown_ids: set[int], ticked_ids: set[int], by: User
                  ) -> tuple[int, int, list[CourseCompletion]]:
    """The roster page's ticks for the learners it showed: (added, removed, completions)."""
    on_roster = set(db.session.scalars(roster_query(session).where(User.id.in_(list(shown_ids)))
                                       .with_only_columns(User.id)))
    ticked, shown = ticked_ids & on_roster, shown_ids & on_roster
    present = set(attendance_of(session, shown))
    added, completions = record_attendance(session, dict.fromkeys(sorted(ticked - present)),
                                           AttendanceMethod.ROSTER, by)
    removed = remove_attendance(session, sorted((shown - ticked) & present))
    if added:
        audit.record("live_session.roster_ticked", target=session.course.slug, session=session.id,
                     learners=added)
    return added, removed, completions


def is_expected(session: LiveSession, user: User) -> bool:
    """She is on the session's roster: an enrolled learner, of its intake if it has one."""
    return db.session.scalar(roster_query(session).where(User.id == user.id)
                             .with_only_columns(User.id)) is not None


def check_in(session: LiveSession, user: User, typed_code: str, now: datetime
             ) -> tuple[bool, CourseCompletion | None]:
    """Her check-in with the code on the presenter's screen: (recorded now, completion).

    False with no error means she had already checked in (or was recorded another way)."""
    if not is_expected(session, user):
        raise LiveSessionError(N_("Only learners enrolled in this course (and this intake) can check in."))
    state = checkin_window(session.starts_at_utc, session.duration_minutes).state(now)
    if state == WindowState.NOT_YET:
        raise LiveSessionError(N_("Check-in has not opened yet: it opens 10 minutes before the "
                                  "session starts."))
    if state == WindowState.CLOSED:
        raise LiveSessionError(N_("Check-in has closed: it closes 15 minutes after the session ends. "
                                  "Ask the instructor to tick you on the roster."))
    if not codes_match(typed_code, session.checkin_code):
        raise LiveSessionError(N_("This is not the session's code. Type the code shown on the "
                                  "presenter's screen, or scan its QR code."))
    added, completions = record_attendance(session, {user.id: None}, AttendanceMethod.CHECKIN, user)
    return bool(added), (completions[0] if completions else None)


@dataclass(frozen=True)
class LearnerSession:
    session: LiveSession
    attendance: Attendance | None
    window_state: WindowState


def sessions_for(user: User, course: Course, now: datetime) -> list[LearnerSession]:
    """The sessions she is expected at, soonest first, with whether she attended."""
    # One statement: the course page is on every learner's way, most courses have no session
    her_attendance = sa.and_(Attendance.session_id == LiveSession.id, Attendance.user_id == user.id)
    rows = db.session.execute(
        requirements.sessions_for_learner(course.id, user.id).add_columns(Attendance)
        .outerjoin(Attendance, her_attendance).order_by(LiveSession.starts_at)
    )
    return [LearnerSession(session, attendance,
                           checkin_window(session.starts_at_utc, session.duration_minutes).state(now))
            for session, attendance in rows]


@dataclass(frozen=True)
class CoursePageSessions:
    """What the course page shows: her sessions (a learner), or the coming ones (staff)."""

    sessions: list[LearnerSession]
    may_manage: bool
    is_learner: bool
    required_count: int
    required_attended: int


def course_page_sessions(user: User, course: Course, enrolled: bool, now: datetime) -> CoursePageSessions:
    if user.role == Role.LEARNER:
        items = sessions_for(user, course, now) if enrolled else []
        required = [i for i in items if i.session.attendance_required]
        return CoursePageSessions(items, False, True, len(required),
                                  sum(1 for i in required if i.attendance is not None))
    items = [LearnerSession(s, None, checkin_window(s.starts_at_utc, s.duration_minutes).state(now))
             for s in sessions_of(course)]
    coming = [i for i in items if i.window_state != WindowState.CLOSED]
    return CoursePageSessions(coming, may_manage(user, course), False, 0, 0)
