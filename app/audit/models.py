"""The audit trail: who did what to whom, when, from where, with what outcome."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import status_type, utcnow
from app.extensions import db


class AuditOutcome(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"  # refused by an access rule


class AuditEvent(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
    event: Mapped[str] = mapped_column(sa.String(64), index=True)
    outcome: Mapped[AuditOutcome] = mapped_column(status_type(AuditOutcome, "outcome"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # What the actor typed or was called, kept even for unknown users; never a password.
    actor_name: Mapped[str] = mapped_column(sa.String(64), default="")
    client_address: Mapped[str] = mapped_column(sa.String(64), default="")
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
