"""Authoring in the browser, for instructors who do not use git (admins too).

Instructors reach only the courses assigned to them (403 otherwise); learners reach nothing here.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.models import Role
from app.authoring import assets, instructors, services, statistics
from app.authoring.forms import (
    ACTIONS,
    FILE_NAME_RULE,
    AssignmentForm,
    ImageUploadForm,
    ModuleSourceForm,
    NewModuleForm,
    RestoreForm,
)
from app.authoring.guide import guide_html
from app.authoring.models import RevisionState
from app.authoring.overlay import is_module_file_name
from app.authoring.preview import preview_context
from app.content.models import Course
from app.content.services import course_by_slug, visible_courses
from app.extensions import db
from app.security.access import roles_required
from app.security.input_hygiene import is_ascii_number

bp = Blueprint("authoring", __name__, url_prefix="/authoring", template_folder="templates")
editors = roles_required(Role.INSTRUCTOR, Role.ADMIN)

REFUSALS = {
    "errors": lambda: _("Not published: fix the errors listed below, then publish again."),
    "file_changed": lambda: _(
        "Not published: this file was changed in git after you opened it. Copy your text, "
        "open the module again and reapply your change."),
    "published_meanwhile": lambda: _(
        "Not published: someone else published this module after you opened it. Copy your text, "
        "open the module again and reapply your change."),
    "exists": lambda: _("Not published: a file with this name already exists; choose another name."),
}
IMAGE_REFUSALS = {
    "too_large": lambda: _("The image is larger than 1 MB. Make it smaller (for example 1200 pixels "
                           "wide) and upload it again."),
    "svg": lambda: _("SVG images are not accepted. Save the picture as PNG or JPEG and upload it again."),
    "not_image": lambda: _("This file is not a PNG, JPEG, GIF or WebP image. Choose an image file."),
}


def _editable_course(slug: str) -> Course:
    """The course in the URL, if the current user may edit it: 404 unknown, 403 not assigned."""
    course = course_by_slug(slug)
    if course is None:
        abort(404)
    if not instructors.may_edit(current_user, course):
        abort(403)
    return course


def _module_file(course: Course, module_slug: str) -> tuple[object, str]:
    """A module of this course and its file; 404 when it is not one of the course's modules."""
    module = services.module_of(course, module_slug)
    path = services.module_paths(course).get(module_slug) if module else None
    if module is None or path is None:
        abort(404)
    return module, path


@bp.route("/")
@editors
def dashboard():
    return render_template("authoring/dashboard.html", courses=instructors.editable_courses(current_user))


@bp.route("/guide")
@editors
def guide():
    body_html, toc_html = guide_html(str(get_locale()))
    return render_template("authoring/guide.html", body_html=body_html, toc_html=toc_html)


@bp.route("/courses/<slug>")
@editors
def course(slug: str):
    course = _editable_course(slug)
    return render_template(
        "authoring/course.html", course=course, paths=services.module_paths(course),
        latest=services.latest_revisions(course), assets=assets.assets_of(course),
    )


@bp.route("/courses/<slug>/statistics")
@editors
def question_statistics(slug: str):
    course = _editable_course(slug)
    return render_template("authoring/statistics.html", course=course,
                           modules=statistics.course_statistics(course))


def _start_form(form: ModuleSourceForm, start: services.EditingStart) -> None:
    form.source.data = start.source
    form.base_hash.data = start.base_hash or ""
    form.live_revision.data = str(start.live_revision_id or "")
    is_draft = start.draft is not None and start.draft.state == RevisionState.DRAFT
    form.draft.data = str(start.draft.id) if is_draft else ""


def _draft_from(form: ModuleSourceForm, course: Course, path: str, is_new: bool = False) -> services.Draft:
    return services.Draft(
        course=course, path=path, source=form.source.data.replace("\r\n", "\n"),
        base_hash=form.base_hash.data or None, live_revision_id=form.number(form.live_revision),
        note=(form.note.data or "").strip(), draft_id=form.number(form.draft), is_new=is_new,
    )


def _handle_editor(form: ModuleSourceForm, course: Course, path: str, is_new: bool):
    """Preview, validate or publish the posted source; a page to render, or a redirect."""
    action = request.form.get("action", "preview")
    if action not in ACTIONS or not form.validate():
        return {"check": None, "action": "preview"}
    draft = _draft_from(form, course, path, is_new)
    if action != "publish":
        return {"check": services.check_draft(course, path, draft.source), "action": action}
    try:
        services.publish(draft, current_user)
    except services.PublishRefused as refused:
        db.session.rollback()
        flash(REFUSALS[refused.reason](), "error")
        return {"check": refused.check, "action": action}
    db.session.commit()
    flash(_("Published. Learners now see this version."), "success")
    return redirect(url_for("authoring.course", slug=course.slug))


def _render_editor(course: Course, path: str, form, module=None, check=None, action="preview"):
    return render_template(
        "authoring/edit.html", course=course, path=path, form=form, module=module, check=check,
        action=action, preview=preview_context(check) if check and action == "preview" else None,
    )


@bp.route("/courses/<slug>/modules/<module_slug>", methods=["GET", "POST"])
@editors
def edit_module(slug: str, module_slug: str):
    course = _editable_course(slug)
    module, path = _module_file(course, module_slug)
    form = ModuleSourceForm()
    if request.method == "GET":
        draft = _requested_draft(course, path)
        _start_form(form, services.editing_start(course, path, draft))
        return _render_editor(course, path, form, module)
    outcome = _handle_editor(form, course, path, is_new=False)
    if not isinstance(outcome, dict):
        return outcome
    return _render_editor(course, path, form, module, **outcome)


def _requested_draft(course: Course, path: str):
    """The revision named by ?revision= (a restored draft), if it is one of this module's."""
    wanted = request.args.get("revision", "")
    if not (is_ascii_number(wanted) and len(wanted) <= 9):
        return None
    revision = services.revision_of(course, path, int(wanted))
    if revision is None:
        abort(404)
    return revision


@bp.route("/courses/<slug>/new-module", methods=["GET", "POST"])
@editors
def new_module(slug: str):
    course = _editable_course(slug)
    form = NewModuleForm()
    if request.method == "GET":
        form.file_name.data, form.source.data = services.new_module_start(course)
        return _render_editor(course, form.file_name.data, form)
    path = form.file_name.data or ""
    if not is_module_file_name(path):
        form.validate()
        form.file_name.errors = list(form.file_name.errors) or [str(FILE_NAME_RULE)]
        return _render_editor(course, path, form)
    outcome = _handle_editor(form, course, path, is_new=True)
    if not isinstance(outcome, dict):
        return outcome
    return _render_editor(course, path, form, **outcome)


@bp.route("/courses/<slug>/modules/<module_slug>/history")
@editors
def history(slug: str, module_slug: str):
    course = _editable_course(slug)
    module, path = _module_file(course, module_slug)
    shown = services.shown_revision(course, path)
    return render_template("authoring/history.html", course=course, module=module, path=path,
                           revisions=services.history(course, path), shown=shown, form=RestoreForm())


@bp.route("/courses/<slug>/modules/<module_slug>/restore", methods=["POST"])
@editors
def restore(slug: str, module_slug: str):
    course = _editable_course(slug)
    module, path = _module_file(course, module_slug)
    form = RestoreForm()
    old = services.revision_of(course, path, int(form.revision_id.data)) if form.validate() else None
    if old is None:
        abort(404)
    draft = services.restore(course, path, old, current_user)
    db.session.commit()
    flash(_("The old text is in the editor as a draft. Check it, then publish it."), "info")
    return redirect(url_for("authoring.edit_module", slug=course.slug, module_slug=module.slug,
                            revision=draft.id))


@bp.route("/courses/<slug>/images", methods=["GET", "POST"])
@editors
def upload_image(slug: str):
    course = _editable_course(slug)
    form = ImageUploadForm()
    uploaded = None
    if form.validate_on_submit():
        upload = form.image.data
        data = upload.read(assets.MAX_IMAGE_BYTES + 1)  # one byte more tells "too large"
        try:
            uploaded = assets.store_image(course, upload.filename or "", data, current_user)
            db.session.commit()
        except assets.ImageRefused as refused:
            db.session.rollback()
            form.image.errors = [IMAGE_REFUSALS[refused.reason]()]
    return render_template("authoring/upload.html", course=course, form=form, uploaded=uploaded,
                           assets=assets.assets_of(course))


@bp.route("/assignments", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def assignments():
    form = AssignmentForm()
    people = {str(user.id): user for user in instructors.instructors()}
    courses = {str(course.id): course for course in visible_courses()}
    form.instructor.choices = [SelectChoice(key, f"{user.full_name} ({user.username})")
                               for key, user in people.items()]
    form.course.choices = [SelectChoice(key, course.title) for key, course in courses.items()]
    if form.validate_on_submit():
        instructor, course = people[form.instructor.data], courses[form.course.data]
        if form.action.data == "unassign":
            instructors.unassign(instructor, course)
        else:
            instructors.assign(instructor, course, current_user)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("authoring.assignments"))
    return render_template("authoring/assignments.html", form=form,
                           assignments=instructors.assignments())

