"""Load: simulated learners each submitting quizzes to a real gunicorn server.

Prints one figure line: learners x quizzes, lost writes, 5xx answers, p50/p95 submission latency.
Run from the repository root (it makes its own SQLite database and server, and removes them):

    .venv/bin/python -m bench.load_quiz --learners 200 --quizzes 5
"""

import argparse
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.attempt_audit import AttemptAudit, audit_attempts
from bench.databases import bench_app
from bench.learner_simulation import Learner, Ledger, run_learners
from bench.live_server import REPO_DIR, LiveServer, server_environment
from bench.population import PASSWORD, answer_sheets, create_enrolled_learners

FIXTURE_COURSES = REPO_DIR / "tests" / "fixtures" / "courses"


@dataclass
class LoadRun:
    learners: int
    quizzes: int
    ledger: Ledger
    seconds: float
    unfinished: int  # learner threads still running at the deadline

    @property
    def expected(self) -> int:
        return self.learners * self.quizzes

    def figure(self, audit: AttemptAudit, database: str) -> str:
        ledger = self.ledger
        return (
            f"H49 ({database}): {self.learners} learners × {self.quizzes} quizzes: {len(audit.lost)} lost, "
            f"{ledger.events['5xx']} 5xx, p95 {ledger.percentile_ms(95):.0f} ms "
            f"(p50 {ledger.percentile_ms(50):.0f} ms; {ledger.submissions} of {self.expected} "
            f"submissions acknowledged in {self.seconds:.0f} s; {len(audit.partial)} partial, "
            f"{len(audit.duplicates)} duplicates)"
        )


def run_load(base_url: str, usernames: list[str], sheets: dict, quizzes: int,
             time_limit: float = 150.0, ramp_up_seconds: float = 10.0,
             think_seconds: tuple[float, float] = (0.2, 1.0)) -> LoadRun:
    """Every learner logs in and submits `quizzes` quizzes; returns within time_limit seconds."""
    ledger = Ledger()
    started = time.monotonic()
    deadline = started + time_limit
    learners = [Learner(base_url, name, PASSWORD, sheets, ledger, deadline, think_seconds)
                for name in usernames]
    threads = run_learners(learners, lambda done: done < quizzes, ramp_up_seconds)
    for thread in threads:
        thread.join(max(0.0, deadline + 5 - time.monotonic()))
    unfinished = sum(thread.is_alive() for thread in threads)
    return LoadRun(len(usernames), quizzes, ledger, time.monotonic() - started, unfinished)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--quizzes", type=int, default=5, help="quiz submissions per learner")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--time-limit", type=float, default=150.0, help="seconds before giving up")
    parser.add_argument("--database-url", default="",
                        help="an EMPTY scratch database (tables are created, then dropped); "
                             "default: a new SQLite file")
    args = parser.parse_args(argv)

    from app.content.services import sync_courses
    from app.extensions import db

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on `timeout`
    workdir = Path(tempfile.mkdtemp(prefix="hocso-load-"))
    try:
        courses_dir = workdir / "courses"
        shutil.copytree(FIXTURE_COURSES, courses_dir)
        database_url = args.database_url or f"sqlite:///{workdir / 'load.sqlite3'}"
        app = bench_app(database_url, courses_dir)
        with app.app_context():
            db.create_all()
            sync_courses(courses_dir)
            db.session.commit()
            usernames = create_enrolled_learners(args.learners)
            sheets = answer_sheets()
            db.session.remove()
        env = server_environment(database_url, courses_dir, workdir / "tmp")
        with LiveServer(env, workdir / "server.log", args.workers, args.threads) as server:
            run = run_load(server.base_url, usernames, sheets, args.quizzes, args.time_limit)
        with app.app_context():
            audit = audit_attempts(run.ledger.acks, run.ledger.sent_tokens)
            database = db.engine.dialect.name
            db.session.remove()  # its read locks would block DROP TABLE
            if args.database_url:
                db.drop_all()
            db.engine.dispose()
        print(run.figure(audit, database))
        ok = audit.clean and run.ledger.submissions == run.expected and not run.ledger.events["5xx"]
        if not ok:
            print("client problems:", run.ledger.describe_problems(), sep="\n", file=sys.stderr)
            print("server errors:", server.error_summary(), sep="\n", file=sys.stderr)
        return 0 if ok else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
