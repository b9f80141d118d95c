"""The packages built on progress and quizzes follow them through signals connected per app."""

import sqlalchemy as sa

from app import create_app
from app.certificates.models import Certificate
from app.extensions import db
from app.progress.signals import course_completed, course_completion_pending, module_first_opened
from app.quizzes.signals import attempt_submitted
from config import TestingConfig
from tests import builders

FOLLOWERS = {
    "module-first-opened": 1,  # xAPI
    "course-completion-pending": 1,  # live sessions
    "course-completed": 3,  # certificates, LTI, xAPI
    "attempt-submitted": 1,  # xAPI
}


def _followers(app) -> dict[str, int]:
    signals = (module_first_opened, course_completion_pending, course_completed, attempt_submitted)
    return {signal.name: len(list(signal.receivers_for(app))) for signal in signals}


def test_a_completion_is_followed_once_however_many_apps_the_process_built(
        app, client, auth, make_user, tmp_path):
    class OtherConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = (TestingConfig.SQLALCHEMY_DATABASE_URI
                                   or f"sqlite:///{tmp_path / 'other.sqlite3'}")

    other = create_app(OtherConfig)
    assert _followers(app) == _followers(other) == FOLLOWERS
    with other.app_context():
        db.engine.dispose()
    make_user(username="lan")
    auth.login("lan")
    builders.complete_course(client)
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1
