"""Case 45 and issue 10 item 14 (the quiz submission): kill -9 of the whole server, again and
again, during concurrent quiz submissions.

Clients retry a submission with the same attempt token until a 302 comes back. Afterwards every
acknowledged submission must be in the database with its score, no attempt half-written, no
attempt counted twice, every completion with exactly one certificate, no transaction left open
by the killed processes, and SQLite intact.
"""

import random
import time

import pytest

from app.extensions import db
from bench.attempt_audit import audit_attempts
from bench.learner_simulation import Learner, Ledger, run_learners
from bench.population import PASSWORD, answer_sheets, create_enrolled_learners
from tests.durability.conftest import database_name, transactions_left_open

LEARNERS = 20
KILLS = 30
TARGET_SUBMISSIONS = 4000  # reached on an idle two-core machine; the figure prints the real count
KILL_BUDGET = 110  # seconds of killing and restarting
UP_SECONDS = (0.3, 2.0)  # how long the server lives between kills
LATER_UP_SECONDS = (2.0, 6.0)  # after the thirtieth kill, longer lives let submissions pile up
WARM_UP = 30  # seconds at most for every learner to log in and submit once


@pytest.mark.slow
def test_issue10_14_kill_9_during_submissions_loses_nothing(serve, figures):
    usernames = create_enrolled_learners(LEARNERS, read_modules=True)  # passing both quizzes certifies
    sheets = answer_sheets()
    db.session.remove()
    server = serve(workers=2, preloaded=True)  # restarts fork a pre-imported app: ~0.3 s, not ~3 s
    server.start()
    ledger = Ledger()
    started = time.monotonic()
    learners = [Learner(server.base_url, name, PASSWORD, sheets, ledger, started + WARM_UP + KILL_BUDGET + 60)
                for name in usernames]
    stopping = False
    threads = run_learners(learners, lambda _done: not stopping)
    while ledger.submissions < LEARNERS and time.monotonic() < started + WARM_UP:
        time.sleep(0.1)  # every learner logs in and submits once before the first kill
    deadline = time.monotonic() + KILL_BUDGET
    rng = random.Random()  # noqa: S311
    while time.monotonic() < deadline and (server.kills < KILLS or ledger.submissions < TARGET_SUBMISSIONS):
        time.sleep(rng.uniform(*(UP_SECONDS if server.kills < KILLS else LATER_UP_SECONDS)))
        server.kill()
        server.start()
    stopping = True  # each learner finishes (acknowledges) the submission in hand, then stops
    for thread in threads:
        thread.join(timeout=max(1.0, deadline + 30 - time.monotonic()))
    unfinished = sum(thread.is_alive() for thread in threads)
    server.kill()  # the run ends on a crash too: nothing may depend on a clean shutdown

    audit = audit_attempts(ledger.acks, ledger.sent_tokens)
    db.session.remove()
    integrity = integrity_check()
    left_open = transactions_left_open()
    figures.add(
        f"H45 / issue 10.14 ({database_name()}): kill -9 ×{server.kills} during {ledger.submissions} "
        f"submissions: {audit.summary()}, {left_open} transactions left open "
        f"({audit.committed_before_ack} committed before a lost response and replayed by token, "
        f"{ledger.events['unavailable']} refused or cut requests, "
        f"{ledger.events['5xx']} 5xx, {audit.certificates} certificates, integrity {integrity}, "
        f"{time.monotonic() - started:.0f} s)"
    )
    assert server.kills >= KILLS
    assert unfinished == 0 and "learner failed" not in ledger.events, ledger.describe_problems()
    assert not audit.lost, audit.lost[:5]
    assert not audit.partial, audit.partial[:5]
    assert not audit.duplicates, audit.duplicates[:5]
    assert not audit.completion_problems, audit.completion_problems[:5]
    assert left_open == 0
    assert integrity in ("ok", "n/a")  # n/a: PostgreSQL itself was never killed here
    assert ledger.events["5xx"] == 0, f"{ledger.describe_problems()}\n{server.error_summary()}"


def integrity_check() -> str:
    """SQLite's own check of every page and index; PostgreSQL reports "n/a" (no such pragma)."""
    if db.engine.dialect.name != "sqlite":
        return "n/a"
    connection = db.engine.raw_connection()  # no BEGIN: the check needs no transaction
    try:
        rows = [row[0] for row in connection.driver_connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])
