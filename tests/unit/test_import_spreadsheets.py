"""Reading learner lists as offices send them: encodings, separators, headers, numeric cells."""

import io
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.enrolment import learner_rows
from app.enrolment.credentials import (
    PASSWORD_ALPHABET,
    one_time_password,
    unique_username,
    username_base,
)
from app.imports.spreadsheets import (
    SpreadsheetError,
    cell_text,
    decode_text,
    find_columns,
    header_key,
    header_note,
    neutralise,
    read_rows,
    workbook_bytes,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
NAMES = ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Thị Hoa"]


def learner_table(data: bytes) -> list[dict[str, str]]:
    rows = read_rows(data)
    columns = find_columns(rows, learner_rows.ALIASES, learner_rows.REQUIRED, learner_rows.SHOWN)
    return [learner_rows.source_values(r, columns) for r in rows if r.number > columns.header_row]


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.mark.parametrize("name", ["learners.csv", "learners_bom.csv", "learners_utf16.txt",
                                  "learners_cp1258.csv"])
def test_every_encoding_and_separator_reads_the_same_nfc_names(name):
    values = learner_table((FIXTURES / name).read_bytes())
    assert [v["full_name"] for v in values] == NAMES
    assert all(unicodedata.is_normalized("NFC", v["full_name"]) for v in values)
    assert values[0]["phone"] == "0912345678" and values[1]["unit"] == "Xã Tân Lập"


def test_cp1258_fixture_really_uses_combining_tone_marks():
    data = (FIXTURES / "learners_cp1258.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert not unicodedata.is_normalized("NFC", data.decode("cp1258"))


def test_utf16_without_bom_is_recognised():
    text = "Họ và tên\tĐơn vị\nLê Thị Hoa\tT99-X01\n"
    assert decode_text(text.encode("utf-16-le")) == text


def test_headers_match_regardless_of_case_accents_and_punctuation():
    assert header_key("Số điện thoại") == header_key("SO DIEN THOAI") == header_key("so_dien_thoai")
    data = "HO VA TEN;don vi;PHONE;e-mail\nLê Thị Hoa;T99-X01;0912345678;hoa@example.vn\n".encode()
    (values,) = learner_table(data)
    assert values["full_name"] == "Lê Thị Hoa" and values["email"] == "hoa@example.vn"


def test_a_title_above_the_header_keeps_the_spreadsheet_row_numbers():
    rows = read_rows(xlsx([["DANH SÁCH HỌC VIÊN"], [], ["STT", "Họ và tên", "Đơn vị"],
                           [1, "Lê Thị Hoa", "T99-X01"]]))
    columns = find_columns(rows, learner_rows.ALIASES, learner_rows.REQUIRED, learner_rows.SHOWN)
    assert columns.header_row == 3 and columns.ignored == ("STT",)
    assert [r.number for r in rows if r.number > columns.header_row] == [4]


def test_missing_required_columns_name_them():
    with pytest.raises(SpreadsheetError) as problem:
        learner_table((FIXTURES / "learners_wrong_columns.csv").read_bytes())
    assert "Họ và tên, Đơn vị" in problem.value.issue.english()


def test_two_columns_for_one_field_are_refused():
    with pytest.raises(SpreadsheetError, match="mean the same thing"):
        learner_table("Họ và tên,Đơn vị,SĐT,Số điện thoại\nA B,X,1,2\n".encode())


def test_numeric_phone_cells_get_their_leading_zero_back():
    values = learner_table(xlsx([["Họ và tên", "Đơn vị", "Số điện thoại"],
                                 ["Lê Thị Hoa", "T99-X01", 912345678],
                                 ["Trần Văn Đức", "T99-X01", 987654321.0],
                                 ["Ngô Văn Dũng", "T99-X01", 84912000111]]))
    assert [v["phone"] for v in values] == ["0912345678", "0987654321", "0912000111"]


@pytest.mark.parametrize("typed, kept", [("0912.345.678", "0912345678"), ("+84 912 345 678", "0912345678"),
                                         ("912345678", "0912345678"), ("12345", "12345")])
def test_phone_text_is_normalised(typed, kept):
    assert learner_rows.mobile_number(typed) == kept


def test_not_a_spreadsheet_is_reported_not_crashed():
    for data in (b"", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", b"a,b\x00c\n",
                 "Họ và tên\n".encode()[:-3] + b"\x81\x8a\n"):
        with pytest.raises(SpreadsheetError):
            learner_table(data)


def test_cells_are_text_without_float_noise():
    assert cell_text(912345678.0) == "912345678" and cell_text(None) == "" and cell_text(" a ") == "a"


def test_row_checks_name_each_problem():
    result = learner_rows.check_row(7, {"full_name": "  Lê  Thị\u200bHoa ", "unit": "", "phone": "0123",
                                        "email": "x@", "username": "Lê Hoa"})
    messages = " | ".join(issue.english() for issue in result.issues)
    for fragment in ("invisible", "unit is missing", "not a Vietnamese mobile", "email", "username"):
        assert fragment in messages
    assert result.row == 7 and result.status == "error"


def test_usernames_are_ascii_and_made_unique():
    assert username_base("Nguyễn Thị Hồng Nhung") == "nguyenthihongnhung"
    assert username_base("Đặng Văn Đức") == "dangvanduc"
    assert username_base("Ư") == "hocvien"
    taken = {"nguyenvanan", "nguyenvanan2"}
    assert [unique_username("nguyenvanan", taken) for _ in range(2)] == ["nguyenvanan3", "nguyenvanan4"]


def test_one_time_passwords_are_random_readable_and_distinct():
    passwords = {one_time_password() for _ in range(2000)}
    assert len(passwords) == 2000
    sample = passwords.pop()
    assert len(sample) == 14 and set(sample.replace("-", "")) <= set(PASSWORD_ALPHABET)
    assert not set("01oil") & set(PASSWORD_ALPHABET)


def test_written_workbooks_neutralise_formulas():
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and neutralise("Xã") == "Xã"
    data = workbook_bytes([("Sheet", [["Họ và tên"], ["=1+1"], ["+84"], ["@SUM(A1)"]])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet["A"]][1:4] == ["'=1+1", "'+84", "'@SUM(A1)"]
    assert all(c.data_type == "s" for c in sheet["A"][:4])


# --- Issue 14 item 17: headers over two rows, merged cells ------------------------------------

def merged_xlsx(rows: list[list], merges: list[str]) -> bytes:
    """An XLSX as offices make them: `rows` from row 1, then these ranges merged ("B2:D2")."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for cells in merges:
        workbook.active.merge_cells(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def header_of(data: bytes):
    rows = read_rows(data)
    return rows, find_columns(rows, learner_rows.ALIASES, learner_rows.REQUIRED, learner_rows.SHOWN)


def test_a_group_label_merged_over_the_column_names_is_read_as_a_two_row_header():
    data = merged_xlsx([
        ["DANH SÁCH HỌC VIÊN XÃ TẢ VAN"],
        ["STT", "Thông tin học viên", None, None, "Liên hệ", None],
        [None, "Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại", "Email"],
        [1, "Lê Thị Hoa", "T99-X01", "Cán bộ", 912345678, "hoa@example.vn"],
        [2, "Trần Văn Đức", "T99-X02", None, None, None],
    ], ["A1:F1", "A2:A3", "B2:D2", "E2:F2"])
    rows, columns = header_of(data)
    assert columns.header_rows == (2, 3) and columns.ignored == ("STT",)
    assert columns.found == ("Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại", "Email")
    data_rows = [r for r in rows if r.number > columns.header_row]
    assert [r.number for r in data_rows] == [4, 5]  # the spreadsheet's own row numbers
    values = [learner_rows.source_values(r, columns) for r in data_rows]
    assert values[0] == {"full_name": "Lê Thị Hoa", "unit": "T99-X01", "position": "Cán bộ",
                         "phone": "0912345678", "email": "hoa@example.vn"}


def test_column_names_merged_down_over_two_rows_beside_sub_columns():
    data = merged_xlsx([
        ["Danh sách học viên đợt 1"],
        ["Họ và tên", "Đơn vị", "Liên hệ", None],
        [None, None, "Điện thoại", "Email"],
        ["Lê Thị Hoa", "T99-X01", "0912345678", "hoa@example.vn"],
    ], ["A2:A3", "B2:B3", "C2:D2"])
    rows, columns = header_of(data)
    assert columns.header_rows == (2, 3) and columns.ignored == ()
    assert columns.index == {"full_name": 0, "unit": 1, "phone": 2, "email": 3}
    (values,) = [learner_rows.source_values(r, columns) for r in rows if r.number > columns.header_row]
    assert values["full_name"] == "Lê Thị Hoa" and values["email"] == "hoa@example.vn"


def test_unmerged_names_in_the_upper_row_beside_sub_columns_are_read_together():
    rows, columns = header_of(xlsx([["Họ và tên", "Đơn vị", "Liên hệ", None],
                                    [None, None, "Số điện thoại", "Email"],
                                    ["Lê Thị Hoa", "T99-X01", "0912345678", None]]))
    assert columns.header_rows == (1, 2) and columns.index["phone"] == 2
    assert [r.number for r in rows if r.number > columns.header_row] == [3]


def test_a_merged_title_above_a_one_row_header_stays_a_title():
    rows, columns = header_of(merged_xlsx([
        ["DANH SÁCH HỌC VIÊN", None, None], [None, None, None],
        ["Họ và tên", "Đơn vị", "SĐT"], ["Lê Thị Hoa", "T99-X01", "0912345678"],
    ], ["A1:C2"]))
    assert columns.header_rows == (3, 3) and [r.number for r in rows] == [1, 3, 4]


def test_a_unit_merged_down_over_several_learners_belongs_to_each():
    rows, columns = header_of(merged_xlsx([
        ["Họ và tên", "Đơn vị"], ["Lê Thị Hoa", "T99-X01"], ["Trần Văn Đức", None], ["Ngô Văn Dũng", None],
    ], ["B2:B4"]))
    assert [learner_rows.source_values(r, columns)["unit"] for r in rows[1:]] == ["T99-X01"] * 3


def test_the_note_says_which_rows_were_the_header_and_why():
    _, one = header_of(xlsx([["DANH SÁCH"], ["STT", "Họ và tên", "Đơn vị", "Số điện thoại"]]))
    assert header_note(one).english() == (
        "Row 2 was used as the header: it is the first row naming the required columns "
        "(found: Họ và tên, Đơn vị, Số điện thoại).")
    _, two = header_of(xlsx([["Họ và tên", "Đơn vị", "Liên hệ"], [None, None, "Email"]]))
    assert header_note(two).english().startswith("Rows 1–2 were used together as the header")
    assert not header_note(two).is_error


def test_without_a_header_the_message_names_the_columns_and_the_rows_searched():
    data = xlsx([["DANH SÁCH"], ["Tên", "Địa chỉ"], *([f"Người {n}", "Hà Nội"] for n in range(12))])
    with pytest.raises(SpreadsheetError) as problem:
        header_of(data)
    message = problem.value.issue.english()
    assert "rows 1 to 10 were searched for the columns Họ và tên, Đơn vị" in message
