"""Courses and modules as loaded from courses/: ids from the files, rendered HTML cached per version."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db


class Course(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # sanitised HTML
    # Who the course is for, one line of plain text: near-identical titles need it to be told apart.
    audience: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="vi")
    pass_mark: Mapped[int] = mapped_column(default=70)
    folder: Mapped[str] = mapped_column(sa.String(300))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    is_archived: Mapped[bool] = mapped_column(default=False)
    # language -> {"title": ..., "description": sanitised HTML, "audience": plain text}
    translations: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, server_default="{}")
    synced_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position"
    )

    @property
    def active_modules(self) -> list["Module"]:
        return [m for m in self.modules if not m.is_archived]

    def title_in(self, language: str) -> str:
        return self.translations.get(language, {}).get("title", self.title)

    def description_in(self, language: str) -> str:
        return self.translations.get(language, {}).get("description", self.description)

    def audience_in(self, language: str) -> str:
        return self.translations.get(language, {}).get("audience") or self.audience


class Module(db.Model):
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=10)
    required: Mapped[bool] = mapped_column(default=True)
    html: Mapped[str] = mapped_column(sa.Text)
    toc_html: Mapped[str] = mapped_column(sa.Text, default="")
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    is_archived: Mapped[bool] = mapped_column(default=False)
    # language -> {"title": ..., "html": ..., "toc_html": ...}
    translations: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, server_default="{}")
    quiz_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("quiz_version.id", use_alter=True), index=True
    )

    course: Mapped[Course] = relationship(back_populates="modules")
    quiz_version: Mapped["QuizVersion | None"] = relationship(foreign_keys=[quiz_version_id])

    @property
    def has_quiz(self) -> bool:
        return self.quiz_version_id is not None

    def title_in(self, language: str) -> str:
        return self.translations.get(language, {}).get("title", self.title)

    def html_in(self, language: str) -> tuple[str, str]:
        """Body and table of contents in this language, or in the course's own."""
        words = self.translations.get(language)
        return (words["html"], words["toc_html"]) if words else (self.html, self.toc_html)


class QuizVersion(db.Model):
    """One version of a module's quiz, kept for as long as attempts point at it."""

    __table_args__ = (sa.UniqueConstraint("module_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    pass_mark: Mapped[int]
    # Serialised app.content.format.course_format.Quiz (see Quiz.to_dict); holds the answer key.
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
