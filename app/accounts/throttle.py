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

from app.accounts.models import LoginThrottle, User
from app.accounts.services import normalize_phone
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


def account_key(user: User | None, login: str) -> str:
    """The bucket of the account a login names: its id, or the normalised text of no account."""
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
    buckets = _locked_buckets([key for key, _ in windows] + [attempt.pair_key], now)
    blocked = [bucket.blocked_until for bucket in buckets.values() if bucket.blocked_until]
    blocked = [until for until in blocked if until > now]
    if blocked:
        return replace(attempt, wait_seconds=math.ceil((max(blocked) - now).total_seconds()))
    counted = [counted_in_window(buckets[key], window, now) for key, window in windows]
    counted.append(counted_with_backoff(buckets[attempt.pair_key], now, _backoff_settings()))
    db.session.execute(_SAVE_BUCKET, [bucket.parameters() for bucket in sorted(counted)])
    return attempt


def forgive(attempt: Attempt) -> None:
    """The password was right: the attempt was no failure, and this client's back-off ends.

    Written as two statements computed by the database from the rows as they are now: other
    attempts may have counted since this one did."""
    windows = sorted((key, window.amount) for key, window in attempt.windows)
    db.session.execute(_FORGIVE_ONE, [{"b_key": key, "b_amount": amount} for key, amount in windows])
    db.session.execute(sa.delete(_BUCKETS).where(_BUCKETS.c.key == attempt.pair_key))


@dataclass(frozen=True, order=True)
class Bucket:
    """A LoginThrottle row as plain values (times aware, in UTC)."""

    key: str
    failures: int
    window_started_at: datetime
    blocked_until: datetime | None
    updated_at: datetime

    def parameters(self) -> dict:
        return {"b_key": self.key, "failures": self.failures, "window_started_at": self.window_started_at,
                "blocked_until": self.blocked_until, "updated_at": self.updated_at}


def counted_in_window(bucket: Bucket, window: Window, now: datetime) -> Bucket:
    """One more failure in a fixed window; full, the bucket is blocked until the window ends."""
    length = timedelta(seconds=window.seconds)
    started, failures = bucket.window_started_at, bucket.failures
    if now - started >= length:
        started, failures = now, 0
    failures += 1
    blocked_until = started + length if failures >= window.amount else None
    return replace(bucket, failures=failures, window_started_at=started, blocked_until=blocked_until,
                   updated_at=now)


def counted_with_backoff(bucket: Bucket, now: datetime, settings: tuple[int, int]) -> Bucket:
    """One more failure of an account from one client: past the free ones, waits that double."""
    free_failures, max_seconds = settings
    failures = 0 if now - bucket.updated_at > BACKOFF_MEMORY else bucket.failures
    failures += 1
    blocked_until = bucket.blocked_until
    if failures - free_failures >= 0:
        wait = min(2 ** min(failures - free_failures, 30), max_seconds)
        blocked_until = now + timedelta(seconds=wait)
    return replace(bucket, failures=failures, blocked_until=blocked_until, updated_at=now)


def _backoff_settings() -> tuple[int, int]:
    config = current_app.config
    return config["LOGIN_BACKOFF_FREE_FAILURES"], config["LOGIN_BACKOFF_MAX_SECONDS"]


def _windows(setting: str) -> list[Window]:
    items = parse_many(current_app.config[setting])
    return [Window(item.amount, item.get_expiry()) for item in items]


# Plain table statements, built once: a login runs them on every attempt, and the ORM's unit of
# work cost more than the statements themselves (about a third of a login besides the hash).
_BUCKETS = LoginThrottle.__table__
_SAVE_BUCKET = (
    sa.update(_BUCKETS).where(_BUCKETS.c.key == sa.bindparam("b_key"))
    .values(failures=sa.bindparam("failures"), window_started_at=sa.bindparam("window_started_at"),
            blocked_until=sa.bindparam("blocked_until"), updated_at=sa.bindparam("updated_at"))
)
_FORGIVE_ONE = (
    sa.update(_BUCKETS).where(_BUCKETS.c.key == sa.bindparam("b_key"))
    .values(failures=sa.case((_BUCKETS.c.failures > 0, _BUCKETS.c.failures - 1), else_=0),
            blocked_until=sa.case((_BUCKETS.c.failures - 1 < sa.bindparam("b_amount"), sa.null()),
                                  else_=_BUCKETS.c.blocked_until))
)


_CREATE_BUCKET = {
    name: dialect_insert(_BUCKETS).on_conflict_do_nothing(index_elements=["key"])
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _locked_buckets(keys: list[str], now: datetime) -> dict[str, Bucket]:
    """The buckets of these keys, created if absent, locked for this transaction (sorted, so
    two attempts never wait on each other in opposite orders)."""
    keys = sorted(set(keys))
    fresh = [{"key": key, "failures": 0, "window_started_at": now, "updated_at": now} for key in keys]
    # One statement with a row of parameters per key (compiled once per process), rather than
    # one VALUES list per call, which SQLAlchemy compiles again every time.
    db.session.execute(_CREATE_BUCKET[db.engine.dialect.name], fresh)
    query = sa.select(_BUCKETS).where(_BUCKETS.c.key.in_(keys)).order_by(_BUCKETS.c.key).with_for_update()
    return {
        row.key: Bucket(row.key, row.failures, _aware(row.window_started_at),
                        row.blocked_until and _aware(row.blocked_until), _aware(row.updated_at))
        for row in db.session.execute(query)
    }


def _prune(now: datetime) -> None:
    """Forget buckets untouched for two hours, a batch at a time, skipping rows others hold."""
    stale = (
        sa.select(_BUCKETS.c.key).where(_BUCKETS.c.updated_at < now - PRUNE_AFTER)
        .limit(PRUNE_BATCH).with_for_update(skip_locked=True)
    )
    db.session.execute(sa.delete(_BUCKETS).where(_BUCKETS.c.key.in_(stale)))


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
