"""Recording and reading audit events."""

import logging
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from app.audit.models import AuditEvent
from app.extensions import db

log = logging.getLogger("hocso.audit")
PAGE_SIZE = 100
_SECRET_KEYS = {"password", "new_password", "current_password", "confirm_password", "csrf_token"}


def _single_line(text: str, limit: int) -> str:
    """Control characters (a newline in a username) cannot start a forged log line."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)[:limit]


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, ""


def record(event: str, outcome: str = "success", target: str = "",
           actor_name: str | None = None, **details: Any) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    actor_id, username = _actor()
    address = (request.remote_addr or "") if has_request_context() else "cli"
    safe_details = {k: v for k, v in details.items() if k not in _SECRET_KEYS}
    entry = AuditEvent(
        event=event,
        outcome=outcome,
        actor_id=actor_id,
        actor_name=_single_line(actor_name if actor_name is not None else username, 64),
        client_address=_single_line(address, 64),
        target=_single_line(target, 200),
        details=safe_details,
    )
    db.session.add(entry)
    log.info("%s %s actor=%r target=%r from=%s", event, outcome, entry.actor_name,
             entry.target, entry.client_address)
    return entry


def record_now(event: str, outcome: str, **kwargs: Any) -> None:
    """Record in a transaction of its own, for events on a path that will roll back."""
    record(event, outcome, **kwargs)
    db.session.commit()


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
