"""The columns of a learner list and what each cell must hold, row by row (no database)."""

import re
import unicodedata

from app.accounts.services import (
    INVISIBLE_CHARACTERS,
    MAX_NAME_LENGTH,
    MAX_STACKED_MARKS,
    USERNAME_PATTERN,
    AccountError,
    check_full_name,
)
from app.i18n.markers import N_
from app.imports.row_report import Issue, RowResult, error
from app.imports.spreadsheets import Cell, Columns, SheetRow, cell_text, field_values, is_number

# Header spellings accepted for each field, compared without case, accents, spaces or punctuation.
ALIASES = {
    "full_name": ("Họ và tên", "Họ tên", "Họ tên học viên", "Full name", "Name"),
    "unit": ("Đơn vị", "Mã đơn vị", "Tên đơn vị", "Unit", "Unit code"),
    "position": ("Chức vụ", "Chức danh", "Position", "Job title"),
    "phone": ("Số điện thoại", "Điện thoại", "SĐT", "Di động", "Phone", "Phone number", "Mobile"),
    "email": ("Email", "E-mail", "Thư điện tử"),
    "username": ("Tên đăng nhập", "Tài khoản", "Username", "Login"),
}
REQUIRED = ("full_name", "unit")
TEMPLATE_HEADERS = ("Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại", "Email", "Tên đăng nhập")
SHOWN = dict(zip(ALIASES, TEMPLATE_HEADERS, strict=True))

MOBILE_PATTERN = re.compile(r"^0[35789]\d{8}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_POSITION_LENGTH = 120
MAX_EMAIL_LENGTH = 254


def mobile_number(value: Cell) -> str:
    """A Vietnamese mobile number as 10 digits with its leading 0, or the text as typed.

    A numeric cell (or a CSV saved from one) has lost the leading 0: "912345678" becomes
    "0912345678". "+84 912 345 678", "84912345678" and "0912.345.678" are accepted too.
    """
    text = str(int(value)) if is_number(value) else cell_text(value)
    digits = re.sub(r"[\s.()\-]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[:1] in "35789":
        digits = "0" + digits
    return digits


def source_values(row: SheetRow, columns: Columns) -> dict[str, str]:
    """The row's cells as text by field; the phone keeps (or regains) its leading 0."""
    raw = field_values(row, columns)
    values = {name: cell_text(value) for name, value in raw.items()}
    if values.get("phone"):
        values["phone"] = mobile_number(raw["phone"])
    return values


def check_row(number: int, values: dict[str, str]) -> RowResult:
    """Normalise one row's values and note every problem a single row can have on its own."""
    clean = {name: values.get(name, "") for name in ALIASES}
    clean["full_name"] = " ".join(unicodedata.normalize("NFC", clean["full_name"]).split())
    clean["username"] = clean["username"].lower()
    clean["email"] = clean["email"].lower()
    issues = [
        *_name_issues(clean["full_name"]),
        *_presence(clean["unit"], N_("The unit is missing.")),
        *_text_issues(clean["position"], MAX_POSITION_LENGTH, N_("The position is too long.")),
    ]
    if clean["phone"] and not MOBILE_PATTERN.match(clean["phone"]):
        issues.append(error(N_(
            'The phone number "%(phone)s" is not a Vietnamese mobile number '
            "(10 digits starting with 03, 05, 07, 08 or 09)."
        ), phone=values.get("phone", "")))
    if clean["email"] and (len(clean["email"]) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(clean["email"])):
        issues.append(error(N_('The email address "%(email)s" is not valid.'), email=clean["email"]))
    if clean["username"] and not USERNAME_PATTERN.match(clean["username"]):
        issues.append(error(N_(
            'The username "%(username)s" is not valid: use 3-64 letters a-z, digits, dot, '
            "dash or underscore, starting with a letter or digit."
        ), username=clean["username"]))
    return RowResult(number, clean, issues, label=clean["full_name"])


def _presence(value: str, message: str) -> list[Issue]:
    return [] if value else [error(message)]


def _text_issues(value: str, limit: int, message: str) -> list[Issue]:
    return [error(message)] if len(value) > limit else []


def _name_issues(name: str) -> list[Issue]:
    """The accounts' own rules, with a message for each that a person can act on."""
    if not name:
        return [error(N_("The full name is missing."))]
    if len(name) > MAX_NAME_LENGTH:
        return [error(N_("The full name is longer than %(limit)d characters."), limit=MAX_NAME_LENGTH)]
    if any(ch in INVISIBLE_CHARACTERS or unicodedata.category(ch) == "Cc" for ch in name):
        return [error(N_("The full name contains invisible or control characters."))]
    stacked = 0
    for ch in unicodedata.normalize("NFD", name):
        stacked = stacked + 1 if unicodedata.combining(ch) else 0
        if stacked > MAX_STACKED_MARKS:
            return [error(N_("The full name has too many accent marks on one letter."))]
    try:
        check_full_name(name)
    except AccountError as reason:  # a rule added to accounts later still holds here
        return [error(N_("The full name cannot be used: %(reason)s"), reason=str(reason))]
    return []
