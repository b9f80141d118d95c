"""Issue 10 item 5 and case 43: no exported cell starts a formula, whatever separator Excel uses."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.intakes.models import Intake
from app.reports.exports import FORMULA_TRIGGERS
from app.units.models import Unit, UnitLevel
from tests import builders
from tests.client.test_reports import Learner, add_learner, build_world
from tests.client.test_reports_exports import BASE
from tests.unit.test_exports import pieces_a_spreadsheet_might_read

UNIT_NAME = "Xã An;=cmd|' /C calc'!A0"


@pytest.mark.parametrize("separator", ["", "semicolon"])  # the comma and the semicolon file
def test_issue10_5_a_unit_name_with_a_separator_and_a_formula_is_exported_inert(client, admin,
                                                                               figures, separator):
    world = build_world()
    unit = Unit(code="LC-AN", name=UNIT_NAME, level=UnitLevel.COMMUNE, parent=world["LC"])
    db.session.add(unit)
    db.session.flush()
    intake = db.session.scalar(sa.select(Intake).filter_by(code="dot-1"))
    add_learner(Learner("xa-an", "Nguyễn Văn An", "LC-AN"), unit, intake, builders.course())
    db.session.commit()
    query = {"unit": "LC", "separator": separator} if separator else {"unit": "LC"}
    data = client.get(f"{BASE}/funnel.csv", query_string=query).data
    pieces = pieces_a_spreadsheet_might_read(data)
    formulas = [piece for piece in pieces if piece.lstrip(' "').startswith(FORMULA_TRIGGERS)]
    assert "Xã An;" in data.decode("utf-8-sig") and formulas == []
    figures.add(f"issue 10.5 ({separator or 'comma'}): {len(pieces)} CSV pieces read with , ; tab | "
                f"(quoted and naive) → {len(formulas)} starting a formula")
