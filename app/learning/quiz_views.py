"""The quiz pages of a module: start an attempt, answer it, see the result (and the certificate
the result may bring). Endpoints keep the `quizzes.` names of the URLs they serve."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.certificates.services import certificate_for, render_soon
from app.content.services import module_in_course
from app.database import commit_keeping_loaded
from app.extensions import db
from app.progress.services import may_study
from app.quizzes import presentation, services
from app.security.access import authenticated

bp = Blueprint("quizzes", __name__, template_folder="templates")
ANSWER_PREFIX = "q-"


def _own_attempt(token: str):
    try:
        return services.attempt_of(current_user, token)
    except services.AttemptNotFound:
        abort(404)


@bp.route("/courses/<slug>/modules/<module_slug>/quiz", methods=["POST"])
@authenticated
def start(slug: str, module_slug: str):
    module = module_in_course(slug, module_slug)
    if module is None or not module.has_quiz:
        abort(404)
    course = module.course
    if not may_study(current_user, course):
        abort(403)
    try:
        attempt = services.start_attempt(current_user, module)
    except services.AttemptLimitReached:
        flash(_("You have used every attempt this quiz allows."), "info")
        return redirect(url_for("learning.module", slug=course.slug, module_slug=module.slug))
    except services.DeadlinePassed:
        flash(_("The deadline of this course has passed."), "info")
        return redirect(url_for("learning.module", slug=course.slug, module_slug=module.slug))
    commit_keeping_loaded()
    return redirect(url_for("quizzes.attempt", token=attempt.token))


@bp.route("/attempts/<token>")
@authenticated
def attempt(token: str):
    attempt = _own_attempt(token)
    module = attempt.module
    if not attempt.is_submitted:
        return render_template(
            "quizzes/attempt.html", attempt=attempt, module=module,
            questions=presentation.present_questions(attempt, str(get_locale())),
        )
    return render_template(
        "quizzes/result.html", attempt=attempt, module=module,
        feedback=presentation.feedback_for(attempt, str(get_locale())),
        review=presentation.attempt_review(attempt),
        certificate=None if attempt.is_preview else certificate_for(current_user, module.course),
    )


@bp.route("/attempts/<token>", methods=["POST"])
@authenticated
def submit(token: str):
    answers = {
        key.removeprefix(ANSWER_PREFIX): request.form.getlist(key)
        for key in request.form
        if key.startswith(ANSWER_PREFIX)
    }
    try:
        submission = services.submit_attempt(current_user, token, answers)
    except services.AttemptNotFound:
        db.session.rollback()
        abort(404)
    except services.AttemptLimitReached:
        db.session.rollback()
        flash(_("You have used every attempt this quiz allows."), "info")
        return redirect(url_for("quizzes.attempt", token=token))
    except services.DeadlinePassed:
        db.session.rollback()
        flash(_("The deadline of this course has passed."), "info")
        return redirect(url_for("quizzes.attempt", token=token))
    except services.NothingAnswered:
        db.session.rollback()
        flash(_("You answered no question, so nothing was sent and no attempt was used. "
                "Choose or type your answers, then send them."), "error")
        return redirect(url_for("quizzes.attempt", token=token))
    commit_keeping_loaded()
    if submission.completion_id is not None:
        render_soon(submission.completion_id)
        flash(_("Congratulations! You have completed the course and your certificate is ready."), "success")
    return redirect(url_for("quizzes.attempt", token=submission.attempt.token))
