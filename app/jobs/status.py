"""What the job page says: the truth about one job, from the database and the workers' heartbeats."""

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.jobs import runners, services
from app.jobs.models import BatchJob, JobState


class Situation(enum.StrEnum):
    DONE = "done"
    RESULT_GONE = "result_gone"  # a private result, downloaded or past its time
    FAILED = "failed"
    STALLED = "stalled"  # running, but its worker stopped beating
    RUNNING = "running"
    QUEUED_BEHIND = "queued_behind"
    NO_WORKER = "no_worker"
    STARTING = "starting"


@dataclass(frozen=True)
class JobStatus:
    situation: Situation
    blocking: BatchJob | None = None  # the job this one waits behind
    ahead: int = 0  # queued jobs before this one
    will_resume: bool = False  # a stalled job another worker will take over by itself

    @property
    def can_retry(self) -> bool:
        return self.situation in (Situation.FAILED, Situation.STALLED)

    @property
    def is_final(self) -> bool:
        return self.situation in (Situation.DONE, Situation.RESULT_GONE, Situation.FAILED)

    @property
    def may_change(self) -> bool:
        """Worth refreshing the page for: something is still happening to the job by itself."""
        return not self.is_final and (self.situation != Situation.STALLED or self.will_resume)


def job_status(job: BatchJob) -> JobStatus:
    """The situation of `job` now, in the words the admin page uses."""
    if job.state == JobState.DONE:
        gone = job.result_deleted_at is not None or services.result_expired(job.result_expires_at)
        return JobStatus(Situation.RESULT_GONE if gone else Situation.DONE)
    if job.state == JobState.FAILED:
        return JobStatus(Situation.FAILED)
    workers = worker_running()
    if job.state == JobState.RUNNING:
        if services.is_stale(job):
            return JobStatus(Situation.STALLED, will_resume=workers and job.attempts < services.MAX_ATTEMPTS)
        return JobStatus(Situation.RUNNING)
    if not workers:
        return JobStatus(Situation.NO_WORKER)
    ahead = db.session.scalar(sa.select(sa.func.count()).select_from(BatchJob).where(
        BatchJob.state == JobState.QUEUED, BatchJob.id < job.id))
    blocking = db.session.scalars(sa.select(BatchJob).where(
        BatchJob.id != job.id, BatchJob.state == JobState.RUNNING,
        BatchJob.heartbeat_at >= utcnow() - services.STALE_AFTER).order_by(BatchJob.id).limit(1)).first()
    if blocking is not None:
        return JobStatus(Situation.QUEUED_BEHIND, blocking=blocking, ahead=ahead)
    return JobStatus(Situation.STARTING, ahead=ahead)


def worker_running() -> bool:
    """An RQ worker with a live heartbeat; without Redis, this web process's own thread."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_REDIS_URL"):
        return runners.rq_workers_alive(app) > 0
    if app.config["JOBS_LOCAL_SWEEP"]:
        runners.local_worker.wake(app)  # a process gunicorn just started has no thread yet
    return True


JOB_LIST_SIZE = 100


@dataclass(frozen=True)
class JobRow:
    """One line of the jobs page."""

    job: BatchJob
    creator: str | None  # the username of the admin who started it
    can_retry: bool  # failed, or running with a dead worker: the retry button applies


def recent_jobs(state: str = "", limit: int = JOB_LIST_SIZE) -> list[JobRow]:
    """The newest jobs (of one state, if given), with who started them; one query."""
    query = (sa.select(BatchJob, User.username).outerjoin(User, User.id == BatchJob.created_by_id)
             .order_by(BatchJob.id.desc()).limit(limit))
    if state in set(JobState):
        query = query.where(BatchJob.state == state)
    return [JobRow(job, username, job.kind in services.JOB_KINDS
                   and (job.state == JobState.FAILED or services.is_stale(job)))
            for job, username in db.session.execute(query)]
