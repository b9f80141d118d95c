"""Loading the official unit list from CSV or XLSX: all rows or none, errors by row number."""

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.services import normalize_name
from app.audit import services as audit
from app.extensions import db
from app.i18n.markers import N_
from app.imports.row_report import ImportReport, RowResult, error
from app.imports.spreadsheets import (
    SheetRow,
    SpreadsheetError,
    cell_text,
    field_values,
    find_columns,
    header_key,
    is_number,
    read_rows,
)
from app.units import services
from app.units.history import LEVEL_RANK
from app.units.models import Unit, UnitLevel

ALIASES = {
    "code": ("Mã", "Mã đơn vị", "Mã số", "Code", "Unit code"),
    "name": ("Tên", "Tên đơn vị", "Name", "Unit name"),
    "level": ("Cấp", "Cấp hành chính", "Level"),
    "parent": ("Mã đơn vị cha", "Mã cha", "Đơn vị cha", "Parent code", "Parent"),
}
SHOWN = {"code": "Mã", "name": "Tên", "level": "Cấp", "parent": "Mã đơn vị cha"}
REQUIRED = ("code", "name", "level")
LEVEL_WORDS = {
    UnitLevel.PROVINCE: ("province", "tỉnh", "thành phố trực thuộc trung ương", "thành phố trung ương"),
    UnitLevel.DISTRICT: ("district", "huyện", "quận", "thị xã", "thành phố thuộc tỉnh"),
    UnitLevel.COMMUNE: ("commune", "ward", "xã", "phường", "thị trấn", "đặc khu"),
}
_LEVEL_BY_KEY = {header_key(word): level for level, words in LEVEL_WORDS.items() for word in words}
# Official codes have fixed widths (2, 3 and 5 digits); a numeric cell has lost its leading zeros.
CODE_WIDTH = {UnitLevel.PROVINCE: 2, UnitLevel.DISTRICT: 3, UnitLevel.COMMUNE: 5}


@dataclass
class UnitImportPlan:
    report: ImportReport
    new_rows: list[RowResult]  # rows to create, parents before children
    unchanged: int = 0


def plan_unit_import(data: bytes) -> UnitImportPlan:
    """Read and check the whole file; nothing is written."""
    try:
        rows = read_rows(data)
        columns = find_columns(rows, ALIASES, REQUIRED, SHOWN)
    except SpreadsheetError as problem:
        return UnitImportPlan(ImportReport(file_issues=[problem.issue]), [])
    results = [_parsed(row, field_values(row, columns)) for row in rows if row.number > columns.header_row]
    report = ImportReport(rows=results, ignored_columns=list(columns.ignored))
    existing = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    unchanged = _check_codes(results, existing)
    _check_parents(results, existing)
    new_rows = [r for r in results if not r.values.get("unchanged")]
    new_rows.sort(key=lambda r: LEVEL_RANK.get(r.values["level"], 9))
    return UnitImportPlan(report, new_rows, unchanged)


def apply_unit_import(plan: UnitImportPlan, source: str) -> list[Unit]:
    """Create every new unit of a clean plan (the caller commits)."""
    assert plan.report.ok, "only a plan without errors can be applied"
    created: dict[str, Unit] = {}
    for row in plan.new_rows:
        values = row.values
        parent = created.get(values["parent"]) or services.find_unit_by_code(values["parent"])
        created[values["code"]] = services.add_unit(values["code"], values["name"], values["level"], parent)
    audit.record("units.imported", target=source[:200], created=len(created), unchanged=plan.unchanged)
    return list(created.values())


def _parsed(row: SheetRow, raw: dict) -> RowResult:
    values = {name: cell_text(raw.get(name)) for name in ALIASES}
    values["name"] = normalize_name(values["name"])
    level = _LEVEL_BY_KEY.get(header_key(values["level"]))
    result = RowResult(row.number, values, label=f"{values['code']} {values['name']}".strip())
    if level is None:
        result.issues.append(error(
            N_('The level "%(level)s" is not one of province, district, commune (tỉnh, huyện, xã).'),
            level=values["level"]))
    else:
        values["level"] = level
        if is_number(raw.get("code")):
            values["code"] = values["code"].zfill(CODE_WIDTH[level])
    if is_number(raw.get("parent")):
        values["parent_digits"] = values["parent"]
    for name in REQUIRED:
        if not values[name]:
            result.issues.append(error(N_("The column %(column)s is empty."), column=SHOWN[name]))
    if values["code"] and not services.CODE_PATTERN.match(values["code"]):
        result.issues.append(error(N_('The code "%(code)s" is not valid.'), code=values["code"]))
    return result


def _check_codes(results: list[RowResult], existing: dict[str, Unit]) -> int:
    """Duplicates in the file are errors; a unit already present must match it exactly."""
    first_row: dict[str, int] = {}
    unchanged = 0
    for result in results:
        code = result.values["code"]
        if code in first_row:
            result.issues.append(error(N_("The code %(code)s is already on row %(row)d."),
                                       code=code, row=first_row[code]))
            continue
        first_row[code] = result.row
        unit = existing.get(code)
        if unit is None:
            continue
        parent_code = unit.parent.code if unit.parent else ""
        if (unit.name, unit.level) == (result.values["name"], result.values["level"]) and \
                _same_parent(result, parent_code):
            result.values["unchanged"] = "yes"
            unchanged += 1
        else:
            result.issues.append(error(N_(
                "The unit %(code)s already exists with another name, level or parent; "
                "change it with rename or move in the administration pages."), code=code))
    return unchanged


def _same_parent(result: RowResult, parent_code: str) -> bool:
    given = result.values["parent"]
    return given == parent_code or (
        bool(result.values.get("parent_digits")) and given.lstrip("0") == parent_code.lstrip("0")
    )


def _check_parents(results: list[RowResult], existing: dict[str, Unit]) -> None:
    in_file = {r.values["code"]: r.values["level"] for r in results}
    for result in results:
        values = result.values
        if result.has_error or values.get("unchanged"):
            continue
        if not values["parent"]:
            if values["level"] != UnitLevel.PROVINCE:
                result.issues.append(error(N_("A district or commune needs a parent unit code.")))
            continue
        values["parent"] = _resolved_code(values, in_file, existing)
        parent_level = in_file.get(values["parent"]) or (
            existing[values["parent"]].level if values["parent"] in existing else None)
        if parent_level is None:
            result.issues.append(error(N_("The parent unit %(code)s is neither in the file nor known."),
                                       code=values["parent"]))
        elif values["level"] == UnitLevel.PROVINCE:
            result.issues.append(error(N_("A province has no parent unit.")))
        elif LEVEL_RANK.get(parent_level, 9) >= LEVEL_RANK[values["level"]]:
            result.issues.append(error(N_("The parent unit %(code)s is not of a higher level."),
                                       code=values["parent"]))
        elif values["parent"] in existing and existing[values["parent"]].valid_until is not None:
            result.issues.append(error(N_("The parent unit %(code)s no longer exists (merged)."),
                                       code=values["parent"]))


def _resolved_code(values: dict[str, str], in_file: dict, existing: dict) -> str:
    """A numeric parent cell lost its zeros: find the one known code it can stand for."""
    code = values["parent"]
    if not values.get("parent_digits") or code in in_file or code in existing:
        return code
    candidates = {code.zfill(width) for width in CODE_WIDTH.values()}
    known = [c for c in candidates if c in in_file or c in existing]
    return known[0] if len(known) == 1 else code
