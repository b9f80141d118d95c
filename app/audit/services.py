"""Recording and reading audit events."""

import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.audit.models import AuditEvent
from app.database import begin_write_transaction
from app.extensions import db

log = logging.getLogger("hocso.audit")
PAGE_SIZE = 100
DEFERRED_WRITE_ATTEMPTS = 4
_SECRET_KEYS = {"password", "new_password", "current_password", "confirm_password", "csrf_token"}


def _single_line(text: str, limit: int) -> str:
    """Control characters (a newline in a username) cannot start a forged log line."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)[:limit]


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, ""


def _values(event: str, outcome: str, target: str, actor_name: str | None,
            details: dict[str, Any]) -> dict[str, Any]:
    """The columns of an audit event, logged as they are taken."""
    actor_id, username = _actor()
    address = (request.remote_addr or "") if has_request_context() else "cli"
    values = {
        "event": event,
        "outcome": outcome,
        "actor_id": actor_id,
        "actor_name": _single_line(actor_name if actor_name is not None else username, 64),
        "client_address": _single_line(address, 64),
        "target": _single_line(target, 200),
        "details": {k: v for k, v in details.items() if k not in _SECRET_KEYS},
    }
    log.info("%s %s actor=%r target=%r from=%s", event, outcome, values["actor_name"],
             values["target"], values["client_address"])
    return values


def record(event: str, outcome: str = "success", target: str = "",
           actor_name: str | None = None, **details: Any) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    entry = AuditEvent(**_values(event, outcome, target, actor_name, details))
    db.session.add(entry)
    return entry


def record_after_request(event: str, outcome: str, target: str = "",
                         actor_name: str | None = None, **details: Any) -> None:
    """For error handlers: written once the request's own transaction has ended, in a short
    write transaction of its own, retried; it neither fails the response nor is lost."""
    g.setdefault("pending_audit_events", []).append(
        _values(event, outcome, target, actor_name, details)
    )


def write_pending_events(_error: BaseException | None = None) -> None:
    """teardown_request: write what record_after_request noted, taking the write lock up front
    as every write does (app/database.py); after the last failed try, log each event."""
    pending = g.pop("pending_audit_events", None)
    if not pending:
        return
    db.session.rollback()  # whatever the request left open ends here, unwritten
    failure: Exception | None = None
    for attempt in range(DEFERRED_WRITE_ATTEMPTS):
        try:
            begin_write_transaction()
            db.session.add_all([AuditEvent(**values) for values in pending])
            db.session.commit()
            return
        except (SQLAlchemyError, TimeoutError) as error:
            db.session.rollback()
            failure = error
            time.sleep(0.05 * 2**attempt)
    for values in pending:
        log.error("audit event not stored (%s): %r", failure, values)


def init_app(app: Flask) -> None:
    app.teardown_request(write_pending_events)


def search(event: str = "", actor: str = "", page: int = 1) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if event:
        query = query.where(AuditEvent.event.startswith(event[:64]))
    if actor:
        query = query.where(AuditEvent.actor_name == actor[:64].lower())
    offset = (max(page, 1) - 1) * PAGE_SIZE
    return list(db.session.scalars(query.limit(PAGE_SIZE).offset(offset)))


def event_names() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.event).distinct().order_by(AuditEvent.event)))
