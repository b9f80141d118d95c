"""flask backup on SQLite: a restore gives back the same rows and certificate hashes, or refuses."""

import io
import json
import tarfile

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.operations import backup
from tests.operations.conftest import app_on, certificate_hashes, database_snapshot, run_cli


@pytest.fixture
def app_settings(tmp_path):
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'source.sqlite3'}"}  # SQLite always


@pytest.fixture
def archive(app, populated, tmp_path):
    path = tmp_path / "hocso.tar.gz"
    result = run_cli(app, "backup", "create", "--output", str(path))
    assert result.exit_code == 0, result.output
    return path


def members(path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers()}


def rewrite(path, contents: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, body in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))


def test_restore_onto_a_scratch_database_gives_back_every_row(app, archive, tmp_path, courses_dir):
    expected, hashes = database_snapshot(), certificate_hashes()
    scratch = app_on(f"sqlite:///{tmp_path / 'scratch.sqlite3'}", courses_dir)
    result = run_cli(scratch, "backup", "restore", str(archive))
    assert result.exit_code == 0, result.output
    with scratch.app_context():
        assert database_snapshot() == expected
        assert certificate_hashes() == hashes
        assert all(stored == computed for stored, computed in hashes.values())
        db.engine.dispose()


def test_the_manifest_describes_the_archive(archive):
    contents = members(archive)
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format"] == 1 and manifest["dialect"] == "sqlite"
    assert {"app_version", "alembic_revision", "created_at"} <= manifest.keys()
    assert "database.sqlite3" in manifest["members"]
    assert any(name.startswith("courses/") for name in manifest["members"])


def test_verify_checks_an_archive_without_restoring(app, archive):
    result = run_cli(app, "backup", "verify", str(archive))
    assert result.exit_code == 0 and "is intact" in result.output


def test_a_database_with_data_is_replaced_only_with_force(app, archive, make_user):
    make_user(username="sau_sao_luu")  # made after the backup
    db.session.remove()
    refused = run_cli(app, "backup", "restore", str(archive))
    assert refused.exit_code != 0 and "--force" in refused.output
    assert db.session.scalar(sa.select(User).filter_by(username="sau_sao_luu")) is not None
    db.session.remove()
    assert run_cli(app, "backup", "restore", "--force", str(archive)).exit_code == 0
    assert db.session.scalar(sa.select(User).filter_by(username="sau_sao_luu")) is None


def test_a_damaged_archive_is_refused_before_anything_changes(app, archive, tmp_path, courses_dir):
    contents = members(archive)
    database = bytearray(contents["database.sqlite3"])
    database[len(database) // 2] ^= 1
    rewrite(archive, {**contents, "database.sqlite3": bytes(database)})
    scratch_file = tmp_path / "scratch.sqlite3"
    result = run_cli(app_on(f"sqlite:///{scratch_file}", courses_dir), "backup", "restore", str(archive))
    assert result.exit_code != 0 and "checksum" in result.output
    assert not scratch_file.exists() or scratch_file.stat().st_size == 0


def test_a_backup_of_another_dialect_is_refused_clearly(app, archive):
    contents = members(archive)
    manifest = json.loads(contents["manifest.json"])
    dump = b"not really a pg_dump"
    manifest["dialect"] = "postgresql"
    manifest["members"] = {"database.pgdump": {"sha256": backup.hashlib.sha256(dump).hexdigest(),
                                               "size": len(dump)}}
    rewrite(archive, {"manifest.json": json.dumps(manifest).encode(), "database.pgdump": dump})
    result = run_cli(app, "backup", "restore", "--force", str(archive))
    assert result.exit_code != 0
    assert "This backup is of a postgresql database" in result.output


def test_a_file_that_is_not_a_backup_is_refused(app, tmp_path):
    stray = tmp_path / "notes.tar.gz"
    stray.write_bytes(b"hello")
    result = run_cli(app, "backup", "restore", str(stray))
    assert result.exit_code != 0 and "Cannot read notes.tar.gz" in result.output
