"""Which unit stood for which on a given day. Pure: no Flask, no database.

A unit ends on its `valid_until` day (the first day it no longer exists) and from then on is
represented by its successor. Units are never deleted, and learners stay attached to the unit
they were registered in; everything here follows successors to answer "which unit is that
today?". A district merged into its province (Vietnam's 2025 reform) makes its communes
answer to the province directly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}


@dataclass(frozen=True)
class UnitNode:
    id: int
    parent_id: int | None
    successor_id: int | None
    valid_until: date | None
    level: str

    def ended_by(self, day: date) -> bool:
        return self.valid_until is not None and self.valid_until <= day


class UnitHistory:
    """Every unit's parent and successor, to follow them to the units of any day."""

    def __init__(self, nodes: Iterable[UnitNode]):
        self.nodes = {node.id: node for node in nodes}

    def on(self, unit_id: int, day: date) -> int:
        """The unit that stood for `unit_id` on `day` (itself, or the successor of a successor...)."""
        seen = {unit_id}
        node = self.nodes[unit_id]
        while node.ended_by(day) and node.successor_id is not None and node.successor_id not in seen:
            seen.add(node.successor_id)
            node = self.nodes[node.successor_id]
        return node.id

    def chain(self, unit_id: int, day: date) -> list[int]:
        """The unit as it stood on `day`, then its parents as they stood that day, nearest first."""
        chain: list[int] = []
        current: int | None = self.on(unit_id, day)
        while current is not None and current not in chain:
            chain.append(current)
            parent = self.nodes[current].parent_id
            current = self.on(parent, day) if parent is not None else None
        return chain

    def roll_up(self, unit_ids: Iterable[int], day: date, level: str | None = None) -> dict[int, int]:
        """Map each unit to the unit of `day` that counts it: itself or its successor, or with
        `level`, the unit of that level above it, or the nearest unit above when that level is
        gone (a commune of an abolished district rolls up to the province)."""
        rolled = {}
        for unit_id in unit_ids:
            chain = self.chain(unit_id, day)
            if level is None:
                rolled[unit_id] = chain[0]
            else:
                rank = LEVEL_RANK[level]
                rolled[unit_id] = next(
                    (u for u in chain if LEVEL_RANK.get(self.nodes[u].level, 0) <= rank), chain[-1]
                )
        return rolled

    def members(self, unit_id: int, day: date) -> set[int]:
        """Every unit counted under `unit_id` on `day`: its children, their children, and every
        unit merged into any of them (which keep their learners)."""
        target = self.on(unit_id, day)
        return {u for u in self.nodes if target in self.chain(u, day)}

    def current_children(self, day: date) -> dict[int | None, list[int]]:
        """The tree of `day`: parent id (None for the top) -> ids of units existing that day."""
        tree: dict[int | None, list[int]] = {}
        for unit_id, node in self.nodes.items():
            if node.ended_by(day):
                continue
            chain = self.chain(unit_id, day)
            tree.setdefault(chain[1] if len(chain) > 1 else None, []).append(unit_id)
        return tree

    def predecessors(self, unit_id: int) -> list[int]:
        """Units whose successor is this one."""
        return [u for u, node in self.nodes.items() if node.successor_id == unit_id]
