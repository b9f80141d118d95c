"""`flask units import` and `flask units merge`: loading the official list and recording reforms.
Also `flask users create`, which may put the account in a unit (the factory adds it to `users`)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from app.accounts import services as accounts
from app.accounts.models import Role
from app.audit import services as audit
from app.extensions import db
from app.units import imports, services

units_cli = AppGroup("units", help="Administrative units: import the official list, record merges.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
def import_units_command(file: Path, dry_run: bool):
    """Load units from CSV or XLSX with columns code, name, level, parent code ("Mã", "Tên",
    "Cấp", "Mã đơn vị cha"): all rows or none, errors by row number. Units already present
    with the same name, level and parent are left as they are."""
    plan = imports.plan_unit_import(file.read_bytes())
    for line in plan.report.english_lines():
        click.echo(line)
    if not plan.report.ok:
        if not dry_run:
            audit.record("units.imported", "failure", target=file.name,
                         error_rows=len(plan.report.error_rows))
            db.session.commit()  # recorded before the refusal is answered
        raise click.ClickException(f"nothing was imported: {len(plan.report.error_rows)} row(s) with errors")
    if dry_run:
        click.echo(f"Dry run: {len(plan.new_rows)} unit(s) would be created, {plan.unchanged} unchanged.")
        return
    created = imports.apply_unit_import(plan, file.name)
    db.session.commit()
    click.echo(f"Created {len(created)} unit(s); {plan.unchanged} already present and unchanged.")


@units_cli.command("merge")
@click.argument("codes", nargs=-1, required=True)
@click.option("--into", "into_code", required=True, help="Code of the unit they become part of.")
@click.option("--on", "effective", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The first day they no longer exist, YYYY-MM-DD.")
def merge_units_command(codes, into_code, effective):
    """Merge units into another from a date; learners stay attached and roll up to it."""
    into = services.find_unit_by_code(into_code)
    if into is None:
        raise click.ClickException(f"no unit with code {into_code!r}")
    for code in codes:
        unit = services.find_unit_by_code(code)
        if unit is None:
            raise click.ClickException(f"no unit with code {code!r}; nothing was merged")
        try:
            services.merge_unit(unit, into, effective.date())
        except services.UnitError as problem:
            raise click.ClickException(f"{code}: {problem}; nothing was merged") from problem
    db.session.commit()
    click.echo(f"Merged {len(codes)} unit(s) into {into.code} {into.name} from {effective.date()}.")


@click.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value)
@click.option("--name", "full_name", required=True, help="Full name, e.g. \"Nguyễn Thị Lan\".")
@click.option("--unit", "unit_ref", default=None, help="Unit code or name.")
@click.option("--phone", default=None, help="Phone number the user may log in with.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username, role, full_name, unit_ref, phone, password):
    """Create an account; prompts for the password when --password is omitted."""
    unit = None
    if unit_ref:
        unit = services.unit_by_code_or_name(unit_ref)
        if unit is None:
            raise click.ClickException(f"no unit with code or name {unit_ref!r}")
    try:
        user = accounts.create_user(username, full_name, password, role, unit, phone)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.username} ({user.full_name}).")
