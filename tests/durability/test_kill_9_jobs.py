"""Issue 10, item 10 (and the print part of item 14): kill -9 during background work.

- the RQ worker (`flask jobs worker`) at about 100/240 certificates: its work horse and render
  children die with it, no connection stays open, RQ's clean-up finds the abandoned job and
  retries it, and the print resumes from its last saved chunk;
- a gunicorn web worker running a print in its job thread (no Redis): gunicorn starts another,
  whose job thread finds the stale heartbeat and resumes the print.

Either way, within 60 s of the kill the job is running again (or failed with a retry button), and
at the end every certificate is printed exactly once.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.certificates import batch
from app.certificates.codes import generate_code
from app.certificates.models import Certificate
from app.extensions import db
from app.jobs import runners
from app.jobs import services as jobs
from app.jobs.models import BatchJob, JobState
from app.progress.models import CourseCompletion
from app.units.models import Unit, UnitLevel
from bench.live_server import REPO_DIR, free_port, server_environment
from tests import builders
from tests.durability.conftest import database_name, on_postgresql
from tests.pdf.poppler import pdf_text

CERTIFICATES = 240
KILL_AT = 100  # certificates done when the worker is killed
DETECTION_LIMIT = 60.0  # seconds from the kill to the job running again (or failed with retry)
FINISH_LIMIT = 240.0
SHEET_TITLE = "GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC"


def many_certificates(count: int) -> list[str]:
    """`count` valid certificates in one commune, made directly (their stored PDFs are not printed)."""
    province = Unit(code="LC", name="Tỉnh Lào Cai", level=UnitLevel.PROVINCE)
    commune = Unit(code="LC-TV", name="Xã Tả Van", level=UnitLevel.COMMUNE, parent=province)
    course = builders.course()
    codes = []
    for number in range(count):
        name = f"Nguyễn Văn Số {number:03d}"
        user = User(username=f"hv{number:03d}", full_name=name, name_sort_key=name.lower(),
                    password_hash="!", role=Role.LEARNER, unit=commune)
        db.session.add(user)
        db.session.flush()
        completion = CourseCompletion(user_id=user.id, course_id=course.id, score=90)
        db.session.add(completion)
        db.session.flush()
        code = generate_code()
        codes.append(code)
        db.session.add(Certificate(
            code=code, user_id=user.id, course_id=course.id, completion_id=completion.id, full_name=name,
            unit_name="Xã Tả Van, Tỉnh Lào Cai", course_title=course.title, completed_on=date(2025, 8, 1),
            score=90, issuer="Sở KH&CN", signer_name="Nguyễn Văn An", signer_title="Giám đốc",
            pdf_sha256="0" * 64, pdf=b""))
    db.session.commit()
    return codes


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat_file:
                    parent = int(stat_file.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(parent, []).append(int(name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            return stat_file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def job_row(job_id: int):
    db.session.commit()
    return db.session.execute(sa.select(BatchJob.state, BatchJob.progress_done, BatchJob.worker_name,
                                        BatchJob.attempts, BatchJob.error).where(BatchJob.id == job_id)).one()


def wait_until(condition, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def database_ports(pids: set[int]) -> set[int]:
    """Local TCP ports of these processes' connections to PostgreSQL (their backends' client_port)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == 5432:
                    ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def open_transactions(ports: set[int]) -> int:
    """The killed processes' backends still in a transaction 10 s after the kill (PostgreSQL; 0 on
    SQLite). Only theirs: the replacement worker resuming the job has transactions of its own."""
    if not on_postgresql() or not ports:
        return 0

    def still_open() -> int:
        with db.engine.connect() as connection:
            return connection.scalar(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE client_port = ANY(:ports)"
                " AND state LIKE 'idle in transaction%'"), {"ports": sorted(ports)})

    wait_until(lambda: still_open() == 0, 10)
    return still_open()


def printed_codes(pdf: bytes, codes: list[str]) -> tuple[int, int]:
    """(lost, duplicated) certificates in the printed set: pages per certificate code."""
    pages = [page for page in pdf_text(pdf).split("\f") if SHEET_TITLE in page]  # not the cover list
    counts: dict[str, int] = {}
    for page in pages:
        found = {code.replace("-", "") for code in re.findall(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){3}\b", page)}
        for code in found:
            counts[code] = counts.get(code, 0) + 1
    wanted = {code.replace("-", "") for code in codes}
    lost = len(wanted - counts.keys())
    return lost, sum(count - 1 for count in counts.values() if count > 1)


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own (the shared one is never flushed or stopped)."""
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",  # noqa: S607
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    if not wait_until(lambda: _pings(redis.Redis.from_url(url)), 10):
        server.kill()
        pytest.fail("redis-server did not start")
    yield url
    server.kill()
    server.wait()


def _pings(connection) -> bool:
    try:
        return connection.ping()
    except Exception:  # noqa: BLE001
        return False


def start_rq_worker(env: dict, log_path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],  # noqa: S603
                                cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


@pytest.mark.slow
def test_issue10_10_kill_9_of_the_rq_worker_during_a_print_resumes_it(app, own_redis, tmp_path, figures):
    codes = many_certificates(CERTIFICATES)
    queue = f"hocso-kill-{os.getpid()}"
    name = f"hocso-rq-{os.getpid()}"
    url = db.engine.url
    if on_postgresql():
        url = url.update_query_dict({"application_name": name})
    env = server_environment(url.render_as_string(hide_password=False), app.config["COURSES_DIR"],
                             tmp_path / "worker-tmp", REDIS_URL=own_redis, JOBS_QUEUE_NAME=queue)
    app.config.update(JOBS_REDIS_URL=own_redis, JOBS_QUEUE_NAME=queue)
    job = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "format": "pdf", "on": "2025-08-01"}, None)
    db.session.commit()
    runners.enqueue_on_redis(app, job.token)
    worker = start_rq_worker(env, tmp_path / "worker.log")
    restarted = None
    try:
        assert wait_until(lambda: job_row(job.id).progress_done >= KILL_AT, 180), job_row(job.id)
        doomed = descendants(worker.pid)  # the work horse and its render children
        connections = database_ports(doomed | {worker.pid})
        first_worker = job_row(job.id).worker_name
        os.kill(worker.pid, signal.SIGKILL)  # the worker only: the rest must follow by themselves
        killed_at = time.monotonic()
        worker.wait()
        orphans_gone = wait_until(lambda: not any(alive(pid) for pid in doomed), 10)
        left_open = open_transactions(connections)
        restarted = start_rq_worker(env, tmp_path / "worker.log")  # as systemd would
        resumed = wait_until(lambda: (row := job_row(job.id)).worker_name != first_worker
                             or row.state == JobState.FAILED, DETECTION_LIMIT + 30)
        detected_after = time.monotonic() - killed_at
        finished = wait_until(lambda: job_row(job.id).state in (JobState.DONE, JobState.FAILED), FINISH_LIMIT)
        row = job_row(job.id)
        pdf = db.session.scalar(sa.select(BatchJob.result).where(BatchJob.id == job.id)) or b""
        lost, duplicated = printed_codes(pdf, codes) if row.state == JobState.DONE else (CERTIFICATES, 0)
    finally:
        for process in (worker, restarted):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    figures.add(
        f"issue 10.10 ({database_name()}, RQ): kill -9 of the RQ worker at {KILL_AT}/{CERTIFICATES} "
        f"certificates: {lost} lost, {duplicated} duplicated, {left_open} transactions left open, "
        f"{'no' if orphans_gone else 'some'} render children left, resumed by RQ's retry after "
        f"{detected_after:.0f} s, job {row.state} (attempt {row.attempts})"
    )
    assert orphans_gone, "the work horse or a render child outlived the killed worker"
    assert connections or not on_postgresql(), "the killed worker's database connections were not found"
    assert left_open == 0
    assert resumed and detected_after < DETECTION_LIMIT
    assert finished and row.state == JobState.DONE, (row, (tmp_path / "worker.log").read_text()[-3000:])
    assert (lost, duplicated) == (0, 0)


def gunicorn_workers(master_pid: int) -> list[int]:
    return sorted(pid for pid in descendants(master_pid) if _parent(pid) == master_pid)


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            return int(stat_file.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return -1


@pytest.mark.slow
def test_issue10_10_kill_9_of_a_web_worker_printing_without_redis_resumes_it(app, serve, figures):
    codes = many_certificates(CERTIFICATES)
    job = jobs.create_job(batch.PRINT_JOB, {"course": "khoa-mau", "format": "pdf", "on": "2025-08-01"}, None)
    db.session.commit()
    name = f"hocso-web-{os.getpid()}"
    url = db.engine.url
    if on_postgresql():
        url = url.update_query_dict({"application_name": name})
    server = serve(workers=1, database_url=url.render_as_string(hide_password=False))
    server.start()  # its first request (/health) wakes the job thread, which takes the job

    def poke():
        try:
            urllib.request.urlopen(f"{server.base_url}/health", timeout=5).read()  # noqa: S310
        except OSError:
            pass

    assert wait_until(lambda: poke() or job_row(job.id).progress_done >= KILL_AT, 180), job_row(job.id)
    (web_worker,) = gunicorn_workers(server.process.pid)
    doomed = descendants(web_worker)
    connections = database_ports(doomed | {web_worker})
    first_worker = job_row(job.id).worker_name
    os.kill(web_worker, signal.SIGKILL)
    killed_at = time.monotonic()
    orphans_gone = wait_until(lambda: not any(alive(pid) for pid in doomed), 10)
    left_open = open_transactions(connections)
    resumed = wait_until(lambda: poke() or (row := job_row(job.id)).worker_name != first_worker
                         or row.state == JobState.FAILED, DETECTION_LIMIT + 30, step=1.0)
    detected_after = time.monotonic() - killed_at
    finished = wait_until(lambda: poke() or job_row(job.id).state in (JobState.DONE, JobState.FAILED),
                          FINISH_LIMIT, step=1.0)
    row = job_row(job.id)
    pdf = db.session.scalar(sa.select(BatchJob.result).where(BatchJob.id == job.id)) or b""
    lost, duplicated = printed_codes(pdf, codes) if row.state == JobState.DONE else (CERTIFICATES, 0)
    figures.add(
        f"issue 10.10 ({database_name()}, no Redis): kill -9 of the web worker printing at "
        f"{KILL_AT}/{CERTIFICATES}: {lost} lost, {duplicated} duplicated, {left_open} transactions left "
        f"open, {'no' if orphans_gone else 'some'} render children left, resumed after "
        f"{detected_after:.0f} s (stale heartbeat), job {row.state} (attempt {row.attempts})"
    )
    assert orphans_gone
    assert connections or not on_postgresql(), "the killed worker's database connections were not found"
    assert left_open == 0
    assert resumed and detected_after < DETECTION_LIMIT
    assert finished and row.state == JobState.DONE, (row, server.log_tail())
    assert (lost, duplicated) == (0, 0)
