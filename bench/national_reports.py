"""Reports on the nation's data (issue 15): the real pages, timed, with the plans of their queries.

    .venv/bin/python -m bench.national_data                    # once: the data set (hocso_national)
    .venv/bin/python -m bench.national_reports                 # the figures
    .venv/bin/python -m bench.national_reports --database hocso_national_small --repeat 3

Each page is requested through the app as an admin (Flask's test client, so the figures are the
app's and the database's, not the network's): the funnel of the nation and of the largest
province, the drill-down to that province's largest commune, one learner's detail page and the
province's XLSX export. For each, the median of `--repeat` requests, against its target, and
`EXPLAIN (ANALYZE, BUFFERS)` of the slowest statements behind it: execution time, the plan's top
node, shared buffers hit and read. Then a sampled check: the numbers on the province's page
equal a direct count over the raw tables.
"""

import argparse
import json
import logging
import statistics
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bench.databases import POSTGRES_SERVER
from bench.national_data import MAIN_COURSE, PASSWORD, REPO_DIR


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    target_ms: float


def make_app(database_url: str):
    from app import create_app
    from config import Config

    class NationalReportsConfig(Config):
        SECRET_KEY = "national-reports-bench-only"  # noqa: S105  (test client only)
        SQLALCHEMY_DATABASE_URI = database_url
        COURSES_DIR = REPO_DIR / "courses"
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False
        JOBS_REDIS_URL = ""

    return create_app(NationalReportsConfig)


class StatementLog:
    """The statements a request sent, with their parameters and time."""

    def __init__(self, engine) -> None:
        self.entries: list[tuple[float, str, object]] = []
        self._started: list[float] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self._started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.entries.append(((time.perf_counter() - self._started.pop()) * 1000, statement, parameters))

    def slowest(self, count: int) -> list[tuple[float, str, object]]:
        return sorted(self.entries, key=lambda entry: -entry[0])[:count]


def plan_summary(connection, statement: str, parameters) -> str:
    """One line: execution time, the top plan node, shared buffers hit/read."""
    words = statement.upper().split()
    if words[0] not in ("SELECT", "WITH") or {"INSERT", "UPDATE", "DELETE"} & set(words):
        return "(not a SELECT)"  # EXPLAIN ANALYZE would run a write
    rows = connection.exec_driver_sql(
        f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", parameters
    ).scalar()
    plan = (json.loads(rows) if isinstance(rows, str) else rows)[0]
    top = plan["Plan"]
    nodes = _node_types(top)
    return (
        f"{plan['Execution Time']:8.1f} ms  {top['Node Type']:<18}"
        f" buffers hit {top.get('Shared Hit Blocks', 0):,}"
        f" read {top.get('Shared Read Blocks', 0):,}  [{', '.join(nodes[:6])}]"
    )


def _node_types(node: dict) -> list[str]:
    names = []
    if node["Node Type"] in ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"):
        names.append(f"{node['Node Type']} {node.get('Relation Name', '')}".strip())
    for child in node.get("Plans", []):
        names.extend(_node_types(child))
    return names


def biggest_units(connection) -> tuple[str, str, str]:
    """The province with the most learners, its commune with the most, and one of its learners."""
    province = connection.execute(
        sa.text(
            'SELECT p.code FROM unit p JOIN unit c ON c.parent_id = p.id JOIN "user" u ON u.unit_id = c.id'
            " WHERE p.level = 'province' AND p.valid_until IS NULL"
            " GROUP BY p.code ORDER BY count(*) DESC LIMIT 1"
        )
    ).scalar()
    commune = connection.execute(
        sa.text(
            'SELECT c.code FROM unit p JOIN unit c ON c.parent_id = p.id JOIN "user" u ON u.unit_id = c.id'
            " WHERE p.code = :p GROUP BY c.code ORDER BY count(*) DESC LIMIT 1"
        ),
        {"p": province},
    ).scalar()
    learner = connection.execute(
        sa.text(
            'SELECT u.username FROM "user" u JOIN unit c ON c.id = u.unit_id JOIN course_completion cc'
            " ON cc.user_id = u.id WHERE c.code = :c ORDER BY u.id LIMIT 1"
        ),
        {"c": commune},
    ).scalar()
    return province, commune, learner


def pages(province: str, commune: str, learner: str) -> list[Page]:
    base = f"/admin/reports/courses/{MAIN_COURSE}"
    return [
        Page("funnel, the nation", base, 5000),
        Page(f"funnel, province {province}", f"{base}?unit={province}", 1000),
        Page(f"drill-down, commune {commune}", f"{base}?unit={commune}", 300),
        Page(f"learner detail, {learner}", f"/admin/reports/learner?username={learner}", 100),
        Page(f"XLSX export, province {province}", f"{base}/funnel.xlsx?unit={province}", 5000),
    ]


def measure(app, repeat: int, explain: int) -> list[tuple[Page, float, int]]:
    from app.accounts.services import create_user
    from app.extensions import db

    if (
        db.session.scalar(
            sa.select(sa.text("1"))
            .select_from(sa.text('"user"'))
            .where(sa.text("username = 'quantri-quoc-gia'"))
        )
        is None
    ):
        create_user("quantri-quoc-gia", "Lê Minh Châu", PASSWORD, role="admin")
        db.session.commit()
    client = app.test_client()
    reply = client.post("/login", data={"login": "quantri-quoc-gia", "password": PASSWORD})
    assert reply.status_code == 302, reply.status_code
    with db.engine.connect() as connection:
        province, commune, learner = biggest_units(connection)
    log = StatementLog(db.engine)
    results = []
    for page in pages(province, commune, learner):
        times = []
        for _ in range(repeat):
            log.entries.clear()
            started = time.perf_counter()
            reply = client.get(page.path)
            times.append((time.perf_counter() - started) * 1000)
            assert reply.status_code == 200, (page.path, reply.status_code, reply.data[:300])
        median = statistics.median(times)
        verdict = "met" if median <= page.target_ms else "MISSED"
        print(
            f"\n{page.name:<44} {median:9.1f} ms (target ≤ {page.target_ms:,.0f} ms: {verdict}), "
            f"{len(log.entries)} statements, {len(reply.data) / 1024:,.1f} KiB",
            flush=True,
        )
        with db.engine.connect() as connection:
            for spent, statement, parameters in log.slowest(explain):
                print(f"  {spent:8.1f} ms  {' '.join(statement.split())[:110]}")
                print(f"      EXPLAIN {plan_summary(connection, statement, parameters)}")
        results.append((page, median, len(log.entries)))
    return results


def sampled_check(communes: int, seed: int = 15) -> list[str]:
    """The funnel's counts for a sample of communes (what their rows on the page show) against a
    direct count over the raw tables; the differences found, none when all agree."""
    import random
    from datetime import date

    from app.content.services import course_by_slug
    from app.extensions import db
    from app.reports.services import stage_counts
    from app.units.tree import unit_tree_on

    course = course_by_slug(MAIN_COURSE)
    tree = unit_tree_on(date.today())
    codes = db.session.scalars(
        sa.text("SELECT code FROM unit WHERE level = 'commune' AND valid_until IS NULL")
    ).all()
    differences = []
    for code in random.Random(seed).sample(codes, min(communes, len(codes))):
        unit_ids = tree.recorded_under(tree.by_code(code).id)
        shown = stage_counts(course, None, unit_ids).values()
        on_page = tuple(
            sum(getattr(c, stage) for c in shown) for stage in ("target", "started", "completed", "certified")
        )
        direct = db.session.execute(
            sa.text(DIRECT_COUNT), {"course": course.id, "units": list(unit_ids)}
        ).one()
        if tuple(direct) != on_page:
            differences.append(f"{code}: page {on_page}, direct {tuple(direct)}")
    return differences


DIRECT_COUNT = """
    SELECT count(*),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM module_progress mp
                                          JOIN module m ON m.id = mp.module_id
                                          WHERE mp.user_id = e.user_id AND m.course_id = e.course_id)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM course_completion cc
                                          WHERE cc.user_id = e.user_id AND cc.course_id = e.course_id)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM certificate c WHERE c.user_id = e.user_id
                                          AND c.course_id = e.course_id AND c.status = 'valid'))
    FROM enrolment e JOIN "user" u ON u.id = e.user_id
    WHERE e.course_id = :course AND u.unit_id = ANY(:units)"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="hocso_national")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=int, default=2, help="slowest statements explained per page")
    parser.add_argument("--sample", type=int, default=20, help="communes checked against a direct count")
    args = parser.parse_args(argv)
    logging.getLogger("hocso").setLevel(logging.WARNING)  # one line per request would bury the figures
    app = make_app(f"{POSTGRES_SERVER}/{args.database}")
    with app.app_context():
        from app.extensions import db

        learners = db.session.scalar(sa.text("SELECT count(*) FROM \"user\" WHERE role = 'learner'"))
        progress = db.session.scalar(sa.text("SELECT count(*) FROM module_progress"))
        print(f"Reports on {args.database}: {learners:,} learners, {progress:,} module-progress rows")
        results = measure(app, args.repeat, args.explain)
        missed = [page.name for page, median, _ in results if median > page.target_ms]
        print(
            f"\n{len(results) - len(missed)} of {len(results)} targets met"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )
        differences = sampled_check(args.sample)
        print(
            f"Sampled check, {args.sample} communes: the page's counts equal a direct count of the raw tables"
            if not differences
            else "Sampled check FAILED:\n  " + "\n  ".join(differences)
        )
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
