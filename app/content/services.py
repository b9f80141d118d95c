"""Loading courses/ into the database and reading them back for pages."""

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm import contains_eager

from app.content.format.course_format import CourseSpec, ModuleSpec
from app.content.format.parsing import parse_courses
from app.content.format.quiz_definitions import quiz_definition
from app.content.models import Course, Module, QuizVersion
from app.content.rendering import render_markdown
from app.database import utcnow
from app.extensions import db
from app.problems import Problem


class CourseContentError(Exception):
    """The course folder has errors; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# Sent with the SyncReport once sync_courses has loaded the folders (before the caller commits),
# so that rows of other packages can follow courses loaded for the first time (app/demo.py).
courses_synced = Namespace().signal("courses-synced")


@dataclass
class SyncReport:
    courses: list[str] = field(default_factory=list)
    modules_added: int = 0
    modules_updated: int = 0
    modules_archived: int = 0
    warnings: list[Problem] = field(default_factory=list)


# What sync reads instead of a course folder: the folder with changes laid over it (the edits
# published in the browser, app/authoring/overlay.py), or the folder itself.
Overlay = Callable[[Path], AbstractContextManager[Path]]


def sync_courses(courses_root: Path, overlay: Overlay = nullcontext) -> SyncReport:
    """Load every course under courses_root, as the overlay shows it (caller commits; raises on
    any error)."""
    with overlay(courses_root) as root:
        specs, problems = parse_courses(root)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CourseContentError(errors)
    report = SyncReport(warnings=problems)
    for spec in specs:
        _sync_course(spec, report)
        report.courses.append(spec.id)
    known = [spec.id for spec in specs]
    for course in db.session.scalars(sa.select(Course).where(Course.slug.not_in(known))):
        course.is_archived = True
    db.session.flush()
    courses_synced.send(report)
    return report


def sync_course(spec: CourseSpec) -> SyncReport:
    """Load one parsed course and leave the others as they are (caller commits)."""
    report = SyncReport()
    _sync_course(spec, report)
    report.courses.append(spec.id)
    db.session.flush()
    return report


def _sync_course(spec: CourseSpec, report: SyncReport) -> None:
    course = db.session.scalar(sa.select(Course).filter_by(slug=spec.id))
    if course is None:
        course = Course(slug=spec.id)
        db.session.add(course)
    files_url = f"/courses/{spec.id}/files"
    course.title = spec.title
    course.description = render_markdown(spec.description, files_url)[0]
    course.audience = spec.audience
    course.translations = {
        language: {"title": words["title"],
                   "description": render_markdown(words.get("description", ""), files_url)[0],
                   "audience": words.get("audience", "")}
        for language, words in spec.translations.items()
    }
    course.language, course.pass_mark, course.folder = spec.language, spec.pass_mark, spec.folder
    course.content_hash, course.is_archived, course.synced_at = spec.content_hash, False, utcnow()
    db.session.flush()
    existing = {m.slug: m for m in course.modules}
    for module_spec in spec.modules:
        module = existing.pop(module_spec.id, None)
        if module is None:
            module = Module(course_id=course.id, slug=module_spec.id)
            db.session.add(module)
            report.modules_added += 1
        elif module.content_hash != module_spec.content_hash:
            report.modules_updated += 1
        _update_module(module, module_spec, spec)
    for archived in existing.values():
        if not archived.is_archived:
            archived.is_archived = True
            report.modules_archived += 1


def _update_module(module: Module, spec: ModuleSpec, course: CourseSpec) -> None:
    module.title, module.position, module.minutes = spec.title, spec.order, spec.minutes
    module.required, module.html, module.toc_html = spec.required, spec.html, spec.toc_html
    module.content_hash, module.is_archived = spec.content_hash, False
    module.translations = {
        language: {"title": t.title, "html": t.html, "toc_html": t.toc_html}
        for language, t in spec.translations.items()
    }
    db.session.flush()
    definition = quiz_definition(spec, course)
    if definition is None:
        module.quiz_version_id = None
        return
    own_mark = definition.get("pass_mark")
    pass_mark = own_mark if own_mark is not None else course.pass_mark
    digest = hashlib.sha256(
        json.dumps([definition, pass_mark], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    version = db.session.scalar(
        sa.select(QuizVersion).filter_by(module_id=module.id, content_hash=digest)
    )
    if version is None:
        version = QuizVersion(
            module_id=module.id, content_hash=digest, pass_mark=pass_mark, definition=definition
        )
        db.session.add(version)
        db.session.flush()
    module.quiz_version_id = version.id


# Hot-path statements are built once: SQLAlchemy then reuses their cache key and compiled
# form, about 100 us less per query than building the select on every request.
_VISIBLE_COURSES = sa.select(Course).where(Course.is_archived.is_(False)).order_by(Course.title)
_COURSE_BY_SLUG = sa.select(Course).where(Course.slug == sa.bindparam("slug"),
                                          Course.is_archived.is_(False))
_MODULE_IN_COURSE = (
    sa.select(Module)
    .join(Module.course)
    .options(contains_eager(Module.course))
    .where(Course.slug == sa.bindparam("course_slug"), Course.is_archived.is_(False),
           Module.slug == sa.bindparam("module_slug"), Module.is_archived.is_(False))
)


def visible_courses() -> list[Course]:
    return list(db.session.scalars(_VISIBLE_COURSES))


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(_COURSE_BY_SLUG, {"slug": slug})


def module_in_course(course_slug: str, module_slug: str) -> Module | None:
    """A module and its course (loaded with it), by their slugs, in one query."""
    return db.session.scalar(_MODULE_IN_COURSE, {"course_slug": course_slug,
                                                 "module_slug": module_slug})


def module_by_slug(course: Course, slug: str) -> Module | None:
    return db.session.scalar(
        sa.select(Module).filter_by(course_id=course.id, slug=slug, is_archived=False)
    )


