import click
from flask.cli import AppGroup

from app.certificates import services
from app.extensions import db

certificates_cli = AppGroup("certificates", help="Revoke or reissue issued certificates.")


def _certificate_or_fail(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        raise click.ClickException(f"no certificate with code {code!r}")
    return certificate


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Shown on the public verification page.")
def revoke_command(code: str, reason: str):
    """Revoke a certificate; its verification page then says revoked, with the reason."""
    try:
        services.revoke_certificate(_certificate_or_fail(code), reason)
    except services.CertificateStateError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Revoked {code}.")


@certificates_cli.command("reissue")
@click.argument("code")
def reissue_command(code: str):
    """Reissue after a name or unit correction: new code and PDF, the old code says superseded."""
    try:
        replacement = services.reissue_certificate(_certificate_or_fail(code))
    except services.CertificateStateError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Reissued {code} as {replacement.display_code}.")
