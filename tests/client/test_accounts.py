"""Login by username or phone, logout and password change that end sessions, safe redirects."""

import re

import pytest
import sqlalchemy as sa

from app.accounts import external_sign_in
from app.accounts.models import Role, User
from app.extensions import db
from tests.conftest import PASSWORD


def test_login_with_username(client, auth, make_user):
    make_user(username="lan")
    response = auth.login("lan")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses")


def test_login_with_phone_number_in_any_common_form(client, auth, make_user):
    make_user(username="lan", phone="0912 345 678")
    for typed in ("0912345678", "+84 912 345 678", "0912.345.678"):
        assert auth.login(typed).status_code == 302, typed
        auth.logout()


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth, make_user):
    make_user(username="lan")
    wrong = auth.login("lan", "sai-mat-khau").get_data(as_text=True)
    unknown = auth.login("khongco", "sai-mat-khau").get_data(as_text=True)
    errors = re.compile(r'<p class="error"[^>]*>(.*?)</p>')
    assert errors.findall(wrong) == errors.findall(unknown) != []


def test_empty_form_gets_field_errors_not_500(client):
    response = client.post("/login", data={})
    assert response.status_code == 200
    assert "field has-error" in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, auth, make_user):
    user = make_user(username="lan")
    user.is_active_account = False
    db.session.commit()
    assert auth.login("lan").status_code == 200


@pytest.fixture
def production_hashing(app):
    """The password hashing of every configuration but the testing one."""
    from app.accounts import passwords
    from config import Config, ProductionConfig

    assert ProductionConfig.ARGON2_MEMORY_KIB == Config.ARGON2_MEMORY_KIB
    for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM"):
        app.config[name] = getattr(Config, name)
    passwords.init_app(app)


def test_passwords_are_hashed_with_argon2id_at_an_owasp_setting(production_hashing, make_user):
    user = make_user(username="lan")
    assert user.password_hash.startswith("$argon2id$v=19$m=7168,t=5,p=1$")  # OWASP: 7 MiB, 5 passes
    assert PASSWORD not in user.password_hash


def test_an_old_scrypt_hash_is_upgraded_at_the_next_login(client, auth, make_user):
    from werkzeug.security import generate_password_hash

    user = make_user(username="lan")
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    db.session.commit()
    assert auth.login("lan", "wrong-password-1").status_code == 200
    assert db.session.get(User, user.id).password_hash.startswith("scrypt:")  # only on success
    assert auth.login("lan").status_code == 302
    upgraded = db.session.get(User, user.id).password_hash
    assert upgraded.startswith("$argon2id$")
    auth.logout()
    assert auth.login("lan").status_code == 302
    assert db.session.get(User, user.id).password_hash == upgraded  # not rehashed every time


def test_a_hash_with_weaker_argon2_parameters_is_upgraded(app, production_hashing, client, auth, make_user):
    from argon2 import PasswordHasher

    user = make_user(username="lan")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db.session.commit()
    assert auth.login("lan").status_code == 302
    assert "m=7168,t=5,p=1" in db.session.get(User, user.id).password_hash


def test_a_login_burst_beyond_the_hashing_slots_gets_busy_not_a_long_wait(app, client, make_user):
    from app.accounts.passwords import EXTENSION_KEY

    make_user(username="lan")
    hashing = app.extensions[EXTENSION_KEY]
    hashing.wait_seconds = 0.05
    for _ in range(app.config["LOGIN_HASH_CONCURRENCY"]):
        hashing.gate.acquire()  # every slot taken by logins in other threads
    try:
        response = client.post("/login", data={"login": "lan", "password": PASSWORD})
    finally:
        for _ in range(app.config["LOGIN_HASH_CONCURRENCY"]):
            hashing.gate.release()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Máy chủ đang bận" in response.get_data(as_text=True)
    assert client.post("/login", data={"login": "lan", "password": PASSWORD}).status_code == 302


def test_an_unknown_user_costs_one_argon2_check_like_a_wrong_password(app, make_user, monkeypatch):
    from app.accounts import passwords
    from app.accounts.services import check_login, login_claim

    make_user(username="lan")
    checked = []
    hashing = app.extensions[passwords.EXTENSION_KEY]
    real_verify = hashing._verify_argon2
    monkeypatch.setattr(hashing, "_verify_argon2", lambda h, p: checked.append(h) or real_verify(h, p))
    assert check_login(login_claim("nobody-here"), PASSWORD) is None
    assert check_login(login_claim("lan"), "wrong-password-1") is None
    assert len(checked) == 2 and checked[0] == hashing.dummy_hash
    assert checked[0].split("$")[3] == checked[1].split("$")[3]  # the same m, t, p


def test_logout_ends_the_session_even_for_a_copied_cookie(app, make_user):
    make_user(username="lan")
    first = app.test_client()
    first.post("/login", data={"login": "lan", "password": PASSWORD})
    cookie = first.get_cookie("session").value
    first.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/courses").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    make_user(username="lan")
    phone, laptop = app.test_client(), app.test_client()
    for c in (phone, laptop):
        c.post("/login", data={"login": "lan", "password": PASSWORD})
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "Mot-mat-khau-moi-2025",
        "confirm_password": "Mot-mat-khau-moi-2025"})
    assert response.status_code == 302
    assert laptop.get("/courses").status_code == 200
    assert phone.get("/courses").status_code == 302


def test_password_change_with_wrong_current_password_is_refused(client, auth, make_user):
    user = make_user(username="lan")
    auth.login("lan")
    old_hash = user.password_hash
    response = client.post("/account/password", data={
        "current_password": "sai", "new_password": "Mot-mat-khau-moi-2025",
        "confirm_password": "Mot-mat-khau-moi-2025"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User.password_hash).filter_by(username="lan")) == old_hash


def test_next_redirects_only_within_the_site(client, make_user):
    make_user(username="lan")
    for target, expected in (("/certificates", "/certificates"), ("https://evil.example/", "/courses"),
                             ("//evil.example", "/courses"), ("/\\evil.example", "/courses")):
        client.post("/logout")
        response = client.post(f"/login?next={target}", data={"login": "lan", "password": PASSWORD})
        assert response.headers["Location"].endswith(expected), target


def test_login_is_rate_limited(client, make_user):
    make_user(username="lan")
    statuses = [client.post("/login", data={"login": "lan", "password": "sai"}).status_code
                for _ in range(12)]
    assert statuses[-1] == 429


def test_values_planted_before_login_are_gone(client, make_user):
    make_user(username="lan")
    with client.session_transaction() as session:
        session["planted"] = "x"
    client.post("/login", data={"login": "lan", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_language_switch(client):
    client.post("/language", data={"language": "en", "next": "/login"})
    assert "Log in" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"language": "vi", "next": "/login"})
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_deactivation_and_role_change_take_effect_on_the_next_request(client, auth, make_user):
    user = make_user(role="admin", username="quantri")
    auth.login("quantri")
    assert client.get("/admin/audit").status_code == 200
    user.role = "learner"
    db.session.commit()
    assert client.get("/admin/audit").status_code == 403
    user.is_active_account = False
    db.session.commit()
    assert client.get("/courses").status_code == 302


def test_common_password_is_refused_on_change(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "matkhau123", "confirm_password": "matkhau123"})
    assert response.status_code == 200 and "field has-error" in response.get_data(as_text=True)


def test_long_passwords_work_untruncated(client, make_user):
    long_password = "Một câu mật khẩu rất dài của cán bộ xã " * 3
    make_user(username="lan")
    from app.accounts.services import hash_password

    user = db.session.scalar(sa.select(User).filter_by(username="lan"))
    user.password_hash = hash_password(long_password)
    db.session.commit()
    assert client.post("/login", data={"login": "lan", "password": long_password[:-1]}).status_code == 200
    assert client.post("/login", data={"login": "lan", "password": long_password}).status_code == 302


def test_production_config_refuses_the_default_secret():
    import pytest

    from config import ProductionConfig, TestingConfig

    class Unsafe(ProductionConfig):
        SECRET_KEY = TestingConfig.SECRET_KEY  # the one known secret left in the repository

    with pytest.raises(RuntimeError):
        Unsafe.check()


def test_one_time_password_must_be_changed_before_anything_else(client, auth, make_user):
    user = make_user(username="lan")
    user.must_change_password = True
    db.session.commit()
    auth.login("lan")
    response = client.get("/courses")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    same = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD})
    assert same.status_code == 200
    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "Mot-mat-khau-moi-2025",
        "confirm_password": "Mot-mat-khau-moi-2025"})
    assert client.get("/courses").status_code == 200


def test_sso_offers_its_way_in_through_the_accounts_registry(app):
    """accounts imports no sso: the login page's buttons, the refusal and the logout hook are
    what sso registered when its blueprint was."""
    ways_in = app.extensions[external_sign_in.EXTENSION_KEY]
    assert [way_in.buttons_template for way_in in ways_in] == ["sso/_buttons.html"]


def test_a_role_without_local_passwords_is_refused_even_with_no_other_way_in(app, client, auth, make_user):
    app.extensions[external_sign_in.EXTENSION_KEY] = []  # as if nothing offered another way in
    app.config["LOCAL_PASSWORD_ROLES"] = ("learner",)
    make_user(username="giangvien", role=Role.INSTRUCTOR)
    page = auth.login("giangvien").get_data(as_text=True)
    assert "không được đăng nhập bằng mật khẩu. Hãy hỏi quản trị viên đơn vị" in page
    assert client.get("/courses").status_code == 302
    make_user(username="hocvien")
    assert auth.login("hocvien").headers["Location"] == "/courses"
