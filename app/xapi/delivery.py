"""Sending the outbox to the LRS: claimed with a lease, posted in batches, retried with backoff.

Who runs it: every web process's job thread, every few seconds (app/jobs/runners.py, with or
without Redis), and `flask xapi send`. Several may run at once: a sender claims due rows in
one short write transaction (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE
lets one writer claim at a time) by moving their `next_try_at` past its lease. It then talks to
the LRS with no transaction open, and records what the LRS said in a second short one. A
sender killed in between leaves its rows pending; they are claimed again when the lease ends.
Sending a statement twice is harmless: the LRS keeps one statement per id.

The LRS answers a batch with 200 (stored), and refuses the whole batch with 409 when one id is
already there, or 400 when one statement is refused: then each is sent on its own with PUT,
where 204 and 409 both mean "the LRS holds it".
"""

import json
import logging
import os
import secrets
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa
from flask import current_app

from app.database import own_write_connection, utcnow
from app.extensions import db
from app.xapi.models import StatementState, XapiStatement
from app.xapi.statements import XAPI_VERSION

log = logging.getLogger(__name__)
BATCHES_PER_PASS = 10  # then the job thread gets back to its own work
RETRY_FIRST_SECONDS = 30
RETRY_LONGEST_SECONDS = 3600
DELIVERED = {200, 204, 409}  # 409 to a single statement: the LRS already holds this id
REFUSED = {400, 413, 422}  # the LRS will never take this statement as it is


@dataclass
class Outcome:
    kind: str  # "sent", "retry", "refused", "unsent" (not tried: the lease was running out)
    error: str | None = None


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    outcomes: dict[str, Outcome] = field(default_factory=dict)


@dataclass(frozen=True)
class Claimed:
    id: str
    attempts: int
    body: dict[str, Any]


def _settings() -> dict[str, Any]:
    config = current_app.config
    return {"url": config.get("XAPI_LRS_URL", ""), "username": config.get("XAPI_LRS_USERNAME", ""),
            "password": config.get("XAPI_LRS_PASSWORD", ""),
            "timeout": float(config.get("XAPI_TIMEOUT_SECONDS", 10)),
            "max_attempts": int(config.get("XAPI_MAX_ATTEMPTS", 10)),
            "batch_size": int(config.get("XAPI_BATCH_SIZE", 50))}


def lease_for(timeout: float) -> timedelta:
    """Long enough for the batch request and the single requests after it."""
    return timedelta(seconds=max(60.0, 4 * timeout))


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling up to an hour."""
    return timedelta(seconds=min(RETRY_FIRST_SECONDS * 2 ** max(attempts - 1, 0), RETRY_LONGEST_SECONDS))


def send_due_statements(now: datetime | None = None) -> SendReport:
    """Send what is due, a few batches at most; nothing at all without XAPI_LRS_URL."""
    settings = _settings()
    report = SendReport()
    if not settings["url"]:
        return report
    for _ in range(BATCHES_PER_PASS):
        sender = _sender_name()
        claimed_at = now or utcnow()
        if not _any_due(claimed_at):  # a plain read: most passes take no write lock
            break
        batch = claim_due(sender, claimed_at, settings["batch_size"], lease_for(settings["timeout"]))
        if not batch:
            break
        outcomes = post_batch(settings, batch)
        record_outcomes(sender, batch, outcomes, now or utcnow(), settings["max_attempts"], report)
        if any(outcome.kind in ("retry", "unsent") for outcome in outcomes.values()):
            break  # the LRS is in trouble: the backoff decides when to try again
    return report


def sweep() -> None:
    """The job thread's call (app/jobs/runners.py): an error here is logged, and jobs run on."""
    try:
        send_due_statements()
    except Exception:  # noqa: BLE001 - a database hiccup must not stop the job thread
        log.exception("sending xAPI statements failed")


def _any_due(now: datetime) -> bool:
    with db.engine.connect() as connection:
        due = connection.scalar(sa.select(XapiStatement.id).where(
            XapiStatement.state == StatementState.PENDING, XapiStatement.next_try_at <= now).limit(1))
    return due is not None


def _sender_name() -> str:
    """New for every batch, so an outcome only ever lands on the rows this batch claimed."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(6)}"[:64]


def claim_due(sender: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Take up to `limit` due statements for `sender` until `now + lease`, in one transaction."""
    with own_write_connection() as connection:
        query = (sa.select(XapiStatement.id)
                 .where(XapiStatement.state == StatementState.PENDING, XapiStatement.next_try_at <= now)
                 .order_by(XapiStatement.next_try_at, XapiStatement.created_at).limit(limit))
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(connection.scalars(query))
        if not ids:
            return []
        connection.execute(
            sa.update(XapiStatement)
            .where(XapiStatement.id.in_(ids), XapiStatement.state == StatementState.PENDING,
                   XapiStatement.next_try_at <= now)
            .values(next_try_at=now + lease, claimed_by=sender, attempts=XapiStatement.attempts + 1))
        rows = connection.execute(
            sa.select(XapiStatement.id, XapiStatement.attempts, XapiStatement.body)
            .where(XapiStatement.id.in_(ids), XapiStatement.claimed_by == sender)
            .order_by(XapiStatement.created_at)).all()
    return [Claimed(str(row.id), row.attempts, row.body) for row in rows]


def _request(settings: dict[str, Any], method: str, body: Any, statement_id: str | None = None
             ) -> requests.Response:
    url = settings["url"].rstrip("/") + "/statements"
    auth = (settings["username"], settings["password"]) if settings["username"] else None
    return requests.request(
        method, url, params={"statementId": statement_id} if statement_id else None,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"), auth=auth,
        headers={"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"},
        timeout=settings["timeout"], allow_redirects=False)


def post_batch(settings: dict[str, Any], batch: list[Claimed]) -> dict[str, Outcome]:
    """What the LRS made of each statement of the batch (no database access here)."""
    started = time.monotonic()
    try:
        response = _request(settings, "POST", [claimed.body for claimed in batch])
    except requests.RequestException as error:
        return _all(batch, Outcome("retry", _describe(error)))
    if response.status_code in (200, 204) or (response.status_code == 409 and len(batch) == 1):
        return _all(batch, Outcome("sent"))
    if response.status_code in REFUSED | {409} and len(batch) > 1:
        return _put_each(settings, batch, started)
    kind = "refused" if response.status_code in REFUSED else "retry"
    return _all(batch, Outcome(kind, _http_error(response)))


def _put_each(settings: dict[str, Any], batch: list[Claimed], started: float) -> dict[str, Outcome]:
    """One request per statement, while the lease leaves time for one more."""
    deadline = started + lease_for(settings["timeout"]).total_seconds() - settings["timeout"] - 5
    outcomes: dict[str, Outcome] = {}
    for claimed in batch:
        if time.monotonic() > deadline:
            outcomes[claimed.id] = Outcome("unsent")
            continue
        try:
            response = _request(settings, "PUT", claimed.body, claimed.id)
        except requests.RequestException as error:
            outcomes[claimed.id] = Outcome("retry", _describe(error))
            continue
        if response.status_code in DELIVERED:
            outcomes[claimed.id] = Outcome("sent")
        else:
            kind = "refused" if response.status_code in REFUSED else "retry"
            outcomes[claimed.id] = Outcome(kind, _http_error(response))
    return outcomes


def _all(batch: Iterable[Claimed], outcome: Outcome) -> dict[str, Outcome]:
    return {claimed.id: outcome for claimed in batch}


def _describe(error: requests.RequestException) -> str:
    kind = "timed out" if isinstance(error, requests.Timeout) else "could not connect"
    return f"LRS {kind}: {type(error).__name__}"


def _http_error(response: requests.Response) -> str:
    return f"LRS answered {response.status_code}: {response.text[:300]}"


def record_outcomes(sender: str, batch: list[Claimed], outcomes: dict[str, Outcome], now: datetime,
                    max_attempts: int, report: SendReport) -> None:
    """Write what happened to each claimed row, unless another sender has claimed it since."""
    with own_write_connection() as connection:
        for claimed in batch:
            outcome = outcomes[claimed.id]
            values = _row_values(outcome, claimed.attempts, now, max_attempts)
            connection.execute(sa.update(XapiStatement).where(
                XapiStatement.id == uuid.UUID(claimed.id), XapiStatement.claimed_by == sender,
                XapiStatement.state == StatementState.PENDING).values(claimed_by=None, **values))
            _count(report, values.get("state"), outcome)
            report.outcomes[claimed.id] = outcome
    for claimed in batch:
        if outcomes[claimed.id].kind in ("retry", "refused"):
            log.warning("xAPI statement %s not delivered: %s", claimed.id, outcomes[claimed.id].error)


def _row_values(outcome: Outcome, attempts: int, now: datetime, max_attempts: int) -> dict[str, Any]:
    if outcome.kind == "sent":
        return {"state": StatementState.SENT, "sent_at": now, "last_error": None}
    if outcome.kind == "unsent":  # not tried: it costs no attempt
        return {"next_try_at": now, "attempts": max(attempts - 1, 0)}
    if outcome.kind == "refused" or attempts >= max_attempts:
        return {"state": StatementState.FAILED, "last_error": (outcome.error or "")[:500]}
    return {"next_try_at": now + retry_delay(attempts), "last_error": (outcome.error or "")[:500]}


def _count(report: SendReport, state: str | None, outcome: Outcome) -> None:
    if state == StatementState.SENT:
        report.sent += 1
    elif state == StatementState.FAILED:
        report.failed += 1
    elif outcome.kind == "retry":
        report.retrying += 1


def state_counts() -> dict[str, int]:
    """How many statements are in each state (the admin page)."""
    rows = db.session.execute(sa.select(XapiStatement.state, sa.func.count())
                              .group_by(XapiStatement.state)).all()
    counts = {state.value: 0 for state in StatementState}
    counts.update({state: count for state, count in rows})
    return counts


def recent_failures(limit: int = 20) -> list[XapiStatement]:
    return list(db.session.scalars(sa.select(XapiStatement).where(
        XapiStatement.state == StatementState.FAILED).order_by(XapiStatement.created_at.desc()).limit(limit)))


def retry_failed() -> int:
    """Send every failed statement again from now, with its tries counted afresh (caller commits)."""
    return db.session.execute(sa.update(XapiStatement).where(
        XapiStatement.state == StatementState.FAILED).values(
        state=StatementState.PENDING, attempts=0, next_try_at=utcnow(), claimed_by=None)).rowcount
