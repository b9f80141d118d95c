"""Importing a meeting platform's participant report: a dry run, then one transaction.

The dry run lists who was matched (and how), who stayed less than the session's minimum, who is
already recorded, and every row that matched nobody or more than one learner. Applying re-reads
the roster and repeats the plan, so what is written is what the plan says at that moment.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import services as audit
from app.extensions import db
from app.live_sessions import services
from app.live_sessions.matching import LearnerMatch, MatchResult, Roster, RosterEntry, match_report
from app.live_sessions.models import Attendance, AttendanceMethod, LiveSession
from app.live_sessions.participant_report import ParticipantRow
from app.progress.models import CourseCompletion

MAX_REPORT_ROWS = 20_000


@dataclass(frozen=True)
class ImportPlan:
    session: LiveSession
    to_record: tuple[LearnerMatch, ...]
    too_short: tuple[LearnerMatch, ...]
    already: tuple[LearnerMatch, ...]
    match: MatchResult
    candidate_names: dict[int, str]  # user id -> "Full name (username)", for ambiguous rows

    @property
    def row_count(self) -> int:
        matched = sum(len(m.rows) for m in self.match.learners)
        return matched + len(self.match.unmatched) + len(self.match.ambiguous)


def roster_entries(session: LiveSession) -> list[RosterEntry]:
    query = services.roster_query(session).with_only_columns(
        User.id, User.username, User.full_name, User.phone, User.email)
    return [RosterEntry(*row) for row in db.session.execute(query)]


def plan_import(session: LiveSession, rows: list[ParticipantRow]) -> ImportPlan:
    """Match the report against the session's roster and sort the learners found."""
    roster = Roster(roster_entries(session))
    result = match_report(rows, roster)
    already = set(db.session.scalars(sa.select(Attendance.user_id).where(
        Attendance.session_id == session.id)))
    to_record, too_short, recorded = [], [], []
    for learner in result.learners:
        if learner.entry.user_id in already:
            recorded.append(learner)
        elif learner.minutes is not None and learner.minutes < session.minimum_minutes:
            too_short.append(learner)
        else:
            to_record.append(learner)
    names = {uid: f"{roster.entries[uid].full_name} ({roster.entries[uid].username})"
             for outcome in result.ambiguous for uid in outcome.candidates}
    return ImportPlan(session, tuple(to_record), tuple(too_short), tuple(recorded), result, names)


def apply_import(plan: ImportPlan, source: str, by: User) -> tuple[int, list[CourseCompletion]]:
    """Record everyone the plan matched, in the caller's one transaction; (recorded, completions)."""
    minutes = {m.entry.user_id: m.minutes for m in plan.to_record}
    added, completions = services.record_attendance(plan.session, minutes, AttendanceMethod.IMPORT, by)
    audit.record("live_session.attendance_imported", target=plan.session.course.slug,
                 session=plan.session.id, source=source[:200], recorded=added,
                 unmatched=len(plan.match.unmatched), ambiguous=len(plan.match.ambiguous),
                 too_short=len(plan.too_short), completed=len(completions))
    return added, completions


def rows_to_payload(rows: list[ParticipantRow]) -> list[list]:
    return [[r.row, r.name, r.email, r.phone, r.minutes] for r in rows]


def rows_from_payload(payload: list) -> list[ParticipantRow]:
    """The rows a signed confirmation carries back (the signature proves we wrote them)."""
    return [ParticipantRow(int(row), str(name), str(email), str(phone),
                           None if minutes is None else float(minutes))
            for row, name, email, phone, minutes in payload[:MAX_REPORT_ROWS]]
