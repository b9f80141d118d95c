"""Database engine behaviour shared by every domain: SQLite pragmas and write transactions."""

import enum
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from app.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "hocso_begin_immediate"
_WRITER = "hocso_writer"  # connection.info: its transaction began as a writer (SQLite: IMMEDIATE)
_READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def utcnow() -> datetime:
    """Timezone-aware current UTC time (model defaults call this, never evaluate it once)."""
    return datetime.now(UTC)


def _wants_write_lock(connection) -> bool:
    """Writes start with the lock: a deferred transaction that reads, then writes after another
    connection committed, fails at once with "database is locked" (busy_timeout cannot help)."""
    options = connection.get_execution_options()
    if options.get(_IMMEDIATE, False):
        return True
    return has_request_context() and request.method not in _READ_ONLY_METHODS


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout and foreign keys on every connection; transactions begun by us."""
    _mark_writer_transactions(engine)
    if engine.dialect.name != "sqlite":
        return
    # SQLite's busy handler is not fair: under many writers some wait past the timeout.
    # Writers of this process queue here first, so the file lock only sees one at a time.
    writer_turn = threading.Lock()
    other_processes = _ProcessTurn.beside(engine.url.database)
    holders: set[int] = set()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event emit BEGIN, so we can choose IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not _wants_write_lock(connection):
            connection.exec_driver_sql("BEGIN")
            return
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
        if not writer_turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise TimeoutError("another writer held the database too long")
        if not other_processes.acquire(deadline):
            writer_turn.release()
            raise TimeoutError("another process held the database too long")
        holders.add(id(connection))
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            _release(connection)
            raise

    def _release(connection):
        if id(connection) in holders:
            holders.discard(id(connection))
            other_processes.release()
            writer_turn.release()

    event.listen(engine, "commit", lambda connection: _release(connection))
    event.listen(engine, "rollback", lambda connection: _release(connection))


class _ProcessTurn:
    """The writers' turn between processes (gunicorn workers, the job worker): an advisory
    flock on a file beside the database, taken after this process's own turn.

    SQLite's busy handler sleeps 25 to 100 ms between tries once a wait grows, and a process
    whose threads hand the lock to one another can keep the other process's writer asleep: on
    the live day a few writes waited seconds while the lock was free most of the time. Polling
    the flock every few milliseconds hands the lock over as soon as it is free. A killed process
    drops its flock with its file descriptors, so nothing stays locked."""

    POLL_SECONDS = (0.0005, 0.001, 0.002)  # then every 2 ms

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._descriptor: tuple[int, int] | None = None  # (pid, fd): a forked worker opens its own

    @classmethod
    def beside(cls, database: str | None) -> "_ProcessTurn":
        in_memory = not database or database == ":memory:" or database.startswith("file::memory:")
        return cls(None if in_memory else f"{database}-writer.lock")

    def _fd(self) -> int:
        # A descriptor inherited across fork shares its lock with the parent: open one per process.
        if self._descriptor is None or self._descriptor[0] != os.getpid():
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._descriptor = (os.getpid(), fd)
        return self._descriptor[1]

    def acquire(self, deadline: float) -> bool:
        if self.path is None:
            return True
        fd, tries = self._fd(), 0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(self.POLL_SECONDS[min(tries, len(self.POLL_SECONDS) - 1)])
                tries += 1

    def release(self) -> None:
        if self.path is not None:
            fcntl.flock(self._fd(), fcntl.LOCK_UN)


def _mark_writer_transactions(engine: Engine) -> None:
    """Remember on each connection whether its transaction began as a writer (a form post, or
    asked for), on every database, so begin_write_transaction() knows when it has nothing to do."""
    @event.listens_for(engine, "begin")
    def _remember(connection):
        connection.info[_WRITER] = _wants_write_lock(connection)

    for ending in ("commit", "rollback"):
        event.listen(engine, ending, lambda connection: connection.info.pop(_WRITER, None))


def in_write_transaction() -> bool:
    """True when the session's transaction began as a writer (on SQLite: holds the write lock)."""
    session = db.session()
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(_WRITER))


def begin_write_transaction(*, keep_loaded: bool = False) -> None:
    """Make sure the session's transaction is one that took the write lock when it began.

    On SQLite a deferred transaction that reads and then writes can lose a race
    (SQLITE_BUSY) or act on stale reads; BEGIN IMMEDIATE serialises writers up front. A form
    post's transaction already began so: its reads were made under the lock, and ending it here
    would only make every loaded object read again. Otherwise the read transaction is ended
    and a writer begun. On PostgreSQL callers also lock the rows they decide on with
    SELECT ... FOR UPDATE.

    Ending the read transaction expires what it loaded, so that nothing is decided on a read
    made before the lock. A caller that reads again under the lock all it decides on, and uses
    the rest only for facts no writer changes (ids, the module a page shows), passes
    keep_loaded and spares the page reading its user and module a second time.
    """
    if in_write_transaction():
        return
    _refuse_staged_changes("begin_write_transaction()")
    if keep_loaded:
        commit_keeping_loaded()
    else:
        db.session.commit()
    db.session.connection(execution_options={_IMMEDIATE: True})


def commit_keeping_loaded() -> None:
    """Commit, and let the rest of the request use the objects it loaded without reading them again.

    After an ordinary commit every loaded object is expired, so building the redirect or the
    page that follows would read the user, the module and the attempt again, in a new
    transaction (on SQLite a form post's takes the write lock again just for that). What the
    objects hold is what this request read and wrote; nothing after this commit decides on it.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


_FLUSHED = "hocso_flushed"  # session.info: this transaction has flushed writes


@event.listens_for(db.session, "after_flush")
def _remember_flushed_writes(session, _context) -> None:
    session.info[_FLUSHED] = True


@event.listens_for(db.session, "after_transaction_end")
def _forget_flushed_writes(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_FLUSHED, None)


def _refuse_staged_changes(caller: str) -> None:
    """Ending a read transaction commits it: changes staged in it (flushed or not) would be
    committed silently, by a service, outside the one commit of the view or command that owns
    the transaction."""
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get(_FLUSHED):
        raise RuntimeError(f"{caller} would commit changes staged before it")


def end_read_transaction() -> None:
    """End the current transaction before slow work (a PDF render) so no lock or snapshot is
    held across it; refuses if changes are staged, which the caller must commit first."""
    _refuse_staged_changes("end_read_transaction()")
    session = db.session()
    if session.in_transaction():
        session.commit()  # nothing staged: this only ends the transaction


@contextmanager
def own_write_connection() -> Iterator[Connection]:
    """A short write transaction on a connection of its own, taking the write lock up front.

    For writes made outside any request (a background job's state and progress): on SQLite they
    queue for the lock like every other write, instead of failing with "database is locked".
    """
    with db.engine.connect().execution_options(**{_IMMEDIATE: True}) as connection:
        with connection.begin():
            yield connection


def status_type(values: type[enum.StrEnum], name: str) -> sa.Enum:
    """The column type of a status: its values (not member names) in a VARCHAR(16), with a CHECK
    named ck_<table>_<name> that the database enforces and Python's own check on every write."""
    return sa.Enum(
        values,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )
