"""Migrations: every step upgrades a populated database, downgrades and upgrades again, and the
schema at head equals the models."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import TestingConfig, reset_database


def migrated_app(tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = (
            TestingConfig.SQLALCHEMY_DATABASE_URI or f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        )

    return create_app(Config)


def revisions(app) -> list[str]:
    """Revision ids from the first to head."""
    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def populate_first_schema():
    """Rows in the tables that later migrations rebuild, linked by foreign keys."""
    run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
    run("INSERT INTO unit (id, code, name, level, created_at)"
        " VALUES (1, 'T1', 'Tỉnh A', 'province', '2025-01-01')")
    run("INSERT INTO unit (id, code, name, level, parent_id, created_at)"
        " VALUES (2, 'T1-X1', 'Xã B', 'commune', 1, '2025-01-01')")
    run('INSERT INTO "user" (id, username, full_name, name_sort_key, password_hash, role,'
        " unit_id, is_active_account, session_version, created_at)"
        " VALUES (1, 'lan', 'Lê Thị Lan', 'lan', 'x', 'learner', 2, true, 1, '2025-01-01')")
    run("INSERT INTO course (id, slug, title, description, language, pass_mark, folder,"
        " content_hash, is_archived, synced_at)"
        " VALUES (1, 'c', 'Khóa', '', 'vi', 70, 'c', 'h', false, '2025-01-01')")
    run("INSERT INTO enrolment (id, user_id, course_id, enrolled_at) VALUES (1, 1, 1, '2025-01-01')")
    db.session.commit()


def counts(*tables: str) -> tuple[int, ...]:
    """Row counts, read in a transaction that is closed again (it would block ALTER TABLE)."""
    result = tuple(
        db.session.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
        for table in tables
    )
    db.session.remove()
    return result


def test_each_step_keeps_rows_and_head_matches_the_models(tmp_path):
    app = migrated_app(tmp_path)
    with app.app_context():
        reset_database()
        steps = revisions(app)
        upgrade(revision=steps[0])
        populate_first_schema()
        db.session.remove()
        for step in steps[1:]:
            upgrade(revision=step)
            assert counts("unit", "user", "enrolment") == (2, 1, 1), step
        downgrade(revision=steps[0])
        upgrade()
        assert counts("unit", "user", "course") == (2, 1, 1)
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], diff
        reset_database()


def _insert_unit(level: str) -> None:
    db.session.execute(sa.text(
        "INSERT INTO unit (code, name, level, created_at) VALUES (:code, 'Tỉnh', :level, '2025-01-01')"
    ), {"code": f"T-{level}", "level": level})
    db.session.commit()


def test_status_checks_refuse_unknown_values_at_head_and_go_with_the_downgrade(tmp_path):
    app = migrated_app(tmp_path)
    with app.app_context():
        reset_database()
        upgrade()
        _insert_unit("province")
        with pytest.raises(sa.exc.IntegrityError):
            _insert_unit("hamlet")
        db.session.rollback()
        db.session.remove()
        downgrade(revision="4c1e7a9d2b30")  # before the status CHECK constraints
        _insert_unit("hamlet")
        db.session.execute(sa.text("DELETE FROM unit WHERE level = 'hamlet'"))
        db.session.commit()
        db.session.remove()
        upgrade()
        with pytest.raises(sa.exc.IntegrityError):
            _insert_unit("hamlet")
        db.session.rollback()
        db.session.remove()
        reset_database()
