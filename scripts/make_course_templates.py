"""Regenerate the spreadsheet templates attached to the commune leaders' course.

Run from the project folder:  .venv/bin/python scripts/make_course_templates.py
The files land in courses/chuyen-doi-so-lanh-dao-xa/tai-lieu/ and are committed with the course.
Headings are in Vietnamese with the English in brackets, so one file serves both languages.
"""

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

FOLDER = Path(__file__).resolve().parent.parent / "courses" / "chuyen-doi-so-lanh-dao-xa" / "tai-lieu"
FIXED_TIME = datetime(2026, 12, 1)  # fixed, so regenerating gives the same metadata
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def sheet_with_table(ws: Worksheet, title: str, note: str, headers: list[str], rows: list[list[str]]) -> None:
    """Write a title, a note, a bold header row and example rows; widen the columns."""
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = note
    ws["A2"].alignment = Alignment(wrap_text=True)
    ws.append([])
    ws.append(headers)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(row)
    for index, _ in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=4, column=index).column_letter].width = 28
    ws.freeze_panes = "A5"


def save(wb: Workbook, name: str) -> None:
    wb.properties.creator = "Hocso"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.save(FOLDER / name)


def plan_outline() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ke hoach"
    sheet_with_table(
        ws,
        "Đề cương kế hoạch chuyển đổi số của xã (Outline of the commune's digital transformation plan)",
        "Căn cứ: Nghị quyết 57-NQ/TW, Nghị quyết 03/NQ-CP, Luật Chuyển đổi số, kế hoạch của tỉnh. "
        "Mỗi dòng là một nhiệm vụ; xóa các dòng ví dụ khi dùng. "
        "(Bases: Resolution 57-NQ/TW, Resolution 03/NQ-CP, Law on Digital Transformation, the province's plan. "
        "One row per task; delete the example rows.)",
        [
            "Nhóm việc (Area)",
            "Nhiệm vụ (Task)",
            "Chỉ tiêu tỉnh giao (Target from the province)",
            "Hiện trạng (Baseline)",
            "Người chịu trách nhiệm (Responsible)",
            "Thời hạn (Deadline)",
            "Nguồn lực (Resources)",
            "Cách kiểm tra (How it is checked)",
        ],
        [
            ["Chính quyền số", "Ký số toàn bộ văn bản đi", "", "", "Văn phòng HĐND-UBND", "", "", "Hệ thống quản lý văn bản"],
            ["Dịch vụ công", "Hướng dẫn 3 thủ tục người dân làm nhiều nhất", "", "", "Trung tâm Phục vụ HCC", "", "", "Hệ thống giải quyết TTHC của tỉnh"],
            ["Dữ liệu", "Rà soát dữ liệu dân cư, hộ tịch, đất đai", "", "", "Công an xã, công chức tư pháp, địa chính", "", "", ""],
            ["An toàn thông tin", "Chuyển tài liệu công việc khỏi nhóm chat sang hệ thống chính thức", "", "", "", "", "", ""],
            ["Xã hội số", "Lớp Bình dân học vụ số ở mỗi thôn", "", "", "Tổ công nghệ số cộng đồng", "", "", ""],
        ],
    )
    save(wb, "ke-hoach-chuyen-doi-so-xa.xlsx")


def indicator_sheet() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Chi so"
    sheet_with_table(
        ws,
        "Bảng chỉ số chuyển đổi số của xã theo tháng (Monthly indicator sheet)",
        "Lấy số liệu từ hệ thống, ghi rõ nguồn. Tỷ lệ = Tử số / Mẫu số. "
        "(Take the figures from the systems and name the source. Rate = numerator / denominator.)",
        [
            "Chỉ số (Indicator)",
            "Tử số (Numerator)",
            "Mẫu số (Denominator)",
            "Tỷ lệ (Rate)",
            "Kỳ trước (Previous period)",
            "Chỉ tiêu (Target)",
            "Nguồn số liệu (Source)",
            "Ghi chú, khó khăn (Notes)",
        ],
        [
            ["Tỷ lệ hồ sơ trực tuyến", "", "", "=IFERROR(B5/C5,\"\")", "", "", "Hệ thống giải quyết TTHC của tỉnh", ""],
            ["Tỷ lệ hồ sơ giải quyết đúng hạn", "", "", "=IFERROR(B6/C6,\"\")", "", "", "Hệ thống giải quyết TTHC của tỉnh", ""],
            ["Tỷ lệ văn bản đi được ký số", "", "", "=IFERROR(B7/C7,\"\")", "", "", "Hệ thống quản lý văn bản", ""],
            ["Số người học Bình dân học vụ số", "", "", "", "", "", "Tổ công nghệ số cộng đồng", ""],
            ["Mức độ hài lòng của người dân", "", "", "=IFERROR(B9/C9,\"\")", "", "", "Phiếu đánh giá", ""],
        ],
    )
    for row in range(5, 10):
        ws.cell(row=row, column=4).number_format = "0.0%"
    save(wb, "bang-chi-so-chuyen-doi-so-xa.xlsx")


def incident_report() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Bao cao su co"
    sheet_with_table(
        ws,
        "Phiếu báo cáo sự cố an toàn thông tin, an ninh mạng (Information security incident report form)",
        "Gửi ngay cho đầu mối của tỉnh theo quy chế của tỉnh và cho Công an xã; không chờ khắc phục xong mới báo. "
        "(Send at once to the province's contact under the provincial rules and to the commune police; "
        "do not wait until it is fixed.)",
        ["Mục (Item)", "Nội dung (Details)"],
        [
            ["Đơn vị báo cáo (Reporting unit)", ""],
            ["Người báo cáo, số điện thoại (Reporter, phone)", ""],
            ["Thời điểm phát hiện (Detected at)", ""],
            ["Hệ thống, thiết bị, tài khoản bị ảnh hưởng (Affected system, device, account)", ""],
            ["Mô tả ngắn sự việc (What happened)", ""],
            ["Có dữ liệu cá nhân bị lộ không? Loại dữ liệu, số người (Personal data exposed? Kind, number of people)", ""],
            ["Việc đã làm ngay (Immediate actions taken)", ""],
            ["Bằng chứng đã lưu: ảnh chụp, tin nhắn, địa chỉ (Evidence kept)", ""],
            ["Đã báo cho ai, lúc nào (Who was told, when)", ""],
            ["Đề nghị hỗ trợ (Help requested)", ""],
        ],
    )
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 60
    save(wb, "bao-cao-su-co-an-toan-thong-tin.xlsx")


def personal_data_inventory() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Du lieu ca nhan"
    sheet_with_table(
        ws,
        "Danh mục dữ liệu cá nhân xã đang lưu giữ (Inventory of personal data the commune holds)",
        "Mỗi dòng là một bộ dữ liệu (sổ, danh sách, tệp). Điền để biết dữ liệu nào nằm ở đâu, ai được xem, "
        "khi nào xóa. (One row per dataset: register, list, file.)",
        [
            "Bộ dữ liệu (Dataset)",
            "Mục đích, căn cứ (Purpose, legal basis)",
            "Loại dữ liệu, có nhạy cảm không (Kinds of data, sensitive?)",
            "Nơi lưu (Where kept)",
            "Ai được truy cập (Who has access)",
            "Chia sẻ cho ai (Shared with)",
            "Thời hạn lưu, cách hủy (Retention, disposal)",
            "Người phụ trách (Owner)",
        ],
        [
            ["Danh sách hộ nghèo, cận nghèo", "", "", "", "", "", "", ""],
            ["Danh sách người hưởng trợ cấp xã hội", "", "", "", "", "", "", ""],
            ["Tệp bảng tính trên máy cá nhân cán bộ", "", "", "", "", "", "", ""],
        ],
    )
    save(wb, "danh-muc-du-lieu-ca-nhan.xlsx")


def procurement_checklist() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Mua sam"
    sheet_with_table(
        ws,
        "Phiếu kiểm tra trước khi mua thiết bị, dịch vụ mạng (Checklist before buying network equipment or services)",
        "Đánh dấu Có/Không cho từng báo giá; báo giá nào thiếu mục bắt buộc thì yêu cầu bổ sung trước khi chọn. "
        "(Mark Yes/No for each quote; ask for anything missing before choosing.)",
        ["Yêu cầu (Requirement)", "Bắt buộc? (Mandatory?)", "Báo giá 1 (Quote 1)", "Báo giá 2 (Quote 2)", "Ghi chú (Notes)"],
        [
            ["Hỗ trợ IPv6 và được bật khi lắp đặt (IPv6 supported and enabled)", "Có", "", "", ""],
            ["Theo hướng dẫn kỹ thuật của tỉnh, kết nối mạng truyền số liệu chuyên dùng (Follows provincial guidance)", "Có", "", "", ""],
            ["Đổi mật khẩu mặc định, bàn giao tài khoản quản trị cho xã (Default passwords changed)", "Có", "", "", ""],
            ["Còn được nhà sản xuất cập nhật bảo mật, đến năm nào (Security updates until)", "Có", "", "", ""],
            ["Đầu mối hỗ trợ, thời gian khắc phục sự cố (Support contact, repair time)", "Có", "", "", ""],
            ["Chi phí vận hành hằng năm (Yearly running cost)", "", "", "", ""],
        ],
    )
    save(wb, "phieu-kiem-tra-mua-sam-thiet-bi-mang.xlsx")


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    plan_outline()
    indicator_sheet()
    incident_report()
    personal_data_inventory()
    procurement_checklist()
    for path in sorted(FOLDER.glob("*.xlsx")):
        print(path.relative_to(FOLDER.parent.parent.parent))


if __name__ == "__main__":
    main()
