# ruff: noqa: F811 - the batch-print fixtures are imported to be used as parameters
"""Issue 10, items 10 and 11: background jobs under faults.

State updates wait for SQLite's write lock instead of failing; a job whose worker died is resumed
from its last finished chunk, or failed with a reason and a (CSRF-protected, admin-only) retry
button; no transaction stays open while a chunk renders; the page says what is really happening.
"""

import sqlite3
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.certificates import batch
from app.database import utcnow
from app.extensions import db
from app.jobs import runners
from app.jobs import services as jobs
from app.jobs.models import BatchJob, BatchJobPart, JobState
from tests.client.test_batch_print import EXPECTED_ORDER, certificates, page_count, sheet_names  # noqa: F401
from tests.conftest import csrf_token_from
from tests.durability.conftest import transactions_left_open

pytestmark = pytest.mark.usefixtures("no_job_left_running")

BASE = "/admin/certificates/print"
PARAMS = {"course": "khoa-mau", "unit": "LC", "format": "pdf", "on": "2025-08-01"}


class WorkerKilled(BaseException):
    """Stands for kill -9: the run stops where it is, writing nothing more."""


@pytest.fixture
def admin_locale():
    return "en"  # the assertions read the English pages


def print_job() -> BatchJob:
    job = jobs.create_job(batch.PRINT_JOB, PARAMS, None)
    db.session.commit()
    return job


def reload(job: BatchJob) -> BatchJob:
    db.session.commit()
    return db.session.get(BatchJob, job.id)


def age_heartbeat(job: BatchJob, seconds: float = 120) -> None:
    db.session.execute(sa.update(BatchJob).where(BatchJob.id == job.id)
                       .values(heartbeat_at=utcnow() - timedelta(seconds=seconds)))
    db.session.commit()


def test_issue10_11_job_state_updates_wait_for_the_write_lock_instead_of_failing(app, certificates):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    job = print_job()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=15)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    other.execute("UPDATE unit SET name = name")
    errors: list[BaseException] = []

    def start():
        with app.app_context():
            try:
                jobs.run_job(job.token)
            except BaseException as error:  # noqa: BLE001
                errors.append(error)

    runner = threading.Thread(target=start)
    runner.start()
    time.sleep(0.5)
    other.execute("COMMIT")
    other.close()
    runner.join(120)
    assert errors == []
    assert reload(job).state == JobState.DONE


def test_issue10_10_a_job_whose_worker_died_is_resumed_from_the_last_finished_chunk(
        app, certificates, monkeypatch):
    monkeypatch.setattr(batch, "CHUNK_SIZE", 1)
    rendered: list[int] = []
    real = batch._render_sheets

    def render(items, base_timeout):
        if len(rendered) == 2 and not resumed:
            raise WorkerKilled
        rendered.append(items[0].number)
        return real(items, base_timeout)

    monkeypatch.setattr(batch, "_render_sheets", render)
    monkeypatch.setattr(batch, "RENDER_WORKERS", 1)
    resumed = False
    job = print_job()
    with pytest.raises(WorkerKilled):
        jobs.run_job(job.token)
    job = reload(job)
    assert job.state == JobState.RUNNING and job.progress_done == 2
    assert not jobs.run_job(job.token)  # its heartbeat is fresh: another worker leaves it alone
    age_heartbeat(job)  # ... until it is older than STALE_AFTER
    resumed = True
    assert jobs.run_job(job.token)
    job = reload(job)
    assert job.state == JobState.DONE and job.attempts == 2
    assert rendered == [1, 2, 3, 4]  # chunks 1 and 2 were not rendered again
    assert sheet_names(job.result) == EXPECTED_ORDER and page_count(job.result) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BatchJobPart)) == 0


def test_issue10_10_a_job_whose_worker_keeps_dying_fails_with_a_reason_and_a_retry_button(
        client, admin, certificates, csrf_app):
    job = print_job()
    job.state, job.attempts = JobState.RUNNING, jobs.MAX_ATTEMPTS
    db.session.commit()
    age_heartbeat(job)
    runners.local_worker.wake(csrf_app)
    jobs.wait_for_local_jobs()
    job = reload(job)
    assert job.state == JobState.FAILED and job.error == jobs.WORKER_DIED
    page = client.get(f"{BASE}/{job.token}").get_data(as_text=True)
    assert "could not be resumed" in page and f'action="/admin/jobs/{job.token}/retry"' in page
    assert client.post(f"/admin/jobs/{job.token}/retry").status_code == 400  # no CSRF token
    response = client.post(f"/admin/jobs/{job.token}/retry", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{BASE}/{job.token}")
    jobs.wait_for_local_jobs()
    assert reload(job).state == JobState.DONE


def test_only_an_admin_can_retry_a_job(client, auth, make_user, certificates):
    job = print_job()
    job.state = JobState.FAILED
    db.session.commit()
    make_user(username="hocvien")
    auth.login("hocvien")
    assert client.post(f"/admin/jobs/{job.token}/retry").status_code == 403
    assert reload(job).state == JobState.FAILED


def test_issue10_10_no_transaction_is_open_while_a_chunk_renders(app, certificates, monkeypatch):
    checked_out: list[int] = []
    real, engine = batch._render_sheets, db.engine

    def render(items, base_timeout):  # runs in a render thread, outside the app context
        checked_out.append(engine.pool.checkedout())
        return real(items, base_timeout)

    monkeypatch.setattr(batch, "_render_sheets", render)
    job = print_job()
    jobs.run_job(job.token)
    assert reload(job).state == JobState.DONE
    assert checked_out == [0]  # no connection held (in a transaction) by the job during the render


def test_issue10_11_the_page_says_queued_behind_which_job(client, admin, certificates):
    running, waiting = print_job(), print_job()
    running.state, running.heartbeat_at, running.started_at = JobState.RUNNING, utcnow(), utcnow()
    running.progress_done, running.progress_total = 150, 240
    db.session.commit()
    page = client.get(f"{BASE}/{waiting.token}").get_data(as_text=True)
    assert "Queued behind another job (150 of 240 done" in page
    assert "Waiting for another print job" not in page
    assert "Running: 150 of 240 certificates." in client.get(f"{BASE}/{running.token}").get_data(as_text=True)


def test_issue10_11_the_page_says_when_no_worker_is_running(app, client, admin, certificates):
    from tests.client.test_batch_print import REDIS_URL

    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE_NAME="hocso-test-no-worker-here")
    job = print_job()
    page = client.get(f"{BASE}/{job.token}")
    assert "no worker is running" in page.get_data(as_text=True)
    assert page.headers["Refresh"] == "3"  # a worker may yet start


def test_issue10_11_a_failed_job_page_gives_the_reason_and_a_retry_button(client, admin, certificates):
    job = print_job()
    job.state, job.error = JobState.FAILED, "no valid certificate matches this selection"
    db.session.commit()
    page = client.get(f"{BASE}/{job.token}")
    text = page.get_data(as_text=True)
    assert "Refresh" not in page.headers and "no valid certificate matches" in text
    assert f'action="/admin/jobs/{job.token}/retry"' in text


def test_issue10_10_kill_9_of_a_render_child_fails_the_job_with_a_retry_that_resumes_it(
        app, certificates, monkeypatch, figures, tmp_path):
    import os
    import signal

    from app.certificates import pdf_rendering

    monkeypatch.setattr(batch, "CHUNK_SIZE", 1)
    monkeypatch.setattr(batch, "RENDER_WORKERS", 1)
    started = tmp_path / "render-children"
    started.mkdir()
    real_engine = pdf_rendering._engine()

    released = tmp_path / "released"

    class HeldEngine:
        """Each render child announces its pid; the third (after the cover and the first chunk)
        waits until it has been killed, so the kill lands inside a render on a machine however
        busy, never after the answer."""

        def __getattr__(self, name):
            return getattr(real_engine, name)

        def render_in_process(self, html):
            if os.getpid() != parent_pid:
                (started / str(os.getpid())).touch()
                held_until = time.monotonic() + 120
                while len(list(started.iterdir())) == 3 and not released.exists():
                    if time.monotonic() > held_until:
                        break
                    time.sleep(0.01)
            return real_engine.render_in_process(html)

    parent_pid = os.getpid()
    monkeypatch.setattr(pdf_rendering, "_engine", lambda: HeldEngine())
    job = print_job()
    runner = threading.Thread(target=_run_in_context, args=(app, job.token), daemon=True)
    runner.start()
    deadline = time.monotonic() + 120
    while len(list(started.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    children = sorted(started.iterdir(), key=lambda path: path.stat().st_mtime_ns)
    assert len(children) == 3, "no render child of the second chunk was seen"
    os.kill(int(children[-1].name), signal.SIGKILL)
    killed_at = time.monotonic()
    released.touch()
    runner.join(60)
    failed = reload(job)
    ended_after = time.monotonic() - killed_at
    left_open = transactions_left_open()
    assert failed.state == JobState.FAILED and failed.error == "PdfRenderError"
    saved = db.session.scalar(sa.select(sa.func.count()).select_from(BatchJobPart))
    assert saved >= 1  # the chunks finished before the kill are kept for the retry
    assert jobs.retry_job(failed)
    db.session.commit()
    assert jobs.run_job(job.token)
    done = reload(job)
    assert done.state == JobState.DONE and sheet_names(done.result) == EXPECTED_ORDER
    printed = sheet_names(done.result)
    lost = sum((Counter(EXPECTED_ORDER) - Counter(printed)).values())
    duplicated = sum((Counter(printed) - Counter(EXPECTED_ORDER)).values())
    figures.add(f"issue 10.10 ({db.engine.dialect.name}): kill -9 of a render child during a print: job "
                f"failed with a retry button after {ended_after:.1f} s, {left_open} transactions left open; "
                f"the retry reused {saved} saved chunk(s): {lost} lost, {duplicated} duplicated "
                f"({len(printed)} of {len(EXPECTED_ORDER)} pages)")
    assert ended_after < 60 and left_open == 0


def _run_in_context(app, token: str) -> None:
    with app.app_context():
        jobs.run_job(token)


def test_waiting_for_local_jobs_ends_a_sweeping_worker_too(app):
    """A web process's worker sweeps for ever (JOBS_LOCAL_SWEEP); waiting for the jobs (tests, the
    CLI) must still come back once nothing is left to run, not hang on the sweep."""
    app.config["JOBS_LOCAL_SWEEP"] = True
    runners.local_worker.wake(app)
    assert runners.local_worker.is_running()
    waiter = threading.Thread(target=jobs.wait_for_local_jobs, daemon=True)
    waiter.start()
    waiter.join(30)
    assert not waiter.is_alive() and not runners.local_worker.is_running()
