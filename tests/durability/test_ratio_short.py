"""The ratio benchmark in a short mode: every page it times answered with its page, every time.

Runs `bench.ratio` (hello-world, the floor app and Hocso under the same gunicorn settings) for one
second a target, on the suite's kind of database. It asserts what makes its figures mean
something: each target was its real page (the bench refuses a redirect before timing), wrk and the
submit client saw no failure, and the floor app read Hocso's session cookie. Ratios are printed
with the figures, never asserted.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.ratio import parse_args, require_page, run_in_scratch
from tests.durability.conftest import on_postgresql


@pytest.mark.slow
def test_every_target_of_the_ratio_bench_is_measured_on_its_page(figures):
    args = parse_args(["--seconds", "1", "--rounds", "1", "--submits", "20", "--connections", "10",
                       "--database", "postgresql" if on_postgresql() else "sqlite",
                       "--postgres-database", f"hocso_bench_ratio_{os.getpid()}"])
    rows = run_in_scratch(args)
    pages = [row.page for row in rows]
    assert pages[:2] == ["floor: the stack's least module page", "module page (logged in)"]
    for row in rows:
        runs = row.runs + row.hello_runs
        assert all(run.failures == 0 for run in runs), (row.page, [run.failure_kinds for run in runs])
        assert all(run.requests_per_second > 0 for run in runs), row.page
    figures.add("ratio bench, short mode (1 s a target): "
                + "; ".join(f"{row.page} {row.ratio():.3f}×" for row in rows))


class _RedirectToLogin(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(302)
        self.send_header("Location", "/login")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_target_that_redirects_is_refused_before_timing():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RedirectToLogin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(RuntimeError, match="answered 302, not its page"):
            require_page(f"http://127.0.0.1:{server.server_port}/courses", ("Accept-Language: vi",))
    finally:
        server.shutdown()
        server.server_close()
