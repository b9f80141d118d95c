"""Admin reports: the funnel by unit with drill-down, its CSV and XLSX exports, a learner's record."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user

from app.accounts.models import Role
from app.audit import services as audit
from app.certificates.admin_services import STATUS_NAMES
from app.content.models import Course
from app.extensions import db
from app.intakes.models import Intake
from app.reports import learner_detail, services
from app.reports.exports import Fact, XlsxLabels, report_csv, report_xlsx
from app.security.access import roles_required
from app.units.choices import ChoiceError, find_unit_code, unit_choices
from app.units.services import today

bp = Blueprint("reports", __name__, url_prefix="/admin/reports", template_folder="templates")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportQuery:
    """What the filter form asks for, as typed (so links keep it) and as looked up."""

    intake_code: str
    unit_code: str  # resolved from what was typed: a code, a unique name or "Name (code)"
    on_text: str
    intake: Intake | None
    on: date
    unit_text: str = ""
    unit_error: str = ""

    def args(self, **changes) -> dict[str, str]:
        """Query-string arguments for links that keep the filters."""
        values = {"intake": self.intake_code, "unit": self.unit_code, "on": self.on_text, **changes}
        return {key: value for key, value in values.items() if value}


@bp.route("")
@roles_required(Role.ADMIN)
def index():
    courses = db.session.scalars(sa.select(Course).where(~Course.is_archived).order_by(Course.title))
    return render_template(
        "reports/index.html", courses=[(c, services.intakes_of(c)) for c in courses]
    )


@bp.route("/courses/<slug>")
@roles_required(Role.ADMIN)
def funnel(slug: str):
    course = _course_or_404(slug)
    query = _read_query(course)
    report = _report_or_404(course, query)
    return render_template(
        "reports/funnel.html",
        report=report,
        query=query,
        intakes=services.intakes_of(course),
        unit_choices=unit_choices(_units_near(report)),
        unit_url=lambda code: url_for("reports.funnel", slug=course.slug, **query.args(unit=code)),
        learner_url=lambda username: url_for("reports.learner", username=username),
    )


@bp.route("/courses/<slug>/funnel.csv")
@roles_required(Role.ADMIN)
def export_csv(slug: str):
    """Comma-separated; `?separator=semicolon` for Excel set to Vietnamese."""
    separator = ";" if request.args.get("separator") == "semicolon" else ","
    # Flask adds "; charset=utf-8" to a text/* mimetype itself.
    return _export(slug, "csv", lambda report: report_csv(report.table, separator), "text/csv")


@bp.route("/courses/<slug>/funnel.xlsx")
@roles_required(Role.ADMIN)
def export_xlsx(slug: str):
    labels = XlsxLabels(about_sheet=_("About this report"), unit_code=_("Unit code"))
    return _export(slug, "xlsx", lambda report: report_xlsx(report.table, _facts(report), labels),
                   XLSX_MIMETYPE)


@bp.route("/learner")
@roles_required(Role.ADMIN)
def learner():
    user = learner_detail.find_learner(request.args.get("username", ""))
    if user is None:
        abort(404)
    return render_template(
        "reports/learner.html", learner=user, records=learner_detail.learner_record(user),
        status_names=STATUS_NAMES,
    )


def _export(slug: str, extension: str, write, mimetype: str) -> Response:
    course = _course_or_404(slug)
    query = _read_query(course)
    if query.unit_error:
        abort(404)  # a file of every province, under a name that says one unit, would mislead
    report = _report_or_404(course, query)
    body = write(report)
    audit.record("report.exported", target=course.slug, format=extension,
                 intake=query.intake_code, unit=query.unit_code, on=report.on.isoformat())
    db.session.commit()
    parts = ["bao-cao", course.slug, query.intake_code, query.unit_code, report.on.isoformat()]
    filename = re.sub(r"[^A-Za-z0-9.-]+", "-", "-".join(p for p in parts if p)) + "." + extension
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _facts(report: services.FunnelReport) -> list[Fact]:
    """The report's title lines, with its date as a date, and when and by whom it was exported."""
    as_on = _("Units as they were on")  # the title row holding the date (services._title_rows)
    exported_at = to_user_timezone(datetime.now(UTC)).replace(tzinfo=None)  # Excel has no time zones
    return [
        (_("Report"), f"{_('Funnel')}: {report.course.title}"),
        *((label, report.on if label == as_on else value) for label, value in report.table.title_rows),
        (_("Exported at"), exported_at),
        (_("Exported by"), f"{current_user.full_name} ({current_user.username})"),
    ]


def _course_or_404(slug: str) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug[:64]))
    if course is None:
        abort(404)
    return course


def _read_query(course: Course) -> ReportQuery:
    intake_code = request.args.get("intake", "")[:32]
    intake = None
    if intake_code:
        intake = db.session.scalar(
            sa.select(Intake).where(Intake.course_id == course.id, Intake.code == intake_code)
        )
        if intake is None:
            abort(404)
    on_text = request.args.get("on", "")[:10]
    on = _parse_date(on_text)
    if on is None:
        if on_text:
            flash(_("Write the date as YYYY-MM-DD, for example 2025-06-30. Showing today's units."),
                  "error")
        on_text, on = "", today()
    unit_text, unit_error = request.args.get("unit", "")[:300], ""
    try:
        unit_code = find_unit_code(unit_text) or ""
    except ChoiceError as problem:
        unit_code, unit_error = "", _(problem.message, **problem.params)
    return ReportQuery(intake_code, unit_code, on_text, intake, on, unit_text, unit_error)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def _units_near(report: services.FunnelReport) -> set[int]:
    """The units the filter lists: the provinces at the top; from a province or a commune, that
    province's units. A country's 3,400 units made every funnel page 190 KB heavier; any other
    unit can still be typed by its name or code."""
    tree = report.tree
    focus = report.funnel.focus
    if focus is None:
        return {unit.id for unit in tree.nodes.values() if unit.level == "province"}
    return tree.recorded_under(tree.path(focus.id)[0])


def _report_or_404(course: Course, query: ReportQuery) -> services.FunnelReport:
    try:
        return services.funnel_report(course, query.intake, query.unit_code or None, query.on)
    except services.UnknownUnitError:
        abort(404)
