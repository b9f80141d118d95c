"""The login slips of an import, made in the background once its accounts exist.

The accounts are committed first, with no password that works; this job gives each a one-time
password, renders the slips, and stores the new password hashes together with the PDF in one
transaction, so a job killed half-way leaves nothing half-done and its retry starts afresh. The
PDF is the only copy of the passwords: it is deleted when downloaded, or after
JOB_PRIVATE_RESULT_MINUTES.
"""

from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.enrolment import learner_import
from app.enrolment.credentials import hash_one_time_password, one_time_password
from app.extensions import db
from app.jobs.services import JobError, JobResult, JobRun, job_kind

LOGIN_SLIPS_JOB = "enrolment.login_slips"
PDF_MIMETYPE = "application/pdf"
FILENAME = "phieu-dang-nhap.pdf"
REPORT_EVERY = 20  # accounts between progress reports


@job_kind(LOGIN_SLIPS_JOB, page_endpoint="enrolment.slips_job", private_result=True)
def login_slips_job(run: JobRun) -> JobResult:
    """Background job: params user_ids (the accounts an import created)."""
    users = list(db.session.scalars(sa.select(User).options(selectinload(User.unit))
                                    .where(User.id.in_(run.params["user_ids"]),
                                           User.last_login_at.is_(None))))
    if not users:
        raise JobError("none of these accounts is waiting for a login slip")
    slips = learner_import.ordered_slips(users)
    user_ids = [user.id for user, _ in slips]
    db.session.commit()  # read done: nothing stays open while hashing and rendering
    total = len(slips)
    hashes: dict[int, str] = {}
    printed = []
    for number, ((_, slip), user_id) in enumerate(zip(slips, user_ids, strict=True), 1):
        password = one_time_password()
        hashes[user_id] = hash_one_time_password(password)
        printed.append(replace(slip, password=password))
        if number % REPORT_EVERY == 0:
            run.report(number, total + 1)  # the last step is the PDF itself
    run.report(total, total + 1)
    pdf = learner_import.render_slips(printed)
    return JobResult(pdf, FILENAME, PDF_MIMETYPE, apply=lambda: _store_hashes(hashes))


def _store_hashes(hashes: dict[int, str]) -> None:
    for user_id, password_hash in hashes.items():
        db.session.execute(sa.update(User).where(User.id == user_id, User.last_login_at.is_(None))
                           .values(password_hash=password_hash, must_change_password=True))
