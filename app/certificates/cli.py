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


@certificates_cli.command("render-missing")
def render_missing_command():
    """Render and store the PDF of every certificate issued but not yet downloaded."""
    ids = services.ids_without_pdf()
    for number, certificate_id in enumerate(ids, start=1):
        services.stored_pdf(db.session.get(services.Certificate, certificate_id))
        db.session.commit()
        click.echo(f"{number}/{len(ids)}", err=True)
    click.echo(f"Rendered {len(ids)} certificate PDF(s).")


@certificates_cli.command("print")
@click.option("--course", "course_slug", required=True, help="Course id (slug).")
@click.option("--unit", "unit_code", default=None, help="Unit code: the unit and every unit beneath it.")
@click.option("--intake", "intake_code", default=None, help="Intake code.")
@click.option("--zip", "as_zip", is_flag=True, help="A ZIP of the issued PDFs instead of one PDF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def print_command(course_slug, unit_code, intake_code, as_zip, output):
    """One print-ready PDF of a course's valid certificates: a cover list, then one page each,
    by unit and then by name."""
    from app.certificates import batch

    def progress(done: int, total: int) -> None:
        click.echo(f"{done}/{total}", err=True)

    selection = batch.PrintSelection(course_slug, unit_code, intake_code)
    try:
        print_set = batch.select_for_print(selection)
        content = batch.print_zip(print_set, progress) if as_zip else batch.print_pdf(print_set, progress)
    except batch.JobError as error:
        raise click.ClickException(str(error)) from error
    with open(output, "wb") as file:
        file.write(content)
    click.echo(f"Wrote {len(print_set.items)} certificates to {output}.")
