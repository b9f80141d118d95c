"""flask backup on PostgreSQL (pg_dump -Fc / pg_restore), in scratch databases of its own.

Needs PostgreSQL at 127.0.0.1:5432 and the client programs; in CI (CI=true) their absence fails.
"""

import os
import secrets
import shutil

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from tests.operations.conftest import app_on, certificate_hashes, database_snapshot, run_cli

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


@pytest.fixture
def scratch_databases():
    """Two empty databases, source and target, dropped afterwards."""
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        unavailable("pg_dump/pg_restore missing: install postgresql-client")
    server = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    names = [f"hocso_ops_{secrets.token_hex(4)}_{role}" for role in ("source", "target")]
    try:
        with server.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL is not reachable at 127.0.0.1:5432: {error}")
    yield [f"{SERVER}/{name}" for name in names]
    with server.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def app_settings(scratch_databases):
    return {"SQLALCHEMY_DATABASE_URI": scratch_databases[0]}


def test_restore_onto_a_scratch_database_gives_back_every_row(app, populated, scratch_databases,
                                                              tmp_path, courses_dir):
    archive = tmp_path / "hocso.tar.gz"
    created = run_cli(app, "backup", "create", "--output", str(archive))
    assert created.exit_code == 0, created.output
    assert "postgresql database" in created.output
    expected, hashes = database_snapshot(), certificate_hashes()
    target = app_on(scratch_databases[1], courses_dir)
    restored = run_cli(target, "backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    with target.app_context():
        assert database_snapshot() == expected
        assert certificate_hashes() == hashes
        db.engine.dispose()


def test_a_database_with_data_is_replaced_only_with_force(app, populated, make_user, tmp_path):
    archive = tmp_path / "hocso.tar.gz"
    assert run_cli(app, "backup", "create", "--output", str(archive)).exit_code == 0
    make_user(username="sau_sao_luu")
    db.session.remove()
    refused = run_cli(app, "backup", "restore", str(archive))
    assert refused.exit_code != 0 and "--force" in refused.output
    replaced = run_cli(app, "backup", "restore", "--force", str(archive))
    assert replaced.exit_code == 0, replaced.output
    assert db.session.scalar(sa.select(User).filter_by(username="sau_sao_luu")) is None
