"""What the database holds after a load or crash run, compared with what clients were told."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from app.certificates.models import Certificate
from app.extensions import db
from app.progress.models import CourseCompletion
from app.quizzes.models import AttemptState, QuizAttempt


@dataclass(frozen=True)
class Acknowledgement:
    """A submission the server answered with 302: its expected score and the last POST's send time."""

    token: str
    score: int
    last_sent_at: float  # time.time() when the acknowledged POST was sent


@dataclass
class AttemptAudit:
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, yet not submitted with its score
    partial: list[str] = field(default_factory=list)  # state and result columns disagree
    duplicates: list[str] = field(default_factory=list)  # rows no client asked for, or twice
    unacknowledged: int = 0  # submitted by a POST whose client gave up before any 302
    committed_before_ack: int = 0  # committed by a POST whose response was lost, then replayed
    completions: int = 0
    certificates: int = 0
    completion_problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.partial or self.duplicates or self.completion_problems)

    def summary(self) -> str:
        return (f"{len(self.lost)} lost, {len(self.partial)} partial, "
                f"{len(self.duplicates)} duplicates")


def _is_half_written(row) -> bool:
    results = (row.score, row.submitted_at, row.answers, row.points, row.max_points, row.passed)
    if row.state == AttemptState.SUBMITTED:
        return any(value is None for value in results)
    return row.state != AttemptState.IN_PROGRESS or any(value is not None for value in results)


def audit_attempts(acks: list[Acknowledgement], sent_tokens: set[str] = frozenset()) -> AttemptAudit:
    """Compare every attempt row, completion and certificate with the clients' acknowledgements.

    sent_tokens: every token some client POSTed answers for, acknowledged or not.
    """
    audit = AttemptAudit(acknowledged=len(acks))
    rows = db.session.execute(sa.select(
        QuizAttempt.token, QuizAttempt.user_id, QuizAttempt.quiz_version_id, QuizAttempt.state,
        QuizAttempt.score, QuizAttempt.submitted_at, QuizAttempt.answers, QuizAttempt.points,
        QuizAttempt.max_points, QuizAttempt.passed,
    )).all()
    by_token = {}
    for row in rows:
        if row.token in by_token:
            audit.duplicates.append(row.token)
        by_token[row.token] = row
        if _is_half_written(row):
            audit.partial.append(row.token)
    acked_tokens = set()
    for ack in acks:
        if ack.token in acked_tokens:
            audit.duplicates.append(ack.token)  # one attempt acknowledged as two submissions
        acked_tokens.add(ack.token)
        row = by_token.get(ack.token)
        if row is None or row.state != AttemptState.SUBMITTED or row.score != ack.score:
            audit.lost.append(ack.token)
        elif _utc_timestamp(row.submitted_at) < ack.last_sent_at - 0.001:
            audit.committed_before_ack += 1
    for token, row in by_token.items():
        if row.state == AttemptState.SUBMITTED and token not in acked_tokens:
            if token in sent_tokens:
                audit.unacknowledged += 1
            else:
                audit.duplicates.append(token)  # nobody submitted this attempt
    open_attempts = sa.select(QuizAttempt.user_id, QuizAttempt.quiz_version_id).where(
        QuizAttempt.state == AttemptState.IN_PROGRESS
    ).group_by(QuizAttempt.user_id, QuizAttempt.quiz_version_id).having(sa.func.count() > 1)
    audit.duplicates += [f"open:{r.user_id}:{r.quiz_version_id}" for r in db.session.execute(open_attempts)]
    _audit_completions(audit)
    return audit


def repeated_submissions() -> list[str]:
    """Learner and quiz pairs with more than one submitted attempt ("user:quiz version:count"),
    for runs in which each learner submits each quiz once."""
    query = sa.select(QuizAttempt.user_id, QuizAttempt.quiz_version_id, sa.func.count()).where(
        QuizAttempt.state == AttemptState.SUBMITTED
    ).group_by(QuizAttempt.user_id, QuizAttempt.quiz_version_id).having(sa.func.count() > 1)
    return [f"{user}:{version}:{count}" for user, version, count in db.session.execute(query)]


def _audit_completions(audit: AttemptAudit) -> None:
    """At most one completion per learner and course, and exactly one certificate for each."""
    completions = db.session.execute(sa.select(CourseCompletion.id, CourseCompletion.user_id)).all()
    certificates = db.session.execute(sa.select(Certificate.completion_id)).scalars().all()
    audit.completions, audit.certificates = len(completions), len(certificates)
    for completion in completions:
        issued = certificates.count(completion.id)
        if issued != 1:
            audit.completion_problems.append(f"completion {completion.id}: {issued} certificates")


def _utc_timestamp(value: datetime) -> float:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
