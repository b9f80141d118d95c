"""Issue 15: the national data benchmark at 1 % scale, for correctness (no timing is asserted).

bench/national_data.py loads 10,000 learners (with their units, enrolments, progress, attempts,
completions and certificates) into a PostgreSQL database of its own, through the migrations;
bench/national_reports.py then requests every report page as an admin, explains the queries
behind them, and checks a sample of communes' counts against a direct count of the raw tables.
Needs PostgreSQL at 127.0.0.1:5432: in CI (CI=true) its absence fails the test.
"""

import os
import re
import secrets
import subprocess
import sys

import pytest
import sqlalchemy as sa

from bench.databases import POSTGRES_SERVER, drop_postgres_database
from bench.live_server import REPO_DIR


def run_bench(*arguments: str) -> str:
    done = subprocess.run([sys.executable, "-m", *arguments], cwd=REPO_DIR, capture_output=True,  # noqa: S603
                          text=True, timeout=900, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def national_database():
    try:
        sa.create_engine(f"{POSTGRES_SERVER}/postgres").connect().close()
    except sa.exc.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable at 127.0.0.1:5432 (CI must run this test): {error}")
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    name = f"hocso_national_ci_{secrets.token_hex(4)}"
    yield name
    drop_postgres_database(name)


@pytest.mark.slow
def test_the_national_benchmark_runs_at_one_percent_scale(national_database, figures):
    loaded = run_bench("bench.national_data", "--scale", "0.01", "--database", national_database)
    total = re.search(r"^Total: ([\d,]+) rows in (\d+) s", loaded, re.M)
    assert total, loaded
    for table in ("unit", "user (COPY)", "enrolment", "module_progress", "quiz_attempt", "course_completion",
                  "certificate"):
        assert re.search(rf"^  {re.escape(table)}\s+[\d,]+ rows", loaded, re.M), (table, loaded)
    reports = run_bench("bench.national_reports", "--database", national_database, "--repeat", "1")
    pages = re.findall(r"^(.+?)\s+([\d.]+) ms \(target", reports, re.M)
    assert [page.split(",")[0] for page, _ in pages] == ["funnel", "funnel", "drill-down", "learner detail",
                                                         "XLSX export"], reports
    assert reports.count("EXPLAIN") >= len(pages)
    assert "the page's counts equal a direct count of the raw tables" in reports, reports
    figures.add(f"issue 15 (1 % scale): {total[1]} rows generated in {total[2]} s; "
                + "; ".join(f"{page.strip()} {ms} ms" for page, ms in pages)
                + "; sampled communes' counts = direct count")
