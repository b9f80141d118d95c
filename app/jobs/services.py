"""Running background jobs: one worker thread per process in the embedded set-up, RQ on Redis when
JOBS_REDIS_URL is set (then `flask jobs worker` runs them, on any node).

A job kind is a function registered with `@job_kind("name")`: it gets the job's parameters and a
`report(done, total)` callback, and returns a `JobResult`. Progress is written on a connection of
its own, so the page that shows it sees it at once and the job's own session is left alone.
"""

import logging
import queue
import secrets
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import Flask, current_app

from app.database import utcnow
from app.extensions import db
from app.jobs.models import BatchJob, JobState

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)  # no progress for this long: the worker died
RQ_JOB_TIMEOUT_SECONDS = 3 * 3600


class JobResult(NamedTuple):
    content: bytes
    filename: str
    mimetype: str


ProgressReport = Callable[[int, int], None]
JobFunction = Callable[[dict[str, Any], ProgressReport], JobResult]
JOB_KINDS: dict[str, JobFunction] = {}


class JobError(Exception):
    """A job cannot go on; the message is shown to the admin who started it."""


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the runner of one kind of job."""

    def register(function: JobFunction) -> JobFunction:
        JOB_KINDS[name] = function
        return function

    return register


def create_job(kind: str, params: dict[str, Any], created_by_id: int | None) -> BatchJob:
    """A queued job (caller commits, then calls `dispatch`)."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = BatchJob(token=secrets.token_urlsafe(16), kind=kind, params=params,
                   created_by_id=created_by_id)
    db.session.add(job)
    db.session.flush()
    return job


def find_job(token: str) -> BatchJob | None:
    return db.session.scalar(sa.select(BatchJob).where(BatchJob.token == token[:32]))


def is_stale(job: BatchJob) -> bool:
    """Queued or running, but silent for too long: its process ended (a restart, a crash)."""
    updated = job.updated_at if job.updated_at.tzinfo else job.updated_at.replace(tzinfo=utcnow().tzinfo)
    return not job.is_finished and utcnow() - updated > STALE_AFTER


def dispatch(job: BatchJob) -> None:
    """Hand a committed job to RQ or to this process's worker thread."""
    redis_url = current_app.config.get("JOBS_REDIS_URL")
    if redis_url:
        _enqueue_on_redis(redis_url, job.token)
    else:
        _local_worker.submit(current_app._get_current_object(), job.token)


def run_job(token: str) -> None:
    """Run one job to the end in this app context, recording progress, result or failure."""
    job = find_job(token)
    if job is None or job.is_finished:
        return
    job.state, job.started_at, job.updated_at = JobState.RUNNING, utcnow(), utcnow()
    job_id, kind, params = job.id, job.kind, dict(job.params)
    db.session.commit()
    try:
        result = JOB_KINDS[kind](params, lambda done, total: _record_progress(job_id, done, total))
    except Exception as error:  # noqa: BLE001 - any failure ends the job, visibly
        log.exception("job %s (%s) failed", token, kind)
        message = str(error) if isinstance(error, JobError) else type(error).__name__
        _finish(job_id, state=JobState.FAILED, error=message[:500])
        return
    _finish(job_id, state=JobState.DONE, result=result.content, result_filename=result.filename,
            result_mimetype=result.mimetype, result_size=len(result.content))


def _record_progress(job_id: int, done: int, total: int) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(BatchJob).where(BatchJob.id == job_id)
            .values(progress_done=done, progress_total=total, updated_at=utcnow())
        )


def _finish(job_id: int, **values: Any) -> None:
    # End the job's own (read) transaction first: on SQLite a reader that saw an older snapshot
    # could not become the writer.
    db.session.rollback()
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(BatchJob).where(BatchJob.id == job_id)
            .values(updated_at=utcnow(), finished_at=utcnow(), **values)
        )


def purge_finished_jobs(days: int) -> int:
    """Delete finished jobs older than `days` days, with their results (caller commits)."""
    cutoff = utcnow() - timedelta(days=days)
    result = db.session.execute(
        sa.delete(BatchJob).where(BatchJob.state.in_([JobState.DONE, JobState.FAILED]),
                                  BatchJob.finished_at < cutoff)
    )
    return result.rowcount


def run_queued_job(token: str) -> None:
    """The function RQ runs; `flask jobs worker` provides the app context."""
    run_job(token)


def _enqueue_on_redis(redis_url: str, token: str) -> None:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(redis_url)
    Queue(current_app.config["JOBS_QUEUE_NAME"], connection=connection).enqueue(
        run_queued_job, token, job_timeout=RQ_JOB_TIMEOUT_SECONDS, result_ttl=0, failure_ttl=86400
    )


class _LocalWorker:
    """One daemon thread per process runs jobs in turn, so printing never competes with itself."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Flask, str]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, app: Flask, token: str) -> None:
        self._queue.put((app, token))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="hocso-jobs", daemon=True)
                self._thread.start()

    def join(self) -> None:
        """Wait until every submitted job has finished (tests and the CLI use this)."""
        self._queue.join()

    def _work(self) -> None:
        while True:
            app, token = self._queue.get()
            try:
                with app.app_context():
                    run_job(token)
                    db.session.remove()
            except Exception:  # noqa: BLE001 - the thread must survive to run the next job
                log.exception("background job %s crashed", token)
            finally:
                self._queue.task_done()


_local_worker = _LocalWorker()


def wait_for_local_jobs() -> None:
    """Block until this process's worker thread has run every job handed to it."""
    _local_worker.join()
