"""Fixtures for the security cases: a learner with a certificate and an open attempt, figures."""

from dataclasses import dataclass

import pytest

from app.accounts.models import User
from app.certificates.models import Certificate
from app.extensions import db
from tests import builders

_FIGURES: list[str] = []


class Figures:
    """One line per measured figure, printed at the end of the run."""

    def record(self, line: str) -> None:
        _FIGURES.append(line)


@pytest.fixture(scope="session")
def figures() -> Figures:
    return Figures()


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("security figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


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
