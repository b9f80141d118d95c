"""Login throttling and the trusted proxy: issue 9 item 2, issue 10 item 1, SECURITY-BAR case 29."""

import re

import sqlalchemy as sa
from limits import parse

from app.accounts import throttle
from app.accounts.models import LoginThrottle
from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.extensions import db
from tests import builders
from tests.conftest import PASSWORD

PHONE = "0912345040"
PHONE_SPELLINGS = ["0912 345 040", "+84912345040", "0-9-1-2-3-4-5-0-4-0", "0912.345.040",
                   "84912345040", "(0912) 345 040", " 0912345040 ", "+84 912 345 040"]


def login(client, name: str, password: str = "sai", address: str = "127.0.0.1", **headers):
    return client.post("/login", data={"login": name, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def audit_rows(event: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).filter_by(event=event)))


def account_buckets() -> list[str]:
    keys = db.session.scalars(sa.select(LoginThrottle.key).where(LoginThrottle.key.like("account:%")))
    return sorted(keys)


def test_issue10_1_phone_spellings_of_one_account_share_one_bucket(app, client, make_user, figures):
    """24 wrong passwords in eight spellings of one phone number used to meet 0 × 429."""
    user = make_user(username="lan", phone=PHONE)
    free = app.config["LOGIN_BACKOFF_FREE_FAILURES"]
    statuses = [login(client, spelling).status_code for spelling in PHONE_SPELLINGS * 3]
    assert statuses[:free] == [200] * free and statuses[free] == 429
    assert account_buckets() == [f"account:3600:id:{user.id}"]
    figures.add(f"issue 10.1: {len(statuses)} wrong passwords in {len(PHONE_SPELLINGS)} phone "
                f"spellings → {statuses.count(429)} × 429, 1 account bucket")


def test_issue10_1_an_unknown_phone_is_answered_exactly_like_a_known_one(app, client, make_user):
    make_user(username="lan", phone=PHONE)
    free = app.config["LOGIN_BACKOFF_FREE_FAILURES"]
    known = [login(client, spelling, address="192.0.2.1") for spelling in PHONE_SPELLINGS[:free + 1]]
    unknown = [login(client, re.sub(r"0(\D*)$", r"1\1", spelling), address="192.0.2.2")
               for spelling in PHONE_SPELLINGS[:free + 1]]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    message = "Sai tên đăng nhập, số điện thoại hoặc mật khẩu"
    assert all(message in r.get_data(as_text=True) for r in known[:free] + unknown[:free])
    assert account_buckets()[-1] == "account:3600:name:0912345041"


def test_issue9_2_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, make_user):
    make_user(username="lan")
    login(client, "lan", address="198.51.100.7", **{"X-Forwarded-For": "203.0.113.9"})
    assert [e.client_address for e in audit_rows("login")] == ["198.51.100.7"]


def test_issue9_2_behind_the_trusted_proxy_the_audit_records_the_real_client(proxied_app, make_user):
    make_user(username="lan")
    forged_then_real = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7"}  # nginx appends the peer
    login(proxied_app.test_client(), "lan", **forged_then_real)
    assert [e.client_address for e in audit_rows("login")] == ["198.51.100.7"]


def test_issue9_2_ten_failures_from_one_client_do_not_lock_out_another(proxied_app, make_user,
                                                                       figures):
    """Behind nginx every request came from the proxy's address: ten failures locked out all."""
    make_user(username="lan")
    guesser, owner = proxied_app.test_client(), proxied_app.test_client()
    statuses = [login(guesser, "lan", **{"X-Forwarded-For": "198.51.100.66"}).status_code
                for _ in range(10)]
    assert 429 in statuses
    response = login(owner, "lan", PASSWORD, **{"X-Forwarded-For": "203.0.113.20"})
    assert response.status_code == 302
    figures.add(f"issue 9.2: 10 failed logins from one client behind the proxy "
                f"({statuses.count(429)} × 429) → second client logs in: {response.status_code}")


def test_case29_at_most_100_failures_an_hour_per_account(app, client, make_user, figures):
    user = make_user(username="lan")
    (ceiling,) = [parse(item) for item in app.config["LOGIN_ACCOUNT_LIMIT"].split(";")]
    assert ceiling.amount <= 100 and ceiling.get_expiry() >= 3600
    for number in range(ceiling.amount):  # each from its own address: no other limit applies
        with app.test_request_context("/login", method="POST"):
            attempt = throttle.begin_attempt(f"id:{user.id}", f"10.0.{number // 200}.{number % 200}")
            db.session.commit()
        assert attempt.wait_seconds == 0
    response = login(client, "lan", PASSWORD, address="192.0.2.99")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    figures.add(f"case 29: {ceiling.amount} failed logins from {ceiling.amount} addresses → "
                f"the next (right password, new address) {response.status_code}")


def test_a_locked_login_gets_a_429_page_in_her_language_with_retry_after(app, client, make_user):
    make_user(username="lan")
    for _ in range(app.config["LOGIN_BACKOFF_FREE_FAILURES"]):
        login(client, "lan")
    vietnamese = login(client, "lan", **{"Accept-Language": "vi"})
    english = login(client, "lan", **{"Accept-Language": "en"})
    assert vietnamese.status_code == english.status_code == 429
    assert "Vui lòng đợi" in vietnamese.get_data(as_text=True)
    assert "Too many attempts. Wait" in english.get_data(as_text=True)
    assert int(vietnamese.headers["Retry-After"]) >= 1
    assert [e.actor_name for e in audit_rows("login.locked")] == ["lan", "lan"]


def test_a_right_password_ends_this_clients_back_off(app, client, make_user):
    make_user(username="lan")
    for _ in range(app.config["LOGIN_BACKOFF_FREE_FAILURES"] - 1):
        login(client, "lan")
    assert login(client, "lan", PASSWORD).status_code == 302
    client.post("/logout")
    assert login(client, "lan").status_code == 200  # counting starts again from zero
    assert not db.session.scalar(sa.select(LoginThrottle).where(LoginThrottle.key.like("pair:%"))
                                 .where(LoginThrottle.failures > 1))


def test_issue9_2_forwarded_host_never_reaches_the_certificate(proxied_app, make_user):
    make_user(username="lan")
    client = proxied_app.test_client()
    client.environ_base.update(HTTP_X_FORWARDED_HOST="evil.example", HTTP_X_FORWARDED_PROTO="https",
                               HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert login(client, "lan", PASSWORD).status_code == 302
    builders.complete_course(client)
    (certificate,) = db.session.scalars(sa.select(Certificate))
    assert b"evil.example" not in certificate.pdf
    assert proxied_app.wsgi_app.x_host == 0 and proxied_app.wsgi_app.x_prefix == 0
