"""Case 46: SQLite connections are set up for concurrency; 16 writers × 100 progress updates all land."""

import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.content.models import Module
from app.extensions import db
from app.progress import services as progress
from app.progress.models import ModuleProgress
from app.quizzes import services as quizzes
from app.quizzes.models import QuizAttempt
from bench.population import create_enrolled_learners
from tests import builders
from tests.durability.conftest import database_name, on_postgresql, open_attempts, run_together

WRITERS = 16
UPDATES = 100


def pragmas(dbapi_connection) -> tuple[str, int, int]:
    """Read on the driver's connection: no transaction, so no lock taken while three are open."""
    cursor = dbapi_connection.cursor()
    try:
        return tuple(cursor.execute(f"PRAGMA {name}").fetchone()[0]
                     for name in ("journal_mode", "busy_timeout", "foreign_keys"))
    finally:
        cursor.close()


@pytest.mark.skipif(on_postgresql(), reason="SQLite pragmas; PostgreSQL has no such settings")
def test_every_sqlite_connection_has_wal_busy_timeout_and_foreign_keys(app):
    engine = db.engine
    held = [engine.raw_connection() for _ in range(3)]  # three distinct pooled connections
    try:
        assert len({id(c.driver_connection) for c in held}) == 3
        seen = [pragmas(connection.driver_connection) for connection in held]
    finally:
        for connection in held:
            connection.close()

    def from_a_thread(_number: int):
        connection = engine.raw_connection()
        try:
            return pragmas(connection.driver_connection)
        finally:
            connection.close()

    with_threads, errors = run_together(4, from_a_thread)
    assert not errors, errors
    for journal_mode, busy_timeout, foreign_keys in seen + with_threads:
        assert journal_mode == "wal"
        assert busy_timeout > 0
        assert foreign_keys == 1


def test_sixteen_writers_times_a_hundred_progress_updates_all_land(app, threaded_app, figures):
    """Each writer is one learner submitting 100 quiz attempts (and reopening the module page).

    Each step runs the view's service in a request context of the view's method and commits
    once, as the view does, so a per-request transaction policy applies as in production.
    The attempts are opened beforehand: one write per update keeps the run short.
    """
    pooled = threaded_app(WRITERS)
    usernames = create_enrolled_learners(WRITERS, prefix="viet")
    learners = db.session.scalars(sa.select(User).where(User.username.in_(usernames))).all()
    tokens = [open_attempts(learner, "gioi-thieu", UPDATES) for learner in learners]
    user_ids = [learner.id for learner in learners]
    answers = {
        token: {k.removeprefix("q-"): v for k, v in builders.answers_for("gioi-thieu", token=token).items()}
        for learner_tokens in tokens for token in learner_tokens
    }
    module_id = builders.module("gioi-thieu").id
    failures: list[str] = []
    lock = threading.Lock()

    def step(number: int, method: str, action) -> None:
        with pooled.test_request_context(method=method):
            action(db.session.get(User, user_ids[number]), db.session.get(Module, module_id))
            db.session.commit()

    def write(number: int) -> None:
        for update, token in enumerate(tokens[number]):
            name = "GET module page: record_module_opened"
            try:
                if update % 4 == 0:
                    step(number, "GET", progress.record_module_opened)
                name = "POST answers: submit_attempt"
                step(number, "POST", lambda user, _, t=token: quizzes.submit_attempt(user, t, answers[t]))
            except Exception as error:  # noqa: BLE001 - counted and reported below
                with lock:
                    failures.append(f"{name}: {str(error).splitlines()[0][:120]}")

    db.session.commit()
    started = time.monotonic()
    _, errors = run_together(WRITERS, write)
    seconds = time.monotonic() - started
    db.session.commit()
    final = db.session.scalar(
        sa.select(sa.func.count()).select_from(QuizAttempt).where(QuizAttempt.state == "submitted")
    )
    locked = sum("database is locked" in failure for failure in failures)
    figures.add(
        f"H46 ({database_name()}): {WRITERS} writers × {UPDATES} updates → {final} final, "
        f"{len(failures) + len(errors)} errors ({locked} 'database is locked') in {seconds:.0f} s"
    )
    assert not errors, errors
    assert not failures, Counter(failures).most_common(5)
    assert final == WRITERS * UPDATES
    per_learner = db.session.execute(
        sa.select(QuizAttempt.user_id, sa.func.count()).group_by(QuizAttempt.user_id)
    ).all()
    assert sorted(count for _, count in per_learner) == [UPDATES] * WRITERS
    rows = db.session.scalars(sa.select(ModuleProgress)).all()
    assert len(rows) == WRITERS and all(row.completed_at and row.best_score == 100 for row in rows)
