"""Funnel report timings: the page, a drill-down, a commune's learner list and the XLSX export.

Two runs in one go: 409 learners on SQLite (one province's commune leaders), then a generated
country-sized roster on PostgreSQL (34 provinces, 3,321 communes, some merged away). Prints
figures, asserts nothing. Run from the repository root:

    .venv/bin/python -m bench.bench_funnel                      # 409 on SQLite, 100,000 on PostgreSQL
    .venv/bin/python -m bench.bench_funnel --learners 1000000   # the full size (generation ~10 min)
    .venv/bin/python -m bench.bench_funnel --skip-postgres

PostgreSQL goes to its own database (default `hocso_bench_funnel`), created for the run and
dropped afterwards (`--keep` keeps it).
"""

import argparse
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.databases import drop_postgres_database, ensure_postgres_database

REPO_DIR = Path(__file__).resolve().parent.parent
FIXTURE_COURSES = REPO_DIR / "tests" / "fixtures" / "courses"
COURSE_SLUG = "khoa-mau"
PASSWORD = "Mat-khau-bench-2025"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quang", "Thu", "Hồng"]
GIVEN = ["An", "Anh", "Ánh", "Bình", "Châu", "Cường", "Dung", "Dũng", "Đức", "Giang", "Hà", "Hải",
         "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga",
         "Nhung", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]
BATCH = 20_000
T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def make_app(database_url: str):
    from app import create_app
    from config import Config

    class BenchConfig(Config):
        SECRET_KEY = secrets.token_urlsafe(32)  # a benchmark's own, never a known one
        SQLALCHEMY_DATABASE_URI = database_url
        COURSES_DIR = FIXTURE_COURSES
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False
        JOBS_REDIS_URL = ""

    return create_app(BenchConfig)


def fresh_schema(app) -> None:
    from app.content.services import sync_courses
    from app.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    db.create_all()
    sync_courses(app.config["COURSES_DIR"])
    db.session.commit()


def populate(learners: int, provinces: int, communes: int, seed: int = 2025) -> dict[str, str]:
    """A roster of `learners` over `communes` communes of `provinces` provinces; one commune in ten
    also has a predecessor merged into it on 1 July 2025, holding some of its learners.

    Stages: 93% logged in, 90% started, 85% completed (scores 60-100), 84% certified.
    Returns codes worth drilling into: a province, and its biggest commune.
    """
    from app.accounts.models import User
    from app.accounts.services import hash_password, vietnamese_sort_key
    from app.certificates.models import Certificate
    from app.content.models import Course
    from app.extensions import db
    from app.intakes.models import Intake
    from app.progress.models import CourseCompletion, Enrolment, ModuleProgress
    from app.units.models import Unit

    rng = random.Random(seed)
    course = db.session.scalar(sa.select(Course).filter_by(slug=COURSE_SLUG))
    intake = Intake(course_id=course.id, code="dot-1", name="Đợt 1 năm 2025")
    db.session.add(intake)
    db.session.flush()
    commune_ids = _insert_units(provinces, communes, Unit, db)
    password_hash = hash_password(PASSWORD)
    module_id = course.active_modules[0].id
    for start in range(0, learners, BATCH):
        numbers = range(start, min(start + BATCH, learners))
        users = []
        for n in numbers:
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            users.append({"username": f"hv{n:07d}", "full_name": name,
                          "name_sort_key": vietnamese_sort_key(name), "password_hash": password_hash,
                          "role": "learner", "unit_id": rng.choice(commune_ids),
                          "last_login_at": T0 if rng.random() < 0.93 else None})
        db.session.execute(sa.insert(User), users)
        ids = db.session.scalars(sa.select(User.id).where(User.username.between(
            f"hv{numbers[0]:07d}", f"hv{numbers[-1]:07d}")).order_by(User.id)).all()
        _insert_progress(rng, ids, users, course, intake, module_id, db,
                         Enrolment, ModuleProgress, CourseCompletion, Certificate)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE"))  # as autovacuum would after a bulk import
    province = db.session.scalar(sa.select(Unit.code).where(Unit.level == "province").order_by(Unit.id))
    biggest = db.session.execute(
        sa.select(Unit.code, sa.func.count(User.id)).join(User, User.unit_id == Unit.id)
        .where(Unit.parent_id == sa.select(Unit.id).where(Unit.code == province).scalar_subquery(),
               Unit.valid_until.is_(None))
        .group_by(Unit.code).order_by(sa.func.count(User.id).desc()).limit(1)).first()
    return {"province": province, "commune": biggest[0]}


def _insert_units(provinces: int, communes: int, Unit, db) -> list[int]:
    db.session.execute(sa.insert(Unit), [
        {"code": f"P{p:02d}", "name": f"Tỉnh Thử {p:02d}", "level": "province"} for p in range(provinces)])
    province_ids = db.session.scalars(sa.select(Unit.id).where(Unit.level == "province")
                                      .order_by(Unit.id)).all()
    db.session.execute(sa.insert(Unit), [
        {"code": f"X{c:05d}", "name": f"Xã Thử {c:05d}", "level": "commune",
         "parent_id": province_ids[c % provinces]} for c in range(communes)])
    current = db.session.execute(sa.select(Unit.id, Unit.parent_id).where(Unit.level == "commune")
                                 .order_by(Unit.id)).all()
    merged = [{"code": f"M{i:05d}", "name": f"Xã Cũ {i:05d}", "level": "commune", "parent_id": parent,
               "valid_until": date(2025, 7, 1), "successor_id": uid}
              for i, (uid, parent) in enumerate(current) if i % 10 == 0]
    db.session.execute(sa.insert(Unit), merged)
    return db.session.scalars(sa.select(Unit.id).where(Unit.level == "commune")).all()


def _insert_progress(rng, ids, users, course, intake, module_id, db,
                     Enrolment, ModuleProgress, CourseCompletion, Certificate) -> None:
    db.session.execute(sa.insert(Enrolment), [
        {"user_id": uid, "course_id": course.id, "intake_id": intake.id} for uid in ids])
    logged_in = {uid for uid, user in zip(ids, users, strict=True) if user["last_login_at"]}
    started = [uid for uid in ids if uid in logged_in and rng.random() < 0.90 / 0.93]
    db.session.execute(sa.insert(ModuleProgress), [
        {"user_id": uid, "module_id": module_id, "opened_at": T0, "last_opened_at": T0} for uid in started])
    done = [(uid, rng.randint(60, 100)) for uid in started if rng.random() < 0.85 / 0.90]
    db.session.execute(sa.insert(CourseCompletion), [
        {"user_id": uid, "course_id": course.id, "completed_at": T0, "score": score} for uid, score in done])
    completion_ids = dict(db.session.execute(
        sa.select(CourseCompletion.user_id, CourseCompletion.id)
        .where(CourseCompletion.user_id.in_([uid for uid, _ in done]))).all())
    names = {uid: user["full_name"] for uid, user in zip(ids, users, strict=True)}
    db.session.execute(sa.insert(Certificate), [
        {"code": f"{uid:020d}", "user_id": uid, "course_id": course.id, "completion_id": completion_ids[uid],
         "full_name": names[uid], "unit_name": "Xã Thử", "course_title": course.title,
         "completed_on": T0.date(), "score": score, "issuer": "Sở Khoa học và Công nghệ",
         "signer_name": "Nguyễn Văn An", "signer_title": "Giám đốc", "status": "valid",
         "pdf_sha256": "0" * 64, "pdf": b"%PDF-1.7 bench placeholder"}
        for uid, score in done if rng.random() < 0.84 / 0.85])


def timed(call: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time in milliseconds over `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def measure(app, label: str, learners: int, codes: dict[str, str], repeat: int) -> None:
    from app.accounts.services import create_user
    from app.extensions import db

    create_user("quantri", "Lê Minh Châu", PASSWORD, role="admin")
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"login": "quantri", "password": PASSWORD})
    base = f"/admin/reports/courses/{COURSE_SLUG}"
    pages = [("all provinces", {"intake": "dot-1"}),
             (f"province {codes['province']}", {"intake": "dot-1", "unit": codes["province"]}),
             (f"commune {codes['commune']} (learner list)", {"intake": "dot-1", "unit": codes["commune"]})]
    print(f"\n== Funnel, {label}: {learners:,} learners ==")
    for name, args in pages:
        ms, response = timed(lambda args=args: client.get(base, query_string=args), repeat)
        assert response.status_code == 200, response.status_code
        print(f"page  {name:<40} {ms:9.1f} ms  {len(response.data) / 1024:8.1f} KiB")
    for name, args in pages[:2]:
        ms, response = timed(lambda args=args: client.get(f"{base}/funnel.xlsx", query_string=args), repeat)
        print(f"xlsx  {name:<40} {ms:9.1f} ms  {len(response.data) / 1024:8.1f} KiB")
    with app.test_request_context():
        from app.content.services import course_by_slug
        from app.reports.services import stage_counts

        course = course_by_slug(COURSE_SLUG)
        ms, counts = timed(lambda: stage_counts(course, None), repeat)
        print(f"query stage counts (grouped by {len(counts):,} recorded units) {ms:9.1f} ms")


def run(database_url: str, label: str, learners: int, provinces: int, communes: int, repeat: int) -> None:
    app = make_app(database_url)
    with app.app_context():
        fresh_schema(app)
        started = time.perf_counter()
        codes = populate(learners, provinces, communes)
        print(f"\n(generated {learners:,} learners on {label} in {time.perf_counter() - started:.0f} s)")
        measure(app, label, learners, codes, repeat)
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000, help="PostgreSQL roster size")
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--repeat", type=int, default=5, help="requests per figure (the median is shown)")
    parser.add_argument("--postgres-database", default="hocso_bench_funnel")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hocso-bench-") as folder:
        run(f"sqlite:///{folder}/bench.sqlite3", "SQLite", 409, 1, 12, args.repeat)
    if not args.skip_postgres:
        url = ensure_postgres_database(args.postgres_database)
        try:
            run(url, "PostgreSQL", args.learners, args.provinces, args.communes, args.repeat)
        finally:
            if not args.keep:
                drop_postgres_database(args.postgres_database)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
