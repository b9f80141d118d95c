"""Importing a live session's participant report for 1,800 learners, in one transaction.

The province's training session: 1,800 commune officials on the roster, every module already
completed, the session required. The Zoom report names each one the way people join meetings
(a third by phone number in several spellings, a third by username, a third by full name, some in
NFD), with a rejoin row for one in ten and 50 strangers. The import completes every course and
issues 1,800 certificates in the same transaction. Prints figures, asserts nothing:

    .venv/bin/python -m bench.bench_attendance_import             # SQLite
    .venv/bin/python -m bench.bench_attendance_import --postgres  # a database of its own

Certificate PDFs are not rendered here: they are rendered after the commit, in the background or
at the first download, as for any completion.
"""

import argparse
import itertools
import tempfile
import time
import unicodedata
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.databases import bench_app, create_schema_and_courses, scratch_database

REPO_DIR = Path(__file__).resolve().parent.parent
FIXTURE_COURSES = REPO_DIR / "tests" / "fixtures" / "courses"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quang", "Thu", "Hồng"]
GIVEN = ["An", "Ánh", "Bình", "Châu", "Cường", "Dung", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa",
         "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam"]


def populate(count: int):
    """`count` learners with distinct names and phones, enrolled, every module complete; a required
    session of the course that ended an hour ago. Returns the session and the learners' facts."""
    from app.accounts.models import Role, User
    from app.accounts.services import vietnamese_sort_key
    from app.content.models import Course
    from app.database import utcnow
    from app.extensions import db
    from app.live_sessions.models import LiveSession
    from app.live_sessions.schedule import new_checkin_code
    from app.progress.models import Enrolment, ModuleProgress
    from app.units.models import Unit, UnitLevel

    course = db.session.scalar(sa.select(Course).filter_by(slug="khoa-mau"))
    unit = Unit(code="B-X01", name="Xã Tập Huấn", level=UnitLevel.COMMUNE)
    db.session.add(unit)
    db.session.flush()
    names = [" ".join(parts) for parts in itertools.islice(itertools.product(SURNAMES, MIDDLE, GIVEN), count)]
    learners = [{"username": f"hv{i:04d}", "full_name": name, "name_sort_key": vietnamese_sort_key(name),
                 "phone": f"09{12000000 + i:08d}", "password_hash": "!", "role": Role.LEARNER,
                 "unit_id": unit.id} for i, name in enumerate(names)]
    db.session.execute(sa.insert(User), learners)
    ids = list(db.session.scalars(sa.select(User.id).order_by(User.username)))
    db.session.execute(sa.insert(Enrolment), [{"user_id": i, "course_id": course.id} for i in ids])
    db.session.execute(sa.insert(ModuleProgress), [
        {"user_id": i, "module_id": m.id, "completed_at": utcnow(), "best_score": 90 if m.has_quiz else None}
        for i in ids for m in course.active_modules])
    session = LiveSession(course_id=course.id, title="Tập huấn chuyển đổi số toàn tỉnh",
                          starts_at=utcnow() - timedelta(hours=3), duration_minutes=120,
                          meeting_url="https://zoom.us/j/81234567890", attendance_required=True,
                          minimum_minutes=30, checkin_code=new_checkin_code())
    db.session.add(session)
    db.session.commit()
    return session.id, learners


def zoom_report(learners: list[dict]) -> bytes:
    """The report as Zoom exports it, each learner named one of the ways people do."""
    lines = ["Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants",
             f"812 3456 7890,Tập huấn,06/05/2025 08:00,06/05/2025 10:00,host@so.gov.vn,120,{len(learners)}",
             "", "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"]
    for i, learner in enumerate(learners):
        phone = learner["phone"]
        spelling = (f"{phone[:4]} {phone[4:7]} {phone[7:]}", f"+84{phone[1:]}", phone)[i % 3]
        name = (f"{spelling} - {learner['full_name']}", f"UBND xã ({learner['username']})",
                unicodedata.normalize("NFD", learner["full_name"].upper()))[i % 3]
        if i % 10 == 0:  # dropped out and came back: two rows adding up
            lines += [f"{name},,08:00,08:40,40,Yes", f"{name},,08:50,10:00,70,Yes"]
        else:
            lines.append(f"{name},,08:00,10:00,{60 + i % 60},Yes")
    lines += [f"Khách {i},,08:00,08:30,30,Yes" for i in range(50)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def run(database_url: str, count: int) -> None:
    from app.accounts.models import Role, User
    from app.certificates.models import Certificate
    from app.extensions import db
    from app.live_sessions import attendance_import
    from app.live_sessions.models import Attendance, LiveSession
    from app.live_sessions.participant_report import read_participant_report
    from app.progress.models import CourseCompletion

    app = bench_app(database_url, FIXTURE_COURSES)
    app.config["CERTIFICATE_PDF_IN_BACKGROUND"] = True
    with app.app_context():
        create_schema_and_courses(FIXTURE_COURSES)
        session_id, learners = populate(count)
        admin = User(username="quantri", full_name="Quản Trị", name_sort_key="tri", password_hash="!",
                     role=Role.ADMIN)
        db.session.add(admin)
        db.session.commit()
        data = zoom_report(learners)
        started = time.perf_counter()
        report = read_participant_report(data)
        parsed = time.perf_counter()
        session = db.session.get(LiveSession, session_id)
        plan = attendance_import.plan_import(session, list(report.rows))
        planned = time.perf_counter()
        added, completions = attendance_import.apply_import(plan, "participants.csv", admin)
        db.session.commit()
        applied = time.perf_counter()
        count_of = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        print(f"{db.engine.dialect.name}: {len(report.rows)} report rows ({len(data) / 1024:.0f} KiB), "
              f"{len(plan.to_record)} learners matched, {len(plan.match.unmatched)} unmatched, "
              f"{len(plan.match.ambiguous)} ambiguous")
        print(f"  read the report        {parsed - started:6.2f} s")
        print(f"  dry run (match, plan)  {planned - parsed:6.2f} s")
        print(f"  import, one transaction: {added} attendance rows, {len(completions)} completions and "
              f"certificates  {applied - planned:6.2f} s")
        print(f"  total                  {applied - started:6.2f} s")
        print(f"  in the database: {count_of(Attendance)} attendance, {count_of(CourseCompletion)} "
              f"completions, {count_of(Certificate)} certificates")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=1800)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        kind = "postgresql" if args.postgres else "sqlite"
        with scratch_database(kind, Path(folder), "hocso_bench_attendance") as url:
            run(url, args.learners)


if __name__ == "__main__":
    main()
