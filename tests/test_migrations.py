"""Migrations: upgrade -> downgrade -> upgrade on a populated database, schema equal to the models."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
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


def test_upgrade_downgrade_upgrade_keeps_schema_equal_to_models(tmp_path):
    app = migrated_app(tmp_path)
    with app.app_context():
        reset_database()
        upgrade()
        db.session.execute(sa.text(
            "INSERT INTO unit (code, name, level, created_at)"
            " VALUES ('T1', 'Tỉnh A', 'province', '2025-01-01')"
        ))
        db.session.commit()
        downgrade(revision="base")
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], diff
        assert db.session.scalar(sa.text("SELECT count(*) FROM unit")) == 0
        reset_database()
