"""`flask users import` and `flask intakes ...`: the same services as the admin pages."""

import datetime
import os
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.certificates.pdf_rendering import PdfRenderError
from app.content.services import course_by_slug
from app.enrolment import learner_import, services
from app.extensions import db


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--intake", "intake_ref", default=None, metavar="COURSE:INTAKE_CODE",
              help="Enrol everyone imported in this intake.")
@click.option("--slips", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the login slips PDF (default: login-slips-<time>.pdf here).")
def import_users_command(file: Path, dry_run: bool, intake_ref: str | None, slips: Path | None):
    """Create learner accounts from an XLSX or CSV list: all rows or none.

    Prints every row's result with its spreadsheet row number. On success writes the login
    slips PDF, the only copy of the one-time passwords: print it, hand it out, delete it.
    """
    intake = services.intake_by_reference(intake_ref) if intake_ref else None
    if intake_ref and intake is None:
        raise click.ClickException(f"no intake {intake_ref!r} (create it with `flask intakes create`)")
    slips = slips or Path(f"login-slips-{datetime.datetime.now():%Y%m%d-%H%M%S}.pdf")
    if not dry_run and slips.exists():
        raise click.ClickException(f"{slips} exists; choose another --slips file")
    rows, report = learner_import.read_learner_file(file.read_bytes())
    plan = (learner_import.plan_learner_import(rows, report.ignored_columns, notes=report.notes)
            if rows else None)
    report = plan.report if plan else report
    for line in report.english_lines():
        click.echo(line)
    if not report.ok:
        if not dry_run:
            audit.record_now("users.imported", "failure", target=file.name,
                             error_rows=len(report.error_rows))
        raise click.ClickException(f"nothing was imported: {len(report.error_rows)} row(s) with errors")
    if dry_run:
        click.echo(f"Dry run: {len(report.rows)} account(s) would be created; nothing was written.")
        return
    _import(plan, file.name, intake, slips)


def _import(plan, source: str, intake, slips: Path) -> None:
    try:
        accounts = learner_import.apply_learner_import(plan, source, intake)
        pdf = learner_import.login_slips_pdf(accounts)
        _write_private(slips, pdf)
        db.session.commit()
    except (IntegrityError, PdfRenderError, OSError) as problem:
        db.session.rollback()
        slips.unlink(missing_ok=True)
        raise click.ClickException(f"nothing was imported: {problem}") from problem
    enrolled = f", enrolled in {intake.name}" if intake else ""
    click.echo(f"Created {len(accounts)} account(s){enrolled}.")
    click.echo(f"Login slips with the one-time passwords: {slips} (keep it safe, delete it after printing)")


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read: it holds passwords."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as output:
        output.write(data)


intakes_cli = AppGroup("intakes", help="Course intakes (đợt) and their rosters.")


@intakes_cli.command("create")
@click.argument("course_slug")
@click.argument("code")
@click.option("--name", required=True, help='e.g. "Đợt 1 năm 2025".')
@click.option("--deadline", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day to finish, YYYY-MM-DD.")
def create_intake_command(course_slug, code, name, deadline):
    """Create an intake of a course."""
    course = course_by_slug(course_slug)
    if course is None:
        raise click.ClickException(f"no course {course_slug!r}")
    try:
        intake = services.create_intake(course, code, name, deadline.date() if deadline else None)
    except services.EnrolmentError as problem:
        raise click.ClickException(str(problem)) from problem
    db.session.commit()
    click.echo(f"Created intake {course.slug}:{intake.code} ({intake.name}).")


@intakes_cli.command("enrol")
@click.argument("intake_ref", metavar="COURSE:INTAKE_CODE")
@click.option("--unit", "unit_codes", multiple=True, help="Every learner of this unit and below.")
@click.option("--user", "logins", multiple=True, help="A username or phone number.")
def enrol_command(intake_ref, unit_codes, logins):
    """Enrol learners of units, or single users, in an intake."""
    intake = services.intake_by_reference(intake_ref)
    if intake is None:
        raise click.ClickException(f"no intake {intake_ref!r}")
    try:
        counts = services.enrol_references(intake, list(unit_codes), list(logins))
    except services.EnrolmentError as problem:
        raise click.ClickException(str(problem)) from problem
    db.session.commit()
    click.echo(f"Enrolled {counts.enrolled}; {counts.already} already in this intake; "
               f"{len(counts.elsewhere)} in another intake of the course (unchanged).")


@intakes_cli.command("list")
def list_intakes_command():
    """Every intake with its roster size."""
    sizes = services.roster_sizes()
    for intake in services.intakes():
        deadline = intake.deadline.isoformat() if intake.deadline else "-"
        size = sizes.get(intake.id, 0)
        click.echo(f"{intake.course.slug}:{intake.code}\t{size}\t{deadline}\t{intake.name}")
