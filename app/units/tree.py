"""The unit tree a report or a print run reads from the database: every unit, past and present,
or only the part around one unit."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.units.models import Unit
from app.units.rollup import UnitFacts, UnitTree

_UNIT_FACTS = (Unit.id, Unit.code, Unit.name, Unit.level, Unit.parent_id,
               Unit.valid_from, Unit.valid_until, Unit.successor_id)


def unit_tree_on(on: date, around: str | None = None) -> UnitTree:
    """Every unit, past and present, as a tree resolved to `on`; with `around` (a unit's code),
    only the part that a report on that unit reads (see `_units_around`)."""
    units = _units_around(around) if around is not None else _unit_facts(sa.select(*_UNIT_FACTS))
    return UnitTree(units, on)


def _unit_facts(query: sa.Select) -> list[UnitFacts]:
    return [UnitFacts(*row) for row in db.session.execute(query)]


def _units_around(code: str) -> list[UnitFacts]:
    """The units a report on `code` can need, whatever its date: those it leads to by successors
    and parents (its provinces, before and after a merger), every unit that leads to one of
    those (all ever recorded beneath them), and where each of those leads.

    A commune's report then builds a tree of its province's 1,000-odd units, not the country's
    15,000: building those, and collecting the garbage they left, was half of its time."""
    above = set(db.session.scalars(sa.select(Unit.id).where(Unit.code == code)))
    frontier = above
    while frontier:
        frontier = _links(_unit_facts(sa.select(*_UNIT_FACTS).where(Unit.id.in_(frontier)))) - above
        above |= frontier
    units = _unit_facts(sa.select(*_UNIT_FACTS).where(Unit.id.in_(sa.select(_leading_to(above).c.id))))
    known = {unit.id for unit in units}
    missing = _links(units) - known
    while missing:  # a unit beneath that also leads elsewhere (split from another district)
        more = _unit_facts(sa.select(*_UNIT_FACTS).where(Unit.id.in_(missing)))
        units += more
        known |= missing
        missing = _links(more) - known
    return units


def _links(units: list[UnitFacts]) -> set[int]:
    return {uid for unit in units for uid in (unit.parent_id, unit.successor_id) if uid is not None}


def _leading_to(ids: set[int]) -> sa.CTE:
    """These units and every unit whose parents and successors lead to one of them."""
    beneath = sa.select(Unit.id).where(Unit.id.in_(ids)).cte("beneath", recursive=True)
    referrer = aliased(Unit)
    return beneath.union(sa.select(referrer.id).join(
        beneath, sa.or_(referrer.parent_id == beneath.c.id, referrer.successor_id == beneath.c.id)))
