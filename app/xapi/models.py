"""The outbox of xAPI statements: written with the event they report, sent to the LRS later."""

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.database import status_type, utcnow
from app.extensions import db


class StatementState(enum.StrEnum):
    PENDING = "pending"  # to send (now, or at next_try_at)
    SENT = "sent"  # the LRS holds it
    FAILED = "failed"  # given up after XAPI_MAX_ATTEMPTS, or refused by the LRS; an admin may retry


class XapiStatement(db.Model):
    """One statement, its JSON frozen when the event happened.

    A sender claims a pending row by moving `next_try_at` past the time its request can take
    (the lease) and writing its name in `claimed_by`; a sender that dies leaves the row pending,
    and it is claimed again once the lease has run out. The id is the statement's own, so sending
    it twice stores it once.
    """

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    state: Mapped[StatementState] = mapped_column(
        status_type(StatementState, "state"), default=StatementState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # The sender's query: pending rows due now, oldest first.
    __table_args__ = (sa.Index("ix_xapi_statement_due", "state", "next_try_at"),)
