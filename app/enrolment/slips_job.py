"""The login slips of an import, made in the background once its accounts exist.

The accounts are committed first, with no password that works; this job gives each a one-time
password, renders the slips, and stores the new password hashes together with the PDF in one
transaction, so a job killed half-way leaves nothing half-done and its retry starts afresh. The
PDF is the only copy of the passwords: it is deleted when downloaded, or after
JOB_PRIVATE_RESULT_MINUTES.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.enrolment import learner_import
from app.enrolment.credentials import HASHING_THREADS, hash_one_time_password, one_time_password
from app.extensions import db
from app.jobs.services import JobError, JobResult, JobRun, job_kind

LOGIN_SLIPS_JOB = "enrolment.login_slips"
PDF_MIMETYPE = "application/pdf"
FILENAME = "phieu-dang-nhap.pdf"
REPORT_EVERY = 20  # accounts between progress reports ...
REPORT_SECONDS = 1.0  # ... and no more often than this: each report is a write transaction
READ_CHUNK = 5000  # ids per IN (...): SQLite allows 32,766 parameters, a province may have more


def _waiting_users(user_ids: list[int]) -> list[User]:
    """These accounts that never logged in (so still wait for their slip), with their units."""
    users: list[User] = []
    for start in range(0, len(user_ids), READ_CHUNK):
        users.extend(db.session.scalars(
            sa.select(User).options(selectinload(User.unit))
            .where(User.id.in_(user_ids[start:start + READ_CHUNK]), User.last_login_at.is_(None))))
    return users


@job_kind(LOGIN_SLIPS_JOB, page_endpoint="enrolment.slips_job", private_result=True)
def login_slips_job(run: JobRun) -> JobResult:
    """Background job: params user_ids (the accounts an import created)."""
    users = _waiting_users(run.params["user_ids"])
    if not users:
        raise JobError("none of these accounts is waiting for a login slip")
    slips = learner_import.ordered_slips(users)
    user_ids = [user.id for user, _ in slips]
    db.session.commit()  # read done: nothing stays open while hashing and rendering
    total = len(slips)
    passwords = [one_time_password() for _ in slips]
    hashes: dict[int, str] = {}
    reported_at = time.monotonic()
    # scrypt leaves the interpreter lock: every core hashes; the PDF parts render two at a time too
    with ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="hocso-hash") as pool:
        for number, (user_id, password_hash) in enumerate(
                zip(user_ids, pool.map(hash_one_time_password, passwords), strict=True), 1):
            hashes[user_id] = password_hash
            if number % REPORT_EVERY == 0 and time.monotonic() - reported_at >= REPORT_SECONDS:
                run.report(number, total + 1)  # the last step is the PDF itself
                reported_at = time.monotonic()
    run.report(total, total + 1)
    printed = [replace(slip, password=password) for (_, slip), password in zip(slips, passwords, strict=True)]
    pdf = learner_import.render_slips(printed)
    return JobResult(pdf, FILENAME, PDF_MIMETYPE, apply=lambda: _store_hashes(hashes))


def _store_hashes(hashes: dict[int, str]) -> None:
    """One statement run for every account (executemany): the write lock is held for moments."""
    users = User.__table__
    db.session.execute(
        sa.update(users).where(users.c.id == sa.bindparam("user_id"), users.c.last_login_at.is_(None))
        .values(password_hash=sa.bindparam("new_hash"), must_change_password=True),
        [{"user_id": user_id, "new_hash": password_hash} for user_id, password_hash in hashes.items()])


def job_page_url(token: str) -> str:
    """The job's page at the site's public address (for a message printed outside any request)."""
    with current_app.test_request_context():
        path = url_for("enrolment.slips_job", token=token)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
