"""Units as they stood on a date: merged units roll up into their successors. Pure: no Flask, no database.

A unit that stopped existing (`valid_until` on or before the date) counts as its successor, and so
on down the chain; its parent is looked up the same way, so a commune whose district was abolished
ends up under the province that replaced it. With the date set to today this gives today's units;
with an earlier date, the units as they were then.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MAX_CHAIN = 64  # longer successor chains are data errors (a cycle): stop rather than loop


@dataclass(frozen=True)
class UnitNode:
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

    def __init__(self, nodes: Iterable[UnitNode], on: date):
        self.on = on
        self.nodes = {node.id: node for node in nodes}
        self._codes = {node.code: node.id for node in self.nodes.values()}
        self._resolved: dict[int, int] = {}
        self._paths: dict[int, tuple[int, ...]] = {}

    def resolve(self, unit_id: int) -> int:
        """The unit that stood for `unit_id` on the tree's date (itself unless merged by then)."""
        if unit_id in self._resolved:
            return self._resolved[unit_id]
        current = unit_id
        for _ in range(MAX_CHAIN):
            node = self.nodes[current]
            ended = node.valid_until is not None and node.valid_until <= self.on
            if not (ended and node.successor_id in self.nodes):
                break
            current = node.successor_id
        self._resolved[unit_id] = current
        return current

    def path(self, unit_id: int) -> tuple[int, ...]:
        """Resolved unit ids from the root down to the resolved `unit_id`."""
        resolved = self.resolve(unit_id)
        if resolved in self._paths:
            return self._paths[resolved]
        chain: list[int] = []
        current: int | None = resolved
        while current is not None and current not in chain and len(chain) < MAX_CHAIN:
            chain.append(current)
            parent = self.nodes[current].parent_id
            current = self.resolve(parent) if parent in self.nodes else None
        self._paths[resolved] = tuple(reversed(chain))
        return self._paths[resolved]

    def node(self, unit_id: int) -> UnitNode:
        return self.nodes[unit_id]

    def by_code(self, code: str) -> UnitNode | None:
        """The unit that a code names, resolved to the tree's date."""
        unit_id = self._codes.get(code)
        return None if unit_id is None else self.nodes[self.resolve(unit_id)]

    def recorded_under(self, unit_id: int) -> set[int]:
        """Every recorded unit id that, once resolved, is `unit_id` or lies beneath it."""
        return {uid for uid in self.nodes if unit_id in self.path(uid)}

    def display_name(self, unit_id: int) -> str:
        """"Xã Tả Van, Tỉnh Lào Cai": nearest first, as on the certificates."""
        return ", ".join(self.nodes[uid].name for uid in reversed(self.path(unit_id)))


def collation_key(text: str) -> tuple[str, str]:
    """Vietnamese alphabetical order: letters first without tone marks (đ as d), then with them."""
    folded = unicodedata.normalize("NFC", text).casefold()
    base = "".join(
        ch for ch in unicodedata.normalize("NFD", folded.replace("đ", "d"))
        if not unicodedata.combining(ch)
    )
    return base, folded
