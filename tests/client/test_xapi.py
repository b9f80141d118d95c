"""xAPI statements from a learner's journey to an LRS on loopback: valid, delivered once, never lost."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.database import utcnow
from app.extensions import db
from app.jobs import runners
from app.progress import services as progress
from app.quizzes import services as quizzes
from app.xapi import delivery
from app.xapi.models import StatementState, XapiStatement
from tests import builders
from tests.conftest import PASSWORD as PASSWORD_OF_TESTS
from tests.conftest import csrf_token_from, row_count
from tests.lrs_stub import PASSWORD, USERNAME, LrsStub

VERBS = "http://adlnet.gov/expapi/verbs/"
BASE = "http://127.0.0.1:5000"  # TestingConfig.PUBLIC_BASE_URL


@pytest.fixture
def lrs():
    stub = LrsStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def app_settings(lrs):
    return {"XAPI_LRS_URL": lrs.endpoint, "XAPI_LRS_USERNAME": USERNAME, "XAPI_LRS_PASSWORD": PASSWORD,
            "XAPI_TIMEOUT_SECONDS": 0.5, "XAPI_MAX_ATTEMPTS": 3}


def _journey(client, auth, make_user, username: str = "lan") -> None:
    """Open every module, fail one quiz once, then pass every quiz and finish the course."""
    make_user(username=username, full_name="Nguyễn Thị Lan")
    auth.login(username)
    client.post("/courses/khoa-mau/enrol")
    for slug in ("gioi-thieu", "doc-them", "an-toan"):
        assert client.get(f"/courses/khoa-mau/modules/{slug}").status_code == 200
    token = builders.start_attempt(client, "an-toan")
    client.post(f"/attempts/{token}", data=builders.answers_for("an-toan", False, token=token))
    builders.complete_course(client)


def _statements(state: str | None = None) -> list[XapiStatement]:
    query = sa.select(XapiStatement)
    if state:
        query = query.where(XapiStatement.state == state)
    return list(db.session.scalars(query))


def _send(at=None) -> delivery.SendReport:
    db.session.commit()  # what the test staged is visible to the sender's own connections
    report = delivery.send_due_statements(at)
    db.session.expire_all()
    return report


def _verbs(stub: LrsStub) -> list[str]:
    return sorted(s["verb"]["id"].removeprefix(VERBS) for s in stub.stored.values())


def test_a_learners_journey_is_delivered_once_and_valid(client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    assert len(_statements(StatementState.PENDING)) == 7
    report = _send()
    assert report.sent == 7 and lrs.errors == []
    assert _verbs(lrs) == ["completed", "experienced", "experienced", "experienced",
                           "failed", "passed", "passed"]
    assert sorted(lrs.received) == sorted(lrs.stored)  # each id arrived once
    assert all(s["actor"]["account"] == {"homePage": BASE, "name": "lan"} for s in lrs.stored.values())
    assert all(s["object"]["id"].startswith(f"{BASE}/courses/khoa-mau") for s in lrs.stored.values())
    completed = next(s for s in lrs.stored.values() if s["verb"]["id"].endswith("completed"))
    assert completed["object"]["id"] == f"{BASE}/courses/khoa-mau" and completed["result"]["completion"]
    assert {s.state for s in _statements()} == {StatementState.SENT}
    assert _send().sent == 0 and len(lrs.methods) == 1  # nothing due: no request at all


def test_reading_a_module_again_reports_nothing_new(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    client.get("/courses/khoa-mau/modules/gioi-thieu")
    client.get("/courses/khoa-mau/modules/gioi-thieu")
    assert row_count(XapiStatement) == 1


def test_staff_previews_report_nothing(client, auth, make_user):
    make_user(role="instructor", username="giangvien")
    auth.login("giangvien")
    client.get("/courses/khoa-mau/modules/gioi-thieu")
    token = builders.start_attempt(client, "gioi-thieu")
    client.post(f"/attempts/{token}", data=builders.answers_for("gioi-thieu", True, token=token))
    assert row_count(XapiStatement) == 0


def test_without_an_lrs_nothing_is_stored(app, client, auth, make_user, lrs):
    app.config["XAPI_LRS_URL"] = ""
    _journey(client, auth, make_user)
    assert row_count(XapiStatement) == 0
    assert _send().sent == 0 and lrs.methods == []


def test_a_rolled_back_event_leaves_no_statement(client, auth, make_user, monkeypatch):
    user = make_user(username="lan")
    auth.login("lan")
    client.post("/courses/khoa-mau/enrol")
    token = builders.start_attempt(client, "gioi-thieu")
    answers = {field.removeprefix("q-"): values
               for field, values in builders.answers_for("gioi-thieu", True, token=token).items()}
    db.session.execute(sa.delete(XapiStatement))  # the quiz module's open: not under test
    db.session.commit()

    def crash(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(quizzes, "record_quiz_result", crash)  # fails after the statement is staged
    with pytest.raises(RuntimeError):
        quizzes.submit_attempt(user, token, answers)
    db.session.rollback()
    assert row_count(XapiStatement) == 0
    _, first_open = progress.record_module_opened(user, builders.module("doc-them"))
    assert first_open and row_count(XapiStatement) == 1  # staged in this transaction ...
    db.session.rollback()
    assert row_count(XapiStatement) == 0  # ... and gone with it


def test_lrs_down_is_retried_later_then_delivered(client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    lrs.fail_next(503)
    report = _send()
    assert report.sent == 0 and report.retrying == 7 and lrs.stored == {}
    pending = _statements(StatementState.PENDING)
    assert {row.attempts for row in pending} == {1} and all(row.last_error for row in pending)
    assert _send().sent == 0 and len(lrs.methods) == 1  # backing off: not tried again yet
    report = _send(utcnow() + delivery.retry_delay(1) + timedelta(seconds=1))
    assert report.sent == 7 and len(lrs.stored) == 7 and lrs.errors == []


def test_a_timed_out_batch_is_sent_again_and_stored_once(client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    lrs.fail_next("timeout")  # the LRS stores the batch but answers too late
    assert _send().retrying == 7
    report = _send(utcnow() + timedelta(minutes=5))
    assert report.sent == 7 and len(lrs.stored) == 7 and lrs.errors == []
    assert lrs.methods[:2] == ["POST", "POST"] and lrs.methods[2:] == ["PUT"] * 7  # 409, then one by one
    # each arrived three times (the late batch, the refused one, its own PUT) and is stored once
    assert all(lrs.received.count(statement_id) == 3 for statement_id in lrs.stored)


def test_a_killed_senders_lease_expires_and_each_statement_is_stored_once(client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    db.session.commit()
    now = utcnow()
    lease = delivery.lease_for(0.5)
    claimed = delivery.claim_due("killed-sender", now, 4, lease)
    delivery.post_batch(delivery._settings(), claimed)  # it sent them, then died before recording
    report = _send(now)
    assert report.sent == 3  # the other three; the killed sender's four are leased
    report = _send(now + lease + timedelta(seconds=1))
    assert report.sent == 4 and len(lrs.stored) == 7 and lrs.errors == []
    assert {s.state for s in _statements()} == {StatementState.SENT}
    assert sorted(set(lrs.received)) == sorted(lrs.stored)


def test_two_senders_never_claim_the_same_statement(client, auth, make_user):
    _journey(client, auth, make_user)
    db.session.commit()
    now, lease = utcnow(), timedelta(minutes=1)
    first = delivery.claim_due("a", now, 4, lease)
    second = delivery.claim_due("b", now, 10, lease)
    assert len(first) == 4 and len(second) == 3
    assert not {c.id for c in first} & {c.id for c in second}


def test_the_sender_holds_no_database_connection_while_it_waits(client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    engine = db.engine
    seen: list[int] = []
    lrs.on_request = lambda: seen.append(engine.pool.checkedout())
    db.session.commit()
    db.session.close()
    assert _send().sent == 7 and seen == [0]


def test_a_refused_statement_fails_alone(client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    broken = _statements()[0]
    broken.body = {**broken.body, "verb": {"id": "not an iri"}}
    report = _send()
    assert report.sent == 6 and report.failed == 1
    assert lrs.methods == ["POST"] + ["PUT"] * 7
    failed = _statements(StatementState.FAILED)
    assert [row.id for row in failed] == [broken.id] and "400" in failed[0].last_error
    lrs.errors.clear()


def test_after_the_last_try_a_statement_is_failed_and_an_admin_sends_it_again(
        client, auth, make_user, lrs):
    _journey(client, auth, make_user, username="lan")
    lrs.fail_next(500, 500, 500)
    later = utcnow()
    for _ in range(3):
        _send(later)
        later += timedelta(hours=2)
    assert len(_statements(StatementState.FAILED)) == 7
    make_user(role="admin", username="quantri")
    auth.logout()
    auth.login("quantri")
    page = client.get("/admin/xapi").get_data(as_text=True)
    assert "LRS answered 500" in page and "lan" in page
    response = client.post("/admin/xapi/retry", follow_redirects=True)
    assert response.status_code == 200
    assert len(_statements(StatementState.PENDING)) == 7
    assert _send().sent == 7


def test_the_admin_page_is_for_admins_only(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    assert client.get("/admin/xapi").status_code == 403
    assert client.post("/admin/xapi/retry").status_code == 403
    make_user(role="instructor", username="giangvien")
    auth.logout()
    auth.login("giangvien")
    assert client.get("/admin/xapi").status_code == 403


def test_the_admin_page_says_when_no_lrs_is_set_up(app, client, auth, make_user):
    app.config["XAPI_LRS_URL"] = ""
    make_user(role="admin", username="quantri")
    auth.login("quantri")
    page = client.get("/admin/xapi", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Chưa cấu hình kho hồ sơ học tập" in page


def test_flask_xapi_send_sends_what_is_due(app, client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert "Sent 7" in result.output and len(lrs.stored) == 7


def test_the_job_threads_sweep_sends_them(app, client, auth, make_user, lrs):
    _journey(client, auth, make_user)
    db.session.commit()
    runners.LocalWorker._run_next(app)  # what each web process's job thread does every 5 s
    assert len(lrs.stored) == 7 and lrs.errors == []


def test_sending_failed_statements_again_needs_the_forms_token(csrf_app, make_user):
    make_user(role="admin", username="quantri")
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": "quantri", "password": PASSWORD_OF_TESTS, "csrf_token": token})
    assert client.post("/admin/xapi/retry", data={}).status_code == 400
    token = csrf_token_from(client.get("/admin/xapi").get_data(as_text=True))
    assert client.post("/admin/xapi/retry", data={"csrf_token": token}).status_code == 302
