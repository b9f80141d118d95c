"""Case 47: PostgreSQL connections killed under load: requests fail fast, recover, lose nothing.

While learners submit quizzes to a real server, every connection the server holds is ended with
pg_terminate_backend, ten times. Requests caught mid-transaction may fail (5xx, quickly); the
next ones must succeed within seconds (pool_pre_ping replaces dead pooled connections), and
every acknowledged submission must be in the database.

Only the server's own backends are terminated (found by their application_name): other
sessions on the same PostgreSQL, such as a colleague's test run, are left alone. Restarting
PostgreSQL itself is not done here, since CI and developers share one server.
"""

import bisect
import random
import secrets
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from bench.attempt_audit import audit_attempts
from bench.learner_simulation import Learner, Ledger, run_learners
from bench.population import PASSWORD, answer_sheets, create_enrolled_learners
from tests.durability.conftest import on_postgresql

pytestmark = pytest.mark.skipif(
    not on_postgresql(),
    reason="PostgreSQL only: run with DATABASE_URL=postgresql+psycopg://... (CI does)",
)

LEARNERS = 20
ROUNDS = 10
BETWEEN_ROUNDS = (1.0, 2.5)  # seconds
RECOVERY_LIMIT = 5.0  # seconds from termination to the next acknowledged submission
FAIL_FAST_LIMIT = 5.0  # seconds a failing request may take


def terminate_backends(application_name: str) -> int:
    with db.engine.connect() as connection:
        ended = connection.execute(sa.text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = :name AND pid <> pg_backend_pid()"
        ), {"name": application_name}).scalar()
        connection.commit()
    return ended


@pytest.mark.slow
def test_terminated_connections_recover_within_seconds(serve, figures):
    usernames = create_enrolled_learners(LEARNERS)
    sheets = answer_sheets()
    db.session.remove()
    name = f"hocso-durability-{secrets.token_hex(4)}"
    url = db.engine.url.update_query_dict({"application_name": name}).render_as_string(hide_password=False)
    server = serve(workers=2, database_url=url)
    server.start()
    ledger = Ledger()
    started = time.monotonic()
    learners = [Learner(server.base_url, user, PASSWORD, sheets, ledger, started + 120) for user in usernames]
    stopping = False
    threads = run_learners(learners, lambda _done: not stopping)
    while ledger.submissions < LEARNERS and time.monotonic() < started + 30:
        time.sleep(0.1)

    rng = random.Random()  # noqa: S311
    terminations: list[tuple[float, int]] = []
    for _ in range(ROUNDS):
        time.sleep(rng.uniform(*BETWEEN_ROUNDS))
        terminations.append((time.time(), terminate_backends(name)))
    time.sleep(BETWEEN_ROUNDS[1])  # room for the last recovery
    stopping = True
    for thread in threads:
        thread.join(timeout=60)
    server.stop()

    answered = ledger.answered_at()
    recoveries = [next_after(answered, at) for at, _ in terminations]
    audit = audit_attempts(ledger.acks, ledger.sent_tokens)
    slowest_failure = max(ledger.failed_seconds, default=0.0)
    figures.add(
        f"H47 (postgresql): pg_terminate_backend ×{ROUNDS} ({sum(n for _, n in terminations)} "
        f"connections) during {ledger.submissions} submissions: {len(audit.lost)} lost, "
        f"{ledger.events['5xx']} requests failed (slowest {1000 * slowest_failure:.0f} ms), "
        f"recovered within {max(recoveries):.2f} s at worst"
    )
    assert all(ended > 0 for _, ended in terminations), terminations
    assert not any(thread.is_alive() for thread in threads)
    assert "learner failed" not in ledger.events, ledger.describe_problems()
    assert max(recoveries) < RECOVERY_LIMIT, recoveries
    assert slowest_failure < FAIL_FAST_LIMIT
    assert audit.clean, (audit.lost[:5], audit.partial[:5], audit.duplicates[:5])


def next_after(answered: list[float], moment: float) -> float:
    """Seconds from `moment` to the first acknowledgement after it (inf if none came)."""
    index = bisect.bisect_right(answered, moment)
    return answered[index] - moment if index < len(answered) else float("inf")
