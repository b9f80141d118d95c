"""A report on one unit reads only its part of the unit tree (issue 15): that part must answer
every question the report asks exactly as the whole country's tree does, on any date."""

from datetime import date

import pytest

from app.extensions import db
from app.units.models import Unit, UnitLevel
from app.units.tree import unit_tree_on

MERGER = date(2025, 7, 1)
DAYS = (date(2025, 6, 30), MERGER, date(2026, 12, 2))


def build_units() -> None:
    """Two old provinces merged into a new one, a district abolished, a commune of the merged
    province split off into a third province, and a province that nothing touches."""
    new = Unit(code="P-NEW", name="Tỉnh Mới", level=UnitLevel.PROVINCE, valid_from=MERGER)
    other = Unit(code="P-OTHER", name="Tỉnh Khác", level=UnitLevel.PROVINCE)
    untouched = Unit(code="P-SAME", name="Tỉnh Giữ Nguyên", level=UnitLevel.PROVINCE)
    old_a = Unit(code="P-A", name="Tỉnh A", level=UnitLevel.PROVINCE, valid_until=MERGER, successor=new)
    old_b = Unit(code="P-B", name="Tỉnh B", level=UnitLevel.PROVINCE, valid_until=MERGER, successor=new)
    district = Unit(code="A-D1", name="Huyện Một", level=UnitLevel.DISTRICT, parent=old_a,
                    valid_until=MERGER, successor=new)
    merged_into = Unit(code="N-X1", name="Xã Hợp Nhất", level=UnitLevel.COMMUNE, parent=new,
                       valid_from=MERGER)
    elsewhere = Unit(code="O-X1", name="Xã Bên Kia", level=UnitLevel.COMMUNE, parent=other)
    db.session.add_all([
        new, other, untouched, old_a, old_b, district, merged_into, elsewhere,
        Unit(code="A-X1", name="Xã Một", level=UnitLevel.COMMUNE, parent=district,
             valid_until=MERGER, successor=merged_into),
        Unit(code="A-X2", name="Xã Hai", level=UnitLevel.COMMUNE, parent=district),
        Unit(code="B-X1", name="Xã Ba", level=UnitLevel.COMMUNE, parent=old_b,
             valid_until=MERGER, successor=elsewhere),
        Unit(code="S-X1", name="Xã Bốn", level=UnitLevel.COMMUNE, parent=untouched),
    ])
    db.session.commit()


@pytest.mark.parametrize("on", DAYS)
def test_a_units_part_of_the_tree_answers_as_the_whole_tree(app, on):
    build_units()
    whole = unit_tree_on(on)
    for code in ("P-NEW", "P-A", "P-B", "A-D1", "A-X1", "A-X2", "B-X1", "N-X1", "O-X1", "P-SAME", "S-X1"):
        part = unit_tree_on(on, around=code)
        focus = whole.by_code(code)
        assert part.by_code(code) == focus, code
        province = whole.path(focus.id)[0]
        assert part.path(focus.id) == whole.path(focus.id), code
        for unit_id in (focus.id, province):  # the report's scope, and its filter's units
            assert part.recorded_under(unit_id) == whole.recorded_under(unit_id), code
            assert all(part.path(uid) == whole.path(uid) for uid in part.recorded_under(unit_id)), code
    assert {unit.code for unit in unit_tree_on(on, around="S-X1").nodes.values()} == {"P-SAME", "S-X1"}
    assert unit_tree_on(on, around="KHONG-CO").by_code("KHONG-CO") is None
