"""The funnel aggregation against a fixture computed by hand: roll-up through merges, drill-down."""

from datetime import date

import pytest

from app.reports.funnel import RowKind, StageCounts, build_funnel
from app.reports.report_table import format_rate, format_score
from app.units.rollup import UnitFacts, UnitTree

MERGER = date(2025, 7, 1)
BEFORE, AFTER = date(2025, 6, 30), date(2025, 8, 1)

# Lào Cai had a district (Sa Pa) until the 2025 reform; Bản Hồ was merged into Tả Phìn.
UNITS = [
    UnitFacts(1, "LC", "Tỉnh Lào Cai", "province"),
    UnitFacts(2, "AG", "Tỉnh An Giang", "province"),
    UnitFacts(3, "LC-SP", "Huyện Sa Pa", "district", parent_id=1, valid_until=MERGER, successor_id=1),
    UnitFacts(4, "LC-TV", "Xã Tả Van", "commune", parent_id=3),
    UnitFacts(5, "LC-BH", "Xã Bản Hồ", "commune", parent_id=3, valid_until=MERGER, successor_id=6),
    UnitFacts(6, "LC-TP", "Xã Tả Phìn", "commune", parent_id=1, valid_from=MERGER),
    UnitFacts(7, "AG-MH", "Xã Mỹ Hòa", "commune", parent_id=2),
]

# target, registered, started, completed, certified, score total, scored
COUNTS = {
    4: StageCounts(10, 9, 8, 6, 5, 480, 6),
    5: StageCounts(5, 5, 4, 4, 4, 360, 4),
    6: StageCounts(3, 2, 2, 1, 1, 70, 1),
    7: StageCounts(4, 4, 4, 4, 3, 400, 4),
    None: StageCounts(2, 0, 0, 0, 0, 0, 0),
}


def funnel(on: date, focus_code: str | None = None):
    tree = UnitTree(UNITS, on)
    focus = tree.by_code(focus_code).id if focus_code else None
    return build_funnel(tree, COUNTS, focus)


def summary(result):
    return [(row.unit.code if row.unit else row.kind.value, row.counts.target, row.counts.completed)
            for row in result.rows]


def test_top_level_has_one_row_per_province_and_the_learners_without_a_unit():
    result = funnel(AFTER)
    assert summary(result) == [("AG", 4, 4), ("LC", 18, 11), ("no_unit", 2, 0)]
    lao_cai = result.rows[1].counts
    assert lao_cai == StageCounts(18, 16, 14, 11, 10, 910, 11)
    assert result.total == StageCounts(24, 20, 18, 15, 13, 1310, 15)


def test_rates_and_average_scores_are_written_the_vietnamese_way():
    result = funnel(AFTER)
    lao_cai = result.rows[1].counts
    assert format_rate(lao_cai) == "11/18 — 61,1%"
    assert format_score(lao_cai.average_score) == "82,7"  # 910 / 11
    assert format_rate(result.total) == "15/24 — 62,5%"
    assert format_rate(StageCounts(target=409, completed=375)) == "375/409 — 91,7%"
    assert format_rate(StageCounts(target=2000, completed=1234)) == "1.234/2.000 — 61,7%"
    assert format_rate(StageCounts()) == "—" and format_score(None) == "—"


def test_today_a_merged_commune_counts_in_its_successor_and_the_abolished_district_is_gone():
    result = funnel(AFTER, "LC")
    assert summary(result) == [("LC-TP", 8, 5), ("LC-TV", 10, 6)]
    assert [unit.code for unit in result.breadcrumbs] == ["LC"]
    assert result.total == StageCounts(18, 16, 14, 11, 10, 910, 11)


def test_before_the_merger_the_district_and_the_old_commune_are_shown():
    assert summary(funnel(BEFORE, "LC")) == [("LC-SP", 15, 10), ("LC-TP", 3, 1)]
    assert summary(funnel(BEFORE, "LC-SP")) == [("LC-BH", 5, 4), ("LC-TV", 10, 6)]
    assert [u.code for u in funnel(BEFORE, "LC-SP").breadcrumbs] == ["LC", "LC-SP"]


def test_a_commune_lists_its_learners_including_those_of_merged_communes():
    result = funnel(AFTER, "LC-TP")
    assert result.rows == () and result.shows_learners
    assert result.direct_unit_ids == {5, 6}
    assert result.total == StageCounts(8, 7, 6, 5, 5, 430, 5)
    assert [u.code for u in result.breadcrumbs] == ["LC", "LC-TP"]


def test_an_old_code_today_means_the_unit_that_replaced_it():
    assert funnel(AFTER, "LC-BH").focus.code == "LC-TP"
    assert funnel(BEFORE, "LC-BH").focus.code == "LC-BH"


def test_learners_recorded_on_a_unit_with_children_get_a_direct_row():
    counts = {1: StageCounts(2, 2, 2, 2, 2, 200, 2), 4: StageCounts(1, 1, 0, 0, 0, 0, 0)}
    tree = UnitTree(UNITS, AFTER)
    result = build_funnel(tree, counts, 1)
    assert [(row.kind, row.counts.target) for row in result.rows] == [
        (RowKind.DIRECT, 2), (RowKind.UNIT, 1)]
    assert result.total.target == 3 and result.direct_unit_ids == {1}


def test_rows_always_add_up_to_the_total():
    for on in (BEFORE, AFTER):
        for code in (None, "LC", "LC-SP", "AG"):
            result = funnel(on, code)
            if result.rows:
                assert sum((row.counts for row in result.rows), StageCounts()) == result.total


def test_a_successor_cycle_does_not_loop_forever():
    units = [UnitFacts(1, "A", "A", "commune", valid_until=BEFORE, successor_id=2),
             UnitFacts(2, "B", "B", "commune", valid_until=BEFORE, successor_id=1)]
    result = build_funnel(UnitTree(units, AFTER), {1: StageCounts(1)}, None)
    assert result.total.target == 1


@pytest.mark.parametrize("names, expected", [
    (["Xã Tả Van", "Xã Ân Nghĩa", "Xã Bắc Hà", "Xã Đông Hòa", "Xã Dương Quỳ"],
     ["Xã Ân Nghĩa", "Xã Bắc Hà", "Xã Đông Hòa", "Xã Dương Quỳ", "Xã Tả Van"]),
])
def test_units_are_in_vietnamese_alphabetical_order(names, expected):
    units = [UnitFacts(i, f"C{i}", name, "commune") for i, name in enumerate(names, 1)]
    counts = {i: StageCounts(1) for i in range(1, len(names) + 1)}
    result = build_funnel(UnitTree(units, AFTER), counts, None)
    assert [row.unit.name for row in result.rows] == expected
