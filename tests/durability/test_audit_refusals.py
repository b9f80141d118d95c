"""Issue 10 item 3: refusals are audited without failing the response and without losing a row.

8 threads × 25 forbidden requests on SQLite used to give 30 × 500 "database is locked": the
refusal was written from the error handler inside the request's read transaction.
"""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from tests.durability.conftest import database_name, run_together
from tests.security.conftest import log_in_as

THREADS = 8
REQUESTS = 25


def test_issue10_3_concurrent_refusals_are_all_answered_and_all_audited(threaded_app, make_user,
                                                                        figures):
    pooled = threaded_app(THREADS)
    learners = [make_user(username=f"hocvien{n}") for n in range(THREADS)]
    clients = [pooled.test_client() for _ in range(THREADS)]
    for client, learner in zip(clients, learners, strict=True):
        log_in_as(client, learner)
    db.session.commit()

    def refuse(number: int) -> list[int]:
        return [clients[number].get("/admin/audit").status_code for _ in range(REQUESTS)]

    results, errors = run_together(THREADS, refuse)
    statuses = [status for result in results if result for status in result]
    db.session.commit()
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.event == "access.denied"))
    server_errors = sum(status >= 500 for status in statuses)
    figures.add(f"issue 10.3 ({database_name()}): {THREADS} threads × {REQUESTS} forbidden requests "
                f"→ {server_errors} 5xx, {rows} of {THREADS * REQUESTS} refusals audited")
    assert not errors, errors
    assert statuses == [403] * (THREADS * REQUESTS)
    assert rows == THREADS * REQUESTS
