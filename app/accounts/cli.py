import click
from flask.cli import AppGroup

from app.accounts import services
from app.accounts.models import Role
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
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
        user = services.create_user(username, full_name, password, role, unit, phone)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.username} ({user.full_name}).")
