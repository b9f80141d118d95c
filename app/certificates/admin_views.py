"""Certificates admin: search, revoke with a reason, correct a name and reissue, print a unit's set."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.models import Role
from app.accounts.services import AccountError
from app.audit import services as audit
from app.certificates import admin_services, batch, services
from app.certificates.admin_forms import NameCorrectionForm, PrintForm, ReissueForm, RevokeForm
from app.certificates.models import Certificate
from app.content.models import Course
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.status import job_status
from app.jobs.views import RetryForm
from app.security.access import roles_required
from app.security.input_hygiene import is_ascii_number
from app.units.choices import ChoiceError, find_intake_code, find_unit_code, intake_choices, unit_choices
from app.units.services import today

bp = Blueprint("certificates_admin", __name__, url_prefix="/admin/certificates",
               template_folder="templates")
REFRESH_SECONDS = 3


@bp.route("")
@roles_required(Role.ADMIN)
def search():
    page = request.args.get("page", "1")
    unit_text, unit_error = request.args.get("unit", "")[:300], ""
    try:
        unit_code = find_unit_code(unit_text) or ""
    except ChoiceError as problem:
        unit_code, unit_error = "", _(problem.message, **problem.params)
    query = admin_services.CertificateSearch(
        text=request.args.get("q", ""),
        unit_code=unit_code,
        course_slug=request.args.get("course", "")[:64],
        status=request.args.get("status", ""),
        page=int(page) if is_ascii_number(page) and len(page) < 6 else 1,
    )
    certificates, has_more = ([], False) if unit_error else admin_services.search_certificates(query)
    return render_template(
        "certificates/admin_search.html", certificates=certificates, has_more=has_more,
        query=query, unit_text=unit_text, unit_error=unit_error, unit_choices=unit_choices(),
        courses=_courses(), status_names=admin_services.STATUS_NAMES,
    )


@bp.route("/<code>")
@roles_required(Role.ADMIN)
def detail(code: str):
    return _detail_page(_certificate_or_404(code))


@bp.route("/<code>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke(code: str):
    certificate = _certificate_or_404(code)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _detail_page(certificate, revoke_form=form), 400
    try:
        services.revoke_certificate(certificate, form.reason.data)
    except services.CertificateStateError:
        flash(_("Only a valid certificate can be revoked."), "error")
        return redirect(url_for(".detail", code=certificate.display_code))
    db.session.commit()
    flash(_("Certificate revoked. Its verification page now says so, with the reason."), "success")
    return redirect(url_for(".detail", code=certificate.display_code))


@bp.route("/<code>/name", methods=["POST"])
@roles_required(Role.ADMIN)
def correct_name(code: str):
    certificate = _certificate_or_404(code)
    form = NameCorrectionForm()
    if form.validate_on_submit():
        try:
            admin_services.correct_learner_name(certificate.user, form.full_name.data)
        except AccountError:
            form.full_name.errors.append(
                _("This name cannot be printed: remove invisible or control characters.")
            )
        else:
            db.session.commit()
            flash(_("Name corrected. Reissue the certificate to print the new name."), "success")
            return redirect(url_for(".detail", code=certificate.display_code))
    return _detail_page(certificate, name_form=form), 400


@bp.route("/<code>/reissue", methods=["POST"])
@roles_required(Role.ADMIN)
def reissue(code: str):
    certificate = _certificate_or_404(code)
    if not ReissueForm().validate_on_submit():
        abort(400)
    try:
        replacement = services.reissue_certificate(certificate)
    except services.CertificateStateError:
        flash(_("Only a valid certificate can be reissued."), "error")
        return redirect(url_for(".detail", code=certificate.display_code))
    completion_id, new_code = replacement.completion_id, replacement.display_code
    db.session.commit()
    services.render_soon(completion_id)
    flash(_("Reissued with a new code; the old code now says superseded."), "success")
    return redirect(url_for(".detail", code=new_code))


@bp.route("/print", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def print_form():
    form = PrintForm(formdata=request.form if request.method == "POST" else request.args)
    form.course.choices = [SelectChoice(c.slug, c.title) for c in _courses()]
    selection = _print_selection(form) if request.method == "POST" and form.validate() else None
    if selection is not None:
        try:
            count = len(batch.select_for_print(selection).items)
        except batch.SelectionError:
            count = None
        if count:
            return redirect(url_for(".print_job", token=_start_print_job(selection, form.output.data)))
        form.unit.errors.append(_("No valid certificate matches: check the unit and intake codes.")
                                if count is None else _("No valid certificate matches this choice."))
    return render_template("certificates/admin_print.html", form=form, unit_choices=unit_choices(),
                           intake_choices=intake_choices())


def _print_selection(form: PrintForm) -> batch.PrintSelection | None:
    """The unit and intake meant by what was typed or picked; None, with form errors, if unclear."""
    course = db.session.scalar(sa.select(Course).where(Course.slug == form.course.data))
    codes = {}
    for name, find in (("unit", find_unit_code), ("intake", lambda text: find_intake_code(course.id, text))):
        try:
            codes[name] = find(form[name].data or "")
        except ChoiceError as problem:
            form[name].errors.append(_(problem.message, **problem.params))
    if len(codes) < 2:
        return None
    return batch.PrintSelection(form.course.data, codes["unit"], codes["intake"])


@bp.route("/print/<token>")
@roles_required(Role.ADMIN)
def print_job(token: str):
    job = _job_or_404(token)
    status = job_status(job)
    response = Response(render_template("certificates/admin_print_job.html", job=job, status=status,
                                        refresh_seconds=REFRESH_SECONDS, retry_form=RetryForm()))
    if status.may_change:
        response.headers["Refresh"] = str(REFRESH_SECONDS)  # reloads the page without script
    return response


@bp.route("/print/<token>/download")
@roles_required(Role.ADMIN)
def print_download(token: str):
    job = _job_or_404(token)
    if job.state != "done" or job.result is None:
        abort(404)
    return Response(job.result, mimetype=job.result_mimetype, headers={
        "Content-Disposition": f'attachment; filename="{job.result_filename}"'})


def _start_print_job(selection: batch.PrintSelection, output: str) -> str:
    params = {"course": selection.course_slug, "unit": selection.unit_code,
              "intake": selection.intake_code, "format": output, "on": today().isoformat()}
    job = jobs.create_job(batch.PRINT_JOB, params, current_user.id)
    audit.record("certificates.print_requested", target=selection.course_slug, job=job.token, **{
        k: v for k, v in params.items() if k != "course"})
    db.session.commit()
    jobs.dispatch(job)
    return job.token


def _detail_page(certificate: Certificate, revoke_form=None, name_form=None):
    name_form = name_form or NameCorrectionForm(formdata=None, full_name=certificate.user.full_name)
    return render_template(
        "certificates/admin_certificate.html", certificate=certificate,
        revoke_form=revoke_form or RevokeForm(formdata=None), name_form=name_form,
        reissue_form=ReissueForm(formdata=None), status_names=admin_services.STATUS_NAMES,
    )


def _certificate_or_404(code: str) -> Certificate:
    certificate = services.find_by_code(code)
    if certificate is None:
        abort(404)
    return certificate


def _job_or_404(token: str):
    job = jobs.find_job(token)
    if job is None or job.kind != batch.PRINT_JOB:
        abort(404)
    return job


def _courses() -> list[Course]:
    return list(db.session.scalars(sa.select(Course).order_by(Course.title)))
