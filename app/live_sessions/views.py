"""Live sessions: scheduling and the roster (the course's instructors and admins), the presenter's
check-in screen, the participant-report import, and the learner's check-in."""

from zoneinfo import ZoneInfo

import segno
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms.fields.choices import SelectChoice

from app.accounts.models import Role
from app.certificates.services import render_soon
from app.content.models import Course
from app.content.services import course_by_slug
from app.database import utcnow
from app.extensions import db, limiter
from app.imports.spreadsheets import SpreadsheetError
from app.intakes.models import Intake
from app.live_sessions import attendance_import, services
from app.live_sessions.forms import ActionForm, CheckinForm, ConfirmImportForm, ReportUploadForm, SessionForm
from app.live_sessions.models import LiveSession
from app.live_sessions.participant_report import read_participant_report
from app.live_sessions.schedule import checkin_window, utc_to_local
from app.security.access import authenticated, roles_required

bp = Blueprint("live_sessions", __name__, template_folder="templates")
STAFF = (Role.ADMIN, Role.INSTRUCTOR)
CONFIRM_MAX_AGE_SECONDS = 2 * 3600


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _checkin_limit() -> str:
    return current_app.config["LIVE_CHECKIN_RATE_LIMIT"]


def _managed_course(slug: str) -> Course:
    course = course_by_slug(slug[:64])
    if course is None:
        abort(404)
    if not services.may_manage(current_user, course):
        abort(403)
    return course


def _managed_session(session_id: int) -> LiveSession:
    session = db.get_or_404(LiveSession, session_id)
    if not services.may_manage(current_user, session.course):
        abort(403)
    return session


def _commit_and_render(completions) -> None:
    """Commit, then render the new certificates' PDFs (after the completing transaction)."""
    completion_ids = [c.id for c in completions]
    db.session.commit()
    for completion_id in completion_ids:
        render_soon(completion_id)


@bp.route("/courses/<slug>/live")
@roles_required(*STAFF)
def course_sessions(slug: str):
    course = _managed_course(slug)
    sessions = services.sessions_of(course)
    counts = {s.id: services.attendance_count(s) for s in sessions}
    return render_template("live_sessions/course_sessions.html", course=course, sessions=sessions,
                           counts=counts)


@bp.route("/courses/<slug>/live/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_session(slug: str):
    course = _managed_course(slug)
    form = _session_form(course)
    if form.validate_on_submit():
        try:
            session = services.schedule_session(course, form.details(), _zone(), current_user)
        except services.LiveSessionError as problem:
            form.intake.errors.append(_(problem.message, **problem.params))
        else:
            db.session.commit()
            flash(_("Session scheduled. Its check-in code is %(code)s.", code=session.checkin_code),
                  "success")
            return redirect(url_for("live_sessions.roster", session_id=session.id))
    return render_template("live_sessions/session_form.html", course=course, form=form, session=None)


@bp.route("/live/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_session(session_id: int):
    session = _managed_session(session_id)
    form = _session_form(session.course, session)
    if form.validate_on_submit():
        try:
            completions = services.update_session(session, form.details(), _zone())
        except services.LiveSessionError as problem:
            form.intake.errors.append(_(problem.message, **problem.params))
        else:
            _commit_and_render(completions)
            flash(_("Session saved."), "success")
            _flash_completions(completions)
            return redirect(url_for("live_sessions.roster", session_id=session.id))
    return render_template("live_sessions/session_form.html", course=session.course, form=form,
                           session=session, delete_form=ActionForm())


@bp.route("/live/<int:session_id>/delete", methods=["POST"])
@roles_required(*STAFF)
def delete_session(session_id: int):
    session = _managed_session(session_id)
    course = session.course
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        completions = services.delete_session(session)
    except services.LiveSessionError as problem:
        db.session.rollback()
        flash(_(problem.message, **problem.params), "error")
        return redirect(url_for("live_sessions.edit_session", session_id=session_id))
    _commit_and_render(completions)
    flash(_("Session deleted."), "success")
    _flash_completions(completions)
    return redirect(url_for("live_sessions.course_sessions", slug=course.slug))


def _session_form(course: Course, session: LiveSession | None = None) -> SessionForm:
    form = SessionForm(obj=None)
    intakes = db.session.scalars(sa.select(Intake).where(Intake.course_id == course.id)
                                 .order_by(Intake.created_at, Intake.code))
    form.intake.choices = [SelectChoice(0, _("Every intake")),
                           *(SelectChoice(i.id, f"{i.name} ({i.code})") for i in intakes)]
    if session is not None and request.method == "GET":
        local = utc_to_local(session.starts_at_utc, _zone())
        form.title.data = session.title
        form.day.data, form.at.data = local.date().isoformat(), local.strftime("%H:%M")
        form.duration_minutes.data = str(session.duration_minutes)
        form.meeting_url.data, form.location.data = session.meeting_url, session.location
        form.intake.data = session.intake_id or 0
        form.attendance_required.data = session.attendance_required
        form.minimum_minutes.data = str(session.minimum_minutes)
    return form


@bp.route("/live/<int:session_id>/roster", methods=["GET", "POST"])
@roles_required(*STAFF)
def roster(session_id: int):
    session = _managed_session(session_id)
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) < 6 else 1
    search = request.args.get("q", "")[:60]
    form = ActionForm()
    if form.validate_on_submit():
        shown, ticked = _ids("shown"), _ids("attended")
        added, removed, completions = services.update_roster(session, shown, ticked, current_user)
        _commit_and_render(completions)
        flash(_("Roster saved: %(added)d ticked, %(removed)d unticked.", added=added, removed=removed),
              "success")
        _flash_completions(completions)
        return redirect(url_for("live_sessions.roster", session_id=session.id, page=page, q=search or None))
    learners, total = services.roster_page(session, page, search)
    return render_template(
        "live_sessions/roster.html", session=session, learners=learners, total=total, page=page,
        search=search, pages=max(1, -(-total // services.ROSTER_PAGE_SIZE)), form=form,
        attendance=services.attendance_of(session, [u.id for u in learners]),
        attended_count=services.attendance_count(session),
        window=checkin_window(session.starts_at_utc, session.duration_minutes),
    )


def _ids(name: str) -> set[int]:
    values = request.form.getlist(name)[:services.ROSTER_PAGE_SIZE * 2]
    return {int(v) for v in values if v.isdigit() and len(v) < 10}


def _flash_completions(completions) -> None:
    if completions:
        flash(_("%(count)d learners completed the course; their certificates were issued.",
                count=len(completions)), "success")


@bp.route("/live/<int:session_id>/present")
@roles_required(*STAFF)
def present(session_id: int):
    session = _managed_session(session_id)
    url = _checkin_url(session)
    qr = segno.make(url, error="m", micro=False)
    return render_template("live_sessions/present.html", session=session, checkin_url=url,
                           qr_data_uri=qr.svg_data_uri(border=2, scale=1),
                           window=checkin_window(session.starts_at_utc, session.duration_minutes))


def _checkin_url(session: LiveSession) -> str:
    """From configuration, never the request's Host: the QR code must lead to this site."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/live/{session.id}/check-in?code={session.checkin_code}"


@bp.route("/live/<int:session_id>/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def import_report(session_id: int):
    session = _managed_session(session_id)
    form = ReportUploadForm()
    if not form.validate_on_submit():
        return render_template("live_sessions/import_upload.html", session=session, form=form)
    try:
        report = read_participant_report(form.file.data.read())
    except SpreadsheetError as problem:
        form.file.errors.append(_(problem.issue.message, **problem.issue.params))
        return render_template("live_sessions/import_upload.html", session=session, form=form), 400
    if not report.has_durations and session.minimum_minutes:
        form.file.errors.append(_("This report has no column of minutes attended, and the session "
                                  "counts only participants who stayed %(minutes)d minutes.",
                                  minutes=session.minimum_minutes))
        return render_template("live_sessions/import_upload.html", session=session, form=form), 400
    source = (form.file.data.filename or "report")[:200]
    return _import_page(session, list(report.rows), report.problems, source)


@bp.route("/live/<int:session_id>/import/confirm", methods=["POST"])
@roles_required(*STAFF)
def confirm_import(session_id: int):
    session = _managed_session(session_id)
    payload = _signed_payload(ConfirmImportForm(), session)
    if payload is None:
        flash(_("This import has expired or was changed. Upload the report again."), "error")
        return redirect(url_for("live_sessions.import_report", session_id=session.id))
    plan = attendance_import.plan_import(session, attendance_import.rows_from_payload(payload["rows"]))
    added, completions = attendance_import.apply_import(plan, payload["source"], current_user)
    _commit_and_render(completions)  # every row and completion of the report in one transaction
    flash(_("Attendance imported: %(count)d learners recorded.", count=added), "success")
    _flash_completions(completions)
    return redirect(url_for("live_sessions.roster", session_id=session.id))


def _import_page(session: LiveSession, rows, problems, source: str):
    plan = attendance_import.plan_import(session, rows)
    payload = {"session": session.id, "source": source, "rows": attendance_import.rows_to_payload(rows)}
    confirm = None
    if plan.to_record:
        confirm = ConfirmImportForm(formdata=None, payload=_serializer().dumps(payload))
    return render_template("live_sessions/import_report.html", session=session, plan=plan,
                           problems=problems, source=source, confirm=confirm)


def _signed_payload(form: ConfirmImportForm, session: LiveSession) -> dict | None:
    if not form.validate_on_submit():
        return None
    try:
        payload = _serializer().loads(form.payload.data, max_age=CONFIRM_MAX_AGE_SECONDS)
    except BadSignature:  # also an expired one
        return None
    if not isinstance(payload, dict) or payload.get("session") != session.id:
        return None
    return payload


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="hocso-attendance-import")


@bp.route("/live/<int:session_id>/check-in", methods=["GET", "POST"])
@authenticated
@limiter.limit(_checkin_limit, methods=["POST"], key_func=lambda: f"checkin:{current_user.get_id()}")
def check_in(session_id: int):
    session = db.get_or_404(LiveSession, session_id)
    window = checkin_window(session.starts_at_utc, session.duration_minutes)
    form = CheckinForm(formdata=None, code=request.args.get("code", "")[:20]) if request.method == "GET" \
        else CheckinForm()
    expected = services.is_expected(session, current_user)
    if request.method == "POST" and expected and form.validate_on_submit():
        try:
            added, completion = services.check_in(session, current_user, form.code.data, utcnow())
        except services.LiveSessionError as problem:
            db.session.rollback()
            form.code.errors.append(_(problem.message, **problem.params))
        else:
            completion_id = completion.id if completion else None
            db.session.commit()
            flash(_("You are checked in. Thank you!") if added else _("You were already checked in."),
                  "success")
            if completion_id is not None:
                render_soon(completion_id)
                flash(_("Congratulations! You have completed the course."), "success")
            return redirect(url_for("learning.course", slug=session.course.slug))
    status = 200 if expected else 403
    if request.method == "POST" and form.errors:
        status = 400
    return render_template("live_sessions/check_in.html", session=session, form=form, expected=expected,
                           window=window, state=window.state(utcnow()),
                           attended=services.attendance_of(session, [current_user.id])), status
