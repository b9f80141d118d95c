"""Units with history: create, rename, move and merge (never delete), and today's tree.

Services add and flush; the view or command commits. Every change is audited.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_app_context

from app.accounts.models import Role, User
from app.accounts.services import normalize_name
from app.audit import services as audit
from app.extensions import db
from app.i18n.markers import N_
from app.units.history import LEVEL_RANK, UnitHistory, UnitNode
from app.units.models import Unit, UnitLevel

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_UNIT_NAME_LENGTH = 200


class UnitError(ValueError):
    """A unit change was refused; `message` is an English msgid, `params` fill it."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def today() -> date:
    """The date in the province's time zone."""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "Asia/Ho_Chi_Minh"
    return datetime.now(ZoneInfo(zone)).date()


def history() -> UnitHistory:
    """Every unit's parent, successor and end date, read in one query."""
    rows = db.session.execute(
        sa.select(Unit.id, Unit.parent_id, Unit.successor_id, Unit.valid_until, Unit.level)
    )
    return UnitHistory(UnitNode(*row) for row in rows)


def unit_on(unit: Unit, day: date) -> Unit:
    """The unit that stood for `unit` on `day`: itself, or where it was merged by then."""
    return db.session.get(Unit, history().on(unit.id, day))


def current_unit(unit: Unit) -> Unit:
    """Today's unit for `unit`, following successors through every merge."""
    return unit_on(unit, today())


def roll_up(unit_ids: list[int], level: str | None = None, day: date | None = None) -> dict[int, int]:
    """For reports: each unit id -> the id of the unit that counts it today (or on `day`).

    With `level` ("province", "district", "commune"), the unit of that level above it, or the
    nearest unit above when that level no longer exists there (districts abolished in 2025).
    """
    return history().roll_up(unit_ids, day or today(), level)


def member_unit_ids(unit: Unit, day: date | None = None) -> set[int]:
    """The unit, everything under it today, and every unit merged into any of those."""
    return history().members(unit.id, day or today())


def learners_of(units: list[Unit]) -> list[User]:
    """Active learners attached to these units or to any unit counted under them."""
    ids: set[int] = set()
    graph, day = history(), today()
    for unit in units:
        ids |= graph.members(unit.id, day)
    if not ids:
        return []
    query = sa.select(User).where(
        User.unit_id.in_(ids), User.role == Role.LEARNER, User.is_active_account.is_(True)
    )
    return list(db.session.scalars(query.order_by(User.name_sort_key)))


def find_unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code)) if code else None


def unit_by_code_or_name(text: str) -> Unit | None:
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == text))
    if unit is None:
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == normalize_name(text)))
    return unit


def create_unit(code: str, name: str, level: str, parent: Unit | None = None,
                valid_from: date | None = None) -> Unit:
    """A new unit under `parent` (none for a province), audited."""
    unit = add_unit(code, name, level, parent, valid_from)
    audit.record("unit.created", target=unit.code, name=unit.name, level=level,
                 parent=parent.code if parent else None)
    return unit


def add_unit(code: str, name: str, level: str, parent: Unit | None = None,
             valid_from: date | None = None) -> Unit:
    """Check and add a unit; the caller audits (one event for a whole import)."""
    code, name = code.strip(), normalize_name(name)
    if not CODE_PATTERN.match(code):
        raise UnitError(N_("The code %(code)s is not valid: use up to 32 letters, digits, dot, dash."),
                        code=code)
    if find_unit_by_code(code) is not None:
        raise UnitError(N_("A unit with the code %(code)s already exists."), code=code)
    _check_name(name)
    if level not in set(UnitLevel):
        raise UnitError(N_("Unknown level %(level)s."), level=level)
    _check_parent(level, parent)
    unit = Unit(code=code, name=name, level=level, parent=parent, valid_from=valid_from)
    db.session.add(unit)
    db.session.flush()
    return unit


def rename_unit(unit: Unit, name: str) -> None:
    """Give the unit a new name; the audit trail keeps the old one."""
    name = normalize_name(name)
    _check_name(name)
    _check_not_ended(unit)
    old_name, unit.name = unit.name, name
    db.session.flush()
    audit.record("unit.renamed", target=unit.code, old_name=old_name, new_name=name)


def move_unit(unit: Unit, parent: Unit) -> None:
    """Put the unit under another parent; the audit trail keeps the old one."""
    _check_not_ended(unit)
    _check_parent(unit.level, parent)
    if unit.id in history().chain(parent.id, today()):
        raise UnitError(N_("%(unit)s cannot be moved under a unit inside itself."), unit=unit.name)
    old_parent = unit.parent
    unit.parent = parent
    db.session.flush()
    audit.record("unit.moved", target=unit.code, old_parent=old_parent.code if old_parent else None,
                 new_parent=parent.code)


def merge_unit(unit: Unit, into: Unit, effective: date) -> None:
    """From `effective` on, `unit` is part of `into`. Nothing is deleted: the unit keeps its
    learners and its children, and reports count them under `into`."""
    _check_not_ended(unit)
    if into.id == unit.id:
        raise UnitError(N_("A unit cannot be merged into itself."))
    if into.valid_until is not None:
        raise UnitError(N_("%(unit)s no longer exists; merge into its successor."), unit=into.name)
    if LEVEL_RANK[into.level] > LEVEL_RANK[unit.level]:
        raise UnitError(N_("%(unit)s cannot be merged into a unit of a lower level."), unit=unit.name)
    if unit.id in history().chain(into.id, today()):
        raise UnitError(N_("%(unit)s cannot be merged into a unit inside itself."), unit=unit.name)
    unit.valid_until = effective
    unit.successor = into
    db.session.flush()
    audit.record("unit.merged", target=unit.code, into=into.code, effective=effective.isoformat())


def _check_name(name: str) -> None:
    if not name or len(name) > MAX_UNIT_NAME_LENGTH:
        raise UnitError(N_("The name must be 1-%(limit)d characters."), limit=MAX_UNIT_NAME_LENGTH)


def _check_not_ended(unit: Unit) -> None:
    if unit.valid_until is not None:
        raise UnitError(N_("%(unit)s was merged on %(day)s and can no longer change."),
                        unit=unit.name, day=unit.valid_until.isoformat())


def _check_parent(level: str, parent: Unit | None) -> None:
    if level == UnitLevel.PROVINCE:
        if parent is not None:
            raise UnitError(N_("A province has no parent unit."))
        return
    if parent is None:
        raise UnitError(N_("A district or commune needs a parent unit."))
    if parent.valid_until is not None:
        raise UnitError(N_("%(unit)s no longer exists; choose its successor."), unit=parent.name)
    if LEVEL_RANK[parent.level] >= LEVEL_RANK[level]:
        raise UnitError(N_("The parent unit must be of a higher level (province above district above "
                        "commune)."))


@dataclass
class TreeNode:
    unit: Unit
    children: list["TreeNode"] = field(default_factory=list)
    learners: int = 0  # attached to this unit itself
    merged: list[Unit] = field(default_factory=list)  # units merged into this one


def unit_tree(include_ended: bool = False) -> list[TreeNode]:
    """Today's tree, provinces first, names in order; ended units listed under their successor."""
    graph, day = history(), today()
    units = {u.id: u for u in db.session.scalars(sa.select(Unit))}
    counts = dict(db.session.execute(
        sa.select(User.unit_id, sa.func.count()).where(User.role == Role.LEARNER).group_by(User.unit_id)
    ).all())
    nodes = {uid: TreeNode(units[uid], learners=counts.get(uid, 0)) for uid in units}
    children = graph.current_children(day)
    for parent_id, child_ids in children.items():
        if parent_id is not None:
            nodes[parent_id].children = sorted((nodes[c] for c in child_ids), key=_node_order)
    if include_ended:
        for unit in units.values():
            if unit.successor_id is not None and unit.valid_until is not None and unit.valid_until <= day:
                nodes[graph.on(unit.id, day)].merged.append(unit)
    return sorted((nodes[c] for c in children.get(None, [])), key=_node_order)


def _node_order(node: TreeNode) -> tuple[int, str]:
    return LEVEL_RANK.get(node.unit.level, 9), node.unit.code
