"""`flask courses`: check the course folders and load them, with the browser's edits applied."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.authoring.overlay import sync_courses_with_edits
from app.content.format.parsing import parse_course_folder, parse_courses
from app.content.gift.cli import export_gift_command, import_gift_command
from app.content.services import CourseContentError
from app.extensions import db
from app.progress.services import records_at_risk

courses_cli = AppGroup("courses", help="Check and load the course folders.")
courses_cli.add_command(import_gift_command)
courses_cli.add_command(export_gift_command)


@courses_cli.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate_command(path: Path | None):
    """Report every problem in the courses (or one course folder) as file:line."""
    root = Path(current_app.config["COURSES_DIR"])
    if path is not None and (path / "course.yml").exists():
        _, problems = parse_course_folder(path.resolve(), path.resolve().parent)
    else:
        specs, problems = parse_courses((path or root).resolve())
        problems += records_at_risk(specs)
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors = sum(1 for p in problems if p.severity == "error")
    click.echo(f"{errors} error(s), {len(problems) - errors} warning(s).")
    if errors:
        raise SystemExit(1)


@courses_cli.command("sync")
def sync_command():
    """Load every course in COURSES_DIR into the database, in one transaction, with the edits
    published in the browser applied."""
    root = Path(current_app.config["COURSES_DIR"])
    try:
        report = sync_courses_with_edits(root)
    except CourseContentError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("nothing was loaded; fix the errors above") from error
    db.session.commit()
    for warning in report.warnings:
        click.echo(str(warning))
    click.echo(
        f"Loaded {len(report.courses)} course(s): {report.modules_added} module(s) added, "
        f"{report.modules_updated} updated, {report.modules_archived} archived."
    )
