"""Fixtures for the security cases: a learner with a certificate and an open attempt.

Figures go to the shared `figures` collector of tests/conftest.py.
"""

from dataclasses import dataclass

import pytest

from app.accounts.models import User
from app.certificates.models import Certificate
from app.extensions import db
from tests import builders


@dataclass
class World:
    """A learner who finished the fixture course (so holds a certificate) and opened a quiz."""

    learner: User
    certificate_code: str
    attempt_token: str


@pytest.fixture
def world(client, auth, make_user) -> World:
    learner = make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    token = builders.start_attempt(client, "gioi-thieu")
    auth.logout()
    certificate = db.session.query(Certificate).filter_by(user_id=learner.id).one()
    return World(learner, certificate.display_code, token)


def log_in_as(client, user: User) -> None:
    """Put the user's current session id in the client's cookie, without a password check."""
    db.session.refresh(user)
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
