"""Live sessions through the client: every route and role, each way of recording attendance,
and completion (with its certificate) the moment the last requirement is met."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.authoring import instructors
from app.certificates.models import Certificate
from app.database import utcnow
from app.extensions import db
from app.intakes.models import Intake
from app.live_sessions import services
from app.live_sessions.models import Attendance, AttendanceMethod, LiveSession
from app.live_sessions.schedule import new_checkin_code
from app.progress import services as progress
from app.progress.models import CourseCompletion
from tests import builders
from tests.conftest import row_count
from tests.security.conftest import log_in_as


@dataclass
class People:
    learner: User  # enrolled in khoa-mau
    stranger: User  # a learner not enrolled
    instructor: User  # assigned to khoa-mau
    other_instructor: User  # assigned to khoa-song-ngu only
    admin: User


@pytest.fixture
def people(app, make_user) -> People:
    learner = make_user(username="lan", full_name="Nguyễn Thị Lan", phone="0912345040")
    stranger = make_user(username="mai", full_name="Đỗ Thị Mai")
    instructor = make_user(role="instructor", username="giangvien")
    other = make_user(role="instructor", username="gvkhac")
    admin = make_user(role="admin", username="quantri")
    instructors.assign(instructor, builders.course("khoa-mau"), admin)
    instructors.assign(other, builders.course("khoa-song-ngu"), admin)
    progress.enrol(learner, builders.course("khoa-mau"))
    db.session.commit()
    return People(learner, stranger, instructor, other, admin)


def make_session(starts_in_minutes: int = 0, required: bool = False, minimum: int = 0,
                 intake: Intake | None = None, duration: int = 60) -> LiveSession:
    session = LiveSession(
        course_id=builders.course().id, title="Tập huấn trực tuyến", duration_minutes=duration,
        starts_at=utcnow() + timedelta(minutes=starts_in_minutes), meeting_url="https://zoom.us/j/812345",
        attendance_required=required, minimum_minutes=minimum, checkin_code=new_checkin_code(),
        intake_id=intake.id if intake else None,
    )
    db.session.add(session)
    db.session.commit()
    return session


def tick(client, session: LiveSession, user: User):
    """The roster page's form, showing this one learner, ticked."""
    return client.post(f"/live/{session.id}/roster", data={"shown": [user.id], "attended": [user.id]})


def attendance_rows(session: LiveSession) -> list[Attendance]:
    return list(db.session.scalars(sa.select(Attendance).filter_by(session_id=session.id)))


def certificates_of(user: User) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).filter_by(user_id=user.id)))


# --- who may do what ---------------------------------------------------------------------------

def staff_urls(session: LiveSession) -> list[str]:
    return ["/courses/khoa-mau/live", "/courses/khoa-mau/live/new", f"/live/{session.id}/edit",
            f"/live/{session.id}/roster", f"/live/{session.id}/present", f"/live/{session.id}/import"]


def test_staff_pages_answer_only_the_course_instructors_and_admins(client, people):
    session = make_session()
    for url in staff_urls(session):
        log_in_as(client, None)
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
        for user, status in ((people.learner, 403), (people.other_instructor, 403),
                             (people.instructor, 200), (people.admin, 200)):
            log_in_as(client, user)
            assert client.get(url).status_code == status, (url, user.username)


def test_forbidden_changes_change_nothing(client, people):
    session = make_session()
    posts = {f"/live/{session.id}/roster": {"shown": [people.learner.id], "attended": [people.learner.id]},
             f"/live/{session.id}/delete": {}, f"/live/{session.id}/edit": {"title": "Đổi"},
             f"/live/{session.id}/import/confirm": {"payload": "x"}, "/courses/khoa-mau/live/new": {}}
    for user in (people.learner, people.other_instructor):
        log_in_as(client, user)
        for url, data in posts.items():
            assert client.post(url, data=data).status_code == 403, (url, user.username)
    log_in_as(client, None)
    assert client.post(f"/live/{session.id}/delete").status_code == 302
    assert db.session.get(LiveSession, session.id).title == "Tập huấn trực tuyến"
    assert attendance_rows(session) == []


def test_an_unknown_session_is_404(client, people):
    log_in_as(client, people.admin)
    for url in (f"/live/{987654}/roster", f"/live/{987654}/check-in", "/courses/khong-co/live"):
        assert client.get(url).status_code == 404, url


# --- scheduling --------------------------------------------------------------------------------

def form(**changes) -> dict:
    data = {"title": "Tập huấn chuyển đổi số", "day": "2025-06-05", "at": "08:00", "duration_minutes": "90",
            "meeting_url": "https://meet.google.com/abc-defg-hij", "location": "", "intake": "0",
            "attendance_required": "y", "minimum_minutes": "30"}
    return {**data, **changes}


def test_the_instructor_schedules_a_session_in_vietnam_time(client, people):
    log_in_as(client, people.instructor)
    response = client.post("/courses/khoa-mau/live/new", data=form())
    assert response.status_code == 302
    session = db.session.scalar(sa.select(LiveSession))
    assert session.starts_at_utc.isoformat() == "2025-06-05T01:00:00+00:00"
    assert session.attendance_required and session.minimum_minutes == 30 and len(session.checkin_code) == 6
    page = client.get(f"/live/{session.id}/edit").get_data(as_text=True)
    assert 'value="08:00"' in page and 'value="2025-06-05"' in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"meeting_url": "javascript:alert(1)"}, "bắt đầu bằng https://"),
    ({"meeting_url": "", "location": ""}, "hoặc địa điểm nếu học tại hội trường"),
    ({"day": "05/06/2025"}, "YYYY-MM-DD"),
    ({"at": "25:00"}, "HH:MM"),
    ({"duration_minutes": "١٢"}, "từ 5 đến 720"),
    ({"minimum_minutes": "200"}, "không được dài hơn buổi học"),
    ({"intake": "999"}, "Not a valid choice"),
])
def test_bad_schedule_input_is_explained_not_a_500(client, people, changes, message):
    log_in_as(client, people.admin)
    response = client.post("/courses/khoa-mau/live/new", data=form(**changes))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert row_count(LiveSession) == 0


def test_an_intake_of_another_course_is_refused(app, people):
    other = Intake(course_id=builders.course("khoa-song-ngu").id, code="d1", name="Đợt 1")
    db.session.add(other)
    db.session.commit()
    details = services.SessionDetails("Buổi 1", date(2025, 6, 5), time(8, 0), 60, "https://zoom.us/j/1",
                                      "", other.id, False, 0)
    with pytest.raises(services.LiveSessionError):
        services.schedule_session(builders.course(), details, ZoneInfo("Asia/Ho_Chi_Minh"), people.admin)


def test_a_hall_session_needs_no_link(client, people):
    log_in_as(client, people.instructor)
    response = client.post("/courses/khoa-mau/live/new",
                           data=form(meeting_url="", location="Hội trường UBND tỉnh"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(LiveSession.location)) == "Hội trường UBND tỉnh"


def test_delete_only_while_nobody_attended(client, people):
    session = make_session()
    log_in_as(client, people.instructor)
    tick(client, session, people.learner)
    response = client.post(f"/live/{session.id}/delete", follow_redirects=True)
    assert "không thể xóa" in response.get_data(as_text=True)
    assert db.session.get(LiveSession, session.id) is not None
    client.post(f"/live/{session.id}/roster", data={"shown": [people.learner.id]})  # untick
    assert client.post(f"/live/{session.id}/delete").status_code == 302
    assert row_count(LiveSession) == 0


# --- check-in ----------------------------------------------------------------------------------

def test_the_qr_code_leads_to_the_check_in_page_with_the_code(client, people):
    session = make_session()
    log_in_as(client, people.instructor)
    page = client.get(f"/live/{session.id}/present").get_data(as_text=True)
    assert session.checkin_code in page and 'src="data:image/svg+xml' in page
    assert f"http://127.0.0.1:5000/live/{session.id}/check-in?code={session.checkin_code}" in page
    log_in_as(client, people.learner)
    page = client.get(f"/live/{session.id}/check-in?code={session.checkin_code}").get_data(as_text=True)
    assert f'value="{session.checkin_code}"' in page and "10 phút trước" in page


def test_check_in_once_during_the_window(client, people):
    session = make_session()
    log_in_as(client, people.learner)
    url = f"/live/{session.id}/check-in"
    response = client.post(url, data={"code": session.checkin_code.lower()}, follow_redirects=True)
    assert "Bạn đã điểm danh thành công" in response.get_data(as_text=True)
    response = client.post(url, data={"code": session.checkin_code}, follow_redirects=True)
    assert "Bạn đã được điểm danh trước đó" in response.get_data(as_text=True)
    rows = attendance_rows(session)
    assert [(r.user_id, r.method) for r in rows] == [(people.learner.id, AttendanceMethod.CHECKIN)]


def test_a_wrong_code_is_refused(client, people):
    session = make_session()
    log_in_as(client, people.learner)
    response = client.post(f"/live/{session.id}/check-in", data={"code": "ZZZZZZ"})
    assert response.status_code == 400 and "Đây không phải mã của buổi học" in response.get_data(as_text=True)
    assert attendance_rows(session) == []


@pytest.mark.parametrize(("starts_in", "message"), [
    (11, "Chưa đến giờ điểm danh"), (-60 - 16, "Đã hết giờ điểm danh"),
])
def test_check_in_outside_the_window_is_refused(client, people, starts_in, message):
    session = make_session(starts_in_minutes=starts_in, duration=60)
    log_in_as(client, people.learner)
    response = client.post(f"/live/{session.id}/check-in", data={"code": session.checkin_code})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert attendance_rows(session) == []


def test_only_the_sessions_learners_check_in(client, people, make_user):
    intake = Intake(course_id=builders.course().id, code="dot-2", name="Đợt 2")
    db.session.add(intake)
    db.session.commit()
    other_intake = make_session(intake=intake)
    everyone = make_session()
    for user, session in ((people.stranger, everyone), (people.instructor, everyone),
                          (people.learner, other_intake)):
        log_in_as(client, user)
        response = client.post(f"/live/{session.id}/check-in", data={"code": session.checkin_code})
        assert response.status_code == 403, user.username
        assert "Chỉ học viên đã ghi danh" in response.get_data(as_text=True)
    assert row_count(Attendance) == 0
    log_in_as(client, None)
    assert client.get(f"/live/{everyone.id}/check-in").status_code == 302


def test_check_in_is_rate_limited_per_learner(client, people):
    session = make_session()
    log_in_as(client, people.learner)
    statuses = [client.post(f"/live/{session.id}/check-in", data={"code": "AAAAAA"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429


# --- the course page ---------------------------------------------------------------------------

def test_enrolled_learners_see_the_coming_session_and_its_link(client, people):
    session = make_session(starts_in_minutes=60 * 24, required=True)
    log_in_as(client, people.learner)
    page = client.get("/courses/khoa-mau").get_data(as_text=True)
    assert session.title in page and session.meeting_url in page and "bắt buộc tham dự" in page
    assert "Đã tham dự 0/1 buổi học bắt buộc" in page
    log_in_as(client, people.stranger)
    assert session.meeting_url not in client.get("/courses/khoa-mau").get_data(as_text=True)
    log_in_as(client, people.instructor)
    assert "Quản lý buổi học trực tuyến" in client.get("/courses/khoa-mau").get_data(as_text=True)


# --- completion ----------------------------------------------------------------------------------

def finish_modules(client, learner: User) -> None:
    log_in_as(client, learner)
    builders.complete_course(client)


def test_a_required_session_holds_completion_until_she_checks_in(client, people):
    session = make_session(required=True)
    finish_modules(client, people.learner)
    assert row_count(CourseCompletion) == 0 and certificates_of(people.learner) == []
    client.post(f"/live/{session.id}/check-in", data={"code": session.checkin_code})
    [certificate] = certificates_of(people.learner)
    assert certificate.pdf_sha256 is not None  # rendered after the completing commit


def test_a_roster_tick_completes_the_course(client, people):
    session = make_session(starts_in_minutes=-600, required=True)
    finish_modules(client, people.learner)
    log_in_as(client, people.instructor)
    response = client.post(f"/live/{session.id}/roster",
                           data={"shown": [people.learner.id], "attended": [people.learner.id]},
                           follow_redirects=True)
    assert "1 học viên đã hoàn thành khóa học" in response.get_data(as_text=True)
    assert len(certificates_of(people.learner)) == 1
    assert [r.method for r in attendance_rows(session)] == [AttendanceMethod.ROSTER]


def test_a_tick_for_someone_not_on_the_roster_is_ignored(client, people):
    session = make_session()
    log_in_as(client, people.instructor)
    tick(client, session, people.stranger)
    assert attendance_rows(session) == []


def test_lifting_the_requirement_completes_those_it_held_back(client, people):
    session = make_session(starts_in_minutes=-600, required=True)
    finish_modules(client, people.learner)
    assert certificates_of(people.learner) == []
    log_in_as(client, people.admin)
    response = client.post(f"/live/{session.id}/edit", data=form(attendance_required=""))
    assert response.status_code == 302
    assert len(certificates_of(people.learner)) == 1


# --- importing the participant report ----------------------------------------------------------

def zoom_report(*rows: tuple[str, int]) -> bytes:
    lines = ["Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants",
             "812 3456 7890,Tập huấn,06/05/2025 08:00,06/05/2025 09:30,host@so.gov.vn,90,3", "",
             "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"]
    lines += [f"{name},,08:00,09:00,{minutes},Yes" for name, minutes in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def upload(client, session: LiveSession, data: bytes, name: str = "participants.csv"):
    return client.post(f"/live/{session.id}/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def confirm_payload(page: str) -> str:
    return re.search(r'name="payload"[^>]*value="([^"]+)"', page).group(1)


def test_import_after_the_fact_issues_the_certificate(client, people, make_user):
    hoa = make_user(username="hoa", full_name="Trần Thị Hoa", phone="0987654321")
    progress.enrol(hoa, builders.course())
    db.session.commit()
    session = make_session(starts_in_minutes=-7 * 24 * 60, required=True, minimum=30)
    finish_modules(client, people.learner)
    log_in_as(client, people.instructor)
    report = zoom_report(("0912 345 040 - Lan", 20), ("+84912345040", 15),
                         (unicodedata.normalize("NFD", "TRẦN THỊ HOA"), 10), ("Máy chiếu hội trường", 90))
    page = upload(client, session, report).get_data(as_text=True)
    assert "1 học viên sẽ được ghi nhận" in page  # Lan: 20 + 15 minutes, matched twice by phone
    assert "Tham dự chưa đủ 30 phút" in page and "Trần Thị Hoa (hoa)" in page
    assert "Máy chiếu hội trường" in page and "5, 6" in page
    assert attendance_rows(session) == []  # the dry run writes nothing
    response = client.post(f"/live/{session.id}/import/confirm", data={"payload": confirm_payload(page)},
                           follow_redirects=True)
    assert "ghi nhận 1 học viên" in response.get_data(as_text=True)
    [row] = attendance_rows(session)
    assert (row.user_id, row.method, row.minutes) == (people.learner.id, AttendanceMethod.IMPORT, 35)
    assert len(certificates_of(people.learner)) == 1 and certificates_of(hoa) == []
    # The same report again: she counts once.
    page = upload(client, session, report).get_data(as_text=True)
    assert "Không có ai mới cần ghi nhận" in page
    assert len(attendance_rows(session)) == 1


def test_an_ambiguous_name_is_listed_with_its_candidates(client, people, make_user):
    for username in ("hoa1", "hoa2"):
        progress.enrol(make_user(username=username, full_name="Trần Thị Hoa"), builders.course())
    db.session.commit()
    session = make_session()
    log_in_as(client, people.admin)
    page = upload(client, session, zoom_report(("Tran Thi Hoa", 60))).get_data(as_text=True)
    assert "Trần Thị Hoa (hoa1); Trần Thị Hoa (hoa2)" in page and 'name="payload"' not in page


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.csv", "Tệp trống"),
    (b"Topic,Start\nX,Y\n", "x.csv", "Không tìm thấy dòng tiêu đề"),
    (b"PK\x03\x04broken", "x.xlsx", "XLSX"),
    (b"\x00\x01\x02" * 50, "x.csv", ""),
])
def test_a_bad_report_gets_a_message_not_a_500(client, people, data, name, message):
    session = make_session()
    log_in_as(client, people.admin)
    response = upload(client, session, data, name)
    assert response.status_code in (200, 400) and message in response.get_data(as_text=True)
    assert attendance_rows(session) == []


def test_a_report_without_minutes_for_a_session_with_a_minimum_is_refused(client, people):
    session = make_session(minimum=30)
    log_in_as(client, people.admin)
    response = upload(client, session, b"Full Name,Email\nNguyen Thi Lan,lan@x.vn\n")
    assert response.status_code == 400 and "không có cột số phút" in response.get_data(as_text=True)


def test_a_tampered_confirmation_writes_nothing(client, people):
    session = make_session()
    other = make_session()
    log_in_as(client, people.admin)
    page = upload(client, session, zoom_report(("0912345040", 60))).get_data(as_text=True)
    for target, payload in ((session, "tampered"), (other, confirm_payload(page))):
        response = client.post(f"/live/{target.id}/import/confirm", data={"payload": payload},
                               follow_redirects=True)
        assert "đã hết hạn hoặc đã bị thay đổi" in response.get_data(as_text=True)
    assert row_count(Attendance) == 0


# --- reports -----------------------------------------------------------------------------------

def test_the_funnel_counts_attendance_and_the_learner_detail_lists_her_sessions(client, people):
    session = make_session(starts_in_minutes=-600)
    log_in_as(client, people.instructor)
    tick(client, session, people.learner)
    log_in_as(client, people.admin)
    page = client.get("/admin/reports/courses/khoa-mau").get_data(as_text=True)
    assert "Đã dự buổi học trực tuyến" in page
    lines = list(csv.reader(io.StringIO(
        client.get("/admin/reports/courses/khoa-mau/funnel.csv").get_data(as_text=True))))
    header = next(line for line in lines if "Đã dự buổi học trực tuyến" in line)
    total = next(line for line in lines if line and line[0] == "Tổng")
    assert total[header.index("Đã dự buổi học trực tuyến")] == "1"
    page = client.get("/admin/reports/learner?username=lan").get_data(as_text=True)
    assert "Tập huấn trực tuyến" in page and "danh sách" in page
