"""Login throttling that slows a guesser down without locking the owner out from her own machine.

Three kinds of bucket, each a row of LoginThrottle:
- the client address: LOGIN_CLIENT_LIMIT failures ("10 per minute;100 per hour"), then the
  client waits for the window to end;
- the account: its id, so `0912 345 040`, `+84912345040` and `0-9-1-2-3-4-5-0-4-0` share one
  bucket (issue 10 item 1); a login that names no account is keyed on its normalised text, so it
  is counted, timed and answered exactly like a real account. LOGIN_ACCOUNT_LIMIT ("100 per
  hour", SECURITY-BAR case 29) is a ceiling that a guesser spread over many addresses reaches;
- the account seen from one client address: LOGIN_BACKOFF_FREE_FAILURES free, then waits that
  double up to LOGIN_BACKOFF_MAX_SECONDS (the "username + address" lockout of django-axes and
  OWASP's guidance). Ten wrong passwords from one machine slow that machine down; the learner
  at another machine still logs in.

An attempt is counted as a failure before its password is checked, so parallel guesses cannot
slip past a limit; a right password takes its count back and ends that client's back-off.

Why the database rather than Flask-Limiter's storage: with `memory://` (the embedded default,
no Redis) every gunicorn worker counted alone, so two workers doubled each limit (issue 10 item
13). The database is shared by all workers of a machine and all nodes of a province, survives a
restart, and is there when Redis is not: a Redis outage must not switch login throttling off.
Rows change inside the request's write transaction (BEGIN IMMEDIATE on SQLite, SELECT ... FOR
UPDATE on PostgreSQL), so concurrent attempts are counted exactly.
"""

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from limits import parse_many
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import LoginThrottle
from app.accounts.services import find_by_login, normalize_phone
from app.database import utcnow
from app.extensions import db

BACKOFF_MEMORY = timedelta(hours=1)  # a pair's failures are forgotten after an hour without one
PRUNE_AFTER = timedelta(hours=2)  # longer than any window and any wait
PRUNE_BATCH = 100


@dataclass(frozen=True)
class Window:
    """At most `amount` failures in `seconds`, counted from the window's first failure."""

    amount: int
    seconds: int


@dataclass(frozen=True)
class Attempt:
    """A login attempt: counted (wait_seconds 0), or refused for wait_seconds."""

    windows: tuple[tuple[str, Window], ...]
    pair_key: str
    wait_seconds: int = 0


def account_key(login: str) -> str:
    """The bucket of the account a login names: its id, or the normalised text of no account."""
    user = find_by_login(login)
    if user is not None:
        return f"id:{user.id}"
    text = login.strip()
    return "name:" + (normalize_phone(text) or text.lower()[:64])


def begin_attempt(account: str, client: str) -> Attempt:
    """Count an attempt before its password is checked, or say how long to wait (caller commits)."""
    client = client[:64]
    windows = [(f"client:{w.seconds}:{client}", w) for w in _windows("LOGIN_CLIENT_LIMIT")]
    windows += [(f"account:{w.seconds}:{account}", w) for w in _windows("LOGIN_ACCOUNT_LIMIT")]
    attempt = Attempt(tuple(windows), f"pair:{account}|{client}")
    now = utcnow()
    _prune(now)
    rows = _locked_rows([key for key, _ in windows] + [attempt.pair_key], now)
    blocked = [_aware(row.blocked_until) for row in rows.values() if row.blocked_until]
    blocked = [until for until in blocked if until > now]
    if blocked:
        return replace(attempt, wait_seconds=math.ceil((max(blocked) - now).total_seconds()))
    for key, window in windows:
        _count_in_window(rows[key], window, now)
    _count_with_backoff(rows[attempt.pair_key], now)
    return attempt


def forgive(attempt: Attempt) -> None:
    """The password was right: the attempt was no failure, and this client's back-off ends."""
    rows = _locked_rows([key for key, _ in attempt.windows], utcnow())
    for key, window in attempt.windows:
        row = rows[key]
        row.failures = max(row.failures - 1, 0)
        if row.failures < window.amount:
            row.blocked_until = None
    pair = sa.delete(LoginThrottle).where(LoginThrottle.key == attempt.pair_key)
    db.session.execute(pair, execution_options={"synchronize_session": False})


def _windows(setting: str) -> list[Window]:
    items = parse_many(current_app.config[setting])
    return [Window(item.amount, item.get_expiry()) for item in items]


def _count_in_window(row: LoginThrottle, window: Window, now: datetime) -> None:
    length = timedelta(seconds=window.seconds)
    if now - _aware(row.window_started_at) >= length:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    row.updated_at = now
    full = row.failures >= window.amount
    row.blocked_until = _aware(row.window_started_at) + length if full else None


def _count_with_backoff(row: LoginThrottle, now: datetime) -> None:
    if now - _aware(row.updated_at) > BACKOFF_MEMORY:
        row.failures = 0
    row.failures += 1
    row.updated_at = now
    beyond = row.failures - current_app.config["LOGIN_BACKOFF_FREE_FAILURES"]
    if beyond >= 0:
        wait = min(2 ** min(beyond, 30), current_app.config["LOGIN_BACKOFF_MAX_SECONDS"])
        row.blocked_until = now + timedelta(seconds=wait)


def _locked_rows(keys: list[str], now: datetime) -> dict[str, LoginThrottle]:
    """The rows of these buckets, created if absent, locked for this transaction (sorted, so
    two attempts never wait on each other in opposite orders)."""
    keys = sorted(set(keys))
    dialect_insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    fresh = [{"key": key, "failures": 0, "window_started_at": now, "updated_at": now} for key in keys]
    db.session.execute(
        dialect_insert(LoginThrottle).values(fresh).on_conflict_do_nothing(index_elements=["key"])
    )
    query = (
        sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key)
        .with_for_update().execution_options(populate_existing=True)
    )
    return {row.key: row for row in db.session.scalars(query)}


def _prune(now: datetime) -> None:
    """Forget buckets untouched for two hours, a batch at a time, skipping rows others hold."""
    stale = (
        sa.select(LoginThrottle.key).where(LoginThrottle.updated_at < now - PRUNE_AFTER)
        .limit(PRUNE_BATCH).with_for_update(skip_locked=True)
    )
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_(stale)),
                       execution_options={"synchronize_session": False})


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
