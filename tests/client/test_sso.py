"""Sign-in through OpenID Connect against a real provider (tests/sso_provider.py) on loopback:
the browser's part is played by Hocso's test client and plain HTTP calls to the provider."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.extensions import db
from app.sso.models import SsoLink
from tests.conftest import csrf_token_from
from tests.sso_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider

BASE_URL = "http://127.0.0.1:5000"  # TestingConfig.PUBLIC_BASE_URL
CALLBACK = f"{BASE_URL}/sso/tinh/callback"
LABEL = "Cổng dịch vụ công tỉnh"


@pytest.fixture
def provider():
    running = RunningProvider(redirect_uri=CALLBACK, post_logout_redirect_uri=f"{BASE_URL}/login")
    yield running.state
    running.stop()


@pytest.fixture
def changed_settings() -> dict:
    """OIDC_TINH_* values a test changes; "{issuer}" stands for the provider's address."""
    return {}


@pytest.fixture
def provider_settings(provider, changed_settings) -> dict:
    values = {"ISSUER": provider.issuer, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
              "LABEL": LABEL, "MATCH_CLAIM": "phone_number", "CREATE_UNIT": "T99-X01"}
    values.update({k: v.format(issuer=provider.issuer) for k, v in changed_settings.items()})
    return values


@pytest.fixture
def local_password_roles() -> tuple[str, ...]:
    return ("learner", "instructor", "admin")


@pytest.fixture
def app_settings(provider_settings, local_password_roles) -> dict:
    return {"OIDC_PROVIDERS": {"tinh": provider_settings},
            "LOCAL_PASSWORD_ROLES": local_password_roles}


def through_provider(client, provider, subject: str | None, **form) -> str:
    """Press the button and let the provider answer; the callback address it sends back."""
    provider.signed_in = subject
    started = client.post("/sso/tinh/login", data=form)
    assert started.status_code == 302, started.get_data(as_text=True)
    assert started.headers["Location"].startswith(f"{provider.issuer}/authorize?")
    answer = requests.get(started.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return f"{back.path}?{back.query}"


def sign_in(client, provider, subject: str, **form):
    return client.get(through_provider(client, provider, subject, **form))


def last_login_event() -> AuditEvent:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "login")
                              .order_by(AuditEvent.id.desc())).first()


def refused_with(client, response, reason: str, text: str) -> None:
    """Back on the login page with the message; not logged in; the refusal audited."""
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert text in page
    assert client.get("/courses").status_code == 302
    event = last_login_event()
    assert event.details["reason"] == reason and event.details["provider"] == "tinh"


def test_login_page_offers_a_post_button_per_provider(csrf_app, provider):
    page = csrf_app.test_client().get("/login?next=/courses/khoa-mau").get_data(as_text=True)
    assert f"Đăng nhập bằng {LABEL}" in page
    assert '<form method="post" action="/sso/tinh/login">' in page
    assert 'name="next" value="/courses/khoa-mau"' in page
    csrf_token_from(page)


def test_the_start_needs_the_csrf_token(csrf_app, provider):
    response = csrf_app.test_client().post("/sso/tinh/login")
    assert response.status_code == 400
    assert provider.codes == {}


def test_first_sign_in_creates_a_learner_in_the_configured_unit(client, provider, commune):
    provider.add_person("sub-lan", name="Lò Thị Lan", phone_number="+84 987 654 321")
    response = sign_in(client, provider, "sub-lan")
    assert response.status_code == 302 and response.headers["Location"] == "/courses"
    assert client.get("/courses").status_code == 200
    user = db.session.scalar(sa.select(User).where(User.phone == "0987654321"))
    assert (user.full_name, user.role, user.unit_id) == ("Lò Thị Lan", Role.LEARNER, commune.id)
    link = db.session.scalar(sa.select(SsoLink))
    assert (link.provider, link.subject, link.user_id) == ("tinh", "sub-lan", user.id)
    event = last_login_event()
    assert (event.outcome, event.actor_name, event.details["method"]) == ("success", user.username, "sso")


def test_later_sign_ins_find_her_by_subject_even_with_a_new_phone_number(app, provider, commune):
    provider.add_person("sub-lan", name="Lò Thị Lan", phone_number="0987654321")
    sign_in(app.test_client(), provider, "sub-lan")
    provider.people["sub-lan"]["phone_number"] = "0911111111"
    client = app.test_client()
    sign_in(client, provider, "sub-lan")
    assert client.get("/courses").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_an_existing_learner_is_matched_by_her_phone_spelled_differently(client, provider, make_user):
    learner = make_user(phone="0912345678")
    provider.add_person("sub-nhung", name="Nguyễn Thị Hồng Nhung", phone_number="+84 912.345.678")
    assert sign_in(client, provider, "sub-nhung").headers["Location"] == "/courses"
    with client.session_transaction() as session:
        # The same session a password login makes: user and session version, and its clocks.
        assert session["_user_id"] == f"{learner.id}:{learner.session_version}"
        assert isinstance(session["_login_at"], int) and isinstance(session["_seen_at"], int)
    assert db.session.scalar(sa.select(SsoLink.user_id)) == learner.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_phone_number_may_come_from_userinfo_only(client, provider, make_user):
    learner = make_user(phone="0912345678")
    provider.add_person("sub-nhung", name="Nguyễn Thị Hồng Nhung", phone_number="0912345678")
    provider.userinfo_only = {"phone_number"}
    sign_in(client, provider, "sub-nhung")
    assert db.session.scalar(sa.select(SsoLink.user_id)) == learner.id


def test_sign_in_goes_back_to_the_page_she_asked_for(client, provider, make_user):
    make_user(phone="0912345678")
    provider.add_person("sub-nhung", phone_number="0912345678")
    response = sign_in(client, provider, "sub-nhung", next="/courses/khoa-mau")
    assert response.headers["Location"] == "/courses/khoa-mau"


def test_an_id_token_from_another_issuer_is_refused(client, provider, make_user):
    make_user(phone="0912345678")
    provider.add_person("sub-nhung", phone_number="0912345678")
    provider.token_issuer = "http://127.0.0.1:9/gia-mao"
    refused_with(client, sign_in(client, provider, "sub-nhung"), "wrong_issuer",
                 f"không đến từ {LABEL} (sai đơn vị phát hành)")
    assert db.session.scalar(sa.select(SsoLink)) is None


@pytest.mark.parametrize("changed_settings", [{"ISSUER": "{issuer}/"}])
def test_a_discovery_document_naming_another_issuer_is_refused(client, provider):
    # Configured with a trailing slash: the same document, which names the issuer without it.
    refused_with(client, client.post("/sso/tinh/login"), "wrong_issuer", "sai đơn vị phát hành")
    assert provider.codes == {}


@pytest.mark.parametrize("changed_settings", [{"ISSUER": "http://127.0.0.1:1"}])
def test_an_unreachable_provider_is_explained(client, provider):
    refused_with(client, client.post("/sso/tinh/login"), "unreachable", "không kết nối được")


def test_a_replayed_callback_is_refused(client, provider, make_user):
    make_user(phone="0912345678")
    provider.add_person("sub-nhung", phone_number="0912345678")
    callback = through_provider(client, provider, "sub-nhung")
    assert client.get(callback).headers["Location"] == "/courses"
    client.post("/logout")
    refused_with(client, client.get(callback), "unknown_state", "đã được dùng hoặc đã hết hạn")


def test_a_callback_with_an_unknown_state_is_refused(app, provider):
    response = app.test_client().get("/sso/tinh/callback?code=abc&state=khong-co")
    assert response.status_code == 302
    assert last_login_event().details["reason"] == "unknown_state"


def test_an_expired_id_token_is_refused(client, provider, make_user):
    make_user(phone="0912345678")
    provider.add_person("sub-nhung", phone_number="0912345678")
    provider.id_token_seconds = -600
    refused_with(client, sign_in(client, provider, "sub-nhung"), "expired_token",
                 "đã hết hạn")


def test_a_missing_match_claim_is_refused_naming_it(client, provider, commune):
    provider.add_person("sub-lan", name="Lò Thị Lan")
    refused_with(client, sign_in(client, provider, "sub-lan"), "missing_claim", "phone_number")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_an_inactive_account_is_refused(client, provider, make_user):
    learner = make_user(phone="0912345678")
    learner.is_active_account = False
    db.session.commit()
    provider.add_person("sub-nhung", phone_number="0912345678")
    refused_with(client, sign_in(client, provider, "sub-nhung"), "inactive_account",
                 "đã bị khóa")
    assert last_login_event().outcome == "denied"


@pytest.mark.parametrize("changed_settings", [{"CREATE_UNIT": ""}])
def test_without_a_create_unit_only_existing_accounts_sign_in(client, provider, commune):
    provider.add_person("sub-lan", name="Lò Thị Lan", phone_number="0987654321")
    refused_with(client, sign_in(client, provider, "sub-lan"), "no_account",
                 "Không có tài khoản Hocso nào")


def test_a_linked_account_cannot_be_taken_by_another_identity(app, provider, make_user):
    make_user(phone="0912345678")
    provider.add_person("sub-nhung", phone_number="0912345678")
    provider.add_person("sub-khac", phone_number="0912345678")
    sign_in(app.test_client(), provider, "sub-nhung")
    client = app.test_client()
    refused_with(client, sign_in(client, provider, "sub-khac"), "linked_to_another",
                 "đã được liên kết")


def test_a_cancelled_sign_in_is_explained(client, provider):
    refused_with(client, sign_in(client, provider, None), "cancelled", "đã bị hủy")


@pytest.mark.parametrize("local_password_roles", [("learner",)])
def test_a_role_without_local_passwords_is_sent_to_the_provider(client, auth, provider, make_user):
    make_user(role=Role.INSTRUCTOR, username="giangvien")
    page = auth.login("giangvien").get_data(as_text=True)
    assert f"Hãy dùng nút “Đăng nhập bằng {LABEL}”" in page
    assert client.get("/courses").status_code == 302
    assert (last_login_event().outcome, last_login_event().details["reason"]) == (
        "denied", "local_password_off")
    make_user(username="hocvien")
    assert auth.login("hocvien").headers["Location"] == "/courses"


def test_logout_ends_the_provider_session_too(client, provider, make_user):
    make_user(phone="0912345678")
    provider.add_person("sub-nhung", phone_number="0912345678")
    sign_in(client, provider, "sub-nhung")
    response = client.post("/logout")
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.issuer}/logout"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [f"{BASE_URL}/login"]
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"]
    assert client.get("/courses").status_code == 302  # the local session ended
    back = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert back.headers["Location"].startswith(f"{BASE_URL}/login")  # the provider accepted the hint
    assert provider.end_session_calls and provider.signed_in is None


def test_a_password_login_logs_out_locally_only(client, auth, provider, make_user):
    make_user(username="hocvien")
    auth.login("hocvien")
    assert client.post("/logout").headers["Location"] == "/login"


def test_an_unknown_provider_is_not_found(client, provider):
    assert client.post("/sso/khac/login").status_code == 404
    assert client.get("/sso/khac/callback").status_code == 404


@pytest.mark.parametrize("role", [Role.LEARNER, Role.INSTRUCTOR, Role.ADMIN])
def test_a_logged_in_user_pressing_the_button_stays_logged_in(client, auth, provider, make_user, role):
    make_user(role=role, username="someone")
    auth.login("someone")
    assert client.post("/sso/tinh/login").headers["Location"] == "/courses"
    assert provider.codes == {} and client.get("/courses").status_code == 200
