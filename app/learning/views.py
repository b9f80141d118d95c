from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role
from app.authoring.assets import uploaded_file
from app.certificates.services import certificate_for, render_soon
from app.content import services
from app.content.models import Course, Module
from app.content.outline import course_outline
from app.database import commit_keeping_loaded, utcnow
from app.extensions import db
from app.live_sessions.services import course_page_sessions
from app.offline.manifest import SAVING_HEADER
from app.progress import services as progress
from app.quizzes.services import attempts_for_module
from app.security.access import authenticated, public

bp = Blueprint("learning", __name__, template_folder="templates")

# Files a course folder may serve: never its Markdown or course.yml, which hold the answer key.
SERVABLE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".docx", ".xlsx", ".pptx"}


def _course_or_404(slug: str) -> Course:
    course = services.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


def _module_or_404(course: Course, slug: str) -> Module:
    module = services.module_by_slug(course, slug)
    if module is None:
        abort(404)
    return module


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("learning.my_courses"))
    return redirect(url_for("accounts.login"))


@bp.route("/courses")
@authenticated
def my_courses():
    courses = services.visible_courses()
    outlines = {c.id: course_outline(c) for c in courses}
    enrolled_ids = progress.enrolled_course_ids(current_user)
    enrolled = [c for c in courses if c.id in enrolled_ids]  # hers first, then the others
    rows = progress.progress_of_courses(current_user, enrolled_ids)
    summaries = {c.id: progress.summary_from(outlines[c.id].modules, rows) for c in enrolled}
    others = [c for c in courses if c.id not in enrolled_ids]
    return render_template(
        "learning/my_courses.html", enrolled=enrolled, summaries=summaries, others=others,
        outlines=outlines,
    )


@bp.route("/courses/<slug>")
@authenticated
def course(slug: str):
    course = _course_or_404(slug)
    enrolled = progress.is_enrolled(current_user, course)
    outline = course_outline(course)
    module_progress = progress.progress_by_module(current_user, course)
    return render_template(
        "learning/course.html",
        course=course,
        enrolled=enrolled,
        outline=outline,
        summary=progress.summary_from(outline.modules, module_progress),
        module_progress=module_progress,
        certificate=certificate_for(current_user, course),
        live=course_page_sessions(current_user, course, enrolled, utcnow()),
    )


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@authenticated
def enrol(slug: str):
    course = _course_or_404(slug)
    progress.enrol(current_user, course)
    db.session.commit()
    return redirect(url_for("learning.course", slug=course.slug))


@bp.route("/courses/<slug>/modules/<module_slug>")
@authenticated
def module(slug: str, module_slug: str):
    found = progress.module_for_learner(current_user, slug, module_slug)
    if found is None:
        abort(404)
    module, course = found.module, found.module.course
    if not progress.may_study(current_user, course, enrolled=found.enrolled):
        flash(_("Join the course to read its modules."), "info")
        return redirect(url_for("learning.course", slug=course.slug))
    row = found.progress
    # A page saved for reading offline has not been opened yet.
    if row is None and not request.headers.get(SAVING_HEADER):
        row = progress.record_first_open(current_user, module)
        commit_keeping_loaded()
    outline = course_outline(course)
    attempts = attempts_for_module(current_user, module) if module.has_quiz else []
    entry = outline.entry(module.id)
    previous, following = outline.neighbours(module.id)
    return render_template(
        "learning/module.html", course=course, module=module, entry=entry, progress=row,
        attempts=attempts, previous=previous, following=following,
        attempts_left=_attempts_left(entry.max_attempts, attempts),
    )


def _attempts_left(limit: int | None, attempts: list) -> int | None:
    """A learner's attempts left; staff only preview, and previews are never limited."""
    if limit is None or current_user.role != Role.LEARNER:
        return None
    return max(0, limit - len(attempts))


@bp.route("/courses/<slug>/modules/<module_slug>/read", methods=["POST"])
@authenticated
def mark_read(slug: str, module_slug: str):
    course = _course_or_404(slug)
    module = _module_or_404(course, module_slug)
    if not progress.may_study(current_user, course) or module.has_quiz:
        abort(403)
    completion = progress.complete_module(current_user, module, score=None)
    completion_id = completion.id if completion is not None else None
    db.session.commit()
    if completion_id is not None:
        render_soon(completion_id)
        flash(_("Congratulations! You have completed the course."), "success")
    return redirect(url_for("learning.course", slug=course.slug))


@bp.route("/courses/<slug>/files/<path:filename>")
@authenticated
def course_file(slug: str, filename: str):
    course = _course_or_404(slug)
    if not progress.may_study(current_user, course) or Path(filename).suffix.lower() not in SERVABLE_SUFFIXES:
        abort(404)
    uploaded = uploaded_file(course, filename)  # images uploaded in the browser come first
    if uploaded is not None:
        return uploaded
    folder = Path(current_app.config["COURSES_DIR"]) / course.folder
    return send_from_directory(folder, filename, max_age=86400)
