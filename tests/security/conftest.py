"""Fixtures for the security cases: a learner with a certificate and an open attempt.

Figures go to the shared `figures` collector of tests/conftest.py.
"""

from dataclasses import dataclass

import pytest

from app import create_app
from app.accounts import session_lifetime
from app.accounts.models import User
from app.certificates.models import Certificate
from app.extensions import db
from config import TestingConfig
from tests import builders
from tests.conftest import IsolatedClient


@dataclass
class World:
    """A learner who finished the fixture course (so holds a certificate) and opened a quiz;
    an admin; an instructor; and a bystander learner for admin routes to act on."""

    learner: User
    admin: User
    bystander: User
    certificate_code: str
    attempt_token: str
    instructor: User

    def user_for(self, policy: str | None) -> User | None:
        """Who reaches a view with this access policy: nobody needs to log in for "public"."""
        if policy == "public":
            return None
        if policy and policy.startswith("roles:") and "learner" not in policy:
            return self.admin
        return self.learner


@pytest.fixture
def world(client, auth, make_user) -> World:
    learner = make_user(username="lan")
    admin = make_user(role="admin", username="quantri")
    bystander = make_user(username="hoa", full_name="Trần Thị Hoa")
    instructor = make_user(role="instructor", username="giangvien", full_name="Lê Văn Giảng")
    auth.login("lan")
    builders.complete_course(client)
    token = builders.start_attempt(client, "gioi-thieu")
    auth.logout()
    certificate = db.session.query(Certificate).filter_by(user_id=learner.id).one()
    return World(learner, admin, bystander, certificate.display_code, token, instructor)


def log_in_as(client, user: User | None) -> None:
    """Put the user's current session id in the client's cookie, without a password check;
    None empties the session (anonymous)."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            db.session.refresh(user)
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session_lifetime.stamp(session)


@pytest.fixture
def proxied_app(app):
    """The same database behind one trusted reverse proxy (TRUSTED_PROXY_HOPS = 1), as nginx."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        COURSES_DIR = app.config["COURSES_DIR"]
        WTF_CSRF_ENABLED = False
        TRUSTED_PROXY_HOPS = 1

    behind_proxy = create_app(Config)
    behind_proxy.test_client_class = IsolatedClient
    yield behind_proxy
    with behind_proxy.app_context():
        db.engine.dispose()
