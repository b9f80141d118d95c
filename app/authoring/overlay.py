"""Browser edits on top of the course folders: which ones apply, and the folder they make.

Decision: a module published from the browser is stored in the DATABASE (ModuleRevision, with
uploaded images as CourseAsset), never written into the course folder. App nodes are stateless
and several may run behind a proxy: a file written into one node's folder would not reach the
others, and the next deployment from git would silently erase it. Whenever courses are loaded,
each course folder is therefore materialised into a temporary directory: the folder's files,
then the course's uploaded assets, then, for each module file, its published revision IF the
file on disk still has the revision's base_hash (the sha256 of the file when editing began).
When git changed the file since, git wins: the revision is not applied and becomes superseded,
and an audit event records it. The temporary directory is parsed, checked and loaded by the same
parser as a folder from git, so browser and git authors get the same rules and messages.
"""

import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from app.audit import services as audit
from app.authoring.models import CourseAsset, ModuleRevision, RevisionState
from app.content.models import Course
from app.content.services import SyncReport, sync_courses
from app.extensions import db

# A module file sits at the top of its course folder; translations ('01-x.en.md') are not edited here.
MODULE_FILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,150}\.md")
ASSET_PATH = re.compile(r"images/[a-z0-9][a-z0-9_-]{0,100}\.(png|jpg|gif|webp)")


def file_hash(path: Path) -> str | None:
    """sha256 of a file's bytes; None when there is no such file."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def is_module_file_name(name: str) -> bool:
    return bool(MODULE_FILE_NAME.fullmatch(name)) and not name.lower().startswith("readme")


def live_revisions(course: Course) -> list[ModuleRevision]:
    """The course's published revisions, newest first (at most one per module file)."""
    return list(db.session.scalars(
        sa.select(ModuleRevision)
        .filter_by(course_id=course.id, state=RevisionState.PUBLISHED)
        .order_by(ModuleRevision.id.desc())
    ))


def live_revision(course: Course, path: str) -> ModuleRevision | None:
    return next((r for r in live_revisions(course) if r.path == path), None)


def applies(revision: ModuleRevision, course_dir: Path) -> bool:
    """True while the file on disk is still the one the revision was edited from."""
    return file_hash(course_dir / revision.path) == revision.base_hash


def _write(folder: Path, relative: str, data: bytes) -> None:
    target = folder / relative
    if not target.resolve().is_relative_to(folder.resolve()):
        raise ValueError(f"{relative!r} is outside the course folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # never write through a link into the original folder
    target.write_bytes(data)


def copy_course(course: Course, course_dir: Path, target: Path,
                drafts: dict[str, str] | None = None) -> list[ModuleRevision]:
    """Materialise one course into target; the published revisions that git overrode."""
    if course_dir.is_dir():
        shutil.copytree(course_dir, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    else:
        target.mkdir(parents=True)
    for asset in db.session.scalars(sa.select(CourseAsset).filter_by(course_id=course.id)):
        if ASSET_PATH.fullmatch(asset.path):
            _write(target, asset.path, asset.data)
    overridden, seen = [], set()
    for revision in live_revisions(course):  # newest first: only the newest of a file counts
        if revision.path in seen or not is_module_file_name(revision.path):
            continue
        seen.add(revision.path)
        if applies(revision, course_dir):
            _write(target, revision.path, revision.source.encode("utf-8"))
        else:
            overridden.append(revision)
    for path, source in (drafts or {}).items():
        _write(target, path, source.encode("utf-8"))
    return overridden


def supersede_overridden(course: Course, revisions: list[ModuleRevision], course_dir: Path) -> None:
    """Git wins: mark revisions whose file changed on disk as superseded, and record it."""
    for revision in revisions:
        revision.state = RevisionState.SUPERSEDED
        audit.record(
            "module.revision_superseded", target=f"{course.slug}/{revision.path}",
            revision=revision.id, base_hash=revision.base_hash,
            file_hash=file_hash(course_dir / revision.path),
            reason="the file changed in git after the revision was edited",
        )


def _courses_with_edits() -> list[Course]:
    edited = sa.union(
        sa.select(ModuleRevision.course_id).filter_by(state=RevisionState.PUBLISHED),
        sa.select(CourseAsset.course_id),
    )
    return list(db.session.scalars(sa.select(Course).where(Course.id.in_(edited))))


@contextmanager
def materialised_root(courses_root: Path) -> Iterator[Path]:
    """courses_root with every course's browser edits applied (itself when there are none).

    Revisions that git overrode are marked superseded in the caller's transaction."""
    courses = _courses_with_edits() if courses_root.is_dir() else []
    if not courses:
        yield courses_root
        return
    edited = {course.folder: course for course in courses}
    with tempfile.TemporaryDirectory(prefix="hocso-courses-") as temporary:
        root = Path(temporary)
        for folder in sorted(p for p in courses_root.iterdir() if p.is_dir()):
            if folder.name.startswith("."):
                continue
            course = edited.get(folder.name)
            if course is None:  # unedited: read in place, through a link
                (root / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
            else:
                overridden = copy_course(course, folder, root / folder.name)
                supersede_overridden(course, overridden, folder)
        yield root


def sync_courses_with_edits(courses_root: Path) -> SyncReport:
    """Load every course under courses_root with the modules and images published from the
    browser applied (caller commits; raises CourseContentError on any error)."""
    return sync_courses(courses_root, overlay=materialised_root)
