"""Durability fixtures: a real server on the test's database, and helpers for threads.

The `figures` collector and its "Security bar figures" summary live in tests/conftest.py.
"""

import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.extensions import db
from app.quizzes import services as quizzes
from app.quizzes.models import QuizAttempt
from bench.live_server import LiveServer, PreloadedServer, server_environment
from config import TestingConfig
from tests import builders


def database_name() -> str:
    return db.engine.dialect.name  # "sqlite" or "postgresql"


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgresql")


def transactions_left_open(settle_seconds: float = 10.0) -> int:
    """Transactions still open in the test's database once the work is over, after up to
    `settle_seconds` for a live process to finish its own: on PostgreSQL the other backends
    "idle in transaction"; on SQLite 1 while some connection still holds the write lock.

    The test's own session is committed first, so only what the processes under test left counts.
    """
    db.session.commit()
    count = _open_in_postgresql if db.engine.dialect.name == "postgresql" else _write_lock_held
    deadline = time.monotonic() + settle_seconds
    while (found := count()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def _open_in_postgresql() -> int:
    with db.engine.connect() as connection:
        return connection.scalar(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"))


def _write_lock_held() -> int:
    connection = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # fails at once while another holds the write lock
        connection.execute("ROLLBACK")
        return 0
    except sqlite3.OperationalError:
        return 1
    finally:
        connection.close()


@pytest.fixture
def threaded_app(app):
    """threaded_app(n) -> the same app and database, with a connection pool for n threads.

    The default pool (5 + 10 overflow) makes a 16th thread wait, and an unlucky one can wait
    past the 30 s pool timeout while the others keep returning and re-taking connections.
    """
    made = []

    def make(threads: int):
        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
            SQLALCHEMY_ENGINE_OPTIONS = {
                **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_size": threads, "max_overflow": 4,
            }
            COURSES_DIR = app.config["COURSES_DIR"]
            WTF_CSRF_ENABLED = False

        made.append(create_app(Config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def serve(app, tmp_path) -> Callable[..., LiveServer]:
    """serve(workers=2, ...) -> a gunicorn server (not started) on the test's database.

    preloaded=True imports the app once outside the server's process group, so a server
    killed with SIGKILL restarts in well under a second. Every server is stopped (its whole
    process group killed) when the test ends.
    """
    servers: list[LiveServer] = []

    def make(workers: int = 2, threads: int = 1, database_url: str | None = None,
             preloaded: bool = False, **extra_env: str) -> LiveServer:
        url = database_url or db.engine.url.render_as_string(hide_password=False)
        env = server_environment(url, app.config["COURSES_DIR"], tmp_path / "server-tmp", **extra_env)
        kind = PreloadedServer if preloaded else LiveServer
        server = kind(env, tmp_path / f"server-{len(servers)}.log", workers, threads)
        servers.append(server)
        return server

    db.session.commit()
    yield make
    for server in servers:
        server.stop()


def run_together(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run work(0..count-1) in `count` threads released at the same moment; results and errors."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []
    lock = threading.Lock()

    def body(number: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[number] = work(number)
        except BaseException as error:  # noqa: BLE001 - every failure is reported by the test
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=body, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=170)
    if any(thread.is_alive() for thread in threads):
        errors.append(TimeoutError("a worker thread did not finish within 170 s"))
    return results, errors


def open_attempts(user: User, module_slug: str, count: int) -> list[str]:
    """`count` open attempts of one quiz (the service reuses an open one, so copy it)."""
    first = quizzes.start_attempt(user, builders.module(module_slug))
    columns = [c.key for c in QuizAttempt.__table__.columns if c.key not in ("id", "token")]
    copies = [
        QuizAttempt(token=secrets.token_urlsafe(16), **{key: getattr(first, key) for key in columns})
        for _ in range(count - 1)
    ]
    db.session.add_all(copies)
    db.session.commit()
    return [first.token] + [copy.token for copy in copies]
