"""Issue 10 item 2 and case 26: no configuration but the testing one runs with a known secret;
issue 9 item 3: `flask demo create` refuses in production."""

import stat
import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from app import create_app
from app.accounts.models import User
from app.extensions import db
from config import Config, DevelopmentConfig
from tests.conftest import IsolatedClient, reset_database
from tests.security.test_security_headers import production_config

REPOSITORY_SECRET = "dev-only-secret-change-me"  # what config.py held before issue 10


def development_app(app, secret_file):
    """`make run` without SECRET_KEY in the environment, on the test's database."""

    class Development(DevelopmentConfig):
        SECRET_KEY = ""
        SECRET_KEY_FILE = secret_file
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        COURSES_DIR = app.config["COURSES_DIR"]
        RATELIMIT_STORAGE_URI = "memory://"

    made = create_app(Development)
    made.test_client_class = IsolatedClient
    return made


def admin_cookie(secret: str, admin: User) -> str:
    forger = Flask("forger")
    forger.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    now = int(time.time())
    return serializer.dumps({"_user_id": admin.get_id(), "_fresh": True,
                             "_login_at": now, "_seen_at": now})


def admin_page_status(app, cookie: str) -> int:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/admin/users/").status_code


def test_issue10_2_development_makes_its_own_secret_and_the_old_one_opens_nothing(
    app, make_user, tmp_path, figures
):
    admin = make_user(role="admin", username="quantri")
    secret_file = tmp_path / "instance" / "secret_key"
    development = development_app(app, secret_file)
    secret = development.config["SECRET_KEY"]
    assert len(secret) >= 32 and secret_file.read_text().strip() == secret
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert development_app(app, secret_file).config["SECRET_KEY"] == secret  # reused on restart
    assert development_app(app, tmp_path / "other" / "secret_key").config["SECRET_KEY"] != secret
    forged = admin_page_status(development, admin_cookie(REPOSITORY_SECRET, admin))
    genuine = admin_page_status(development, admin_cookie(secret, admin))
    assert forged != 200 and genuine == 200
    figures.add(f"issue 10.2: admin cookie signed with the repository's old secret → {forged}; "
                f"with this instance's own secret → {genuine}")


def test_issue10_2_the_base_configuration_refuses_to_run_without_a_secret():
    class Bare(Config):
        SECRET_KEY = ""

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Bare.check()


def test_issue9_3_demo_create_refuses_in_production(tmp_path, courses_dir):
    production = create_app(production_config(tmp_path, courses_dir))
    with production.app_context():
        reset_database()
        db.create_all()
        result = production.test_cli_runner().invoke(args=["demo", "create"])
        assert result.exit_code != 0 and "production" in result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        reset_database()
