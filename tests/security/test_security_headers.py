"""Case 5: security headers on every route; HSTS, Secure cookies and no debugger in production."""

import re

import pytest

from app import create_app
from app.accounts.services import create_user
from app.content.services import sync_courses
from app.extensions import db
from config import ProductionConfig, TestingConfig
from tests.conftest import PASSWORD, csrf_token_from, reset_database
from tests.security.conftest import log_in_as
from tests.security.routes import route_requests, sample_values

PRODUCTION_SECRET_KEY = "q7Vx2mLr9TfK4cWz8NbH3sJd6PgY1eRa5UoQ0iXn"  # 40 characters, test only
HTTPS = "https://hocso.example"


def header_problems(response) -> list[str]:
    problems = []
    directives = {}
    for part in response.headers.get("Content-Security-Policy", "").split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name.lower()] = values
    script_src = directives.get("script-src", directives.get("default-src"))
    if script_src is None:
        problems.append("no script-src or default-src in the CSP")
    elif {"'unsafe-inline'", "'unsafe-eval'"} & set(script_src):
        problems.append(f"script-src allows inline script: {script_src}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("Referrer-Policy", "unsafe-url") in ("unsafe-url", "no-referrer-when-downgrade"):
        problems.append(f"Referrer-Policy is {response.headers.get('Referrer-Policy')}")
    return problems


def test_every_route_sends_the_security_headers(app, client, world):
    requests = route_requests(app, sample_values(world))
    missing = []
    for actor in (None, world.learner, world.admin):
        for route in requests:
            log_in_as(client, actor)
            response = client.open(route.url, method=route.method)
            who = actor.username if actor else "anonymous"
            missing += [f"{who} {route.method} {route.url}: {p}" for p in header_problems(response)]
    assert len(requests) >= 15
    assert missing == []


def production_config(tmp_path, courses_dir, secret_key=PRODUCTION_SECRET_KEY):
    class Production(ProductionConfig):
        SECRET_KEY = secret_key
        SQLALCHEMY_DATABASE_URI = (
            TestingConfig.SQLALCHEMY_DATABASE_URI or f"sqlite:///{tmp_path / 'production.sqlite3'}"
        )
        COURSES_DIR = courses_dir
        RATELIMIT_STORAGE_URI = "memory://"
        PUBLIC_BASE_URL = "https://hocso.example.gov.vn"

    return Production


@pytest.fixture
def production_app(tmp_path, courses_dir):
    app = create_app(production_config(tmp_path, courses_dir))
    with app.app_context():
        reset_database()
        db.create_all()
        sync_courses(courses_dir)
        create_user("lan", "Nguyễn Thị Hồng Nhung", PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_sends_hsts(production_app):
    response = production_app.test_client().get("/login", base_url=HTTPS)
    hsts = response.headers.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= 180 * 24 * 3600, hsts
    assert header_problems(response) == []


def test_production_cookies_are_secure(production_app):
    client = production_app.test_client()
    token = csrf_token_from(client.get("/login", base_url=HTTPS).get_data(as_text=True))
    response = client.post(
        "/login", base_url=HTTPS, headers={"Referer": f"{HTTPS}/login"},  # Flask-WTF's HTTPS check
        data={"login": "lan", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags, cookie


def test_production_is_not_in_debug_mode(production_app):
    assert production_app.debug is False
    assert production_app.config["SECRET_KEY"] == PRODUCTION_SECRET_KEY


def test_production_stays_out_of_debug_mode_when_flask_debug_is_set(
    tmp_path, courses_dir, monkeypatch
):
    monkeypatch.setenv("FLASK_DEBUG", "1")  # a leftover from a developer's shell or unit file
    app = create_app(production_config(tmp_path, courses_dir))
    assert app.debug is False


@pytest.mark.parametrize("secret_key", [TestingConfig.SECRET_KEY, "", "short-but-not-empty-31-chars-xx"])
def test_production_refuses_a_default_or_weak_secret_key(tmp_path, courses_dir, secret_key):
    config = production_config(tmp_path, courses_dir, secret_key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.check()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)
