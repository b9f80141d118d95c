"""Importing learners: check every row against the file and the database, then create all or none.

Duplicates, as decided for commune lists where namesakes are common:
- the same phone number twice (in the file, or already an account's) is an error: a phone logs
  one person in;
- the same username twice, or one already taken, is an error;
- the same full name in the same unit is an error (the same person listed twice, or imported
  again), unless both rows carry different phone numbers: then it is a warning, since two
  people can share a name;
- the same email twice is a warning: offices share mailboxes.
"""

from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Role, User
from app.accounts.services import vietnamese_sort_key
from app.audit import services as audit
from app.enrolment import learner_rows
from app.enrolment.credentials import (
    hash_one_time_passwords,
    one_time_password,
    unique_username,
    username_base,
)
from app.enrolment.login_slips import LoginSlip, render_login_slips_pdf
from app.enrolment.services import enrol_in_intake
from app.extensions import db
from app.i18n.markers import N_
from app.imports.row_report import ImportReport, Issue, RowResult, error, warning
from app.imports.spreadsheets import (
    SpreadsheetError,
    find_columns,
    header_key,
    header_note,
    read_rows,
    workbook_bytes,
)
from app.intakes.models import Intake
from app.units.models import Unit

SourceRows = list[tuple[int, dict[str, str]]]  # row number as shown, cell texts by field
CPU_SECONDS_PER_SLIP_PAGE = 1.0  # render budget in processor time: a page of 8 slips takes ~0.04 s
# Matches no password (not a werkzeug hash): the login slips job sets the real one.
PENDING_PASSWORD_HASH = "!login-slip-pending"  # noqa: S105 # nosec B105


@dataclass
class LearnerImportPlan:
    report: ImportReport
    units: dict[int, Unit] = field(default_factory=dict)  # row number -> unit


@dataclass(frozen=True)
class CreatedAccount:
    user: User
    password: str  # shown once, on the login slip; never stored


def read_learner_file(data: bytes) -> tuple[SourceRows, ImportReport]:
    """The rows of a learner list as text, or an empty list and a report of the file's problem;
    the report notes which rows were read as the header."""
    try:
        rows = read_rows(data)
        columns = find_columns(rows, learner_rows.ALIASES, learner_rows.REQUIRED, learner_rows.SHOWN)
    except SpreadsheetError as problem:
        return [], ImportReport(file_issues=[problem.issue])
    source = [
        (row.number, learner_rows.source_values(row, columns))
        for row in rows if row.number > columns.header_row
    ]
    return source, ImportReport(ignored_columns=list(columns.ignored), notes=[header_note(columns)])


def plan_learner_import(rows: SourceRows, ignored_columns: list[str] | None = None,
                        max_rows: int | None = None, notes: list[Issue] | None = None) -> LearnerImportPlan:
    """Check every row; nothing is written. Usernames are chosen for rows that have none."""
    results = [learner_rows.check_row(number, values) for number, values in rows]
    plan = LearnerImportPlan(ImportReport(rows=results, ignored_columns=list(ignored_columns or []),
                                          notes=list(notes or [])))
    if not results:
        plan.report.file_issues.append(error(N_("The file names its columns but lists no learner.")))
    if max_rows is not None and len(results) > max_rows:
        plan.report.file_issues.append(error(N_(
            "The file lists %(count)d learners; at most %(limit)d can be imported here. Split the file, "
            "or use the command flask users import."), count=len(results), limit=max_rows))
    lookup = _UnitLookup()
    for result in results:
        unit = lookup.resolve(result)
        if unit is not None:
            plan.units[result.row] = unit
            result.values["unit_name"] = unit.display_name
    _check_within_file(results, plan.units)
    _check_against_accounts(results, plan.units)
    _choose_usernames(results)
    return plan


def apply_learner_import(plan: LearnerImportPlan, source: str, intake: Intake | None = None,
                         with_passwords: bool = True) -> list[CreatedAccount]:
    """Create every account of a clean plan (the caller commits). With one-time passwords, or,
    `with_passwords=False`, with none that works yet: the login slips job gives them theirs."""
    assert plan.report.ok, "only a plan without errors can be applied"
    created = []
    passwords = [one_time_password() if with_passwords else "" for _ in plan.report.rows]
    hashes = (hash_one_time_passwords(passwords) if with_passwords
              else [PENDING_PASSWORD_HASH] * len(passwords))
    for result, password, password_hash in zip(plan.report.rows, passwords, hashes, strict=True):
        values = result.values
        user = User(
            username=values["username"], full_name=values["full_name"],
            name_sort_key=vietnamese_sort_key(values["full_name"]),
            password_hash=password_hash,
            role=Role.LEARNER,
            unit=plan.units[result.row], phone=values["phone"] or None, email=values["email"] or None,
            position=values["position"] or None, must_change_password=True,
        )
        db.session.add(user)
        created.append(CreatedAccount(user, password))
    db.session.flush()
    if intake is not None:
        enrol_in_intake([account.user for account in created], intake)
    audit.record("users.imported", target=source[:200], created=len(created),
                 warnings=len(plan.report.warning_rows),
                 intake=f"{intake.course.slug}:{intake.code}" if intake else None)
    return created


def template_workbook(instructions: list[str]) -> bytes:
    """The XLSX to fill in: the header row, a sheet of instructions, and the current units."""
    units = db.session.scalars(sa.select(Unit).where(Unit.valid_until.is_(None)).order_by(Unit.code))
    return workbook_bytes([
        ("Học viên", [list(learner_rows.TEMPLATE_HEADERS)]),
        ("Hướng dẫn", [[line] for line in instructions]),
        ("Đơn vị", [["Mã", "Tên", "Cấp", "Thuộc"],
                    *([u.code, u.name, u.level, u.parent.name if u.parent else ""] for u in units)]),
    ])


def login_slips_pdf(accounts: list[CreatedAccount]) -> bytes:
    """The print-ready slips of these new accounts, grouped by unit (province, district, commune
    order), names in Vietnamese order within each."""
    passwords = {id(account.user): account.password for account in accounts}
    slips = ordered_slips([account.user for account in accounts])
    return render_slips([replace(slip, password=passwords[id(user)]) for user, slip in slips])


def ordered_slips(users: list[User]) -> list[tuple[User, LoginSlip]]:
    """Each user's slip (no password yet), in print order: by unit, then by Vietnamese name."""
    slips = [
        (_unit_order(user.unit), user.name_sort_key, user, LoginSlip(
            group=user.unit.display_name if user.unit else "-", full_name=user.full_name,
            unit_name=user.unit.display_name if user.unit else "", position=user.position or "",
            username=user.username, password="",
        ))
        for user in users
    ]
    slips.sort(key=lambda item: item[:2])
    return [(user, slip) for _, _, user, slip in slips]


def render_slips(slips: list[LoginSlip]) -> bytes:
    """The slips PDF, its processor-time budget scaled by its page count."""
    config = current_app.config
    login_url = config["PUBLIC_BASE_URL"].rstrip("/") + "/login"  # never the request's Host
    return render_login_slips_pdf(slips, login_url, config["CERTIFICATE_ISSUER"],
                                  timeout_seconds=config["PDF_RENDER_TIMEOUT_SECONDS"],
                                  seconds_per_page=CPU_SECONDS_PER_SLIP_PAGE)


def _unit_order(unit: Unit | None) -> str:
    return " / ".join(header_key(name) for name in reversed(unit.path_names())) if unit else ""


class _UnitLookup:
    """Every unit in memory: a list of 400 rows makes no 400 queries."""

    def __init__(self):
        self.units = list(db.session.scalars(sa.select(Unit)))
        self.by_code = {u.code: u for u in self.units}

    def resolve(self, result: RowResult) -> Unit | None:
        reference = result.values["unit"]
        if not reference:
            return None
        unit = self.by_code.get(reference)
        candidates = [unit] if unit else self._by_digits(reference) or self._by_name(reference)
        if len(candidates) > 1:
            result.issues.append(error(N_(
                'Several units match "%(unit)s": write the full unit code instead.'), unit=reference))
            return None
        if not candidates:
            result.issues.append(error(N_(
                'No unit has the code or name "%(unit)s". Check the list of units in the template.'),
                unit=reference))
            return None
        unit = candidates[0]
        if unit.valid_until is not None:
            successor = unit.successor
            result.issues.append(error(N_(
                "%(unit)s was merged into %(successor)s (%(code)s) on %(day)s: use the new unit."),
                unit=unit.name, successor=successor.name if successor else "-",
                code=successor.code if successor else "-", day=unit.valid_until.isoformat()))
            return None
        return unit

    def _by_digits(self, reference: str) -> list[Unit]:
        if not reference.isdigit():
            return []
        return [u for u in self.units if u.code.isdigit() and u.code.lstrip("0") == reference.lstrip("0")]

    def _by_name(self, reference: str) -> list[Unit]:
        wanted = " ".join(reference.split()).casefold()
        current = [u for u in self.units if u.name.casefold() == wanted and u.valid_until is None]
        return current or [u for u in self.units if u.name.casefold() == wanted]


def _name_key(values: dict[str, str], unit: Unit | None) -> tuple[str, int] | None:
    return (values["full_name"].casefold(), unit.id) if unit and values["full_name"] else None


def _check_within_file(results: list[RowResult], units: dict[int, Unit]) -> None:
    first: dict[tuple[str, object], RowResult] = {}
    for result in results:
        values = result.values
        for kind, value in (("phone", values["phone"]), ("username", values["username"]),
                            ("email", values["email"]), ("name", _name_key(values, units.get(result.row)))):
            if not value:
                continue
            earlier = first.setdefault((kind, value), result)
            if earlier is not result:
                result.issues.append(_repeat_issue(kind, value, earlier, result))


def _repeat_issue(kind: str, value: object, earlier: RowResult, result: RowResult):
    row = earlier.row
    if kind == "phone":
        return error(N_("The phone number %(phone)s is already on row %(row)d."), phone=value, row=row)
    if kind == "username":
        return error(N_("The username %(username)s is already on row %(row)d."), username=value, row=row)
    if kind == "email":
        return warning(N_("The email address %(email)s is also on row %(row)d."), email=value, row=row)
    if _different_people(result.values["phone"], earlier.values["phone"]):
        return warning(N_("Same name and unit as row %(row)d, with another phone number: "
                          "check that this is a different person."), row=row)
    return error(N_("Same name and unit as row %(row)d. Remove the repeated row, or give both "
                    "phone numbers if they are different people."), row=row)


def _different_people(phone: str, other_phone: str | None) -> bool:
    return bool(phone and other_phone and phone != other_phone)


def _check_against_accounts(results: list[RowResult], units: dict[int, Unit]) -> None:
    phones = {r.values["phone"] for r in results if r.values["phone"]}
    usernames = {r.values["username"] for r in results if r.values["username"]}
    emails = {r.values["email"] for r in results if r.values["email"]}
    unit_ids = {u.id for u in units.values()}
    by_phone = _accounts_by(User.phone, phones)
    by_username = _accounts_by(User.username, usernames)
    by_email = _accounts_by(User.email, emails)
    by_name: dict[tuple[str, int], User] = {}
    for user in db.session.scalars(sa.select(User).where(User.unit_id.in_(unit_ids))):
        by_name.setdefault((user.full_name.casefold(), user.unit_id), user)
    for result in results:
        values = result.values
        if (user := by_phone.get(values["phone"])) is not None:
            result.issues.append(error(N_(
                "The phone number %(phone)s already belongs to the account %(username)s."),
                phone=values["phone"], username=user.username))
        if values["username"] in by_username:
            result.issues.append(error(N_("The username %(username)s is taken."),
                                       username=values["username"]))
        if (user := by_email.get(values["email"])) is not None:
            result.issues.append(warning(N_(
                "The email address %(email)s is also on the account %(username)s."),
                email=values["email"], username=user.username))
        key = _name_key(values, units.get(result.row))
        if key and (user := by_name.get(key)) is not None:
            result.issues.append(_existing_namesake(values["phone"], user))


def _existing_namesake(phone: str, user: User):
    if _different_people(phone, user.phone):
        return warning(N_("An account with the same name exists in this unit (%(username)s), with "
                          "another phone number: check that this is a different person."),
                       username=user.username)
    return error(N_("This person seems to have an account already: %(username)s, same name and unit. "
                    "Remove the row, or give the phone number if this is a different person."),
                 username=user.username)


def _accounts_by(column, values: set) -> dict:
    """Existing users whose `column` is one of `values`, keyed by that value (in chunks)."""
    found: dict = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        for user in db.session.scalars(sa.select(User).where(column.in_(chunk))):
            found.setdefault(getattr(user, column.key), user)
    return found


def _choose_usernames(results: list[RowResult]) -> None:
    """"nguyenthihongnhung", then "nguyenthihongnhung2"... unique among accounts and the file."""
    pending = [r for r in results if not r.values["username"] and r.values["full_name"]]
    bases = {r.row: username_base(r.values["full_name"]) for r in pending}
    taken = {r.values["username"] for r in results if r.values["username"]}
    for base in set(bases.values()):
        taken.update(db.session.scalars(sa.select(User.username).where(User.username.startswith(base))))
    for result in pending:
        result.values["username"] = unique_username(bases[result.row], taken)
        result.values["username_generated"] = "yes"
