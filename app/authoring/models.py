"""Browser edits of courses: module revisions, uploaded images, and who may edit which course.

They live in the database on top of the course folders (see app/authoring/overlay.py for why).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.content.models import Course
from app.database import status_type, utcnow
from app.extensions import db


class RevisionState(enum.StrEnum):
    DRAFT = "draft"  # saved, not shown to learners (a restored revision waits here)
    PUBLISHED = "published"  # shown to learners; at most one per module file
    SUPERSEDED = "superseded"  # replaced by a later publication, or by a change of the file in git


class ModuleRevision(db.Model):
    """The full Markdown source of one module file, as edited in the browser."""

    __table_args__ = (sa.Index("ix_module_revision_course_path", "course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    # The module file, relative to the course folder: "01-gioi-thieu.md".
    path: Mapped[str] = mapped_column(sa.String(200))
    source: Mapped[str] = mapped_column(sa.Text)
    # sha256 of the file on disk when editing began; None: the file did not exist (a new module).
    base_hash: Mapped[str | None] = mapped_column(sa.String(64))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    state: Mapped[RevisionState] = mapped_column(
        status_type(RevisionState, "state"), default=RevisionState.DRAFT, index=True
    )
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    # Set on a draft made by "restore this revision": the revision whose source it copies.
    restored_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module_revision.id"))

    course: Mapped[Course] = relationship()
    author: Mapped[User | None] = relationship()


class CourseAsset(db.Model):
    """An image uploaded in the browser, served as if it were a file of the course folder."""

    __table_args__ = (sa.UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(200))  # relative to the course folder: images/x.png
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str] = mapped_column(sa.String(64))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    uploader: Mapped[User | None] = relationship()


class CourseAssignment(db.Model):
    """An instructor who may edit a course in the browser; admins assign them."""

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
