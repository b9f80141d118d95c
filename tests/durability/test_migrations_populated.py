"""Case 48: migrations on a populated database (1,000 learners, 10,000 attempts) lose no rows.

At head, upgrading again is a no-op. Then the database goes down to the initial schema (every
later migration's downgrade runs on the data) and back up to head, with every row kept.
A downgrade to base would drop the tables themselves, so it is tested on an empty database
in tests/test_migrations.py instead.
"""

import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from app import create_app
from app.accounts.models import User
from app.content.services import sync_courses
from app.database import utcnow
from app.extensions import db
from app.quizzes.models import QuizAttempt
from bench.live_server import REPO_DIR
from bench.population import create_enrolled_learners
from tests import builders
from tests.conftest import TestingConfig, reset_database
from tests.durability.conftest import database_name

MIGRATIONS = str(REPO_DIR / "migrations")
LEARNERS = 1000
ATTEMPTS_EACH = 10
KEPT_TABLES = ("unit", "user", "course", "module", "quiz_version", "enrolment", "quiz_attempt")


def migrated_app(tmp_path, courses_dir):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = (
            TestingConfig.SQLALCHEMY_DATABASE_URI or f"sqlite:///{tmp_path / 'populated.sqlite3'}"
        )
        COURSES_DIR = courses_dir

    return create_app(Config)


def populate() -> None:
    """1,000 enrolled learners with 10 attempts each (7 submitted, 3 open), by bulk inserts."""
    sync_courses(current_app.config["COURSES_DIR"])
    db.session.commit()
    usernames = create_enrolled_learners(LEARNERS, prefix="dulieu")
    user_ids = db.session.scalars(sa.select(User.id).where(User.username.in_(usernames))).all()
    module = builders.module("gioi-thieu")
    version = module.quiz_version
    now = utcnow()
    rows = []
    for user_id in user_ids:
        for n in range(ATTEMPTS_EACH):
            submitted = n < 7
            rows.append({
                "token": secrets.token_urlsafe(16), "user_id": user_id, "module_id": module.id,
                "quiz_version_id": version.id, "option_order": {"q-nam": [0, 1, 2]},
                "pass_mark": 70, "started_at": now - timedelta(minutes=n),
                "state": "submitted" if submitted else "in_progress",
                "answers": {"q-nam": [1]} if submitted else None,
                "points": 1.0 if submitted else None, "max_points": 3 if submitted else None,
                "score": 33 if submitted else None, "passed": False if submitted else None,
                "submitted_at": now if submitted else None,
            })
    db.session.execute(sa.insert(QuizAttempt), rows)
    db.session.commit()


def snapshot() -> dict[str, object]:
    """Row counts of the tables every revision has, and a checksum of the attempts' results."""
    present = set(sa.inspect(db.engine).get_table_names())
    counts: dict[str, object] = {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
        for name in KEPT_TABLES if name in present
    }
    counts["attempt results"] = tuple(db.session.execute(sa.text(
        "SELECT count(submitted_at), sum(score), count(answers) FROM quiz_attempt"
    )).one())
    db.session.commit()
    return counts


def alembic_version() -> str:
    version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    db.session.commit()
    return version


def test_migrations_keep_a_populated_database(tmp_path, courses_dir, figures):
    app = migrated_app(tmp_path, courses_dir)
    with app.app_context():
        reset_database()
        upgrade(directory=MIGRATIONS)
        started = time.monotonic()
        populate()
        filled = time.monotonic() - started
        script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config(MIGRATIONS))
        head = script.get_current_head()
        initial = [rev.revision for rev in script.walk_revisions() if rev.down_revision is None][0]
        before = snapshot()
        assert before["user"] == LEARNERS and before["quiz_attempt"] == LEARNERS * ATTEMPTS_EACH

        upgrade(directory=MIGRATIONS)  # already at head: nothing may change
        assert alembic_version() == head and snapshot() == before

        steps = 0
        if initial != head:
            downgrade(directory=MIGRATIONS, revision=initial)
            assert alembic_version() == initial
            assert snapshot() == before, "a downgrade lost rows"
            upgrade(directory=MIGRATIONS)
            steps = sum(1 for _ in script.iterate_revisions(head, initial))
        after = snapshot()
        assert alembic_version() == head
        figures.add(
            f"H48 ({database_name()}): upgrade → downgrade ({steps} revisions) → upgrade on "
            f"{before['user']} learners, {before['quiz_attempt']} attempts → {after['user']} and "
            f"{after['quiz_attempt']} kept (filled in {filled:.1f} s)"
        )
        assert after == before
        reset_database()
        db.engine.dispose()
