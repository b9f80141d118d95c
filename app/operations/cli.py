"""`flask backup create | verify | restore`."""

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db
from app.operations import backup

backup_cli = AppGroup("backup", help="Back up and restore everything Hocso stores.")


def _describe(manifest: backup.Manifest) -> str:
    return (f"{manifest['dialect']} database, app {manifest['app_version']}, "
            f"migration {manifest['alembic_revision'] or 'none'}, taken {manifest['created_at']}, "
            f"{len(manifest['members'])} files")


@backup_cli.command("create")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Archive to write (default: hocso-backup-<UTC time>.tar.gz here).")
def create_command(output: Path | None):
    """Write one archive: the database (course edits, certificate PDFs included) and the courses."""
    output = output or Path(f"hocso-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar.gz")
    try:
        manifest = backup.create_backup(db.engine, output, current_app.config.get("COURSES_DIR"))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {output}: {_describe(manifest)}.")


@backup_cli.command("verify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(archive: Path):
    """Check an archive's manifest and every checksum, without restoring."""
    try:
        manifest = backup.verify_backup(archive)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{archive} is intact: {_describe(manifest)}.")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(archive: Path, force: bool):
    """Restore the database of ARCHIVE into DATABASE_URL. Stop the app and workers first."""
    db.session.remove()
    try:
        manifest = backup.restore_backup(db.engine, archive, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {_describe(manifest)}.")
    click.echo("Next: `flask db upgrade` (a no-op when the code has the same migrations), then start "
               "the app. The course folders were left alone: they come from git.")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_cli)
