"""Editing modules in the browser: the source to start from, checking a draft, publishing it.

Published revisions live in the database on top of the course folder (see overlay.py); a draft
is checked by materialising the course with the draft applied and parsing it with the same
parser and linter as `flask courses validate`.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.audit import services as audit
from app.authoring.models import ModuleRevision, RevisionState
from app.authoring.overlay import (
    applies,
    copy_course,
    file_hash,
    is_module_file_name,
    live_revision,
    live_revisions,
)
from app.content.format.course_format import CourseSpec, ModuleSpec
from app.content.format.front_matter import read_front_matter
from app.content.format.module_files import module_files, read_module
from app.content.format.parsing import parse_course_folder
from app.content.format.quiz_definitions import quiz_definition
from app.content.format.source_text import CourseFolder, numbered_lines
from app.content.models import Course, Module
from app.content.services import sync_course
from app.database import begin_write_transaction
from app.extensions import db
from app.problems import FileReport, Problem, ProblemList
from app.progress.services import records_at_risk

NEW_MODULE_TEMPLATE = Path(__file__).parent / "new_module.md"
MAX_SOURCE_CHARACTERS = 200_000


# ---- the module files of a course -------------------------------------------------------------


def course_dir(course: Course) -> Path:
    return Path(current_app.config["COURSES_DIR"]) / course.folder


def shown_revision(course: Course, path: str) -> ModuleRevision | None:
    """The published revision learners see for this file (None: they see the file from git)."""
    revision = live_revision(course, path)
    return revision if revision is not None and applies(revision, course_dir(course)) else None


def module_sources(course: Course) -> dict[str, str]:
    """Each module file's source as learners see it: from git, or its published revision."""
    folder = course_dir(course)
    sources = {
        file.name: file.read_bytes().decode("utf-8", errors="replace")
        for file in (module_files(folder) if folder.is_dir() else [])
        if is_module_file_name(file.name)
    }
    for revision in reversed(live_revisions(course)):  # oldest first: the newest one wins
        if applies(revision, folder) and is_module_file_name(revision.path):
            sources[revision.path] = revision.source
    return dict(sorted(sources.items()))


def _front_matter_id(source: str) -> Any:
    mapping, _ = read_front_matter(numbered_lines(source.replace("\r\n", "\n")),
                                   FileReport("", ProblemList()))
    return mapping.values.get("id") if mapping else None


def module_paths(course: Course) -> dict[str, str]:
    """module id -> its file, for the files whose front matter names an id."""
    paths: dict[str, str] = {}
    for path, source in module_sources(course).items():
        module_id = _front_matter_id(source)
        if isinstance(module_id, str):
            paths.setdefault(module_id, path)
    return paths


@dataclass(frozen=True)
class EditingStart:
    """What the editor opens with; base_hash and live_revision_id travel with the form."""

    source: str
    base_hash: str | None
    live_revision_id: int | None
    draft: ModuleRevision | None = None


def editing_start(course: Course, path: str, draft: ModuleRevision | None = None) -> EditingStart:
    shown = shown_revision(course, path)
    source = draft.source if draft else module_sources(course).get(path, "")
    return EditingStart(source, file_hash(course_dir(course) / path), shown.id if shown else None, draft)


def latest_revisions(course: Course) -> dict[str, ModuleRevision]:
    """module file -> its newest revision, in any state."""
    latest: dict[str, ModuleRevision] = {}
    for revision in db.session.scalars(
        sa.select(ModuleRevision).filter_by(course_id=course.id).order_by(ModuleRevision.id.desc())
    ):
        latest.setdefault(revision.path, revision)
    return latest


def history(course: Course, path: str) -> list[ModuleRevision]:
    return list(db.session.scalars(
        sa.select(ModuleRevision).filter_by(course_id=course.id, path=path)
        .order_by(ModuleRevision.id.desc())
    ))


def revision_of(course: Course, path: str, revision_id: int) -> ModuleRevision | None:
    return db.session.scalar(
        sa.select(ModuleRevision).filter_by(id=revision_id, course_id=course.id, path=path)
    )


# ---- checking a draft -------------------------------------------------------------------------


@dataclass
class DraftCheck:
    """A draft parsed with its course: every problem, and what learners would see."""

    problems: list[Problem]
    course_spec: CourseSpec | None  # None when the course has an error with the draft applied
    module_spec: ModuleSpec | None  # the draft module, when its front matter is usable
    quiz: dict[str, Any] | None = None  # its quiz definition, as stored for learners
    errors: list[Problem] = field(init=False)

    def __post_init__(self) -> None:
        self.errors = [p for p in self.problems if p.severity == "error"]


def _draft_module(course: Course, spec: CourseSpec | None, folder: Path, path: str):
    """The draft's ModuleSpec and quiz definition (own questions only when the course fails)."""
    if spec is not None:
        module = next((m for m in spec.modules if m.path == f"{course.folder}/{path}"), None)
        return module, quiz_definition(module, spec) if module else None
    files_url = f"/courses/{course.slug}/files"
    module = read_module(folder / path, CourseFolder(folder, course.folder), files_url, ProblemList()).spec
    if module is None or module.quiz is None or not module.quiz.questions:
        return module, None
    return module, {**module.quiz.to_dict(), "translations": {}}


def check_draft(course: Course, path: str, source: str) -> DraftCheck:
    """Parse the course with this module file replaced by the draft."""
    with tempfile.TemporaryDirectory(prefix="hocso-draft-") as temporary:
        root = Path(temporary)
        folder = root / course.folder
        copy_course(course, course_dir(course), folder, {path: source})
        spec, problems = parse_course_folder(folder, root)
        module, quiz = _draft_module(course, spec, folder, path)
    if spec is not None and spec.id != course.slug:
        problems.append(Problem(f"{course.folder}/course.yml", 1,
                                f"the course id is now '{spec.id}', not '{course.slug}'; "
                                "change it in git, not here"))
        spec = None
    if spec is not None:
        problems += records_at_risk([spec])
    return DraftCheck(problems, spec, module, quiz)


# ---- publishing -------------------------------------------------------------------------------


class PublishRefused(Exception):
    """Nothing was published. reason: "errors", "file_changed", "published_meanwhile", "exists"."""

    def __init__(self, reason: str, check: DraftCheck | None = None):
        super().__init__(reason)
        self.reason = reason
        self.check = check


@dataclass(frozen=True)
class Draft:
    """A module source sent from the editor, with what the editor started from."""

    course: Course
    path: str
    source: str
    base_hash: str | None  # the file on disk when editing began
    live_revision_id: int | None  # the published revision the editor started from
    note: str = ""
    draft_id: int | None = None  # a saved draft (from "restore") that this publication completes
    is_new: bool = False


def _check_still_current(draft: Draft) -> None:
    folder = course_dir(draft.course)
    if draft.is_new and (file_hash(folder / draft.path) or live_revision(draft.course, draft.path)):
        raise PublishRefused("exists")
    if file_hash(folder / draft.path) != draft.base_hash:
        raise PublishRefused("file_changed")
    shown = shown_revision(draft.course, draft.path)
    if (shown.id if shown else None) != draft.live_revision_id:
        raise PublishRefused("published_meanwhile")


def _revision_for(draft: Draft, author: User) -> ModuleRevision:
    saved = revision_of(draft.course, draft.path, draft.draft_id) if draft.draft_id else None
    if saved is None or saved.state != RevisionState.DRAFT:
        saved = ModuleRevision(course_id=draft.course.id, path=draft.path)
        db.session.add(saved)
    saved.source, saved.base_hash, saved.note = draft.source, draft.base_hash, draft.note
    saved.author_id, saved.state = author.id, RevisionState.PUBLISHED
    return saved


def publish(draft: Draft, author: User) -> tuple[ModuleRevision, DraftCheck]:
    """Check the draft, keep it as the published revision, load the course (caller commits).

    Refused, with nothing written, when the course has an error with the draft applied or the
    file changed (in git or by another publication) since editing began. Publications of one
    course are serialised: the course row is locked, so two editors cannot both win."""
    begin_write_transaction()
    db.session.execute(sa.select(Course.id).where(Course.id == draft.course.id).with_for_update())
    _check_still_current(draft)
    check = check_draft(draft.course, draft.path, draft.source)
    if check.course_spec is None:
        raise PublishRefused("errors", check)
    for earlier in live_revisions(draft.course):
        if earlier.path == draft.path and earlier.id != draft.draft_id:
            earlier.state = RevisionState.SUPERSEDED
    revision = _revision_for(draft, author)
    db.session.flush()
    sync_course(check.course_spec)
    audit.record("module.published", target=f"{draft.course.slug}/{draft.path}",
                 revision=revision.id, module=check.module_spec.id if check.module_spec else None)
    return revision, check


def restore(course: Course, path: str, old: ModuleRevision, user: User) -> ModuleRevision:
    """A new draft with an earlier revision's source, for the editor to publish."""
    revision = ModuleRevision(
        course_id=course.id, path=path, source=old.source, author_id=user.id,
        base_hash=file_hash(course_dir(course) / path), state=RevisionState.DRAFT,
        restored_from_id=old.id,
    )
    db.session.add(revision)
    db.session.flush()
    audit.record("module.revision_restored", target=f"{course.slug}/{path}",
                 revision=revision.id, restored_from=old.id)
    return revision


# ---- new modules ------------------------------------------------------------------------------


def path_taken(course: Course, path: str) -> bool:
    return (course_dir(course) / path).exists() or live_revision(course, path) is not None


def new_module_start(course: Course) -> tuple[str, str]:
    """A free file name and the template's source for a new module at the end of the course."""
    order = max((m.position for m in course.active_modules), default=0) + 1
    taken_ids = {m.slug for m in course.modules} | set(module_paths(course))
    module_id, number = "bai-moi", 1
    while path_taken(course, f"{order:02d}-{module_id}.md") or module_id in taken_ids:
        number += 1
        module_id = f"bai-moi-{number}"
    path = f"{order:02d}-{module_id}.md"
    source = Template(NEW_MODULE_TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        id=module_id, order=order
    )
    return path, source


def module_of(course: Course, module_slug: str) -> Module | None:
    """An active module of this course (never one of another course)."""
    return db.session.scalar(
        sa.select(Module).filter_by(course_id=course.id, slug=module_slug, is_archived=False)
    )
