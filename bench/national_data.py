"""The nation's data in PostgreSQL: 1,000,000 learners in 3,321 communes of 34 provinces (issue 15).

    .venv/bin/python -m bench.national_data                    # full size into hocso_national (kept)
    .venv/bin/python -m bench.national_data --scale 0.01       # 1 % (what CI runs)
    .venv/bin/python -m bench.national_data --database hocso_national_test --scale 0.001

The schema comes from the migrations (`flask db upgrade`), the courses from `courses/` plus two
yearly reruns of the leaders' course (so that a learner has about twenty modules' progress), and
everything else is bulk-loaded: units, learners and the plan of who reaches how far go in with
COPY; enrolments, module progress, attempts, completions and certificates are derived from that
plan by set-based INSERT … SELECT inside PostgreSQL, with the big tables' secondary indexes and
foreign keys dropped during the load and rebuilt afterwards (as `pg_restore` does). It prints
rows per second for each table.

The administrative tree is the one of 1 July 2025: 63 provinces merged into 34, districts
abolished, about 10,500 communes merged into 3,321. Learners imported before the merger still
point at their old commune (about one in six), as a real database would hold them.

Completion profiles by province: the seed province's 91.7 % (375 of 409), and others between
55 % and 90 %, so that the national funnel is not one number repeated.
"""

import argparse
import random
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.databases import drop_postgres_database, ensure_postgres_database

REPO_DIR = Path(__file__).resolve().parent.parent
MAIN_COURSE = "chuyen-doi-so-lanh-dao-xa"
RERUNS = ("2024", "2026")  # the main course again as yearly intakes of its own
OTHER_COURSES = {"chuyen-doi-so-co-ban": 0.7, "ky-nang-so-co-ban": 0.6}  # share of learners enrolled
RERUN_SHARE = {"2024": 0.8, "2026": 0.75}
PASSWORD = "Mat-khau-quoc-gia-2026"
MERGER_DAY = date(2025, 7, 1)
T0 = datetime(2025, 9, 1, 1, 0, tzinfo=UTC)
SEED_PROFILE = 375 / 409  # the mountainous province's completion rate
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Lò",
    "Sùng",
    "Giàng",
    "Hà",
    "Nông",
    "Lục",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quang", "Thu", "Hồng", "Xuân", "A", "Mạnh"]
GIVEN = [
    "An",
    "Anh",
    "Ánh",
    "Bình",
    "Châu",
    "Cường",
    "Dung",
    "Dũng",
    "Đức",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Nhung",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vân",
    "Yến",
    "Páo",
    "Sính",
]
POSITIONS = [
    "Chủ tịch UBND xã",
    "Phó Chủ tịch UBND xã",
    "Công chức Văn phòng – Thống kê",
    "Tổ viên tổ công nghệ số cộng đồng",
    "Công chức Tư pháp – Hộ tịch",
    None,
]
LOADED_TABLES = ("user", "enrolment", "module_progress", "quiz_attempt", "course_completion", "certificate")


@dataclass(frozen=True)
class Size:
    """The data set's size: the nation's at scale 1."""

    learners: int
    provinces: int = 34
    communes: int = 3321
    old_provinces: int = 63
    old_communes_per_commune: float = 3.2  # predecessors merged into each commune
    districts: int = 696

    @classmethod
    def at(cls, scale: float) -> "Size":
        if scale >= 1:
            return cls(learners=round(1_000_000 * scale))
        communes = max(12, round(3321 * scale))
        return cls(
            learners=max(409, round(1_000_000 * scale)),
            provinces=min(34, max(2, round(34 * scale * 10))),
            communes=communes,
            old_provinces=min(63, max(3, round(63 * scale * 10))),
            districts=max(4, round(696 * scale)),
        )


class Loader:
    """Timed stages with their row counts, printed as they finish."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.started = time.perf_counter()
        self.rows: dict[str, int] = {}

    def stage(self, name: str, action) -> int:
        started = time.perf_counter()
        rows = action()
        seconds = time.perf_counter() - started
        self.rows[name] = self.rows.get(name, 0) + rows
        print(
            f"  {name:<28} {rows:>12,} rows {seconds:8.1f} s {rows / max(seconds, 1e-9):>12,.0f} rows/s",
            flush=True,
        )
        return rows

    def copy(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        with self.connection.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def execute(self, statement: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(statement.encode())  # bytes: no placeholders, so % is the operator
            return cursor.rowcount


def prepare_courses(folder: Path) -> Path:
    """`courses/` and two yearly reruns of the main course, as a province would load them."""
    root = folder / "courses"
    shutil.copytree(REPO_DIR / "courses", root)
    for year in RERUNS:
        rerun = root / f"{MAIN_COURSE}-{year}"
        shutil.copytree(root / MAIN_COURSE, rerun)
        spec = rerun / "course.yml"
        text = spec.read_text(encoding="utf-8").replace(
            f"id: {MAIN_COURSE}\n", f"id: {MAIN_COURSE}-{year}\n", 1
        )
        text = text.replace(
            "title: Chuyển đổi số cho lãnh đạo cấp xã\n",
            f"title: Chuyển đổi số cho lãnh đạo cấp xã – năm {year}\n",
            1,
        )
        spec.write_text(text, encoding="utf-8")
    return root


def make_app(database_url: str, courses: Path):
    from app import create_app
    from config import Config

    class NationalDataConfig(Config):
        SECRET_KEY = "national-data-generator-only"  # noqa: S105  (never serves a request)
        SQLALCHEMY_DATABASE_URI = database_url
        COURSES_DIR = courses
        JOBS_REDIS_URL = ""

    return create_app(NationalDataConfig)


def schema_and_courses(app) -> None:
    """The schema as a province's would be (the migrations), and the courses loaded."""
    from flask_migrate import upgrade

    from app.content.services import sync_courses
    from app.extensions import db

    upgrade(directory=str(REPO_DIR / "migrations"))
    sync_courses(app.config["COURSES_DIR"])
    db.session.commit()


# -- the administrative tree -----------------------------------------------------------------


@dataclass
class Tree:
    """Unit ids by role: current communes (with their province index), and old communes."""

    communes: list[tuple[int, int]]  # (unit id, province index)
    old_communes: list[tuple[int, int]]  # (unit id, province index of its successor)
    province_ids: list[int]
    rows: list[tuple]


def build_tree(size: Size, rng: random.Random) -> Tree:
    rows: list[tuple] = []
    next_id = iter(range(1, 10_000_000))
    provinces = []
    for p in range(size.provinces):
        unit_id = next(next_id)
        provinces.append(unit_id)
        rows.append(
            (unit_id, f"T{p + 1:02d}", f"Tỉnh Số {p + 1:02d}", "province", None, MERGER_DAY, None, None)
        )
    for p in range(size.old_provinces):  # merged into the new provinces on 1 July 2025
        rows.append(
            (
                next(next_id),
                f"T-CU-{p + 1:02d}",
                f"Tỉnh Cũ {p + 1:02d}",
                "province",
                None,
                None,
                MERGER_DAY,
                provinces[p % size.provinces],
            )
        )
    old_province_ids = [row[0] for row in rows if row[3] == "province" and row[6] is not None]
    districts = []
    for d in range(size.districts):  # abolished on 1 July 2025, no successor
        unit_id = next(next_id)
        districts.append(unit_id)
        rows.append(
            (
                unit_id,
                f"H-{d + 1:04d}",
                f"Huyện Cũ {d + 1:04d}",
                "district",
                old_province_ids[d % len(old_province_ids)],
                None,
                MERGER_DAY,
                None,
            )
        )
    communes, old_communes = [], []
    for c in range(size.communes):
        province = c % size.provinces
        unit_id = next(next_id)
        communes.append((unit_id, province))
        rows.append(
            (
                unit_id,
                f"X-{c + 1:05d}",
                f"Xã Số {c + 1:05d}",
                "commune",
                provinces[province],
                MERGER_DAY,
                None,
                None,
            )
        )
        for k in range(max(1, round(rng.gauss(size.old_communes_per_commune, 1)))):
            old_id = next(next_id)
            old_communes.append((old_id, province))
            rows.append(
                (
                    old_id,
                    f"X-{c + 1:05d}-CU{k + 1}",
                    f"Xã Cũ {c + 1:05d}-{k + 1}",
                    "commune",
                    districts[(c + k) % len(districts)],
                    None,
                    MERGER_DAY,
                    unit_id,
                )
            )
    return Tree(communes, old_communes, provinces, rows)


# -- learners and the plan of how far each gets ------------------------------------------------


def province_rates(size: Size, rng: random.Random) -> list[float]:
    """Completion rate of each province: the first has the seed's 91.7 %, the others vary."""
    return [SEED_PROFILE] + [rng.uniform(0.55, 0.9) for _ in range(size.provinces - 1)]


def learners(size: Size, tree: Tree, password_hash: str, rng: random.Random) -> Iterator[tuple]:
    """(id, username, phone, full_name, name_sort_key, position, password_hash, unit_id, last_login_at,
    province index) for every learner; commune sizes vary about fivefold."""
    from app.accounts.services import vietnamese_sort_key

    weights = [rng.lognormvariate(0, 0.5) for _ in tree.communes]
    homes = rng.choices(range(len(tree.communes)), weights=weights, k=size.learners)
    old_by_province: dict[int, list[int]] = {}
    for unit_id, province in tree.old_communes:
        old_by_province.setdefault(province, []).append(unit_id)
    for n, home in enumerate(homes):
        unit_id, province = tree.communes[home]
        if rng.random() < 0.16:  # imported before the merger: still on the old commune
            unit_id = rng.choice(old_by_province[province])
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        learner_id = n + 1
        phone = f"09{learner_id:08d}" if rng.random() < 0.7 else None
        logged_in = T0 + timedelta(minutes=n % 50_000) if rng.random() < 0.95 else None
        yield (
            learner_id,
            f"hv{learner_id:07d}",
            phone,
            name,
            vietnamese_sort_key(name),
            rng.choice(POSITIONS),
            password_hash,
            unit_id,
            logged_in,
            province,
        )


def plans(
    learner_rows: Iterable[tuple],
    courses: dict[str, tuple[int, int]],
    intakes: dict[tuple[int, int], int],
    rates: list[float],
    rng: random.Random,
) -> Iterator[tuple]:
    """(user id, course id, intake id, modules reached, completes, score, enrolled at) per enrolment.

    `courses` maps slug to (course id, module count). A learner who completes reaches every
    module; one who does not stops somewhere before the last (or never starts)."""
    main_id, main_modules = courses[MAIN_COURSE]
    shares = [(courses[slug], share) for slug, share in OTHER_COURSES.items()]
    shares += [(courses[f"{MAIN_COURSE}-{year}"], RERUN_SHARE[year]) for year in RERUNS]
    for row in learner_rows:
        user_id, logged_in, province = row[0], row[8], row[-1]
        rate = rates[province]
        enrolled = [(main_id, main_modules)] + [course for course, share in shares if rng.random() < share]
        for course_id, modules in enrolled:
            completes = logged_in is not None and rng.random() < rate
            if completes:
                reached = modules
            elif logged_in is None or rng.random() < 0.25:
                reached = 0
            else:
                reached = rng.randint(1, modules - 1)
            score = rng.randint(70, 100) if completes else None
            yield (
                user_id,
                course_id,
                intakes[(course_id, province)],
                reached,
                completes,
                score,
                T0 - timedelta(days=rng.randint(1, 60)),
            )


# -- loading ----------------------------------------------------------------------------------


def drop_secondary_indexes(connection) -> list[str]:
    """Drop the loaded tables' unique constraints and other indexes (not the primary keys);
    returns the statements that put them back. Their foreign keys stay, unchecked during the load
    (`session_replication_role = replica`, as `pg_restore --disable-triggers` does): every row is
    derived by a join over the rows it points at, and re-validating 40 million references took
    longer than the load."""
    restore: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
            " WHERE conrelid::regclass::text = ANY(%(tables)s) AND contype = 'u'",
            {"tables": [f'"{t}"' if t == "user" else t for t in LOADED_TABLES]},
        )
        constraints = cursor.fetchall()
        for table, name, definition, _kind in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid::regclass::text = ANY(%(tables)s) AND NOT i.indisprimary",
            {"tables": [f'"{t}"' if t == "user" else t for t in LOADED_TABLES]},
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
            restore.insert(0, definition)  # plain indexes first, then constraints
    return restore


def load(connection, second_connection, size: Size, seed: int) -> dict[str, int]:
    from app.accounts.passwords import hash_password

    rng = random.Random(seed)
    loader = Loader(connection)
    tree = build_tree(size, rng)
    loader.stage(
        "unit",
        lambda: loader.copy(
            "unit",
            (
                "id",
                "code",
                "name",
                "level",
                "parent_id",
                "valid_from",
                "valid_until",
                "successor_id",
                "created_at",
            ),
            (row + (T0 - timedelta(days=400),) for row in tree.rows),
        ),
    )
    courses = course_catalogue(connection)
    intakes = create_intakes(connection, courses, tree)
    rates = province_rates(size, rng)
    restore = drop_secondary_indexes(connection)
    for each in (connection, second_connection):
        with each.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    learner_rows: list[tuple] = []

    def copy_learners() -> int:
        rows = learners(size, tree, hash_password(PASSWORD), rng)
        return loader.copy(
            "user",
            (
                "id",
                "username",
                "phone",
                "full_name",
                "name_sort_key",
                "position",
                "password_hash",
                "unit_id",
                "last_login_at",
                "role",
                "is_active_account",
                "must_change_password",
                "session_version",
                "created_at",
            ),
            (
                row[:9] + ("learner", True, False, 1, T0 - timedelta(days=90))
                for row in _kept(rows, learner_rows)
            ),
        )

    loader.stage("user (COPY)", copy_learners)
    loader.execute(
        "CREATE UNLOGGED TABLE bench_plan (user_id int, course_id int, intake_id int, reached int,"
        " completes boolean, score int, enrolled_at timestamptz)"
    )
    loader.stage(
        "plan (COPY)",
        lambda: loader.copy(
            "bench_plan",
            ("user_id", "course_id", "intake_id", "reached", "completes", "score", "enrolled_at"),
            plans(learner_rows, courses, intakes, rates, rng),
        ),
    )
    learner_rows.clear()
    loader.execute(
        "CREATE UNLOGGED TABLE bench_module AS SELECT m.course_id, m.id AS module_id,"
        " (row_number() OVER (PARTITION BY m.course_id ORDER BY m.position, m.id))::int - 1 AS place,"
        " m.quiz_version_id, q.pass_mark FROM module m LEFT JOIN quiz_version q ON q.id = m.quiz_version_id"
        " WHERE NOT m.is_archived"
    )
    derive(loader, Loader(second_connection))
    started = time.perf_counter()
    rebuild([connection, second_connection], restore)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plan, bench_module")
        for table in ("unit", "user"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                f' (SELECT max(id) FROM "{table}"))'
            )
    connection.commit()
    print(
        f"  {'indexes and constraints':<28} {len(restore):>12} rebuilt"
        f" {time.perf_counter() - started:5.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would after a bulk load; sets the visibility map
    connection.autocommit = False
    print(f"  {'VACUUM ANALYZE':<28} {'':>12} {time.perf_counter() - started:13.1f} s", flush=True)
    return loader.rows


def _kept(rows: Iterable[tuple], into: list[tuple]) -> Iterator[tuple]:
    """Pass rows through, keeping what the plan needs of each (id, last login, province)."""
    for row in rows:
        into.append((row[0],) + (None,) * 7 + (row[8], row[9]))
        yield row


def course_catalogue(connection) -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.slug, c.id, count(m.id) FROM course c JOIN module m ON m.course_id = c.id"
            " AND NOT m.is_archived WHERE NOT c.is_archived GROUP BY c.slug, c.id"
        )
        return {slug: (course_id, modules) for slug, course_id, modules in cursor.fetchall()}


def create_intakes(connection, courses: dict[str, tuple[int, int]], tree: Tree) -> dict[tuple[int, int], int]:
    """One intake per course and province ("T07-2025"): a province enrols its own learners."""
    intakes: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        for slug, (course_id, _modules) in sorted(courses.items()):
            year = slug.rsplit("-", 1)[-1] if slug.rsplit("-", 1)[-1].isdigit() else "2025"
            for province in range(len(tree.province_ids)):
                cursor.execute(
                    "INSERT INTO intake (course_id, code, name, created_at) VALUES"
                    " (%(course)s, %(code)s, %(name)s, %(at)s) RETURNING id",
                    {
                        "course": course_id,
                        "code": f"T{province + 1:02d}-{year}",
                        "name": f"Tỉnh Số {province + 1:02d} – đợt năm {year}",
                        "at": T0,
                    },
                )
                intakes[(course_id, province)] = cursor.fetchone()[0]
    return intakes


# Which completions have a certificate (98 %) and which of those were revoked (0.2 %): by a hash
# of the learner and the course, so that the enrolment's summary and the certificates agree.
CERTIFIED = "abs(hashint4({table}.user_id * 7 + {table}.course_id)) % 50 <> 7"
REVOKED = "abs(hashint4({table}.user_id * 7 + {table}.course_id)) % 500 = 0"
DERIVED = {
    "enrolment": f"""
        INSERT INTO enrolment (user_id, course_id, intake_id, enrolled_at, started_at, completed_at, score,
                               certified)
        SELECT user_id, course_id, intake_id, enrolled_at,
               CASE WHEN reached > 0 THEN enrolled_at + interval '1 day' END,
               CASE WHEN completes THEN enrolled_at + interval '20 days' END, score,
               completes AND {CERTIFIED.format(table="bench_plan")}
                         AND NOT {REVOKED.format(table="bench_plan")}
        FROM bench_plan""",
    "module_progress": """
        INSERT INTO module_progress (user_id, module_id, opened_at, last_opened_at, completed_at, best_score)
        SELECT p.user_id, m.module_id, p.enrolled_at + make_interval(days => m.place + 1),
               p.enrolled_at + make_interval(days => m.place + 2),
               CASE WHEN p.completes OR m.place < p.reached - 1
                    THEN p.enrolled_at + make_interval(days => m.place + 1, hours => 1) END,
               CASE WHEN m.quiz_version_id IS NOT NULL AND (p.completes OR m.place < p.reached - 1)
                    THEN greatest(m.pass_mark, coalesce(p.score, m.pass_mark)) END
        FROM bench_plan p JOIN bench_module m ON m.course_id = p.course_id AND m.place < p.reached""",
    # One attempt per opened quiz module (the last, passing where the module is complete), and a
    # failed one before it for 15 %: two plain joins, cheaper than a series per row.
    "quiz_attempt": """
        INSERT INTO quiz_attempt (token, user_id, module_id, quiz_version_id, state, option_order, is_preview,
                                  answers, points, max_points, score, pass_mark, passed, started_at,
                                  submitted_at)
        SELECT to_hex(p.user_id) || '-' || to_hex(m.module_id) || '-' || try, p.user_id, m.module_id,
               m.quiz_version_id, 'submitted', '{}', false, '{}', graded.score * 0.1, 10, graded.score,
               m.pass_mark, graded.score >= m.pass_mark,
               p.enrolled_at + make_interval(days => m.place + 1, mins => try * 20),
               p.enrolled_at + make_interval(days => m.place + 1, mins => try * 20 + 9)
        FROM bench_plan p
        JOIN bench_module m ON m.course_id = p.course_id AND m.place < p.reached
             AND m.quiz_version_id IS NOT NULL
        CROSS JOIN (VALUES (1), (2)) AS tries (try)
        CROSS JOIN LATERAL (
            SELECT CASE WHEN try = 2 AND (p.completes OR m.place < p.reached - 1)
                        THEN greatest(m.pass_mark, coalesce(p.score, m.pass_mark))
                        ELSE (hashint4(p.user_id + m.module_id * 7 + try) & 1023) % m.pass_mark END AS score
        ) graded
        WHERE try = 2 OR abs(hashint4(p.user_id * 31 + m.module_id)) % 20 < 3""",
    "course_completion": """
        INSERT INTO course_completion (user_id, course_id, completed_at, score)
        SELECT user_id, course_id, enrolled_at + interval '20 days', score FROM bench_plan WHERE completes""",
    "certificate": f"""
        INSERT INTO certificate (code, user_id, course_id, completion_id, full_name, unit_name, course_title,
                                 completed_on, score, issuer, signer_name, signer_title, issued_at, status,
                                 revoked_at, revoke_reason, pdf_signed_with_development_key)
        SELECT upper(substr(md5('certificate:' || cc.id), 1, 20)), cc.user_id, cc.course_id, cc.id,
               u.full_name,
               un.name, c.title, cc.completed_at::date, cc.score, 'Sở Khoa học và Công nghệ', 'Nguyễn Văn An',
               'Giám đốc', cc.completed_at,
               CASE WHEN {REVOKED.format(table="cc")} THEN 'revoked' ELSE 'valid' END,
               CASE WHEN {REVOKED.format(table="cc")} THEN cc.completed_at + interval '30 days' END,
               CASE WHEN {REVOKED.format(table="cc")} THEN 'Cấp nhầm người' END, false
        FROM course_completion cc JOIN "user" u ON u.id = cc.user_id JOIN unit un ON un.id = u.unit_id
             JOIN course c ON c.id = cc.course_id
        WHERE {CERTIFIED.format(table="cc")}""",  # 2 % of completions still wait for their certificate
}


def derive(loader: Loader, second: Loader) -> None:
    """The derived tables in two streams at once (INSERT … SELECT runs on one core): the
    attempts on their own connection, everything else on the first."""
    loader.connection.commit()  # the plan is visible to the second connection

    def attempts() -> None:
        second.stage("quiz_attempt", lambda: second.execute(DERIVED["quiz_attempt"]))
        second.connection.commit()

    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(attempts)
        for table, statement in DERIVED.items():
            if table != "quiz_attempt":
                loader.stage(table, lambda statement=statement: loader.execute(statement))
        loader.connection.commit()
        running.result()
    loader.rows.update(second.rows)


def rebuild(connections: list, statements: list[str]) -> None:
    """The indexes and unique constraints back, the attempts' on one connection and every other
    table's on the other (the two biggest tables build at once); a table's own statements run in
    order on one connection, so none waits on another's lock."""
    lanes: list[list[str]] = [[], []]
    for statement in statements:
        lanes[0 if _table_of(statement) == "quiz_attempt" else 1].append(statement)

    def run(connection, lane: list[str]) -> None:
        with connection.cursor() as cursor:
            for statement in lane:
                cursor.execute(statement.encode())
        connection.commit()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, connections[:2], lanes))


def _table_of(statement: str) -> str:
    if statement.startswith("ALTER TABLE "):
        return statement.split()[2].strip('"')
    return statement.split(" ON ", 1)[1].split()[0].removeprefix("public.").strip('"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 learners")
    parser.add_argument("--database", default="hocso_national")
    parser.add_argument("--seed", type=int, default=146)
    args = parser.parse_args(argv)
    size = Size.at(args.scale)
    assert args.database not in ("test", "postgres"), "the national data set goes to a database of its own"
    drop_postgres_database(args.database)
    url = ensure_postgres_database(args.database)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hocso-national-") as folder:
        app = make_app(url, prepare_courses(Path(folder)))
        with app.app_context():
            from app.extensions import db

            print(
                f"National data set: {size.learners:,} learners, {size.communes:,} communes in "
                f"{size.provinces} provinces → {args.database}",
                flush=True,
            )
            schema_and_courses(app)
            raw, second = db.engine.raw_connection(), db.engine.raw_connection()
            try:
                rows = load(raw.driver_connection, second.driver_connection, size, args.seed)
            finally:
                raw.close()
                second.close()
            db.engine.dispose()
    seconds = time.perf_counter() - started
    total = sum(count for name, count in rows.items() if name != "plan (COPY)")
    print(
        f"Total: {total:,} rows in {seconds:.0f} s ({total / seconds:,.0f} rows/s), schema and courses"
        f" included; database {args.database} kept for bench.national_reports"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
