import click
from flask import current_app
from flask.cli import AppGroup

xapi_cli = AppGroup("xapi", help="xAPI statements for the province's learning record store (LRS).")


@xapi_cli.command("send")
def send_command():
    """Send the statements that are due now (web processes also do this every few seconds)."""
    from app.xapi.delivery import send_due_statements

    if not current_app.config.get("XAPI_LRS_URL"):
        raise click.ClickException("Set XAPI_LRS_URL to send statements to an LRS.")
    report = send_due_statements()
    click.echo(f"Sent {report.sent}, to retry later {report.retrying}, failed {report.failed}.")


@xapi_cli.command("status")
def status_command():
    """How many statements are pending, sent and failed."""
    from app.xapi.delivery import state_counts

    counts = state_counts()
    click.echo(", ".join(f"{state} {count}" for state, count in counts.items()))
