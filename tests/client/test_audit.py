"""The audit trail: logins, failures, refusals, certificates; readable by admins only."""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from tests import builders
from tests.conftest import PASSWORD, audit_events


def test_login_success_and_failure_are_recorded_without_the_password(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan", "sai-mat-khau-bi-mat")
    auth.login("lan")
    outcomes = [(e.outcome, e.actor_name) for e in audit_events("login")]
    assert outcomes == [("failure", "lan"), ("success", "lan")]
    dump = repr([(e.details, e.target, e.actor_name) for e in db.session.scalars(sa.select(AuditEvent))])
    assert "sai-mat-khau-bi-mat" not in dump and PASSWORD not in dump
    assert all(e.client_address == "127.0.0.1" and e.occurred_at for e in audit_events("login"))


def test_newline_in_a_username_cannot_forge_a_log_line(client, caplog):
    caplog.set_level("INFO", logger="hocso.audit")
    client.post("/login", data={"login": "x\nlogin success actor='admin'", "password": "sai"})
    (event,) = audit_events("login")
    assert "\n" not in event.actor_name
    assert all("\n" not in record.getMessage() for record in caplog.records)


def test_refusals_and_rate_limits_are_recorded(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    assert client.get("/admin/audit").status_code == 403
    assert [e.target for e in audit_events("access.denied")] == ["/admin/audit"]
    client.post("/logout")
    for _ in range(11):
        client.post("/login", data={"login": "lan", "password": "sai"})
    locked = audit_events("login.locked")
    assert locked and {(e.outcome, e.actor_name, e.client_address) for e in locked} == {
        ("denied", "lan", "127.0.0.1")}
    amount = int(client.application.config["VERIFY_RATE_LIMIT"].split()[0])
    for _ in range(amount + 1):
        client.get("/verify/KHONG-CO")
    assert [e.target for e in audit_events("rate_limited")] == ["/verify/KHONG-CO"]


def test_certificate_issue_is_recorded(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    (event,) = audit_events("certificate.issued")
    assert event.details["learner"] == "lan" and event.details["course"] == "khoa-mau"


def test_admin_reads_and_filters_the_log(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan", "sai")
    make_user(role="admin", username="quantri")
    auth.login("quantri")
    page = client.get("/admin/audit", query_string={"event": "login", "actor": "lan"})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "failure" in body and "quantri" not in body.split("<table", 1)[1]


def test_instructors_and_learners_cannot_read_the_log(client, auth, make_user):
    for role in ("learner", "instructor"):
        make_user(role=role, username=f"u-{role}")
        auth.login(f"u-{role}")
        assert client.get("/admin/audit").status_code == 403
        auth.logout()
