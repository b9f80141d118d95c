"""The list of background jobs, and the one action every job page shares: run a failed (or
stopped) job again."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from app.accounts.models import Role
from app.extensions import db
from app.jobs import runners, services
from app.jobs.models import JobState
from app.jobs.status import recent_jobs
from app.security.access import roles_required

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")
KIND_NAMES = {  # what each kind of job is, for the list; a kind not named here shows its key
    "certificates.print": _l("Certificate printing"),
    "enrolment.login_slips": _l("Login slips"),
}
STATE_NAMES = {
    JobState.QUEUED: _l("Queued"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Done"),
    JobState.FAILED: _l("Failed"),
}


class RetryForm(FlaskForm):
    """No fields: the CSRF token is the point."""


@bp.route("")
@roles_required(Role.ADMIN)
def index():
    state = request.args.get("state", "")[:16]
    return render_template("jobs/index.html", rows=recent_jobs(state), state=state, states=list(JobState),
                           state_names=STATE_NAMES, kind_names=KIND_NAMES, retry_form=RetryForm())


@bp.route("/<token>/retry", methods=["POST"])
@roles_required(Role.ADMIN)
def retry(token: str):
    job = services.find_job(token)
    if job is None or job.kind not in services.JOB_KINDS:
        abort(404)
    if not RetryForm().validate_on_submit():
        abort(400)
    if services.retry_job(job):
        db.session.commit()
        services.dispatch(job)
        flash(_("The job was queued again. It goes on from the last finished part."), "success")
    else:
        db.session.rollback()
        flash(_("This job is not stopped, so there is nothing to retry."), "error")
    return redirect(url_for(services.JOB_KINDS[job.kind].page_endpoint, token=job.token))


@bp.before_app_request
def keep_local_worker_running() -> None:
    """A web process gunicorn (re)started gets its job thread on its first request."""
    app = current_app._get_current_object()
    if app.config["JOBS_LOCAL_SWEEP"] and not runners.local_worker.is_running():
        runners.local_worker.wake(app)
