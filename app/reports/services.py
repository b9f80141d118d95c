"""Reading the funnel from the database: one grouped query per report, rolled up in Python."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.content.models import Course
from app.extensions import db
from app.intakes.models import Intake
from app.live_sessions.models import Attendance, LiveSession
from app.progress.models import Enrolment
from app.reports.charts import BarChart, bar_chart
from app.reports.funnel import STAGES, Funnel, LearnerStatus, StageCounts, build_funnel, in_name_order
from app.reports.report_table import (
    ReportTable,
    format_count,
    format_rate,
    funnel_section,
    learner_section,
    row_label,
)
from app.units.rollup import UnitFacts, UnitTree
from app.units.tree import unit_tree_on


class UnknownUnitError(LookupError):
    """The report was asked for a unit code that does not exist."""


@dataclass(frozen=True)
class FunnelReport:
    course: Course
    intake: Intake | None  # None: every intake
    on: date
    tree: UnitTree
    funnel: Funnel
    table: ReportTable
    charts: tuple[BarChart, ...]


def intakes_of(course: Course) -> list[Intake]:
    return list(db.session.scalars(
        sa.select(Intake).where(Intake.course_id == course.id).order_by(Intake.created_at, Intake.code)
    ))


def _roster(course: Course, intake: Intake | None, unit_ids: set[int] | None, columns: Callable,
            live: bool | None = None):
    """SELECT columns(attended) FROM the roster: its enrolments, which carry each learner's
    summary (started, completed with score, certified: app/progress/enrolment_summary.py), joined
    with her user row; `attended` (a live session of the course) is true/false.

    One row per learner, so the nation's funnel reads a million rows, not the twenty million
    progress rows behind them. Attendance is looked up only for a course with live sessions: the
    whole roster joins one DISTINCT subquery, which PostgreSQL hashes once; a few units (a
    province, a commune) probe the index per learner instead.
    """
    live = has_live_sessions(course) if live is None else live
    if not live:
        attended = sa.false()
    elif unit_ids is None:
        attended_rows = (sa.select(Attendance.user_id).join(LiveSession)
                         .where(LiveSession.course_id == course.id).distinct().subquery("attended"))
        attended = attended_rows.c.user_id.is_not(None)
    else:
        attended = sa.exists().where(
            Attendance.user_id == Enrolment.user_id,
            Attendance.session_id.in_(sa.select(LiveSession.id).where(LiveSession.course_id == course.id)))
    query = (
        sa.select(*columns(attended))
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course.id)
    )
    if unit_ids is None and live:
        query = query.outerjoin(attended_rows, attended_rows.c.user_id == Enrolment.user_id)
    elif unit_ids is not None:
        query = query.where(User.unit_id.in_(unit_ids))
    return query.where(Enrolment.intake_id == intake.id) if intake is not None else query


def _number_of(condition) -> sa.ColumnElement:
    return sa.func.count(sa.case((condition, 1)))


def stage_counts(course: Course, intake: Intake | None, unit_ids: set[int] | None = None,
                 live: bool | None = None) -> dict[int | None, StageCounts]:
    """Learners at each stage per recorded unit (only these units, if given), in one grouped query."""
    query = _roster(course, intake, unit_ids, lambda attended: (
        User.unit_id,
        sa.func.count(),
        sa.func.count(User.last_login_at),
        sa.func.count(Enrolment.started_at),
        sa.func.count(Enrolment.completed_at),
        _number_of(Enrolment.certified),
        sa.func.coalesce(sa.func.sum(Enrolment.score), 0),
        sa.func.count(Enrolment.score),
        _number_of(attended),
    ), live).group_by(User.unit_id)
    return {row[0]: StageCounts(*(int(n or 0) for n in row[1:])) for row in db.session.execute(query)}


def learner_statuses(course: Course, intake: Intake | None, unit_ids: set[int],
                     live: bool | None = None) -> list[LearnerStatus]:
    """The roster's learners recorded in these units, in Vietnamese name order."""
    query = _roster(course, intake, unit_ids, lambda attended: (
        User.username, User.full_name, User.name_sort_key, User.unit_id,
        User.last_login_at.is_not(None), Enrolment.started_at.is_not(None),
        Enrolment.completed_at.is_not(None), Enrolment.certified, Enrolment.score, attended,
    ), live)
    statuses = (
        LearnerStatus(username, name, key, unit_id, bool(r), bool(s), bool(c), bool(x), score, bool(a))
        for username, name, key, unit_id, r, s, c, x, score, a in db.session.execute(query)
    )
    return in_name_order(statuses)


def funnel_report(course: Course, intake: Intake | None, unit_code: str | None, on: date) -> FunnelReport:
    """The funnel one level below `unit_code` (every province when None), units as on `on`."""
    tree = unit_tree_on(on, around=unit_code or None)
    focus = None
    if unit_code:
        focus = tree.by_code(unit_code)
        if focus is None:
            raise UnknownUnitError(unit_code)
    scope = tree.recorded_under(focus.id) if focus else None  # a province reads only its rows
    live = has_live_sessions(course)  # the "attended" column only where there is something to attend
    funnel = build_funnel(tree, stage_counts(course, intake, scope, live), focus.id if focus else None)
    labels = _labels(focus)
    sections = [funnel_section(funnel, labels, with_attended=live)]
    if funnel.shows_learners:
        learners = learner_statuses(course, intake, set(funnel.direct_unit_ids), live)
        sections.append(learner_section(learners, lambda uid: _unit_name(tree, uid), labels,
                                        with_attended=live, unit_code=lambda uid: _unit_code(tree, uid)))
    title_rows = _title_rows(course, intake, focus, tree, on)
    if focus is None:  # an intake's target is the whole course's, not a province's
        title_rows += _target_rows(course, intake, funnel.total)
    table = ReportTable(title_rows, tuple(sections))
    return FunnelReport(course, intake, on, tree, funnel, table, _charts(funnel, labels))


def has_live_sessions(course: Course) -> bool:
    return db.session.scalar(sa.select(LiveSession.id).where(LiveSession.course_id == course.id)
                             .limit(1)) is not None


def _unit_name(tree: UnitTree, unit_id: int | None) -> str:
    return tree.node(unit_id).name if unit_id in tree.nodes else "—"


def _unit_code(tree: UnitTree, unit_id: int | None) -> str | None:
    return tree.node(unit_id).code if unit_id in tree.nodes else None


def _title_rows(course, intake, focus, tree: UnitTree, on: date) -> tuple[tuple[str, str], ...]:
    return (
        (_("Course"), course.title),
        (_("Intake"), intake.name if intake else _("All intakes")),
        (_("Unit"), tree.display_name(focus.id) if focus else _("All provinces")),
        (_("Units as they were on"), on.strftime("%d/%m/%Y")),
    )


def learner_target(course: Course, intake: Intake | None, enrolled: int) -> tuple[int, bool]:
    """The chỉ tiêu of an intake (of every intake together when None), and whether one was set.

    An intake without a target counts its enrolled learners; so does a roster without an intake.
    """
    intakes = [intake] if intake is not None else intakes_of(course)
    with_target = {i.id: i.target for i in intakes if i.target}
    if not with_target:
        return enrolled, False
    sizes = dict(db.session.execute(
        sa.select(Enrolment.intake_id, sa.func.count()).where(Enrolment.intake_id.in_(with_target))
        .group_by(Enrolment.intake_id)).all())
    return enrolled - sum(sizes.values()) + sum(with_target.values()), True


def _target_rows(course: Course, intake: Intake | None, total: StageCounts) -> tuple[tuple[str, str], ...]:
    target, is_set = learner_target(course, intake, total.target)
    how = _("set on the intake") if is_set else _("not set: the number of enrolled learners")
    return (
        (_("Learner target"), f"{format_count(target)} ({how})"),
        (_("Completed / target"), format_rate(StageCounts(target=target, completed=total.completed))),
    )


def _labels(focus: UnitFacts | None) -> dict[str, str]:
    return {
        "funnel_caption": _("Funnel by unit"),
        "learners_caption": _("Learners"),
        "unit": _("Unit"),
        "target": _("Enrolled learners"),
        "registered": _("Registered"),
        "started": _("Started the course"),
        "attended": _("Attended a live session"),
        "completed": _("Completed"),
        "certified": _("Certified"),
        "rate": _("Completion rate (of enrolled)"),
        "average": _("Average score"),
        "total": _("Total"),
        "direct": _("Directly in %(unit)s", unit=focus.name) if focus else "",
        "no_unit": _("No unit"),
        "number": _("No."),
        "full_name": _("Full name"),
        "username": _("Username"),
        "score": _("Score"),
        "yes": _("Yes"),
        "no": _("No"),
    }


def _charts(funnel: Funnel, labels: dict[str, str]) -> tuple[BarChart, ...]:
    total = funnel.total
    stages = bar_chart(
        "chart-stages",
        _("Learners at each stage"),
        _("Of %(target)s learners on the roster: %(summary)s.", target=format_count(total.target),
          summary=", ".join(f"{labels[s].lower()} {format_count(getattr(total, s))}" for s in STAGES[1:])),
        [(labels[s], getattr(total, s), format_count(getattr(total, s))) for s in STAGES],
        scale=total.target,
    )
    if not funnel.rows:
        return (stages,)
    rates = bar_chart(
        "chart-rates",
        _("Completion rate by unit"),
        _("Completed learners as a share of the roster, one bar per unit; the table has the numbers."),
        [(row_label(row, labels), row.counts.completion_rate or 0.0, format_rate(row.counts))
         for row in funnel.rows],
        scale=1.0,
    )
    return stages, rates
