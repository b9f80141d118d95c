"""`flask users import` and `flask intakes ...`: the same services as the admin pages."""

import datetime
import os
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Role, User
from app.audit import services as audit
from app.content.services import course_by_slug
from app.database import begin_write_transaction
from app.enrolment import learner_import, services
from app.enrolment.slips_job import LOGIN_SLIPS_JOB, job_page_url
from app.extensions import db
from app.jobs import runners
from app.jobs import services as jobs
from app.jobs.models import BatchJob, JobState


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--intake", "intake_ref", default=None, metavar="COURSE:INTAKE_CODE",
              help="Enrol everyone imported in this intake.")
@click.option("--slips", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the login slips PDF (default: login-slips-<time>.pdf here).")
@click.option("--slips-in-background", is_flag=True,
              help="Only queue the login slips job; --admin downloads the PDF from its page on the web.")
@click.option("--admin", "admin_username", default=None, metavar="USERNAME",
              help="The admin whose web page shows the slips job (needed with --slips-in-background).")
def import_users_command(file: Path, dry_run: bool, intake_ref: str | None, slips: Path | None,
                         slips_in_background: bool, admin_username: str | None):
    """Create learner accounts from an XLSX or CSV list: all rows or none.

    Prints every row's result with its spreadsheet row number. The accounts are committed first,
    with no working password; then the login slips job gives each a one-time password and
    writes the slips PDF, the only copy of those passwords: print it, hand it out, delete it.
    """
    started = time.perf_counter()
    intake = services.intake_by_reference(intake_ref) if intake_ref else None
    if intake_ref and intake is None:
        raise click.ClickException(f"no intake {intake_ref!r} (create it with `flask intakes create`)")
    admin = _admin(admin_username, required=slips_in_background)
    slips = slips or Path(f"login-slips-{datetime.datetime.now():%Y%m%d-%H%M%S}.pdf")
    if not dry_run and not slips_in_background:
        _check_slips_target(slips)
    rows, report = learner_import.read_learner_file(file.read_bytes())
    plan = (learner_import.plan_learner_import(rows, report.ignored_columns, notes=report.notes)
            if rows else None)
    report = plan.report if plan else report
    for line in report.english_lines():
        click.echo(line)
    if not report.ok:
        if not dry_run:
            audit.record("users.imported", "failure", target=file.name,
                         error_rows=len(report.error_rows))
            db.session.commit()  # recorded before the refusal is answered
        raise click.ClickException(f"nothing was imported: {len(report.error_rows)} row(s) with errors")
    if dry_run:
        click.echo(f"Dry run: {len(report.rows)} account(s) would be created; nothing was written.")
        return
    worker = None if slips_in_background else f"cli:{jobs.default_worker_name()}"
    writing = time.perf_counter()
    job = _create_accounts(plan, file.name, intake, admin, worker)
    done = time.perf_counter()
    enrolled = f", enrolled in {intake.name}" if intake else ""
    click.echo(f"Created {len(job.params['user_ids'])} account(s){enrolled} in {done - started:.1f} s "
               f"(the write transaction {done - writing:.1f} s); each can log in once its login slip "
               "is made.")
    if slips_in_background:
        runners.hand_over(current_app._get_current_object(), job.token)
        click.echo(f"Login slips job queued; {admin.username} downloads the slips from "
                   f"{job_page_url(job.token)}")
        return
    click.echo(f"Making the login slips (job {job.token}; should this stop, "
               f"`flask users slips --job {job.token}` makes them again).")
    _make_slips(jobs.JobRun(job.id, dict(job.params), worker), job.token, slips)


def _admin(username: str | None, required: bool) -> User | None:
    if username is None:
        if required:
            raise click.ClickException("--slips-in-background needs --admin USERNAME: the admin "
                                       "whose job page will offer the slips")
        return None
    admin = db.session.scalar(sa.select(User).where(User.username == username))
    if admin is None or admin.role != Role.ADMIN:
        raise click.ClickException(f"no admin account {username!r}")
    return admin


def _check_slips_target(slips: Path) -> None:
    """Refuse a slips file that cannot be written before any account is made."""
    if slips.exists():
        raise click.ClickException(f"{slips} exists; choose another --slips file")
    folder = slips.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise click.ClickException(f"cannot write {slips}: {folder} is not a writable folder")


def _create_accounts(plan, source: str, intake, admin: User | None, worker: str | None) -> BatchJob:
    """The accounts (no working password yet) and their login slips job, in one short transaction."""
    try:
        begin_write_transaction()
        accounts = learner_import.apply_learner_import(plan, source, intake, with_passwords=False)
        job = jobs.create_job(LOGIN_SLIPS_JOB, {"user_ids": [a.user.id for a in accounts]},
                              admin.id if admin else None, claimed_by=worker)
        db.session.commit()
    except IntegrityError as problem:
        db.session.rollback()
        raise click.ClickException(f"nothing was imported: {problem}") from problem
    return job


def _make_slips(run: jobs.JobRun, token: str, slips: Path) -> None:
    """Run the login slips job here, then move its PDF from the database into `slips`."""
    started = time.perf_counter()
    run.on_report = _progress_printer()
    jobs.run_claimed(run)
    job = jobs.find_job(token)
    if job.state != JobState.DONE:
        raise click.ClickException(
            f"the login slips were not made ({job.error}). The accounts exist but cannot log in "
            f"until they are: {_how_to_make_them_again(job)}")
    _save_result(job, slips)
    click.echo(f"Login slips with the one-time passwords: {slips} (keep it safe, delete it after "
               f"printing); made in {time.perf_counter() - started:.1f} s.")


def _progress_printer():
    shown = {"percent": -1}

    def show(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent >= shown["percent"] + 10 or done + 1 >= total:
            shown["percent"] = percent
            click.echo(f"Login slips: {done}/{total - 1} passwords set, then the PDF", err=True)

    return show


def _save_result(job: BatchJob, slips: Path) -> None:
    """Write the job's PDF with mode 0600, and only then delete it from the database."""
    pdf = jobs.take_result(job)
    if pdf is None:
        db.session.rollback()
        raise click.ClickException("these login slips were already downloaded or have expired, and were "
                                   "deleted. Reset the passwords of the learners who need a slip from "
                                   "their account pages.")
    try:
        _write_private(slips, pdf)
    except OSError as problem:
        db.session.rollback()  # the PDF stays in the database until it expires
        raise click.ClickException(
            f"cannot write {slips} ({problem}). Get the slips with `flask users slips --job {job.token} "
            f"--slips OTHER_FILE` within {current_app.config['JOB_PRIVATE_RESULT_MINUTES']} minutes"
        ) from problem
    db.session.commit()


def _how_to_make_them_again(job: BatchJob) -> str:
    again = f"run `flask users slips --job {job.token} --slips FILE`"
    if job.created_by_id is None:
        return again + "."
    return again + f", or press Retry on {job_page_url(job.token)}."


@click.command("slips")
@click.option("--job", "token", required=True, help="The login slips job named by `flask users import`.")
@click.option("--slips", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the login slips PDF (default: login-slips-<time>.pdf here).")
def slips_command(token: str, slips: Path | None):
    """Make (or fetch) the login slips of an import again: a failed or stopped job runs again here,
    a finished one's PDF is written out if nobody has downloaded it yet."""
    slips = slips or Path(f"login-slips-{datetime.datetime.now():%Y%m%d-%H%M%S}.pdf")
    _check_slips_target(slips)
    job = jobs.find_job(token)
    if job is None or job.kind != LOGIN_SLIPS_JOB:
        raise click.ClickException(f"no login slips job {token!r}")
    if job.state == JobState.DONE:
        _save_result(job, slips)
        click.echo(f"Login slips with the one-time passwords: {slips} (keep it safe, delete it after "
                   "printing)")
        return
    worker = f"cli:{jobs.default_worker_name()}"
    if job.state == JobState.QUEUED:
        claimed = jobs.claim(job.token, worker)
    else:
        claimed = jobs.JobRun(job.id, dict(job.params), worker) if jobs.retry_job(job, worker) else None
        db.session.commit()
    if claimed is None:
        raise click.ClickException(f"this job is running in another worker; follow it on "
                                   f"{job_page_url(token)}")
    _make_slips(claimed, job.token, slips)


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
