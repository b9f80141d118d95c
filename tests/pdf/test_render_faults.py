"""Issue 10, items 10 and 12: a render child dies with its parent, holds none of its sockets, and
is limited in processor time, not wall-clock time, so a busy machine does not fail it; the limit
grows with the pages rendered."""

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from app.certificates.pdf_rendering import render_pdf

REPO_DIR = Path(__file__).resolve().parents[2]
SLOW_HTML = "<p>Nguyễn Thị Hồng Nhung — Chuyển đổi số cho lãnh đạo cấp xã</p>" * 40_000


def render_children() -> list[multiprocessing.Process]:
    return [child for child in multiprocessing.active_children() if child.name == "hocso-pdf-render"]


def wait_for(condition, timeout: float = 10.0, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            return stat_file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_render_parent(extra_setup: str = "") -> tuple[subprocess.Popen, int]:
    """A Python process that renders a long document; returns it and its render child's pid."""
    script = textwrap.dedent(f"""
        import multiprocessing, sys, threading, time
        {extra_setup}
        from app.certificates.pdf_rendering import render_pdf
        from tests.pdf.test_render_faults import SLOW_HTML
        threading.Thread(target=render_pdf, args=(SLOW_HTML,), kwargs={{"timeout_seconds": 300}},
                         daemon=True).start()
        while not multiprocessing.active_children():
            time.sleep(0.01)
        print(multiprocessing.active_children()[0].pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_DIR,  # noqa: S603
                              stdout=subprocess.PIPE, text=True)
    return parent, int(parent.stdout.readline())


def test_issue10_10_a_render_child_dies_when_its_parent_is_killed():
    parent, child_pid = start_render_parent()
    try:
        assert alive(child_pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert wait_for(lambda: not alive(child_pid), timeout=5), "the render child outlived its parent"
    finally:
        if alive(child_pid):
            os.kill(child_pid, signal.SIGKILL)


def test_issue10_10_a_render_child_holds_none_of_the_parents_sockets():
    left, right = socket.socketpair()  # stands for a database or Redis connection
    inherited = {os.fstat(left.fileno()).st_ino, os.fstat(right.fileno()).st_ino}
    worker = threading.Thread(target=lambda: render_pdf(SLOW_HTML[:200_000]), daemon=True)
    worker.start()
    try:
        assert wait_for(lambda: render_children(), timeout=5)
        child = render_children()[0]
        time.sleep(0.3)  # past the child's start-up
        held = set()
        for name in os.listdir(f"/proc/{child.pid}/fd"):
            target = os.readlink(f"/proc/{child.pid}/fd/{name}")
            if target.startswith("socket:["):
                held.add(int(target[8:-1]))
        assert not held & inherited, "the render child kept the parent's socket open"
    finally:
        worker.join(60)
        left.close()
        right.close()


def test_issue10_12_a_render_paused_longer_than_its_limit_still_finishes():
    """A loaded machine: the child waits (here: SIGSTOP) longer than its limit, using no CPU."""
    html = "<p>Hoàng Văn Đức</p>" * 20
    results: list = []
    worker = threading.Thread(target=lambda: results.append(render_pdf(html, timeout_seconds=1)),
                              daemon=True)
    worker.start()
    assert wait_for(lambda: render_children(), timeout=5)
    pid = render_children()[0].pid
    os.kill(pid, signal.SIGSTOP)
    time.sleep(2.5)
    os.kill(pid, signal.SIGCONT)
    worker.join(30)
    assert results and results[0].startswith(b"%PDF-")


def test_issue10_12_the_kernel_enforces_the_processor_limit_in_the_child():
    parent, child_pid = start_render_parent()
    def soft_cpu_limit() -> str:
        with open(f"/proc/{child_pid}/limits") as limits:
            return next(line for line in limits if line.startswith("Max cpu time")).split()[3]

    try:
        assert wait_for(lambda: soft_cpu_limit() == "301", timeout=5)  # ceil(300 s) + 1 seconds
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        parent.stdout.close()
        wait_for(lambda: not alive(child_pid), timeout=5)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql")
                    and not os.environ.get("CI"), reason="PostgreSQL only (CI runs it)")
def test_issue10_10_a_killed_worker_leaves_no_transaction_open_on_postgresql():
    """The parent sits in a transaction (as a job did) while its child renders; kill -9 the parent:
    PostgreSQL must see the connection go at once, not held "idle in transaction" by the child."""
    import psycopg

    # On the SQLite run (CI runs both) the server is still there: use its scratch-free `postgres`
    # database, which this test only connects to and never changes.
    configured = os.environ.get("DATABASE_URL", "")
    url = (configured if configured.startswith("postgresql") else
           "postgresql://postgres@127.0.0.1:5432/postgres").replace("postgresql+psycopg://", "postgresql://")
    name = f"hocso-render-{os.getpid()}"
    setup = textwrap.dedent(f"""
        import psycopg
        connection = psycopg.connect({url!r}, application_name={name!r})
        connection.execute("SELECT 1")  # a transaction is now open
    """).replace("\n", "\n        ")
    parent, child_pid = start_render_parent(setup)

    def sessions() -> list[str]:
        with psycopg.connect(url, autocommit=True) as check:
            return [row[0] for row in check.execute(
                "SELECT state FROM pg_stat_activity WHERE application_name = %s", (name,))]

    try:
        assert sessions() == ["idle in transaction"]
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert wait_for(lambda: sessions() == [], timeout=5), sessions()
    finally:
        if alive(child_pid):
            os.kill(child_pid, signal.SIGKILL)
        parent.stdout.close()


def test_issue10_12_render_time_limits_grow_with_the_pages_rendered(monkeypatch):
    """A 409-learner import failed on a fixed limit: each render's processor-time budget is its base
    plus a share per page, for login slips and for certificate sheets alike."""
    from app.certificates import batch
    from app.enrolment import login_slips
    from app.enrolment.learner_import import CPU_SECONDS_PER_SLIP_PAGE

    budgets: list[float] = []

    def render(html: str, timeout_seconds: float) -> bytes:
        budgets.append(timeout_seconds)
        return b"%PDF-"

    monkeypatch.setattr(login_slips, "render_pdf", render)
    monkeypatch.setattr(batch, "render_pdf", render)
    monkeypatch.setattr(batch, "sheets_html", lambda items: "<p>sheets</p>")

    def slips(count: int) -> list:
        return [login_slips.LoginSlip("Xã Tả Van", f"Người {n}", "Xã Tả Van", "", f"hv{n}", "mk")
                for n in range(count)]

    for count in (1, 8 * 10):  # one page, ten pages
        login_slips.render_login_slips_pdf(slips(count), "https://hocso.example/login", "Sở",
                                           timeout_seconds=20, seconds_per_page=CPU_SECONDS_PER_SLIP_PAGE)
    one_page, ten_pages = budgets
    assert CPU_SECONDS_PER_SLIP_PAGE > 0
    assert ten_pages - one_page == pytest.approx(9 * CPU_SECONDS_PER_SLIP_PAGE)

    budgets.clear()
    batch._render_sheets(["sheet"] * 1, 20)
    batch._render_sheets(["sheet"] * 25, 20)
    assert batch.SECONDS_PER_SHEET > 0
    assert budgets[1] - budgets[0] == pytest.approx(24 * batch.SECONDS_PER_SHEET)
