"""Reading offline: the service worker, the list of what to save, and progress sent back later.

Everything here is an enhancement: without JavaScript the course and module pages work as
before, and none of these routes is needed to read, mark as read or take a quiz.
"""

from flask import Blueprint, abort, current_app, render_template, send_from_directory
from flask_babel import get_locale
from flask_login import current_user

from app.accounts.models import Role
from app.certificates.services import render_soon
from app.content import services as content
from app.extensions import db
from app.offline.manifest import offline_manifest
from app.progress import services as progress
from app.security.access import authenticated, public

bp = Blueprint("offline", __name__, template_folder="templates")


@bp.route("/sw.js")
@public
def service_worker():
    # Served at the root so that its scope is the whole site; browsers check it for updates on
    # every visit when it is not cached, so a release reaches phones at once.
    response = send_from_directory(current_app.static_folder, "sw.js", max_age=0,
                                   mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response


@bp.route("/offline")
@public
def fallback():
    return render_template("offline/offline.html")


@bp.route("/courses/<slug>/offline.json")
@authenticated
def manifest(slug: str):
    course = content.course_by_slug(slug)
    if course is None:
        abort(404)
    if current_user.role != Role.LEARNER or not progress.is_enrolled(current_user, course):
        abort(403)
    response = current_app.json.response(
        offline_manifest(course, course.active_modules, str(get_locale()))
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/courses/<slug>/modules/<module_slug>/offline/<any(opened, read):event>",
          methods=["POST"])
@authenticated
def record(slug: str, module_slug: str, event: str):
    """What she did offline, sent when the connection returned: 204 once it is recorded.

    Sending it again changes nothing: the first open and the completion are each set once."""
    module = content.module_in_course(slug, module_slug)
    if module is None:
        abort(404)
    course = module.course
    if current_user.role == Role.LEARNER and not progress.is_enrolled(current_user, course):
        abort(403)
    if event == "opened":
        return _recorded(progress.record_module_opened(current_user, module)[1])
    if module.has_quiz:
        abort(403)  # a quiz module is completed by passing its quiz, online
    completion = progress.complete_module(current_user, module, score=None)
    completion_id = completion.id if completion is not None else None
    db.session.commit()
    if completion_id is not None:
        render_soon(completion_id)
    return "", 204


def _recorded(changed: bool):
    if changed:
        db.session.commit()
    return "", 204
