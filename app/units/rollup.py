"""Units as they stood on a date, with names and codes for reports. Pure: no Flask, no database.

The roll-up itself is `app.units.history.UnitHistory` (a merged unit counts as its successor
from its `valid_until` day, parents are followed the same way, so a commune whose district was
abolished answers to the province). This adds what a report shows and caches the paths, since
a report resolves every unit once per request. Renames and moves change a unit in place (the
audit trail keeps the old values), so a past date shows past merges under today's names.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.units.history import UnitHistory, UnitNode


@dataclass(frozen=True)
class UnitFacts:
    """What the reports need of a Unit row."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    successor_id: int | None = None


class UnitTree:
    """The unit tree as it stood on `on`: `resolve` a recorded unit, walk its `path` from the root."""

    def __init__(self, units: Iterable[UnitFacts], on: date):
        self.on = on
        self.nodes = {unit.id: unit for unit in units}
        self._codes = {unit.code: unit.id for unit in self.nodes.values()}
        self._history = UnitHistory(
            UnitNode(u.id, u.parent_id, u.successor_id, u.valid_until, u.level)
            for u in self.nodes.values()
        )
        self._paths: dict[int, tuple[int, ...]] = {}
        self._referrers: dict[int, list[int]] | None = None

    def resolve(self, unit_id: int) -> int:
        """The unit that stood for `unit_id` on the tree's date (itself unless merged by then)."""
        return self.path(unit_id)[-1]

    def path(self, unit_id: int) -> tuple[int, ...]:
        """Unit ids as they stood on the date, from the root down to the one counting `unit_id`.

        Built from the parent's path, so a report that resolves all 15,000 units of a country
        walks each chain once, not once per unit beneath it."""
        known = self._paths.get(unit_id)
        if known is not None:
            return known
        self._paths[unit_id] = ()  # a loop in bad data meets this instead of recursing forever
        standing = self._history.on(unit_id, self.on)
        parent_id = self.nodes[standing].parent_id
        if standing != unit_id:
            path = self.path(standing)
        elif parent_id is None:
            path = (standing,)
        else:
            above = self.path(parent_id)
            path = above + (standing,) if above and standing not in above else ()
        if not path:  # a loop: walk this unit's own chain, which stops where it repeats
            path = tuple(reversed(self._history.chain(unit_id, self.on)))
        self._paths[unit_id] = path
        return path

    def node(self, unit_id: int) -> UnitFacts:
        return self.nodes[unit_id]

    def by_code(self, code: str) -> UnitFacts | None:
        """The unit that a code names, resolved to the tree's date."""
        unit_id = self._codes.get(code)
        return None if unit_id is None else self.nodes[self.resolve(unit_id)]

    def recorded_under(self, unit_id: int) -> set[int]:
        """Every recorded unit id that, once resolved, is `unit_id` or lies beneath it.

        A path is built only by following parents and successors, so only the units that reach
        `unit_id` through those links can have it on their path: a commune's few hundred
        candidates are checked, not the country's 15,000 units."""
        candidates, frontier = {unit_id}, [unit_id]
        while frontier:
            for referrer in self._referrers_of(frontier.pop()):
                if referrer not in candidates:
                    candidates.add(referrer)
                    frontier.append(referrer)
        return {uid for uid in candidates if unit_id in self.path(uid)}

    def _referrers_of(self, unit_id: int) -> list[int]:
        """The units whose parent or successor is `unit_id` (the links read backwards, built once)."""
        if self._referrers is None:
            self._referrers = {}
            for unit in self.nodes.values():
                for target in (unit.parent_id, unit.successor_id):
                    if target is not None:
                        self._referrers.setdefault(target, []).append(unit.id)
        return self._referrers.get(unit_id, [])

    def display_name(self, unit_id: int) -> str:
        """"Xã Tả Van, Tỉnh Lào Cai": nearest first, as on the certificates."""
        return ", ".join(self.nodes[uid].name for uid in reversed(self.path(unit_id)))


def collation_key(text: str) -> tuple[str, str]:
    """Vietnamese alphabetical order as elsewhere in Hocso: letters without marks first (đ as d),
    then with them."""
    folded = unicodedata.normalize("NFC", text).casefold()
    base = "".join(
        ch for ch in unicodedata.normalize("NFD", folded.replace("đ", "d"))
        if not unicodedata.combining(ch)
    )
    return base, folded
