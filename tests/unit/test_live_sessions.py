"""Live sessions, pure parts: the check-in window and code, report parsing, matching."""

import datetime
import io
import unicodedata
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from app.imports.spreadsheets import SpreadsheetError
from app.live_sessions.matching import MatchMethod, Roster, RosterEntry, match_report, phones_in
from app.live_sessions.participant_report import ParticipantRow, parse_duration, read_participant_report
from app.live_sessions.schedule import (
    CODE_ALPHABET,
    WindowState,
    checkin_window,
    codes_match,
    is_meeting_url,
    local_to_utc,
    new_checkin_code,
)

START = datetime.datetime(2025, 6, 5, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- the window and the code -------------------------------------------------------------------

@pytest.mark.parametrize(("offset_minutes", "state"), [
    (-11, WindowState.NOT_YET), (-10, WindowState.OPEN), (0, WindowState.OPEN),
    (90 + 15, WindowState.OPEN), (90 + 16, WindowState.CLOSED),
])
def test_checkin_opens_10_minutes_before_and_closes_15_after_the_end(offset_minutes, state):
    window = checkin_window(START, 90)
    assert window.state(START + timedelta(minutes=offset_minutes)) == state


def test_codes_are_six_unambiguous_characters_and_differ():
    codes = {new_checkin_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_a_typed_code_forgives_case_spaces_and_dashes_only():
    assert codes_match(" ab3-k7q ", "AB3K7Q")
    assert not codes_match("AB3K7", "AB3K7Q") and not codes_match("AB3K7QX", "AB3K7Q")


def test_local_time_is_stored_as_utc():
    moment = local_to_utc(datetime.date(2025, 6, 5), datetime.time(8, 0), ZoneInfo("Asia/Ho_Chi_Minh"))
    assert moment == START


@pytest.mark.parametrize(("url", "ok"), [
    ("https://us02web.zoom.us/j/81234567890?pwd=abc", True), ("http://meet.google.com/abc-defg-hij", True),
    ("javascript:alert(1)", False), ("zoom.us/j/1", False), ("https://", False),
    ("https://exa mple.com", False), ("ftp://example.com/x", False),
])
def test_meeting_links_are_http_or_https_with_a_host(url, ok):
    assert is_meeting_url(url) is ok


# --- durations and reports ---------------------------------------------------------------------

@pytest.mark.parametrize(("value", "minutes"), [
    ("45", 45), (45, 45), ("1:05:30", 65.5), ("1:05", 65), ("1h 5m 30s", 65.5), ("45m 12s", 45.2),
    ("1 hr 5 min", 65), ("65 phút", 65), ("1 giờ 5 phút", 65), (datetime.time(1, 5), 65),
    (timedelta(minutes=42), 42), ("", None), ("abc", None), ("5 parsecs", None), ("-3", None),
])
def test_durations_in_every_platform_spelling(value, minutes):
    result = parse_duration(value)
    assert (result is None and minutes is None) or result == pytest.approx(minutes, abs=0.01)


ZOOM_CSV = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,Tập huấn chuyển đổi số,06/05/2025 08:00:00 AM,06/05/2025 09:30:00 AM,host@so.gov.vn,90,4\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "0912 345 040 - Nguyen Van An,,06/05/2025 08:01:00 AM,06/05/2025 08:40:00 AM,39,Yes\n"
    "0912 345 040 - Nguyen Van An,,06/05/2025 08:45:00 AM,06/05/2025 09:30:00 AM,45,Yes\n"
    f"{nfd('Trần Thị Hoa')},,06/05/2025 08:02:00 AM,06/05/2025 09:30:00 AM,88,Yes\n"
    "Máy chiếu hội trường,,06/05/2025 08:00:00 AM,06/05/2025 09:30:00 AM,90,Yes\n"
)

TEAMS_TSV = (
    "1. Summary\nMeeting title\tTập huấn\nAttended participants\t2\nMeeting duration\t1h 30m\n\n"
    "2. Participants\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
    "Lê Văn Bình\t6/5/25, 8:00:10 AM\t6/5/25, 9:30:00 AM\t1h 29m 50s\t"
    "binh@lc.gov.vn\tbinh@lc.gov.vn\tAttendee\n"
    "Phạm Thu\t6/5/25, 8:10:00 AM\t6/5/25, 8:20:00 AM\t10m\t\t\tAttendee\n"
    "\n3. In-Meeting Activities\n"
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
    "Lê Văn Bình\t6/5/25, 8:00:10 AM\t6/5/25, 9:30:00 AM\t1h 29m 50s\tbinh@lc.gov.vn\tAttendee\n"
)

MEET_CSV = (
    "First name,Last name,Email,Duration,Time joined,Time exited\n"
    "An,Nguyễn Văn,an.nv@gmail.com,1 hr 20 min,8:00 AM,9:20 AM\n"
    "Hoa,Trần Thị,,25 min,8:00 AM,8:25 AM\n"
)


def test_zoom_report_under_its_meeting_block():
    report = read_participant_report(ZOOM_CSV.encode("utf-8-sig"))
    assert [r.row for r in report.rows] == [5, 6, 7, 8]
    assert [r.minutes for r in report.rows] == [39, 45, 88, 90]
    assert report.rows[2].name == "Trần Thị Hoa"  # NFD in the file, NFC here
    assert report.problems == () and report.has_durations


def test_teams_report_in_utf16_stops_before_the_activity_section():
    report = read_participant_report(b"\xff\xfe" + TEAMS_TSV.encode("utf-16-le"))
    assert [(r.name, round(r.minutes, 1)) for r in report.rows] == [("Lê Văn Bình", 89.8), ("Phạm Thu", 10)]
    assert report.rows[0].email == "binh@lc.gov.vn"


def test_google_meet_report_joins_last_and_first_names():
    report = read_participant_report(MEET_CSV.encode())
    assert [(r.name, r.minutes) for r in report.rows] == [("Nguyễn Văn An", 80), ("Trần Thị Hoa", 25)]


def test_xlsx_report_with_excel_durations():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tên (Tên gốc)", "Email người dùng", "Thời lượng (phút)"])
    sheet.append([nfd("Nguyễn Văn An"), "", 61])
    sheet.append(["Trần Thị Hoa", "", "không rõ"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = read_participant_report(buffer.getvalue())
    assert [(r.row, r.name, r.minutes) for r in report.rows] == [(2, "Nguyễn Văn An", 61)]
    assert [p.english() for p in report.problems] == ['Row 3: the time attended "không rõ" cannot be read.']


def test_a_file_without_a_participant_header_is_refused():
    with pytest.raises(SpreadsheetError):
        read_participant_report(b"Topic,Start\nX,Y\n")
    with pytest.raises(SpreadsheetError):
        read_participant_report(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls")


# --- matching ----------------------------------------------------------------------------------

ROSTER = Roster([
    RosterEntry(1, "an.nv", "Nguyễn Văn An", phone="0912345040"),
    RosterEntry(2, "hoa.tt", "Trần Thị Hoa"),
    RosterEntry(3, "hoa.tt2", "Trần Thị Hoa"),
    RosterEntry(4, "binh.lv", "Lê Văn Bình", email="binh@lc.gov.vn"),
    RosterEntry(5, "thu.pham", "Phạm Thu"),
])


def row(name: str, email: str = "", minutes: float = 30, number: int = 2) -> ParticipantRow:
    return ParticipantRow(number, name, email, "", minutes)


@pytest.mark.parametrize("spelling", ["0912 345 040", "+84912345040", "84.912.345.040", "0912-345-040"])
def test_phone_spellings_are_one_number(spelling):
    assert phones_in(f"{spelling} - Nguyen Van An") == ["0912345040"]
    outcome = ROSTER.match(row(f"{spelling} - anh An"))
    assert (outcome.user_id, outcome.method) == (1, MatchMethod.PHONE)


@pytest.mark.parametrize(("name", "email", "user_id", "method"), [
    ("UBND xã Hòa Bình (an.nv)", "", 1, MatchMethod.USERNAME),
    ("Khách", "an.nv@gmail.com", 1, MatchMethod.USERNAME),
    ("Bình", "BINH@lc.gov.vn", 4, MatchMethod.EMAIL),
    (nfd("PHẠM   thu"), "", 5, MatchMethod.NAME),
    ("Pham Thu", "", 5, MatchMethod.NAME_WITHOUT_ACCENTS),
    ("Nguyễn Văn An - Xã Hòa Bình", "", 1, MatchMethod.NAME),
])
def test_rows_match_by_username_email_and_normalised_name(name, email, user_id, method):
    outcome = ROSTER.match(row(name, email))
    assert (outcome.user_id, outcome.method) == (user_id, method)


def test_a_name_two_learners_share_is_reported_not_guessed():
    outcome = ROSTER.match(row(nfd("Trần Thị Hoa")))
    assert outcome.user_id is None and outcome.candidates == (2, 3)
    assert ROSTER.match(row("Tran Thi Hoa")).candidates == (2, 3)


def test_rejoins_add_up_and_strangers_are_unmatched():
    rows = [row("0912 345 040", minutes=20.5, number=2), row("+84912345040", minutes=9.6, number=3),
            row("Máy chiếu hội trường", number=4), row("Trần Thị Hoa", number=5)]
    result = match_report(rows, ROSTER)
    assert [(m.entry.user_id, m.minutes, m.row_numbers) for m in result.learners] == [(1, 30, [2, 3])]
    assert [r.row for r in result.unmatched] == [4]
    assert [o.row.row for o in result.ambiguous] == [5]
