"""Issue 15: a province's learner list of 20,000 rows through `flask users import`, timed.

    .venv/bin/python -m bench.bench_learner_import                  # 20,000 rows, SQLite
    .venv/bin/python -m bench.bench_learner_import --rows 2000 --postgres

The list is an XLSX as a province would send it (name, unit code, position, phone), over 200
communes. The command runs as an admin would run it, in a process of its own on a scratch
database with the migrations applied: first `--dry-run` (every row checked, nothing written),
then the import itself, which commits the accounts (no working password yet) and then runs the
login slips job in its process: one-time passwords hashed on both cores, the slips rendered two
parts at a time, the hashes stored with the PDF in one transaction, the PDF written out. Prints
the wall time and peak memory of each, the rows per second, and the import's two steps as the
command reports them: the accounts committed (read, checked, written) and the slips made. First
it prints the processor time of one login slip, rendered as the command renders them.
"""

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from bench.databases import scratch_database
from bench.national_data import GIVEN, MIDDLE, POSITIONS, REPO_DIR, SURNAMES

COMMUNES = 200


def learner_workbook(path: Path, rows: int, seed: int = 20) -> None:
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Học viên")
    sheet.append(["Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại"])
    for number in range(rows):
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        sheet.append([name, f"X-{number % COMMUNES + 1:05d}", rng.choice(POSITIONS) or "", f"08{number:08d}"])
    workbook.save(path)


def prepare(database_url: str) -> None:
    """The schema by the migrations, and a province with its communes."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.units.models import Unit, UnitLevel
    from bench.databases import bench_app

    app = bench_app(database_url, REPO_DIR / "courses")
    with app.app_context():
        upgrade(directory=str(REPO_DIR / "migrations"))
        province = Unit(code="T01", name="Tỉnh Số 01", level=UnitLevel.PROVINCE)
        db.session.add(province)
        db.session.add_all(
            Unit(code=f"X-{c:05d}", name=f"Xã Số {c:05d}", level=UnitLevel.COMMUNE, parent=province)
            for c in range(1, COMMUNES + 1)
        )
        db.session.commit()
        db.engine.dispose()


def timed_command(arguments: list[str], env: dict) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS MiB of the command, its output, processor seconds of the command
    and its render children)."""
    started = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *arguments],  # noqa: S603
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(before, usage.ru_maxrss) / 1024
    return seconds, peak, done.stdout, usage.ru_utime + usage.ru_stime - cpu_before


def print_steps(output: str, rows: int) -> None:
    """The import's two steps, from the times the command prints."""
    created = re.search(r"Created \d+ account\(s\).* in ([\d.]+) s \(the write transaction ([\d.]+) s\)",
                        output)
    committed, transaction = float(created.group(1)), float(created.group(2))
    slips = float(re.search(r"made in ([\d.]+) s", output).group(1))
    print(f"  accounts committed {committed:7.1f} s  {rows / committed:8,.0f} rows/s  (from the start; "
          f"write lock held {transaction:.1f} s)")
    print(f"  login slips made   {slips:7.1f} s  {rows / slips:8,.0f} rows/s  (no transaction open)")


def slip_cost(count: int = 400, seed: int = 15) -> float:
    """Processor milliseconds per login slip: one part of `count` slips of a commune, rendered as
    the command renders it (a forked render child, after the worker's warm-up)."""
    from app.certificates.pdf_rendering import render_pdf
    from app.enrolment.credentials import one_time_password
    from app.enrolment.login_slips import LoginSlip, login_slips_html

    rng = random.Random(seed)
    slips = [LoginSlip("Xã Số 00001", f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                       "Xã Số 00001, Tỉnh Số 01", rng.choice(POSITIONS) or "", f"hocvien{n}",
                       one_time_password()) for n in range(count)]
    html = login_slips_html(slips, "https://hocso.example.gov.vn/login", "Hocso")
    render_pdf("<p>warm-up</p>")  # the worker's warm-up renders, as in the command
    best = float("inf")
    for _ in range(3):  # the best of three: other work on the machine only ever adds time
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        render_pdf(html, timeout_seconds=300)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return 1000 * best / count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args(argv)
    print(f"login slip: {slip_cost():.2f} ms of processor time each (a part of 400, best of 3)")
    with tempfile.TemporaryDirectory(prefix="hocso-bench-import-") as folder:
        folder = Path(folder)
        kind = "postgresql" if args.postgres else "sqlite"
        with scratch_database(kind, folder, "hocso_bench_import") as url:
            prepare(url)
            sheet = folder / "hoc-vien.xlsx"
            learner_workbook(sheet, args.rows)
            env = {
                key: value for key, value in os.environ.items() if not key.startswith(("HOCSO_", "FLASK_"))
            }
            env.update(
                DATABASE_URL=url,
                SECRET_KEY=os.urandom(16).hex(),
                COURSES_DIR=str(REPO_DIR / "courses"),
                TMPDIR=str(folder),
            )
            print(
                f"== flask users import: {args.rows:,} rows ({sheet.stat().st_size / 1024:,.0f} KiB XLSX) "
                f"on {kind} =="
            )
            for label, extra in (
                ("dry run", ["--dry-run"]),
                ("import", ["--slips", str(folder / "slips.pdf")]),
            ):
                seconds, peak, output, cpu = timed_command(["users", "import", str(sheet), *extra], env)
                print(
                    f"{label:<8} {seconds:7.1f} s  {args.rows / seconds:8,.0f} rows/s  peak {peak:6.0f} MiB"
                    f"  cpu {cpu:6.1f} s  ({output.strip().splitlines()[-1][:60]})"
                )
                if label == "import":
                    print_steps(output, args.rows)
            slips = folder / "slips.pdf"
            print(f"login slips: {slips.stat().st_size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
