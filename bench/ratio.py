"""Hocso's learner pages against Flask hello-world, both under the same gunicorn settings, in one run.

    .venv/bin/python -m bench.ratio                     # wrk -t2 -c50 -d15s, medians of 3
    .venv/bin/python -m bench.ratio --seconds 3 --rounds 1 --submits 50
    .venv/bin/python -m bench.ratio --workers 2 --threads 1 --gunicorn-arg=--worker-class=sync

Beside the two, bench/floor_app.py serves the least a logged-in module page can cost on the same
stack (its own row), so the table shows how much of a page's cost is Hocso's and how much the
framework's.
"""

import argparse
import asyncio
import http.client
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.async_browser import PHONE_USER_AGENT, AsyncBrowser
from bench.databases import bench_app, create_schema_and_courses, scratch_database
from bench.learner_simulation import Ledger
from bench.learner_visit import STEPS, Visit
from bench.live_server import REPO_DIR, LiveServer, server_environment
from bench.live_session import COURSE, MODULE, raise_open_files_limit
from bench.population import PASSWORD, certify, correct_sheet_from_files, create_enrolled_learners
from bench.step_figures import StepTable
from bench.throughput import Throughput, closed_loop, wrk

HELLO_APP = "bench.hello_app:app"
HOCSO_APP = "bench.bench_wsgi:app"  # wsgi:app with the verify rate limit raised
FLOOR_APP = "bench.floor_app:app"  # the required stack's least logged-in page, on Hocso's database
# Sent to both servers alike: what Chrome on a learner's Android phone sends over HTTPS, with
# the user agent the learner logged in with (another one would make every response re-sign her
# session cookie, which no browser causes).
BROWSER_HEADERS = ("Accept-Encoding: gzip, deflate, br, zstd", "Accept-Language: vi",
                   f"User-Agent: {PHONE_USER_AGENT}")


@dataclass(frozen=True)
class Ticket:
    """One form post ready to send: a learner's cookies and CSRF token, and the path."""

    path: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""


@dataclass
class Row:
    """One target and the hello-world run just before each of its runs."""

    page: str
    hello_page: str  # what hello-world was measured on, with what
    runs: list[Throughput] = field(default_factory=list)
    hello_runs: list[Throughput] = field(default_factory=list)

    def ratio(self) -> float:
        """Median over the rounds of (target req/s ÷ the hello-world run just before it)."""
        return statistics.median(t.requests_per_second / h.requests_per_second
                                 for t, h in zip(self.runs, self.hello_runs, strict=True))


async def _post_once(base_url: str, ticket: Ticket, form: dict) -> object:
    async with AsyncBrowser(base_url, keep_alive=False) as browser:
        browser.cookies.cookies.update(ticket.cookies)
        browser.csrf_token = ticket.csrf_token
        return await browser.request("POST", ticket.path, form)


def post_all(base_url: str, tickets: list[Ticket], form: dict, connections: int) -> Throughput:
    """Each ticket posted once, `connections` at a time, each on a new connection."""
    return closed_loop([lambda t=t: _post_once(base_url, t, form) for t in tickets], connections)


async def _submit_tickets(visit: Visit, usernames: list[str]) -> list[Ticket]:
    """Log each learner in and start her quiz (not measured): the submit each will make."""
    limit = asyncio.Semaphore(20)

    async def ticket(username: str) -> Ticket:
        async with limit, AsyncBrowser(visit.base_url) as browser:
            token = await visit.open_quiz(browser, username)
            return Ticket(f"/attempts/{token}", dict(browser.cookies.cookies), browser.csrf_token)

    return list(await asyncio.gather(*(ticket(name) for name in usernames)))


async def _session_cookie(visit: Visit, username: str) -> str:
    async with AsyncBrowser(visit.base_url) as browser:
        await visit.log_in(browser, username)
        # A browser keeps the cookie its first page sets (the session's CSRF token); without this
        # every measured request would change the session and pay for a new Set-Cookie.
        await browser.request("GET", "/courses")
        return browser.cookies.header()


def start_timed(server: LiveServer) -> float:
    """Start the server; seconds until /health answered (its cold start)."""
    started = time.monotonic()
    server.start()
    return time.monotonic() - started


@dataclass
class Bench:
    """Both servers running, and what the targets need: a logged-in cookie, a certificate, tickets."""

    hello: LiveServer
    hocso: LiveServer
    floor: LiveServer
    args: argparse.Namespace
    cookie: str
    certificate_code: str
    tickets: list[Ticket]
    form: dict

    def targets(self) -> list[tuple[Row, Callable[[], Throughput], Callable[[], Throughput]]]:
        """(row, measure Hocso, measure hello-world the same way), in the order they are run."""
        logged_in = (*BROWSER_HEADERS, f"Cookie: {self.cookie}")
        module = f"/courses/{self.args.course}/modules/{self.args.module}"
        hello_get = self._get(self.hello, "/", BROWSER_HEADERS)
        wrk_hello, client_hello = "GET / (wrk)", "POST /submit (asyncio client)"
        return [
            (Row("floor: the stack's least module page", wrk_hello), self._get(self.floor, module, logged_in),
             hello_get),
            (Row("module page (logged in)", wrk_hello), self._get(self.hocso, module, logged_in), hello_get),
            (Row("course list (logged in)", wrk_hello), self._get(self.hocso, "/courses", logged_in),
             hello_get),
            (Row("login page", wrk_hello), self._get(self.hocso, "/login", BROWSER_HEADERS), hello_get),
            (Row("verify page", wrk_hello),
             self._get(self.hocso, f"/verify/{self.certificate_code}", BROWSER_HEADERS), hello_get),
            (Row("quiz submit (asyncio client)", client_hello), self._next_submits, self._hello_submits),
        ]

    def _get(self, server: LiveServer, path: str, headers: tuple[str, ...]) -> Callable[[], Throughput]:
        url = server.base_url + path

        def measure_page() -> Throughput:
            require_page(url, headers)
            return wrk(url, self.args.seconds, self.args.connections, 2, headers)

        return measure_page

    def _next_submits(self) -> Throughput:
        batch, self.tickets = self.tickets[:self.args.submits], self.tickets[self.args.submits:]
        return post_all(self.hocso.base_url, batch, self.form, self.args.connections)

    def _hello_submits(self) -> Throughput:
        return post_all(self.hello.base_url, [Ticket("/submit")] * self.args.submits, self.form,
                        self.args.connections)


def require_page(url: str, headers: tuple[str, ...]) -> None:
    """Refuse to measure a URL that does not answer with its page: wrk counts a redirect (to the
    login form, say, after a lost session) as an answer, and would time the wrong thing."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path, headers=dict(h.split(": ", 1) for h in headers))
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {parts.path} answered {response.status}, not its page: nothing to measure")


def measure(bench: Bench, rounds: int) -> list[Row]:
    """hello, target, hello, next target ... for each round; a row per target."""
    targets = bench.targets()
    for number in range(rounds):
        for row, target, hello in targets:
            row.hello_runs.append(hello())
            row.runs.append(target())
            print(f"  round {number + 1}: {row.page}: {row.runs[-1].requests_per_second:.0f} req/s "
                  f"(hello-world {row.hello_runs[-1].requests_per_second:.0f})", flush=True)
    return [row for row, _, _ in targets]


def print_table(rows: list[Row], startup: dict[str, tuple[float, list[float], list[float]]]) -> None:
    print("\n| page | req/s | p50 ms | p99 ms | × hello-world | failures |\n|---|---|---|---|---|---|")
    for hello_page in dict.fromkeys(row.hello_page for row in rows):
        runs = [run for row in rows if row.hello_page == hello_page for run in row.hello_runs]
        print(_table_line(f"hello-world {hello_page}", runs, 1.0))
    for row in rows:
        print(_table_line(row.page, row.runs, row.ratio()))
    print()
    for name, (cold, idle, after) in startup.items():
        print(f"{name}: cold start {cold:.2f} s; worker RSS idle {_mib(idle)}, after the runs {_mib(after)}")


def _table_line(page: str, runs: list[Throughput], ratio: float) -> str:
    def median(attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in runs)

    kinds = sum((run.failure_kinds for run in runs), Counter())
    failures = ", ".join(f"{kind} ×{count}" for kind, count in kinds.most_common()) or "0"
    return (f"| {page} | {median('requests_per_second'):.0f} | {median('p50_ms'):.1f} | "
            f"{median('p99_ms'):.1f} | {ratio:.3f} | {failures} |")


def _mib(values: list[float]) -> str:
    return "/".join(f"{v:.0f}" for v in values) + " MiB"


def prepare(args: argparse.Namespace, database_url: str) -> tuple[list[str], str]:
    """Schema, courses, learners (one for the pages, the rest for submits) and a certificate."""
    from app.extensions import db

    app = bench_app(database_url, args.courses_dir)
    with app.app_context():
        create_schema_and_courses(args.courses_dir)
        usernames = create_enrolled_learners(2 + args.rounds * args.submits, prefix="hv",
                                             course_slug=args.course, cheap_hash=False)
        code = certify(usernames.pop(), args.course)
        db.session.remove()
        db.engine.dispose()
    return usernames, code


def run(args: argparse.Namespace, workdir: Path, database_url: str) -> list[Row]:
    usernames, code = prepare(args, database_url)
    env = server_environment(database_url, args.courses_dir, workdir / "tmp")
    settings = dict(workers=args.workers, threads=args.threads, gunicorn_args=tuple(args.gunicorn_arg))
    hello = LiveServer(env, workdir / "hello.log", app_module=HELLO_APP, **settings)
    hocso = LiveServer(env, workdir / "hocso.log", app_module=HOCSO_APP, **settings)
    floor = LiveServer(env, workdir / "floor.log", app_module=FLOOR_APP, **settings)
    servers = {"hello-world": hello, "Hocso": hocso, "floor": floor}
    print(f"gunicorn {' '.join(hocso.command()[4:])}\n(the same for {HELLO_APP} and {FLOOR_APP}); wrk -t2 "
          f"-c{args.connections} -d{args.seconds:g}s; {args.rounds} rounds", flush=True)
    try:
        startup = {}
        for name, server in servers.items():
            cold = start_timed(server)
            time.sleep(1.0)  # every worker forked and idle
            startup[name] = (cold, server.worker_rss_mib())
        sheet = correct_sheet_from_files(args.courses_dir, args.course, args.module)
        visit = Visit(hocso.base_url, args.course, args.module, PASSWORD, sheet, StepTable(STEPS), Ledger())
        cookie = asyncio.run(_session_cookie(visit, usernames.pop()))
        tickets = asyncio.run(_submit_tickets(visit, usernames))
        rows = measure(Bench(hello, hocso, floor, args, cookie, code, tickets, sheet.form), args.rounds)
        after = {name: server.worker_rss_mib() for name, server in servers.items()}
        print_table(rows, {name: (*startup[name], after[name]) for name in startup})
        return rows
    finally:
        for server in servers.values():
            server.stop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per target (medians are shown)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--submits", type=int, default=200, help="quiz submits per round (a learner each)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both servers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker, both servers")
    parser.add_argument("--gunicorn-arg", action="append", default=[],
                        help="one more gunicorn flag for both servers (repeat for more)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-database", default="hocso_bench_ratio")
    parser.add_argument("--course", default=COURSE)
    parser.add_argument("--module", default=MODULE)
    parser.add_argument("--courses-dir", type=Path, default=REPO_DIR / "courses")
    return parser.parse_args(argv)


def run_in_scratch(args: argparse.Namespace) -> list[Row]:
    """The whole benchmark in a folder and database of its own, both removed afterwards."""
    raise_open_files_limit()
    workdir = Path(tempfile.mkdtemp(prefix="hocso-ratio-"))
    try:
        with scratch_database(args.database, workdir, args.postgres_database) as url:
            return run(args, workdir, url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up on `timeout`
    run_in_scratch(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
