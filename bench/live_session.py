"""The day of a live training: N learners arrive at R per second, log in, open a module, pass its quiz.

Run from the repository root (it makes its own database and server, and removes them):

    .venv/bin/python -m bench.live_session --learners 1800 --rate 30
    .venv/bin/python -m bench.live_session --database postgresql --workers 2 --threads 4
    .venv/bin/python -m bench.live_session --find-max-rate
"""

import argparse
import asyncio
import dataclasses
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.async_browser import AsyncBrowser
from bench.databases import bench_app, create_schema_and_courses, scratch_database
from bench.learner_simulation import Ledger
from bench.learner_visit import STEPS, StepFailed, Visit
from bench.live_server import REPO_DIR, LiveServer, server_environment
from bench.population import PASSWORD, correct_sheet_from_files, create_enrolled_learners
from bench.step_figures import StepTable

COURSE = "chuyen-doi-so-lanh-dao-xa"  # the course of the live training, from courses/
MODULE = "vi-sao-chuyen-doi-so"
RAMP_RATES = (2, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100)
P95_TARGETS_MS = (500, 250)


@dataclass(frozen=True)
class Options:
    learners: int = 1800
    rate: float = 30.0
    database: str = "sqlite"  # or "postgresql"
    workers: int = 2
    threads: int = 4
    course: str = COURSE
    module: str = MODULE
    courses_dir: Path = REPO_DIR / "courses"
    timeout: float = 30.0  # seconds per request
    drain_seconds: float = 60.0  # after the last arrival, before unfinished learners are stopped
    find_max_rate: bool = False
    step_seconds: float = 15.0  # arrivals per ramp step
    max_rate: float = 60.0
    postgres_database: str = "hocso_bench_live"


@dataclass
class Wave:
    """One arrival run: learners at a rate, their figures, and the CPU both sides used."""

    rate: float
    learners: int
    table: StepTable
    seconds: float = 0.0
    finished: int = 0
    gave_up: Counter = field(default_factory=Counter)  # the step (and error) where learners stopped
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    login_page_after_ms: float = 0.0  # one GET /login right after the wave

    def sustained(self, p95_ms: float) -> bool:
        return (self.finished == self.learners and not self.table.server_errors()
                and self.table.worst_p95() <= p95_ms)


@dataclass
class SessionResult:
    options: Options
    waves: list[Wave]
    acknowledged: int = 0
    submitted_in_database: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    server_errors_in_log: str = ""

    @property
    def learners(self) -> int:
        return sum(wave.learners for wave in self.waves)

    @property
    def finished(self) -> int:
        return sum(wave.finished for wave in self.waves)

    @property
    def server_errors(self) -> int:
        return sum(wave.table.server_errors() for wave in self.waves)

    def summary(self) -> str:
        """One line: what finished, what failed, what the database holds, and the worst step."""
        worst = max((wave.table.worst_p95() for wave in self.waves), default=0.0)
        return (f"live session ({self.options.database}): {self.learners} learners at "
                f"{'/'.join(f'{w.rate:g}' for w in self.waves)}/s: {self.finished} finished, "
                f"{self.server_errors} 5xx; lost: {len(self.lost)}, duplicated: {len(self.duplicated)} "
                f"({self.acknowledged} submits acknowledged, {self.submitted_in_database} in the database); "
                f"worst step p95 {worst:.0f} ms; CPU s client {sum(w.client_cpu for w in self.waves):.1f}, "
                f"server {sum(w.server_cpu for w in self.waves):.1f}")

    def max_sustained_rate(self, p95_ms: float) -> float | None:
        rates = [wave.rate for wave in self.waves if wave.sustained(p95_ms)]
        return max(rates) if rates else None


def cpu_seconds_of_this_process() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _arrivals(visit: Visit, usernames: list[str], rate: float, time_limit: float) -> Counter:
    """Start a learner every 1/rate seconds, whatever the others are doing (open loop);
    stop those still going at time_limit. Returns why learners did not finish."""
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def arrive(number: int, username: str) -> None:
        await asyncio.sleep(max(0.0, start + number / rate - loop.time()))
        await visit.run(username)

    tasks = [asyncio.create_task(arrive(n, name)) for n, name in enumerate(usernames)]
    done, pending = await asyncio.wait(tasks, timeout=time_limit)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    reasons = Counter({"still running at the time limit": len(pending)} if pending else {})
    for task in done:
        error = task.exception()
        if isinstance(error, StepFailed):
            reasons[str(error)] += 1
        elif error is not None:
            raise error
    return reasons


async def _login_page_ms(base_url: str, timeout: float) -> float:
    async with AsyncBrowser(base_url, timeout) as browser:
        return 1000 * (await browser.request("GET", "/login")).seconds


def run_wave(server: LiveServer, visit: Visit, usernames: list[str], rate: float,
             options: Options) -> Wave:
    """One wave of arrivals against a running server, bounded in time."""
    wave = Wave(rate, len(usernames), StepTable(STEPS))
    visit = dataclasses.replace(visit, table=wave.table)
    time_limit = len(usernames) / rate + options.drain_seconds
    client_before, server_before = cpu_seconds_of_this_process(), server.cpu_seconds()
    started = time.monotonic()
    wave.gave_up = asyncio.run(_arrivals(visit, usernames, rate, time_limit))
    wave.seconds = time.monotonic() - started
    wave.client_cpu = cpu_seconds_of_this_process() - client_before
    wave.server_cpu = server.cpu_seconds() - server_before
    wave.finished = wave.table.steps[STEPS[-1]].finished
    wave.login_page_after_ms = asyncio.run(_login_page_ms(server.base_url, options.timeout))
    return wave


def wave_plan(options: Options) -> list[tuple[float, int]]:
    """(rate, learners) of each wave: one wave, or the ramp's steps."""
    if not options.find_max_rate:
        return [(options.rate, options.learners)]
    return [(rate, round(rate * options.step_seconds)) for rate in RAMP_RATES if rate <= options.max_rate]


def prepare(options: Options, database_url: str, total: int) -> list[str]:
    """Tables, courses and `total` enrolled learners in a fresh database; their usernames."""
    from app.extensions import db

    app = bench_app(database_url, options.courses_dir)
    with app.app_context():
        create_schema_and_courses(options.courses_dir)
        usernames = create_enrolled_learners(total, prefix="hv", course_slug=options.course,
                                             cheap_hash=False)  # logins cost what they cost
        db.session.remove()
        db.engine.dispose()
    return usernames


def run_waves(options: Options, server: LiveServer, usernames: list[str], ledger: Ledger) -> list[Wave]:
    sheet = correct_sheet_from_files(options.courses_dir, options.course, options.module)
    visit = Visit(server.base_url, options.course, options.module, PASSWORD, sheet,
                  StepTable(STEPS), ledger, options.timeout)
    waves = []
    for rate, count in wave_plan(options):
        wave = run_wave(server, visit, usernames[:count], rate, options)
        usernames = usernames[count:]
        waves.append(wave)
        print_wave(wave, options)
        if options.find_max_rate and not wave.sustained(P95_TARGETS_MS[0]):
            break  # past the largest sustained rate: higher rates only fail harder
    return waves


def audit(result: SessionResult, database_url: str, ledger: Ledger) -> None:
    """What the database holds against what the learners were told."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.quizzes.models import AttemptState, QuizAttempt
    from bench.attempt_audit import audit_attempts, repeated_submissions

    app = bench_app(database_url, result.options.courses_dir)
    with app.app_context():
        checked = audit_attempts(ledger.acks, ledger.sent_tokens)
        result.acknowledged = checked.acknowledged
        result.lost, result.partial = checked.lost, checked.partial
        result.duplicated = checked.duplicates + repeated_submissions()
        result.submitted_in_database = db.session.scalar(
            sa.select(sa.func.count()).where(QuizAttempt.state == AttemptState.SUBMITTED))
        db.session.remove()
        db.engine.dispose()


def run_live_session(options: Options) -> SessionResult:
    """The whole benchmark in a folder of its own: database, server, waves, audit; all removed after."""
    workdir = Path(tempfile.mkdtemp(prefix="hocso-live-"))
    try:
        with scratch_database(options.database, workdir, options.postgres_database) as url:
            usernames = prepare(options, url, sum(count for _, count in wave_plan(options)))
            env = server_environment(url, options.courses_dir, workdir / "tmp")
            ledger = Ledger()
            print_heading(options)
            with LiveServer(env, workdir / "server.log", options.workers, options.threads) as server:
                result = SessionResult(options, run_waves(options, server, usernames, ledger))
            result.server_errors_in_log = server.error_summary()
            audit(result, url, ledger)
            return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_heading(options: Options) -> None:
    print(f"Hocso live session on {options.database}: gunicorn wsgi:app, {options.workers} workers × "
          f"{options.threads} threads, HOCSO_ENV=production; course {options.course}, module "
          f"{options.module}; request timeout {options.timeout:.0f} s", flush=True)


def print_wave(wave: Wave, options: Options) -> None:
    print(f"\n{wave.learners} learners arriving at {wave.rate:g}/s: {wave.finished} finished in "
          f"{wave.seconds:.1f} s")
    for line in wave.table.lines():
        print("  " + line)
    for reason, count in wave.gave_up.most_common(5):
        print(f"  gave up: {reason} ×{count}")
    print(f"  CPU seconds: client {wave.client_cpu:.1f}, server {wave.server_cpu:.1f} "
          f"(wall {wave.seconds:.1f} s); GET /login right after: {wave.login_page_after_ms:.0f} ms",
          flush=True)


def print_result(result: SessionResult) -> None:
    if result.options.find_max_rate:
        for target in P95_TARGETS_MS:
            rate = result.max_sustained_rate(target)
            shown = f"{rate:g}/s" if rate is not None else f"none (lowest tried {RAMP_RATES[0]}/s)"
            print(f"largest arrival rate sustained with every step's p95 ≤ {target} ms "
                  f"(all finished, no 5xx): {shown}")
    print(result.summary())
    print(f"half-written attempts: {len(result.partial)}")
    if result.server_errors_in_log:
        print("server errors in its log:", result.server_errors_in_log, sep="\n")


def correct(result: SessionResult) -> bool:
    """Nothing lost or doubled, and (out of the ramp) every learner finished without a 5xx."""
    clean = not (result.lost or result.duplicated or result.partial)
    if result.options.find_max_rate:
        return clean
    return clean and result.finished == result.learners and not result.server_errors


def parse_options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Options()
    parser.add_argument("--learners", type=int, default=defaults.learners)
    parser.add_argument("--rate", type=float, default=defaults.rate, help="arrivals per second")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default=defaults.database)
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=defaults.threads, help="threads per worker")
    parser.add_argument("--course", default=defaults.course)
    parser.add_argument("--module", default=defaults.module, help="a module of the course with a quiz")
    parser.add_argument("--courses-dir", type=Path, default=defaults.courses_dir)
    parser.add_argument("--timeout", type=float, default=defaults.timeout, help="seconds per request")
    parser.add_argument("--drain-seconds", type=float, default=defaults.drain_seconds,
                        help="after the last arrival, before unfinished learners are stopped")
    parser.add_argument("--find-max-rate", action="store_true",
                        help=f"waves at {', '.join(map(str, RAMP_RATES))}/s … up to --max-rate")
    parser.add_argument("--step-seconds", type=float, default=defaults.step_seconds,
                        help="seconds of arrivals per ramp wave")
    parser.add_argument("--max-rate", type=float, default=defaults.max_rate)
    parser.add_argument("--postgres-database", default=defaults.postgres_database)
    return Options(**vars(parser.parse_args(argv)))


def raise_open_files_limit() -> None:
    """A connection per learner: thousands of sockets."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up on `timeout`
    raise_open_files_limit()
    result = run_live_session(options)
    print()
    print_result(result)
    return 0 if correct(result) else 1


if __name__ == "__main__":
    sys.exit(main())
