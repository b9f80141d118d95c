"""Reading a meeting platform's participant report. Pure: no Flask, no database.

Zoom ("Name (Original Name)", "User Email", "Duration (Minutes)", often under a block of meeting
facts), Google Meet ("Full name" or "First name"/"Last name", "Email", "Duration" such as
"1 hr 5 min") and Microsoft Teams (UTF-16, tab separated, sections "1. Summary", "2. Participants"
with "Name", "In-Meeting Duration" such as "1h 5m 12s", "Email", "Participant ID (UPN)"), as CSV
or XLSX. The header row is found wherever it is; the table ends at the next numbered section
title ("3. In-Meeting Activities"). Someone who joined twice has two rows: the caller adds them up.
"""

import csv
import datetime
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.i18n.markers import N_
from app.imports.row_report import Issue, error
from app.imports.spreadsheets import (
    MAX_DATA_ROWS,
    Cell,
    SheetRow,
    SpreadsheetError,
    cell_text,
    decode_text,
    header_key,
    is_number,
    read_rows,
)

HEADER_SEARCH_ROWS = 40  # Zoom's meeting block and Teams' summary come first
_DELIMITERS = (",", "\t", ";")
_SECTION_TITLE = re.compile(r"^\d+\.\s+\S")

# field -> the headers the platforms (in English and Vietnamese) use for it
ALIASES: Mapping[str, tuple[str, ...]] = {
    "name": ("Name (Original Name)", "Name", "Full Name", "Participant", "Participant name",
             "Display name", "Attendee", "Họ và tên", "Họ tên", "Tên (Tên gốc)", "Tên người tham gia",
             "Người tham gia"),
    "first_name": ("First name", "Given name"),
    "last_name": ("Last name", "Surname", "Family name"),
    "email": ("User Email", "Email", "Email address", "E-mail", "Địa chỉ email", "Email người dùng"),
    "upn": ("Participant ID (UPN)", "UPN"),
    "phone": ("Phone", "Phone number", "Số điện thoại", "Điện thoại"),
    "minutes": ("Duration (Minutes)", "Total Duration (Minutes)", "Duration (mins)",
                "Thời lượng (phút)", "Tổng thời lượng (phút)"),
    "seconds": ("Duration (Seconds)", "Total attendance in seconds", "Attendance (seconds)"),
    "duration": ("Duration", "In-Meeting Duration", "Time in call", "Attendance duration",
                 "Total duration", "Thời lượng", "Thời gian tham gia", "Thời lượng trong cuộc họp"),
}
_KEYS = {header_key(alias): field for field, names in ALIASES.items() for alias in names}
_DURATION_FIELDS = ("minutes", "seconds", "duration")

_UNITS = {
    "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60, "giờ": 60, "g": 60,
    "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "phút": 1, "ph": 1, "p": 1,
    "s": 1 / 60, "sec": 1 / 60, "secs": 1 / 60, "second": 1 / 60, "seconds": 1 / 60, "giây": 1 / 60,
}
_UNIT_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CLOCK = re.compile(r"(\d+):([0-5]\d)(?::([0-5]\d))?")


@dataclass(frozen=True)
class ParticipantRow:
    row: int  # as the spreadsheet shows it
    name: str
    email: str
    phone: str
    minutes: float | None  # None: the report has no duration column


@dataclass(frozen=True)
class ParticipantReport:
    rows: tuple[ParticipantRow, ...]
    problems: tuple[Issue, ...]  # rows that cannot be read, each message naming its row
    has_durations: bool


def read_participant_report(data: bytes) -> ParticipantReport:
    """The participant rows of a Zoom, Google Meet or Teams report (CSV or XLSX)."""
    if not data.strip():
        raise SpreadsheetError(error(N_("The file is empty.")))
    for rows in _candidate_tables(data):
        header = _find_header(rows)
        if header is not None:
            return _participants(rows, *header)
    raise SpreadsheetError(error(N_(
        "No header row with a participant's name was found (for example \"Name (Original Name)\", "
        "\"Full name\" or \"Name\"). Upload the participant report as the platform exported it."
    )))


def _candidate_tables(data: bytes):
    """The XLSX sheet, or the CSV text read with each delimiter in turn (Teams uses tabs)."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        yield read_rows(data)
        return
    text = decode_text(data)
    if "\x00" in text:
        raise SpreadsheetError(error(N_("The file contains NUL characters; it is not a CSV file.")))
    for delimiter in _DELIMITERS:
        try:
            yield _csv_rows(text, delimiter)
        except csv.Error as problem:
            raise SpreadsheetError(
                error(N_("The CSV file is malformed: %(reason)s"), reason=str(problem))) from None


def _csv_rows(text: str, delimiter: str) -> list[SheetRow]:
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
        if any(c.strip() for c in cells):
            if len(rows) > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
                raise SpreadsheetError(error(N_("The file has more than %(limit)d rows; split it."),
                                             limit=MAX_DATA_ROWS))
            rows.append(SheetRow(number, tuple(cells)))
    return rows


def _find_header(rows: list[SheetRow]) -> tuple[int, dict[str, int]] | None:
    """(position in rows, field -> column) of the first row naming a participant and a duration
    or an address; a header repeated (Zoom's meeting and participant columns) keeps the last."""
    for position, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        index = {}
        for column, cell in enumerate(row.cells):
            field = _KEYS.get(header_key(cell_text(cell)))
            if field:
                index[field] = column
        named = "name" in index or {"first_name", "last_name"} <= index.keys()
        if named and (index.keys() & {*_DURATION_FIELDS, "email", "upn", "phone"}):
            return position, index
    return None


def _participants(rows: list[SheetRow], header_at: int, index: dict[str, int]) -> ParticipantReport:
    participants, problems = [], []
    has_durations = bool(index.keys() & set(_DURATION_FIELDS))
    for row in rows[header_at + 1:]:
        values = {field: row.cells[column] if column < len(row.cells) else None
                  for field, column in index.items()}
        texts = [cell_text(c) for c in row.cells if cell_text(c)]
        if len(texts) == 1 and _SECTION_TITLE.match(texts[0]):
            break  # Teams: "3. In-Meeting Activities" follows the participants
        participant = _participant(row.number, values, has_durations)
        if isinstance(participant, Issue):
            problems.append(participant)
        elif participant is not None:
            participants.append(participant)
    return ParticipantReport(tuple(participants), tuple(problems), has_durations)


def _participant(number: int, values: dict[str, Cell], has_durations: bool
                 ) -> ParticipantRow | Issue | None:
    text = {field: cell_text(value) for field, value in values.items()}
    name = text.get("name") or " ".join(
        part for part in (text.get("last_name", ""), text.get("first_name", "")) if part)
    email = text.get("email") or text.get("upn", "")
    if not (name or email or text.get("phone")):
        return None  # a row of totals or a spacer
    minutes = None
    if has_durations:
        minutes = _minutes_of(values)
        if minutes is None:
            shown = next((text[f] for f in _DURATION_FIELDS if text.get(f)), "")
            return error(N_('Row %(row)d: the time attended "%(value)s" cannot be read.'),
                         row=number, value=shown[:40])
    return ParticipantRow(number, name[:200], email[:254], text.get("phone", "")[:40], minutes)


def _minutes_of(values: dict[str, Cell]) -> float | None:
    if values.get("minutes") not in (None, ""):
        return parse_duration(values["minutes"], bare_number_unit=1)
    if values.get("seconds") not in (None, ""):
        return parse_duration(values["seconds"], bare_number_unit=1 / 60)
    if values.get("duration") not in (None, ""):
        return parse_duration(values["duration"], bare_number_unit=1)
    return 0.0  # an empty duration cell: she was listed but stayed no measurable time


def parse_duration(value: Cell | datetime.time | datetime.timedelta, bare_number_unit: float = 1
                   ) -> float | None:
    """Minutes from "45", "1:05:30", "1h 5m 30s", "1 hr 5 min", "65 phút", an Excel time or
    timedelta; a bare number counts in `bare_number_unit` minutes. None if it cannot be read."""
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 60
    if isinstance(value, datetime.time):
        return value.hour * 60 + value.minute + value.second / 60
    if is_number(value):
        return float(value) * bare_number_unit if value >= 0 else None  # type: ignore[operator]
    text = cell_text(value).casefold()
    if _NUMBER.fullmatch(text):
        return float(text.replace(",", ".")) * bare_number_unit
    clock = _CLOCK.fullmatch(text)
    if clock:  # H:MM:SS, or H:MM as spreadsheets write a duration
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return hours * 60 + minutes + seconds / 60
    return _unit_duration(text)


def _unit_duration(text: str) -> float | None:
    total, consumed = 0.0, 0
    for match in _UNIT_PART.finditer(text):
        factor = _UNITS.get(match.group(2))
        if factor is None or text[consumed:match.start()].strip(" ,"):
            return None
        total += float(match.group(1).replace(",", ".")) * factor
        consumed = match.end()
    return total if consumed and not text[consumed:].strip(" ,.") else None
