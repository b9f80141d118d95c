"""Scores sent back to the platforms' grade columns (LTI Assignment and Grade Services).

A completion writes an outbox row in its own transaction (`queue_course_completion`); the job
worker's sweep (`send_due_scores`) claims due rows in short transactions, posts each with no
transaction open and a timeout, and retries failures later, backing off.
"""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from app.accounts.models import User
from app.content.models import Course
from app.database import own_write_connection, utcnow
from app.extensions import db
from app.lti.models import LtiIdentity, LtiLinkLearner, LtiResourceLink, LtiScore, ScoreState
from app.lti.platforms import http_session, tool_conf
from app.progress.models import CourseCompletion
from app.progress.signals import course_completed

log = logging.getLogger(__name__)
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MAXIMUM = 100
MAX_SEND_ATTEMPTS = 10
CLAIM_LEASE = timedelta(minutes=5)  # a sweep that died mid-send leaves the row to the next one
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=2)
SCORES_PER_SWEEP = 20


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after the first, second, third failure, at most two hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def score_given(completion: CourseCompletion) -> int:
    """The course score (mean of its quizzes, in percent); a course without quizzes is 100."""
    return SCORE_MAXIMUM if completion.score is None else max(0, min(completion.score, SCORE_MAXIMUM))


def init_app(app: Flask) -> None:
    """Queue a score for the LMS she came from whenever this app records a course completion."""
    course_completed.connect(_on_course_completed, sender=app)


def _on_course_completed(_app: Flask, *, user: User, course: Course, completion: CourseCompletion) -> None:
    queue_course_completion(user, course, completion)


def queue_course_completion(user: User, course: Course, completion: CourseCompletion) -> None:
    """As the course completion is recorded: a score for each link she came through (caller commits)."""
    links = db.session.scalars(
        sa.select(LtiResourceLink).join(LtiLinkLearner).join(LtiIdentity)
        .where(LtiIdentity.user_id == user.id, LtiResourceLink.course_id == course.id))
    for link in links:
        queue_score(user, link, completion)


def queue_score(user: User, link: LtiResourceLink, completion: CourseCompletion) -> None:
    """An outbox row, unless the link has no grade column or one is queued already (caller commits)."""
    if not link.lineitem_url or SCORE_SCOPE not in (link.ags_scopes or []):
        return
    if db.session.scalar(sa.select(LtiScore.id).filter_by(user_id=user.id, link_id=link.id)):
        return
    subject = db.session.scalar(sa.select(LtiIdentity.subject).join(LtiLinkLearner).where(
        LtiLinkLearner.link_id == link.id, LtiIdentity.user_id == user.id, LtiIdentity.issuer == link.issuer))
    if subject is None:
        return
    db.session.add(LtiScore(
        user_id=user.id, link_id=link.id, issuer=link.issuer, client_id=link.client_id,
        lineitem_url=link.lineitem_url, ags_scopes=list(link.ags_scopes), platform_user_id=subject,
        score_given=score_given(completion), score_maximum=SCORE_MAXIMUM,
        completed_at=completion.completed_at or utcnow()))
    db.session.flush()


def score_grade(score) -> Grade:
    """The AGS score of an outbox row: completed and fully graded, for the platform's user id."""
    completed_at = score.completed_at if score.completed_at.tzinfo else score.completed_at.replace(
        tzinfo=utcnow().tzinfo)
    return (Grade().set_score_given(score.score_given).set_score_maximum(score.score_maximum)
            .set_activity_progress("Completed").set_grading_progress("FullyGraded")
            .set_timestamp(completed_at.isoformat(timespec="seconds"))
            .set_user_id(score.platform_user_id))


def post_score(score) -> None:
    """Send one score (token request, then the score); raises on any failure."""
    conf = tool_conf()
    registration = conf.find_registration_by_params(score.issuer, score.client_id) if conf else None
    if registration is None:
        raise LtiException(f"platform {score.issuer} / {score.client_id} is no longer registered")
    service = AssignmentsGradesService(ServiceConnector(registration, http_session()),
                                       {"scope": list(score.ags_scopes), "lineitem": score.lineitem_url})
    service.put_grade(score_grade(score))


def send_due_scores(now: datetime | None = None, limit: int = SCORES_PER_SWEEP) -> int:
    """The worker's sweep: send the scores that are due; returns how many were sent."""
    if tool_conf() is None:
        return 0
    sent = 0
    for _ in range(limit):
        moment = now or utcnow()
        score_id = _claim_due(moment)
        if score_id is None:
            break
        sent += _send(score_id, moment)
    return sent


def _claim_due(now: datetime) -> int | None:
    """Take the oldest due row for a while (its next try moves past the lease)."""
    with own_write_connection() as connection:
        query = (sa.select(LtiScore.id).where(LtiScore.state == ScoreState.PENDING,
                                              LtiScore.next_attempt_at <= now)
                 .order_by(LtiScore.next_attempt_at, LtiScore.id).limit(1))
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        score_id = connection.scalar(query)
        if score_id is not None:
            connection.execute(sa.update(LtiScore).where(LtiScore.id == score_id).values(
                next_attempt_at=now + CLAIM_LEASE, attempts=LtiScore.attempts + 1))
        return score_id


def _send(score_id: int, now: datetime) -> int:
    with db.engine.connect() as connection:  # read, and closed: no transaction while it is sent
        score = connection.execute(sa.select(LtiScore.__table__).where(LtiScore.id == score_id)).one()
    try:
        post_score(score)
    except (LtiException, LtiServiceException, RequestException, ValueError, KeyError) as error:
        _record_failure(score, _describe(error), now)
        return 0
    with own_write_connection() as connection:
        connection.execute(sa.update(LtiScore).where(LtiScore.id == score_id).values(
            state=ScoreState.SENT, sent_at=utcnow(), last_error=None))
    log.info("LTI score sent: user %s link %s (%s/%s)", score.user_id, score.link_id,
             score.score_given, score.score_maximum)
    return 1


def _describe(error: Exception) -> str:
    if isinstance(error, LtiServiceException):
        return f"HTTP {error.response.status_code} from {error.response.url}"[:500]
    return f"{type(error).__name__}: {error}"[:500]


def _record_failure(score, error: str, now: datetime) -> None:
    final = score.attempts >= MAX_SEND_ATTEMPTS
    values = dict(last_error=error, next_attempt_at=now + retry_delay(score.attempts))
    if final:
        values["state"] = ScoreState.FAILED
    with own_write_connection() as connection:
        connection.execute(sa.update(LtiScore).where(LtiScore.id == score.id).values(**values))
    log.warning("LTI score for user %s not sent (attempt %s%s): %s", score.user_id, score.attempts,
                ", giving up" if final else "", error)
