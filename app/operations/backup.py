"""One-file backups of everything Hocso keeps, and their verified restore.

Everything a province cannot get back from git lives in the database: accounts, progress,
attempts, certificates with their issued PDFs (`certificate.pdf`), browser-authored modules and
uploaded images (`module_revision`, `course_asset`), batch print results (`batch_job.result`)
and the audit trail. Nothing is written to instance/ or the course folders at run time. The
archive also holds a copy of the course folders, so a backup shows the content it was taken
with; restore leaves the course folders alone (they come from git).

Archive: a .tar.gz with `manifest.json` (format, app version, dialect, alembic revision,
created_at, SHA-256 and size of each member) and the database: `database.sqlite3` (SQLite's
online backup API, consistent while the app runs) or `database.pgdump` (`pg_dump -Fc`).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump and pg_restore, by argument lists: no shell  # nosec B404
import tarfile
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
COURSES_PREFIX = "courses/"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CHUNK = 1024 * 1024
Manifest = dict[str, Any]


class BackupError(Exception):
    """The backup or restore cannot go on; the message says what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def app_version() -> str:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]


def alembic_revision(engine: Engine) -> str | None:
    if not sa.inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))


def is_empty(engine: Engine) -> bool:
    """No table but alembic's holds a row (a fresh `flask db upgrade` counts as empty)."""
    names = [name for name in sa.inspect(engine).get_table_names() if name != "alembic_version"]
    with engine.connect() as connection:
        return all(not connection.scalar(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1))
                   for name in names)


# --- SQLite -------------------------------------------------------------------------------------

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up or restore.")
    return Path(url.database).resolve()


def _dump_sqlite(url: URL, target: Path) -> None:
    source = sqlite3.connect(_sqlite_path(url).as_uri() + "?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # page by page, a consistent snapshot while others write
    finally:
        destination.close()
        source.close()


def _restore_sqlite(url: URL, dump: Path) -> None:
    """Check the copy, then rename it over the database: the old file or the new, never half."""
    target = _sqlite_path(url)
    connection = sqlite3.connect(dump)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()
    if verdict != "ok":
        raise BackupError(f"The database in the backup fails SQLite's integrity check: {verdict}")
    if target.exists():
        old = sqlite3.connect(target)
        try:  # nothing of the old database may be left in its WAL
            busy = old.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            old.close()
        if busy:
            raise BackupError("The database is in use: stop the app and the job workers, then restore.")
    for suffix in ("-wal", "-shm"):  # a stale WAL would be replayed onto the restored file
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(dump, target)


# --- PostgreSQL ---------------------------------------------------------------------------------

def _client_command(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client).")
    return found


def _libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A connection string without the password, and the environment carrying it (never argv)."""
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment = dict(os.environ)  # PATH, locale; not configuration
    environment.pop("PGPASSWORD", None)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return conninfo, environment


def _run(arguments: list[str], environment: dict[str, str]) -> None:
    # Fixed programs found on PATH, arguments as a list: no shell.
    finished = subprocess.run(  # noqa: S603  # nosec B603
        arguments, env=environment, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} failed: {finished.stderr.strip()[-2000:]}")


def _dump_postgresql(url: URL, target: Path) -> None:
    conninfo, environment = _libpq_target(url)
    _run([_client_command("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={conninfo}"],
         environment)


def _restore_postgresql(url: URL, dump: Path) -> None:
    conninfo, environment = _libpq_target(url)
    _run([_client_command("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(dump)], environment)


DUMPERS = {"sqlite": _dump_sqlite, "postgresql": _dump_postgresql}
RESTORERS = {"sqlite": _restore_sqlite, "postgresql": _restore_postgresql}


def _dialect(engine: Engine) -> str:
    if engine.dialect.name not in DUMPERS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine.dialect.name}.")
    return engine.dialect.name


# --- The archive --------------------------------------------------------------------------------

def _course_files(courses_dir: Path | None) -> dict[str, Path]:
    if courses_dir is None or not Path(courses_dir).is_dir():
        return {}
    root = Path(courses_dir)
    return {COURSES_PREFIX + path.relative_to(root).as_posix(): path
            for path in sorted(root.rglob("*"))
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)}


def create_backup(engine: Engine, output: Path, courses_dir: Path | None = None) -> Manifest:
    """Write the archive to `output` (via a temporary name, so a crash leaves no half archive)."""
    dialect = _dialect(engine)
    with tempfile.TemporaryDirectory(prefix="hocso-backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS[dialect]
        DUMPERS[dialect](engine.url, dump)
        members = {DATABASE_MEMBERS[dialect]: dump, **_course_files(courses_dir)}
        manifest = {
            "format": FORMAT_VERSION, "app_version": app_version(), "dialect": dialect,
            "alembic_revision": alembic_revision(engine),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "members": {name: {"sha256": _sha256(path), "size": path.stat().st_size}
                        for name, path in members.items()},
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(body))
            for name, path in members.items():
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, output)
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))  # type: ignore[arg-type]
    except (KeyError, ValueError, TypeError) as error:
        raise BackupError("This file has no readable manifest.json: it is not a Hocso backup.") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not one this version reads "
                          f"({FORMAT_VERSION}).")
    if DATABASE_MEMBERS.get(manifest.get("dialect")) not in manifest.get("members", {}):
        raise BackupError("The manifest lists no database.")
    return manifest


def _copy_checked(archive: tarfile.TarFile, name: str, facts: dict, target: Path | None) -> None:
    """Stream one member (into target, if given) and compare its SHA-256 with the manifest's."""
    try:
        member = archive.getmember(name)
    except KeyError as error:
        raise BackupError(f"The backup lacks {name}, which its manifest lists.") from error
    source = archive.extractfile(member) if member.isfile() else None
    if source is None:
        raise BackupError(f"{name} in the backup is not a regular file.")
    digest = hashlib.sha256()
    with open(target, "wb") if target else io.BytesIO() as sink:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            if target:
                sink.write(chunk)
    if digest.hexdigest() != facts.get("sha256"):
        raise BackupError(f"{name} does not match its checksum: the backup is damaged.")


def verify_backup(archive_path: Path) -> Manifest:
    """The manifest, once every member listed in it matches its checksum."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = _read_manifest(archive)
            for name, facts in manifest["members"].items():
                _copy_checked(archive, name, facts, None)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"Cannot read {archive_path.name} as a backup: {error}") from error
    return manifest


def restore_backup(engine: Engine, archive_path: Path, force: bool = False) -> Manifest:
    """Replace the configured database by the backup's (the app must be stopped)."""
    manifest = verify_backup(archive_path)
    dialect = _dialect(engine)
    if manifest["dialect"] != dialect:
        raise BackupError(f"This backup is of a {manifest['dialect']} database, but DATABASE_URL "
                          f"points to {dialect}: restore it onto a {manifest['dialect']} database.")
    if not force and not is_empty(engine):
        raise BackupError("The target database already holds data. Restore onto an empty database, "
                          "or add --force to replace everything in it.")
    engine.dispose()  # our own pooled connections must not hold the file or the tables
    name = DATABASE_MEMBERS[dialect]
    # SQLite: extract next to the database, so the final rename stays on one file system.
    folder = _sqlite_path(engine.url).parent if dialect == "sqlite" else None
    with tempfile.TemporaryDirectory(prefix=".hocso-restore-", dir=folder) as work:
        dump = Path(work) / name
        with tarfile.open(archive_path, "r:gz") as archive:
            _copy_checked(archive, name, manifest["members"][name], dump)
        RESTORERS[dialect](engine.url, dump)
    return manifest
