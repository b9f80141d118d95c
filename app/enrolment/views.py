"""Admin pages: learner imports (upload, dry run, confirm), intakes and enrolment."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from app.accounts.models import Role
from app.audit import services as audit
from app.content.models import Course
from app.enrolment import learner_import, services
from app.enrolment.forms import ConfirmImportForm, EnrolForm, ImportForm, IntakeEditForm, IntakeForm
from app.enrolment.slips_job import FILENAME, LOGIN_SLIPS_JOB
from app.extensions import db
from app.imports.row_report import warning
from app.intakes.models import Intake
from app.jobs import services as jobs
from app.jobs.status import job_status
from app.jobs.views import RetryForm
from app.security.access import roles_required
from app.units.choices import unit_choices

bp = Blueprint("enrolment", __name__, url_prefix="/admin", template_folder="templates")

CONFIRM_MAX_AGE_SECONDS = 2 * 3600
REFRESH_SECONDS = 3
WEB_MAX_ROWS = 500  # a province's commune leaders; larger lists: `flask users import` (the slips PDF
# of 500 learners takes about 20 s to render, the password hashes about 15 s)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/imports/learners", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_learners():
    form = ImportForm()
    form.intake.choices = [SelectChoice(0, "—"),
                           *(SelectChoice(i.id, _intake_label(i)) for i in services.intakes())]
    if not form.validate_on_submit():
        return render_template("enrolment/import_upload.html", form=form)
    upload = form.file.data
    rows, report = learner_import.read_learner_file(upload.read())
    plan = (learner_import.plan_learner_import(rows, report.ignored_columns, WEB_MAX_ROWS, report.notes)
            if rows else None)
    source = (upload.filename or "upload")[:200]
    payload = {"rows": rows, "ignored": report.ignored_columns, "intake": form.intake.data, "source": source,
               "notes": [[note.message, note.params] for note in report.notes]}
    return _report_page(plan.report if plan else report, payload, db.session.get(Intake, form.intake.data))


@bp.route("/imports/learners/confirm", methods=["POST"])
@roles_required(Role.ADMIN)
def confirm_import():
    form = ConfirmImportForm()
    payload = _signed_payload(form)
    if payload is None:
        flash(_("This import has expired or was changed. Upload the file again."), "error")
        return redirect(url_for("enrolment.import_learners"))
    intake = db.session.get(Intake, payload["intake"]) if payload["intake"] else None
    rows = [(number, values) for number, values in payload["rows"]]
    notes = [warning(message, **params) for message, params in payload.get("notes", [])]
    plan = learner_import.plan_learner_import(rows, payload["ignored"], WEB_MAX_ROWS, notes)
    if not plan.report.ok or (payload["intake"] and intake is None):
        audit.record("users.imported", "failure", target=payload["source"],
                     error_rows=len(plan.report.error_rows))
        db.session.commit()  # recorded before the refusal is answered
        return _report_page(plan.report, payload, intake, status=409)
    try:
        accounts = learner_import.apply_learner_import(plan, payload["source"], intake, with_passwords=False)
        job = jobs.create_job(LOGIN_SLIPS_JOB, {"user_ids": [a.user.id for a in accounts]}, current_user.id)
        db.session.commit()  # the accounts and their slips job, together
    except IntegrityError:
        db.session.rollback()
        current_app.logger.exception("learner import failed; nothing was written")
        flash(_("The import failed and nothing was written. Try again in a moment."), "error")
        return _report_page(plan.report, payload, intake, status=503)
    jobs.dispatch(job)
    return redirect(url_for("enrolment.slips_job", token=job.token))


@bp.route("/imports/learners/slips/<token>")
@roles_required(Role.ADMIN)
def slips_job(token: str):
    job = _slips_job_or_404(token)
    status = job_status(job)
    response = Response(render_template("enrolment/slips_job.html", job=job, status=status,
                                        refresh_seconds=REFRESH_SECONDS, retry_form=RetryForm(),
                                        download_form=RetryForm()))
    response.headers["Cache-Control"] = "no-store"
    if status.may_change:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.route("/imports/learners/slips/<token>/download", methods=["POST"])
@roles_required(Role.ADMIN)
def slips_download(token: str):
    """The slips PDF, once: it holds the one-time passwords, and leaves the server with this response."""
    job = _slips_job_or_404(token)
    if not RetryForm().validate_on_submit():
        abort(400)
    pdf = jobs.take_result(job)
    if pdf is None:
        db.session.rollback()
        flash(_("These login slips were already downloaded or have expired, and were deleted. "
                "Reset the passwords of the learners who need a slip from their account pages."), "error")
        return redirect(url_for("enrolment.slips_job", token=job.token))
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{FILENAME}"', "Cache-Control": "no-store"})


def _slips_job_or_404(token: str):
    job = jobs.find_job(token)
    if job is None or job.kind != LOGIN_SLIPS_JOB or job.created_by_id != current_user.id:
        abort(404)  # the passwords are for the admin who imported them
    return job


@bp.route("/imports/learners/template.xlsx")
@roles_required(Role.ADMIN)
def import_template():
    instructions = [
        _("One learner per row. Required: full name and unit (the unit's code, or its exact name)."),
        _("Optional: position, mobile phone number (10 digits, keep the 0), email, username."),
        _("Without a username, one is made from the name, e.g. nguyenthihongnhung."),
        _("Headers may be in Vietnamese or English. Keep the header row; delete nothing else."),
        _("The sheet of units lists every current unit and its code."),
    ]
    return Response(learner_import.template_workbook(instructions), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": 'attachment; filename="mau-danh-sach-hoc-vien.xlsx"'})


@bp.route("/intakes", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def intakes():
    form = IntakeForm()
    courses = db.session.scalars(sa.select(Course).filter_by(is_archived=False).order_by(Course.title)).all()
    form.course.choices = [SelectChoice(c.slug, c.title) for c in courses]
    if form.validate_on_submit():
        course = next(c for c in courses if c.slug == form.course.data)
        try:
            intake = services.create_intake(course, form.code.data, form.name.data, form.deadline.data,
                                            form.target.data)
        except services.EnrolmentError as problem:
            form.code.errors.append(_(problem.message, **problem.params))
        else:
            db.session.commit()
            flash(_("Intake %(name)s created.", name=intake.name), "success")
            return redirect(url_for("enrolment.intake", intake_id=intake.id))
    return render_template("enrolment/intakes.html", form=form, intakes=services.intakes(),
                           sizes=services.roster_sizes())


@bp.route("/intakes/<int:intake_id>")
@roles_required(Role.ADMIN)
def intake(intake_id: int):
    return _intake_page(_intake_or_404(intake_id), EnrolForm())


@bp.route("/intakes/<int:intake_id>/edit", methods=["POST"])
@roles_required(Role.ADMIN)
def edit_intake(intake_id: int):
    intake = _intake_or_404(intake_id)
    form = IntakeEditForm()
    if form.validate_on_submit():
        try:
            services.update_intake(intake, form.name.data, form.deadline.data, form.target.data)
        except services.EnrolmentError as problem:
            db.session.rollback()
            form.name.errors.append(_(problem.message, **problem.params))
        else:
            db.session.commit()
            flash(_("Intake %(name)s saved.", name=intake.name), "success")
            return redirect(url_for("enrolment.intake", intake_id=intake.id))
    return _intake_page(intake, EnrolForm(formdata=None), edit_form=form, status=400)


@bp.route("/intakes/<int:intake_id>/enrol", methods=["POST"])
@roles_required(Role.ADMIN)
def enrol(intake_id: int):
    intake = _intake_or_404(intake_id)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            units = _lines(form.unit.data) + _lines(form.unit_codes.data)
            counts = services.enrol_references(intake, units, _lines(form.logins.data))
        except services.EnrolmentError as problem:
            db.session.rollback()
            form.unit_codes.errors.append(_(problem.message, **problem.params))
        else:
            db.session.commit()
            flash(_("Enrolled %(enrolled)d; %(already)d were already in this intake; %(elsewhere)d are "
                    "in another intake of the course and were left there.", enrolled=counts.enrolled,
                    already=counts.already, elsewhere=len(counts.elsewhere)), "success")
            return redirect(url_for("enrolment.intake", intake_id=intake.id))
    return _intake_page(intake, form, status=400)


def _intake_page(intake: Intake, form: EnrolForm, edit_form: IntakeEditForm | None = None,
                 status: int = 200):
    edit_form = edit_form or IntakeEditForm(formdata=None, obj=intake)
    return render_template("enrolment/intake.html", intake=intake, form=form, edit_form=edit_form,
                           roster=services.roster(intake), unit_choices=unit_choices()), status


def _report_page(report, payload: dict, intake: Intake | None, status: int = 200):
    confirm = ConfirmImportForm(formdata=None, payload=_serializer().dumps(payload)) if report.ok else None
    return render_template("enrolment/import_report.html", report=report, confirm=confirm,
                           intake=intake, source=payload["source"]), status


def _signed_payload(form: ConfirmImportForm) -> dict | None:
    if not form.validate_on_submit():
        return None
    try:
        payload = _serializer().loads(form.payload.data, max_age=CONFIRM_MAX_AGE_SECONDS)
    except BadSignature:  # also an expired one
        return None
    expected = {"rows", "ignored", "intake", "source"}
    return payload if isinstance(payload, dict) and expected <= payload.keys() else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="hocso-learner-import")


def _intake_or_404(intake_id: int) -> Intake:
    intake = db.session.get(Intake, intake_id)
    if intake is None:
        abort(404)
    return intake


def _intake_label(intake: Intake) -> str:
    return f"{intake.course.title} — {intake.name} ({intake.code})"


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
