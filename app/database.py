"""Database engine behaviour shared by every domain: SQLite pragmas and write transactions."""

from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "hocso_begin_immediate"


def utcnow() -> datetime:
    """Timezone-aware current UTC time (model defaults call this, never evaluate it once)."""
    return datetime.now(UTC)


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout and foreign keys on every connection; transactions begun by us."""
    if engine.dialect.name != "sqlite":
        return

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
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write_transaction() -> None:
    """End the current read transaction and start one that takes the write lock at once.

    On SQLite a deferred transaction that reads and then writes can lose a race
    (SQLITE_BUSY) or act on stale reads; BEGIN IMMEDIATE serialises writers up front.
    On PostgreSQL callers also lock the rows they decide on with SELECT ... FOR UPDATE.
    """
    db.session.commit()
    db.session.connection(execution_options={_IMMEDIATE: True})
