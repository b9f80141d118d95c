"""The funnel of a course (one intake or all) per unit. Pure: no Flask, no database.

Input: stage counts per *recorded* unit (the unit a learner's account points at) and the unit tree
as it stood on the report date. Output: one row per unit one level below the focus, so a province
drills down to its communes (through districts, where they still existed), and a commune to its
learners. Rows always add up to the total.
"""

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.units.rollup import UnitFacts, UnitTree, collation_key

STAGES = ("target", "registered", "started", "completed", "certified")


@dataclass(frozen=True)
class StageCounts:
    """Learners at each stage; scores summed over those who completed with a score."""

    target: int = 0  # on the intake's roster
    registered: int = 0  # have logged in
    started: int = 0  # opened a module of the course
    completed: int = 0
    certified: int = 0  # hold a valid certificate
    score_total: int = 0
    scored: int = 0
    attended: int = 0  # attended at least one live session of the course

    def __add__(self, other: "StageCounts") -> "StageCounts":
        return StageCounts(
            self.target + other.target, self.registered + other.registered,
            self.started + other.started, self.completed + other.completed,
            self.certified + other.certified, self.score_total + other.score_total,
            self.scored + other.scored, self.attended + other.attended,
        )

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.target if self.target else None

    @property
    def average_score(self) -> float | None:
        return self.score_total / self.scored if self.scored else None


class RowKind(enum.StrEnum):
    UNIT = "unit"  # a unit one level below the focus, with everything beneath it
    DIRECT = "direct"  # learners recorded in the focus unit itself, when it also has child rows
    NO_UNIT = "no_unit"  # learners without a unit (top level only)


@dataclass(frozen=True)
class FunnelRow:
    kind: RowKind
    unit: UnitFacts | None
    counts: StageCounts


@dataclass(frozen=True)
class Funnel:
    focus: UnitFacts | None  # None: every province
    breadcrumbs: tuple[UnitFacts, ...]  # root down to the focus
    rows: tuple[FunnelRow, ...]
    total: StageCounts
    direct: StageCounts  # learners recorded in the focus unit itself
    direct_unit_ids: frozenset[int]  # the recorded units those learners point at

    @property
    def shows_learners(self) -> bool:
        """A unit's own learners are listed by name (for a commune: all of them)."""
        return self.focus is not None and self.direct.target > 0


def build_funnel(
    tree: UnitTree, counts: Mapping[int | None, StageCounts], focus_id: int | None = None
) -> Funnel:
    """Roll recorded units up to the tree's date and group them one level below `focus_id`."""
    focus = tree.node(tree.resolve(focus_id)) if focus_id is not None else None
    by_child: dict[int, StageCounts] = {}
    direct, no_unit, direct_ids = StageCounts(), StageCounts(), set()
    for recorded_id, stage_counts in counts.items():
        if recorded_id is None or recorded_id not in tree.nodes:
            if focus is None:
                no_unit += stage_counts
            continue
        path = tree.path(recorded_id)
        if focus is None:
            by_child[path[0]] = by_child.get(path[0], StageCounts()) + stage_counts
        elif focus.id in path:
            depth = path.index(focus.id)
            if depth == len(path) - 1:
                direct += stage_counts
                direct_ids.add(recorded_id)
            else:
                child = path[depth + 1]
                by_child[child] = by_child.get(child, StageCounts()) + stage_counts
    rows = _unit_rows(tree, by_child)
    if focus is not None and rows and direct.target:
        rows.insert(0, FunnelRow(RowKind.DIRECT, focus, direct))
    if no_unit.target:
        rows.append(FunnelRow(RowKind.NO_UNIT, None, no_unit))
    total = sum((row.counts for row in rows), StageCounts())
    if focus is not None and not rows:
        total = direct
    breadcrumbs = tuple(tree.node(uid) for uid in tree.path(focus.id)) if focus else ()
    return Funnel(focus, breadcrumbs, tuple(rows), total, direct, frozenset(direct_ids))


def _unit_rows(tree: UnitTree, by_child: Mapping[int, StageCounts]) -> list[FunnelRow]:
    units = sorted((tree.node(uid) for uid in by_child), key=lambda u: (collation_key(u.name), u.code))
    return [FunnelRow(RowKind.UNIT, unit, by_child[unit.id]) for unit in units]


@dataclass(frozen=True)
class LearnerStatus:
    """One learner on the roster, for the list under a commune."""

    username: str
    full_name: str
    name_sort_key: str
    unit_id: int | None
    registered: bool
    started: bool
    completed: bool
    certified: bool
    score: int | None
    attended: bool = False  # at least one live session of the course


def in_name_order(learners: Iterable[LearnerStatus]) -> list[LearnerStatus]:
    """Vietnamese alphabetical order: by given name, then the whole name (see vietnamese_sort_key)."""
    return sorted(learners, key=lambda learner: (learner.name_sort_key, learner.username))
