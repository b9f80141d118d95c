"""Issue 10, item 14: kill -9 of a gunicorn worker during a learner import and a certificate
reissue: nothing is half-written, and the admin's retry of the same request counts once.

Each round sends the request, kills the worker that serves it after a random delay (gunicorn
starts another), and retries the very same request until the server answers. Afterwards an
import has made all of its accounts and one slips job, or none; a reissue has made exactly one
replacement; no transaction is left open; and every slips job (run in the web workers' job
threads, which the kills also hit) is finished, or failed with a retry button, within 60 s of the
last kill. (Quiz submissions under kill -9 are case H45, test_kill_9.py.)
"""

import os
import random
import signal
import threading
import time
import urllib.request

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateStatus
from app.enrolment.slips_job import LOGIN_SLIPS_JOB
from app.extensions import db
from app.jobs.models import BatchJob, JobState
from app.units.models import Unit, UnitLevel
from bench.quiz_client import QuizClient, ServerUnavailable
from tests.client.test_certificates_admin import certify
from tests.conftest import PASSWORD
from tests.durability.conftest import database_name, transactions_left_open
from tests.durability.test_kill_9_jobs import DETECTION_LIMIT, gunicorn_workers, wait_until

ROUNDS = 8
SECRET = "kill-9-web-worker-" + "x" * 32


def kill_a_worker_soon(server, rng: random.Random, killed_at: list[float]) -> threading.Thread:
    def kill():
        time.sleep(rng.uniform(0.0, 0.6))
        for pid in gunicorn_workers(server.process.pid):
            os.kill(pid, signal.SIGKILL)
        killed_at.append(time.monotonic())

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


def until_answered(client: QuizClient, path: str, form: dict, log_in) -> tuple[int, int]:
    """(status of the first answer, requests sent): the same request again until one is answered."""
    for sent in range(1, 60):
        try:
            response = client.request("POST", path, form)
        except ServerUnavailable:
            time.sleep(0.3)
            continue
        if response.status == 302 and "/login" in response.location:  # the session died with it? no: re-login
            log_in()
            continue
        return response.status, sent
    raise AssertionError(f"{path} never answered")


def admin_client(server, username: str) -> QuizClient:
    client = QuizClient(server.base_url)

    def log_in():
        client.cookies.clear()
        client.request("GET", "/login")
        client.request("POST", "/login", {"login": username, "password": PASSWORD})
        client.request("GET", "/admin/certificates")

    log_in()
    client.log_in_again = log_in
    return client


def slips_jobs_settled(server) -> bool:
    """Every slips job done or failed (a failed job has a retry button); each poke wakes a web
    worker's job thread, which also resumes the jobs of a killed worker once their heartbeat is old."""
    try:
        urllib.request.urlopen(f"{server.base_url}/health", timeout=5).read()  # noqa: S310
    except OSError:
        pass
    db.session.commit()
    unsettled = db.session.scalar(sa.select(sa.func.count()).select_from(BatchJob).where(
        BatchJob.kind == LOGIN_SLIPS_JOB, BatchJob.state.in_([JobState.QUEUED, JobState.RUNNING])))
    return unsettled == 0


def import_payload(round_number: int) -> str:
    rows = [(n + 2, {"full_name": f"Nguyễn Văn Vòng {round_number} Người {n}", "unit": "LC-TV",
                     "position": "", "phone": f"09{round_number:02d}{n:06d}", "email": "", "username": ""})
            for n in range(3)]
    payload = {"rows": rows, "ignored": [], "intake": 0, "source": f"vong-{round_number}.csv"}
    return URLSafeTimedSerializer(SECRET, salt="hocso-learner-import").dumps(payload)


@pytest.mark.slow
def test_issue10_14_kill_9_of_a_web_worker_during_imports_and_reissues_counts_each_once(
        app, serve, make_user, figures):
    province = Unit(code="LC", name="Tỉnh Lào Cai", level=UnitLevel.PROVINCE)
    db.session.add(Unit(code="LC-TV", name="Xã Tả Van", level=UnitLevel.COMMUNE, parent=province))
    db.session.commit()
    make_user(role="admin", username="quantri")
    unit = db.session.scalar(sa.select(Unit).filter_by(code="LC-TV"))
    originals = [certify(f"hv-{n}", f"Trần Thị Số {n}", unit).code for n in range(ROUNDS)]
    db.session.remove()
    server = serve(workers=2, SECRET_KEY=SECRET)
    server.start()
    client = admin_client(server, "quantri")
    rng = random.Random()  # noqa: S311
    kills, requests, first_answers, killed_at = 0, 0, [], []
    for number in range(ROUNDS):
        for path, form in (("/admin/imports/learners/confirm", {"payload": import_payload(number)}),
                           (f"/admin/certificates/{originals[number]}/reissue", {})):
            killer = kill_a_worker_soon(server, rng, killed_at)
            status, sent = until_answered(client, path, form, client.log_in_again)
            killer.join()
            kills, requests = kills + 1, requests + sent
            first_answers.append(status)
    settled = wait_until(lambda: slips_jobs_settled(server), DETECTION_LIMIT + 30, step=1.0)
    settled_after = time.monotonic() - killed_at[-1]
    left_open = transactions_left_open()
    server.stop()

    db.session.remove()
    half_imports, duplicate_imports, slips_jobs = 0, 0, 0
    for number in range(ROUNDS):
        created = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
            User.full_name.like(f"Nguyễn Văn Vòng {number} %")))
        half_imports += created not in (0, 3)
        duplicate_imports += created > 3
    slips_states = [state for (state,) in db.session.execute(
        sa.select(BatchJob.state).where(BatchJob.kind == LOGIN_SLIPS_JOB))]
    slips_jobs = len(slips_states)
    failed_slips = slips_states.count(JobState.FAILED)
    imported = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.full_name.like("Nguyễn Văn Vòng %")))
    replacements = []
    for code in originals:
        old = db.session.scalar(sa.select(Certificate).filter_by(code=code))
        replacements.append(db.session.scalar(sa.select(sa.func.count()).select_from(Certificate).where(
            Certificate.user_id == old.user_id, Certificate.status == CertificateStatus.VALID)))
    half_reissues = sum(1 for old_code in originals if _superseded_without_replacement(old_code))
    figures.add(
        f"issue 10.14 ({database_name()}): kill -9 of a web worker ×{kills} during {ROUNDS} imports and "
        f"{ROUNDS} reissues ({requests} requests with retries): {ROUNDS * 3 - imported} accounts lost, "
        f"{duplicate_imports} imports and {sum(r - 1 for r in replacements if r > 1)} reissues duplicated, "
        f"{half_imports + half_reissues} half-written, {left_open} transactions left open, "
        f"{slips_jobs} slips jobs for {imported // 3} imports: {slips_jobs - failed_slips} done and "
        f"{failed_slips} failed with a retry button {settled_after:.0f} s after the last kill"
    )
    assert half_imports == 0 and duplicate_imports == 0 and imported == ROUNDS * 3
    assert slips_jobs == ROUNDS
    assert left_open == 0
    assert settled and settled_after < DETECTION_LIMIT, slips_states
    assert replacements == [1] * ROUNDS and half_reissues == 0
    assert all(status < 500 for status in first_answers), first_answers


def _superseded_without_replacement(code: str) -> bool:
    old = db.session.scalar(sa.select(Certificate).filter_by(code=code))
    return old.status != CertificateStatus.VALID and old.superseded_by_id is None and old.revoked_at is None
