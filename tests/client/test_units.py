"""Units with history: admin pages, merges that keep learners, today's unit, roll-ups, import."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.accounts.models import User
from app.extensions import db
from app.units import services
from app.units.history import UnitHistory, UnitNode
from app.units.models import Unit, UnitLevel
from tests.conftest import audit_events, row_count

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
YESTERDAY = date.today() - timedelta(days=1)


def unit(code: str) -> Unit:
    return db.session.scalar(sa.select(Unit).filter_by(code=code))


@pytest.fixture
def tree(commune):
    """T99 province > T99-H1 district > T99-H1-A, T99-H1-B communes; T99-X01 under the province."""
    province = commune.parent
    district = Unit(code="T99-H1", name="Huyện Núi", level=UnitLevel.DISTRICT, parent=province)
    a = Unit(code="T99-H1-A", name="Xã Suối A", level=UnitLevel.COMMUNE, parent=district)
    b = Unit(code="T99-H1-B", name="Xã Suối B", level=UnitLevel.COMMUNE, parent=district)
    db.session.add_all([district, a, b])
    db.session.commit()
    return {"province": province, "district": district, "a": a, "b": b, "x01": commune}


@pytest.fixture
def admin_locale():
    return "en"  # the assertions read the English pages


def test_merge_keeps_learners_attached_and_today_follows_successors(app, tree, make_user):
    learner = make_user(username="lan")
    learner.unit = tree["a"]
    db.session.commit()
    services.merge_unit(tree["a"], tree["b"], YESTERDAY)
    services.merge_unit(tree["b"], tree["x01"], date.today())
    db.session.commit()
    assert db.session.get(User, learner.id).unit.code == "T99-H1-A"  # still attached
    assert services.current_unit(tree["a"]).code == "T99-X01"  # through two merges
    assert services.unit_on(tree["a"], YESTERDAY).code == "T99-H1-B"
    assert services.unit_on(tree["a"], YESTERDAY - timedelta(days=1)).code == "T99-H1-A"
    assert [u.username for u in services.learners_of([tree["x01"]])] == ["lan"]
    assert row_count(Unit) == 5  # nothing deleted


def test_district_merged_into_its_province_rolls_up(app, tree):
    services.merge_unit(tree["district"], tree["province"], date(2025, 7, 1))
    db.session.commit()
    ids = [tree["a"].id, tree["district"].id]
    assert services.roll_up(ids, "district") == {tree["a"].id: tree["province"].id,
                                                 tree["district"].id: tree["province"].id}
    assert services.roll_up(ids, "commune")[tree["a"].id] == tree["a"].id
    before = services.roll_up(ids, "district", day=date(2025, 6, 30))
    assert before[tree["a"].id] == tree["district"].id
    assert tree["a"].id in services.member_unit_ids(tree["province"])


def test_history_graph_is_pure_and_survives_a_cycle():
    nodes = [UnitNode(1, None, 2, date(2025, 1, 1), "commune"),
             UnitNode(2, None, 1, date(2025, 1, 1), "commune")]
    assert UnitHistory(nodes).on(1, date(2026, 1, 1)) in (1, 2)  # bad data never loops forever


def test_refused_changes_say_why(app, tree):
    with pytest.raises(services.UnitError, match="itself"):
        services.merge_unit(tree["a"], tree["a"], YESTERDAY)
    with pytest.raises(services.UnitError, match="lower level"):
        services.merge_unit(tree["district"], tree["a"], YESTERDAY)
    with pytest.raises(services.UnitError, match="higher level"):
        services.move_unit(tree["a"], tree["b"])
    with pytest.raises(services.UnitError, match="already exists"):
        services.create_unit("T99-H1", "Trùng", UnitLevel.DISTRICT, tree["province"])
    services.merge_unit(tree["b"], tree["a"], YESTERDAY)
    with pytest.raises(services.UnitError, match="no longer exists"):
        services.merge_unit(tree["x01"], tree["b"], YESTERDAY)


def test_tree_page_shows_today_with_codes_and_history_on_request(client, admin, tree):
    services.merge_unit(tree["b"], tree["a"], YESTERDAY)
    db.session.commit()
    page = client.get("/admin/units/").get_data(as_text=True)
    assert "T99-H1-A" in page and "Huyện Núi" in page and "Xã Suối B" not in page
    assert "Xã Suối B" in client.get("/admin/units/?history=1").get_data(as_text=True)


def test_create_rename_move_and_merge_through_the_pages_are_audited(client, admin, tree):
    response = client.post("/admin/units/new", data={"code": "T99-H2", "name": "Huyện Mới",
                                                      "level": "district", "parent_code": "T99"})
    assert response.status_code == 302
    new = unit("T99-H2")
    assert client.post(f"/admin/units/{tree['a'].id}/rename", data={"name": "Xã Suối Á"}).status_code == 302
    assert client.post(f"/admin/units/{tree['a'].id}/move", data={"parent_code": "T99-H2"}).status_code == 302
    response = client.post(f"/admin/units/{tree['b'].id}/merge",
                           data={"into_code": "T99-H1-A", "effective": YESTERDAY.isoformat()})
    assert response.status_code == 302
    a, b = unit("T99-H1-A"), unit("T99-H1-B")
    assert (a.name, a.parent_id) == ("Xã Suối Á", new.id)
    assert (b.valid_until, b.successor_id) == (YESTERDAY, a.id)
    assert [e.target for e in audit_events("unit.created")] == ["T99-H2"]
    assert audit_events("unit.renamed")[0].details == {"old_name": "Xã Suối A", "new_name": "Xã Suối Á"}
    assert audit_events("unit.moved")[0].details == {"old_parent": "T99-H1", "new_parent": "T99-H2"}
    assert audit_events("unit.merged")[0].details == {"into": "T99-H1-A", "effective": YESTERDAY.isoformat()}
    assert all(e.actor_name == "quantri" for e in audit_events("unit.merged"))


def test_a_refused_change_shows_the_reason_and_changes_nothing(client, admin, tree):
    response = client.post(f"/admin/units/{tree['district'].id}/merge",
                           data={"into_code": "T99-H1-A", "effective": YESTERDAY.isoformat()})
    assert response.status_code == 400 and "lower level" in response.get_data(as_text=True)
    response = client.post(f"/admin/units/{tree['a'].id}/move", data={"parent_code": "NOPE"})
    assert response.status_code == 400 and "Nothing matches “NOPE”" in response.get_data(as_text=True)
    assert unit("T99-H1").valid_until is None and not audit_events("unit.merged")


def test_units_import_csv_with_vietnamese_headers_and_levels(app):
    result = app.test_cli_runner().invoke(args=["units", "import", str(FIXTURES / "units.csv")])
    assert result.exit_code == 0, result.output
    assert unit("02647").parent.code == "080" and unit("080").level == "district"
    assert unit("02650").level == "commune" and unit("02680").parent.code == "10"
    again = app.test_cli_runner().invoke(args=["units", "import", str(FIXTURES / "units.csv")])
    assert again.exit_code == 0 and "5 already present" in again.output
    assert audit_events("units.imported")[0].details["created"] == 5


def test_units_import_is_all_or_nothing_with_row_numbers(app):
    result = app.test_cli_runner().invoke(args=["units", "import", str(FIXTURES / "units_bad_rows.csv")])
    assert result.exit_code == 1
    for row, fragment in ((3, "99 is neither"), (4, "village"), (5, "already on row 2"), (6, "empty"),
                          (7, "not of a higher level")):
        line = next(line for line in result.output.splitlines() if line.startswith(f"row {row:>5}"))
        assert "ERROR" in line and fragment in line, line
    assert row_count(Unit) == 0
    assert audit_events("units.imported")[0].outcome == "failure"


def test_units_import_xlsx_restores_official_code_widths(app, tmp_path):
    workbook = Workbook()
    for row in (["Mã", "Tên", "Cấp", "Mã đơn vị cha"], [10, "Tỉnh Lào Cai", "Tỉnh", None],
                [80, "Huyện Sa Pa", "Huyện", 10], [2647, "Xã Tả Van", "Xã", 80]):
        workbook.active.append(row)
    path = tmp_path / "units.xlsx"
    workbook.save(path)
    result = app.test_cli_runner().invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert unit("02647").parent.code == "080" and unit("080").parent.code == "10"


def test_units_merge_command(app, tree):
    result = app.test_cli_runner().invoke(args=["units", "merge", "T99-H1", "--into", "T99",
                                                "--on", "2025-07-01"])
    assert result.exit_code == 0, result.output
    assert unit("T99-H1").successor.code == "T99" and audit_events("unit.merged")
    assert result.stdout.startswith("Merged 1 unit")
