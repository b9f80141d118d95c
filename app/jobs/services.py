"""Background jobs: their records, who runs them, and what a dead worker leaves behind.

A job kind is a function registered with `@job_kind("name")`: it gets a `JobRun` (the parameters,
`report(done, total)`, and saved parts to resume from) and returns a `JobResult`. The job runs in a
thread of the web process (embedded set-up) or on RQ when JOBS_REDIS_URL is set (app.jobs.runners).

The database tells the truth about every job. A worker claims a job in one write transaction and
then writes `heartbeat_at` every HEARTBEAT_SECONDS from a thread of its own; a running job whose
heartbeat is older than STALE_AFTER belongs to a worker that died. It is claimed again (resumed from
its saved parts) until MAX_ATTEMPTS, then failed with a reason and a retry button. Every job write
takes the write lock up front (`own_write_connection`), and no transaction of the job's own
session stays open while it renders.
"""

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import Flask, current_app

from app.database import begin_write_transaction, own_write_connection, utcnow
from app.extensions import db
from app.i18n.markers import N_
from app.jobs.models import BatchJob, BatchJobPart, JobState

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=30)  # no heartbeat for this long: the worker died
MAX_ATTEMPTS = 3  # runs of one job before a dead worker fails it instead of resuming it


class JobResult(NamedTuple):
    content: bytes
    filename: str
    mimetype: str
    apply: Callable[[], None] | None = None  # writes committed with the result, in one transaction


class JobError(Exception):
    """A job cannot go on; the message is shown to the admin who started it."""


@dataclass(frozen=True)
class JobKind:
    run: Callable[["JobRun"], JobResult]
    private_result: bool  # holds secrets: deleted when downloaded or after JOB_PRIVATE_RESULT_MINUTES
    page_endpoint: str  # the admin page that shows this kind of job, by token


JOB_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, page_endpoint: str, private_result: bool = False):
    """Register a function as the runner of one kind of job."""

    def register(function: Callable[["JobRun"], JobResult]):
        JOB_KINDS[name] = JobKind(function, private_result, page_endpoint)
        return function

    return register


@dataclass
class JobRun:
    """What a running job sees of itself: its parameters, progress, and parts saved by earlier runs."""

    job_id: int
    params: dict[str, Any]
    worker_name: str
    on_report: Callable[[int, int], None] | None = None  # the CLI prints the progress too

    def report(self, done: int, total: int) -> None:
        with own_write_connection() as connection:
            connection.execute(sa.update(BatchJob).where(BatchJob.id == self.job_id).values(
                progress_done=done, progress_total=total, updated_at=utcnow()))
        if self.on_report is not None:
            self.on_report(done, total)

    def saved_part(self, position: int, digest: str) -> bytes | None:
        with db.engine.connect() as connection:
            return connection.scalar(sa.select(BatchJobPart.content).where(
                BatchJobPart.job_id == self.job_id, BatchJobPart.position == position,
                BatchJobPart.digest == digest))

    def save_part(self, position: int, digest: str, content: bytes) -> None:
        with own_write_connection() as connection:
            connection.execute(sa.delete(BatchJobPart).where(
                BatchJobPart.job_id == self.job_id, BatchJobPart.position == position))
            connection.execute(sa.insert(BatchJobPart).values(
                job_id=self.job_id, position=position, digest=digest, content=content, created_at=utcnow()))


def create_job(kind: str, params: dict[str, Any], created_by_id: int | None,
               claimed_by: str | None = None) -> BatchJob:
    """A queued job (caller commits, then calls `dispatch`); or, `claimed_by` a worker name, one
    already running for that worker (the caller commits, then runs it with `run_claimed`), so
    that no other worker takes it in between."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = BatchJob(token=secrets.token_urlsafe(16), kind=kind, params=params,
                   created_by_id=created_by_id, **(_claimed_values(claimed_by) if claimed_by else {}))
    db.session.add(job)
    db.session.flush()
    return job


def _claimed_values(worker_name: str) -> dict[str, Any]:
    now = utcnow()
    return dict(state=JobState.RUNNING, worker_name=worker_name, heartbeat_at=now, updated_at=now,
                started_at=now, attempts=1, error=None)


def find_job(token: str) -> BatchJob | None:
    return db.session.scalar(sa.select(BatchJob).where(BatchJob.token == token[:32]))


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=utcnow().tzinfo) if moment and not moment.tzinfo else moment


def is_stale(job: BatchJob) -> bool:
    """Running, but no heartbeat for too long: the process that ran it ended."""
    heartbeat = _aware(job.heartbeat_at or job.updated_at)
    return job.state == JobState.RUNNING and utcnow() - heartbeat > STALE_AFTER


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def _claimable(now: datetime):
    return (BatchJob.state == JobState.QUEUED) | (
        (BatchJob.state == JobState.RUNNING)
        & ((BatchJob.heartbeat_at < now - STALE_AFTER) | BatchJob.heartbeat_at.is_(None)))


def claim(token: str, worker_name: str, only_if_idle: bool = False) -> JobRun | None:
    """Take a queued job, or one whose worker died, for this worker; None if it is not to be run.

    `only_if_idle`: not while another job runs with a live heartbeat (the embedded set-up prints
    one job at a time). A job whose workers died MAX_ATTEMPTS times is failed here instead.
    """
    now = utcnow()
    with own_write_connection() as connection:
        query = sa.select(BatchJob.id, BatchJob.params, BatchJob.attempts, BatchJob.state).where(
            BatchJob.token == token, _claimable(now))
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = connection.execute(query).first()
        if row is None or (only_if_idle and _busy_with_other_job(connection, row.id, now)):
            return None
        if row.state == JobState.RUNNING and row.attempts >= MAX_ATTEMPTS:
            connection.execute(sa.update(BatchJob).where(BatchJob.id == row.id).values(
                state=JobState.FAILED, error=WORKER_DIED, updated_at=now, finished_at=now))
            return None
        connection.execute(sa.update(BatchJob).where(BatchJob.id == row.id).values(
            state=JobState.RUNNING, worker_name=worker_name, heartbeat_at=now, updated_at=now,
            started_at=sa.func.coalesce(BatchJob.started_at, now), attempts=BatchJob.attempts + 1,
            error=None))
    return JobRun(row.id, dict(row.params), worker_name)


# Stored in English; the job page (app/templates/jobs/_status.html) shows it translated.
WORKER_DIED = N_("The worker running this job stopped and it could not be resumed.")


def _busy_with_other_job(connection, job_id: int, now: datetime) -> bool:
    return connection.scalar(sa.select(sa.func.count()).select_from(BatchJob).where(
        BatchJob.id != job_id, BatchJob.state == JobState.RUNNING,
        BatchJob.heartbeat_at >= now - STALE_AFTER)) > 0


def next_claimable_token() -> str | None:
    """The oldest job a worker could take now: queued, or running with a dead worker."""
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(BatchJob.token).where(_claimable(utcnow()))
                                 .order_by(BatchJob.id).limit(1))


def run_job(token: str, worker_name: str | None = None, only_if_idle: bool = False) -> bool:
    """Claim and run one job to the end in this app context; False if it was not ours to run."""
    worker_name = worker_name or default_worker_name()
    db.session.commit()  # the job's reads start fresh and no older transaction stays open
    run = claim(token, worker_name, only_if_idle)
    if run is None:
        return False
    run_claimed(run)
    return True


def run_claimed(run: JobRun) -> None:
    """Run a job this worker holds to the end, with its heartbeat, and record how it ended."""
    db.session.commit()  # nothing older stays open while the job works
    kind, token = db.session.execute(sa.select(BatchJob.kind, BatchJob.token)
                                     .where(BatchJob.id == run.job_id)).one()
    db.session.commit()
    heartbeat = Heartbeat(current_app._get_current_object(), run.job_id, run.worker_name)
    heartbeat.start()
    try:
        result = JOB_KINDS[kind].run(run)
    except Exception as error:  # noqa: BLE001 - any failure ends the job, visibly
        log.exception("job %s (%s) failed", token, kind)
        message = str(error) if isinstance(error, JobError) else type(error).__name__
        _finish(run, None, state=JobState.FAILED, error=message[:500])
    else:
        _finish(run, result, state=JobState.DONE, result=result.content, result_size=len(result.content),
                result_filename=result.filename, result_mimetype=result.mimetype,
                result_expires_at=_result_expiry(kind))
    finally:
        heartbeat.stop()
        db.session.commit()


def _result_expiry(kind: str) -> datetime | None:
    if not JOB_KINDS[kind].private_result:
        return None
    return utcnow() + timedelta(minutes=current_app.config["JOB_PRIVATE_RESULT_MINUTES"])


def _finish(run: JobRun, outcome: JobResult | None, **values: Any) -> None:
    """Record the outcome, with the result's own writes, in one transaction; unless another worker
    took the job over meanwhile (then this run's outcome is dropped)."""
    begin_write_transaction()
    if outcome is not None and outcome.apply is not None:
        outcome.apply()
    updated = db.session.execute(
        sa.update(BatchJob).where(BatchJob.id == run.job_id, BatchJob.state == JobState.RUNNING,
                                  BatchJob.worker_name == run.worker_name)
        .values(updated_at=utcnow(), finished_at=utcnow(), **values)
    ).rowcount
    if not updated:
        db.session.rollback()
        return
    if values["state"] == JobState.DONE:  # a failed job keeps its parts: its retry resumes there
        db.session.execute(sa.delete(BatchJobPart).where(BatchJobPart.job_id == run.job_id))
    db.session.commit()


class Heartbeat:
    """A thread that tells the database this worker still runs the job."""

    def __init__(self, app: Flask, job_id: int, worker_name: str) -> None:
        self.app, self.job_id, self.worker_name = app, job_id, worker_name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="hocso-job-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        with self.app.app_context():
            while not self._stop.wait(HEARTBEAT_SECONDS):
                try:
                    beat(self.job_id, self.worker_name)
                except Exception:  # noqa: BLE001 - a missed beat is retried; the job goes on
                    log.exception("job heartbeat failed")


def beat(job_id: int, worker_name: str) -> None:
    with own_write_connection() as connection:
        connection.execute(sa.update(BatchJob).where(
            BatchJob.id == job_id, BatchJob.worker_name == worker_name,
            BatchJob.state == JobState.RUNNING).values(heartbeat_at=utcnow()))


def retry_job(job: BatchJob, claimed_by: str | None = None) -> bool:
    """Queue a failed job, or one whose worker died, again; it resumes from its saved parts
    (the caller commits, then calls `dispatch`). With `claimed_by`, it is run by that worker
    instead (the caller commits, then calls `run_claimed`)."""
    if not (job.state == JobState.FAILED or is_stale(job)):
        return False
    begin_write_transaction()
    values = (_claimed_values(claimed_by) if claimed_by else
              dict(state=JobState.QUEUED, error=None, attempts=0, worker_name=None, heartbeat_at=None,
                   updated_at=utcnow()))
    return db.session.execute(sa.update(BatchJob).where(BatchJob.id == job.id, BatchJob.state == job.state)
                              .values(finished_at=None, **values)).rowcount == 1


def mark_abandoned(token: str, will_retry: bool) -> None:
    """RQ found this job's worker dead: queue it for RQ's retry, or fail it (with a retry button)."""
    values: dict[str, Any] = dict(state=JobState.QUEUED, worker_name=None, heartbeat_at=None)
    if not will_retry:
        values = dict(state=JobState.FAILED, error=WORKER_DIED, finished_at=utcnow())
    with own_write_connection() as connection:
        connection.execute(sa.update(BatchJob).where(
            BatchJob.token == token, BatchJob.state.in_([JobState.QUEUED, JobState.RUNNING]))
            .values(updated_at=utcnow(), **values))


def take_result(job: BatchJob) -> bytes | None:
    """The result to send; a private one leaves the database with this response (caller commits)."""
    begin_write_transaction()
    row = db.session.execute(sa.select(BatchJob.result, BatchJob.result_expires_at)
                             .where(BatchJob.id == job.id)).first()
    if row is None or row.result is None or result_expired(row.result_expires_at):
        return None
    if JOB_KINDS[job.kind].private_result:
        db.session.execute(sa.update(BatchJob).where(BatchJob.id == job.id)
                           .values(result=None, result_deleted_at=utcnow()))
    return row.result


def result_expired(expires_at: datetime | None) -> bool:
    return expires_at is not None and _aware(expires_at) <= utcnow()


def purge_expired_results() -> int:
    """Delete private results (one-time passwords) past their time; returns how many."""
    with own_write_connection() as connection:
        return connection.execute(sa.update(BatchJob).where(
            BatchJob.result_expires_at <= utcnow(), BatchJob.result_deleted_at.is_(None))
            .values(result=None, result_deleted_at=utcnow())).rowcount


def purge_finished_jobs(days: int) -> int:
    """Delete finished jobs older than `days` days, with their results (caller commits)."""
    cutoff = utcnow() - timedelta(days=days)
    db.session.execute(sa.delete(BatchJobPart).where(BatchJobPart.job_id.in_(
        sa.select(BatchJob.id).where(BatchJob.state.in_([JobState.DONE, JobState.FAILED]),
                                     BatchJob.finished_at < cutoff))))
    result = db.session.execute(
        sa.delete(BatchJob).where(BatchJob.state.in_([JobState.DONE, JobState.FAILED]),
                                  BatchJob.finished_at < cutoff)
    )
    return result.rowcount


def dispatch(job: BatchJob) -> None:
    """Hand a committed job to RQ or to this process's worker thread."""
    from app.jobs import runners

    runners.dispatch(current_app._get_current_object(), job.token)


def wait_for_local_jobs() -> None:
    """Block until this process's worker thread has run every job it can (tests and the CLI)."""
    from app.jobs import runners

    runners.local_worker.join()
