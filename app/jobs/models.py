"""Background jobs: long work (printing a commune's certificates, login slips) done outside the request."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.database import status_type, utcnow
from app.extensions import db


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BatchJob(db.Model):
    """One piece of background work, its progress, and its result kept for download.

    A running job's worker writes `heartbeat_at` every few seconds; a running job whose heartbeat
    is old belongs to a worker that died, and is resumed or failed (see app.jobs.services).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32), unique=True)  # the public handle in URLs
    kind: Mapped[str] = mapped_column(sa.String(64))  # a key of app.jobs.services.JOB_KINDS
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    state: Mapped[JobState] = mapped_column(
        status_type(JobState, "state"), default=JobState.QUEUED, index=True
    )
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    result_filename: Mapped[str | None] = mapped_column(sa.String(200))
    result_mimetype: Mapped[str | None] = mapped_column(sa.String(100))
    result_size: Mapped[int | None]
    result: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    result_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    result_deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    worker_name: Mapped[str | None] = mapped_column(sa.String(120))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class BatchJobPart(db.Model):
    """A finished chunk of a job's output (some pages of a print), so a resumed job skips it.

    `digest` names what the chunk holds (its certificates and their codes): a chunk whose
    selection changed since is rendered again. Parts are deleted when the job finishes.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("batch_job.id", ondelete="CASCADE"))
    position: Mapped[int]
    digest: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("job_id", "position"),)
