"""Case 49: 200 simulated learners each submit 5 quizzes to a real server: nothing lost, no 5xx.

The same run as `python -m bench.load_quiz`, on the test's database (SQLite or PostgreSQL).
"""

import pytest

from app.extensions import db
from bench.attempt_audit import audit_attempts
from bench.load_quiz import run_load
from bench.population import answer_sheets, create_enrolled_learners
from tests.durability.conftest import database_name

LEARNERS = 200
QUIZZES = 5
TIME_LIMIT = 150  # seconds; the run stops by itself


@pytest.mark.slow
def test_two_hundred_learners_five_quizzes_each(serve, figures):
    usernames = create_enrolled_learners(LEARNERS)  # the reading stays unread: no certificates
    sheets = answer_sheets()
    db.session.remove()
    server = serve(workers=2)
    server.start()
    run = run_load(server.base_url, usernames, sheets, QUIZZES, TIME_LIMIT)
    server.stop()
    audit = audit_attempts(run.ledger.acks, run.ledger.sent_tokens)
    figures.add(run.figure(audit, database_name()))
    assert run.unfinished == 0, run.ledger.describe_problems()
    assert "learner failed" not in run.ledger.events, run.ledger.describe_problems()
    assert run.ledger.events["5xx"] == 0, f"{run.ledger.describe_problems()}\n{server.error_summary()}"
    assert run.ledger.submissions == LEARNERS * QUIZZES
    assert audit.clean, (audit.lost[:5], audit.partial[:5], audit.duplicates[:5])
