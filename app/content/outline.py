"""A course's outline (its modules' ids, titles and rules, without their text), cached per version.

Every learner page needs the outline -- the course list for "x of y", the module page for its
neighbours, the completion rule for its required modules -- but none needs every module's HTML.
An outline changes only when the course is synced again, so each process keeps the outlines it
has read, keyed by the course's content hash and sync time: a sync on any node changes the key,
so no node serves a stale outline.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from app.content.models import Course, Module, QuizVersion
from app.extensions import db

EXTENSION_KEY = "hocso.outlines"
CACHED_OUTLINES = 256


@dataclass(frozen=True)
class ModuleEntry:
    """What pages show of a module in a list: enough for titles, links and the completion rule."""

    id: int
    slug: str
    title: str
    titles: tuple[tuple[str, str], ...]
    minutes: int
    required: bool
    quiz_version_id: int | None
    pass_mark: int | None = None
    question_count: int = 0  # questions per attempt: the pool's draw, or all of them
    max_attempts: int | None = None

    @property
    def has_quiz(self) -> bool:
        return self.quiz_version_id is not None

    def title_in(self, language: str) -> str:
        return dict(self.titles).get(language, self.title)


@dataclass(frozen=True)
class CourseOutline:
    course_id: int
    modules: tuple[ModuleEntry, ...]

    def __len__(self) -> int:
        return len(self.modules)

    def __iter__(self):
        return iter(self.modules)

    def entry(self, module_id: int) -> ModuleEntry | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def neighbours(self, module_id: int) -> tuple[ModuleEntry | None, ModuleEntry | None]:
        """The modules before and after this one."""
        ids = [m.id for m in self.modules]
        if module_id not in ids:
            return None, None
        index = ids.index(module_id)
        previous = self.modules[index - 1] if index > 0 else None
        following = self.modules[index + 1] if index + 1 < len(ids) else None
        return previous, following

    @property
    def minutes(self) -> int:
        """The estimated reading time of the whole course, as its modules' authors give it."""
        return sum(m.minutes for m in self.modules)

    @property
    def required_slugs(self) -> frozenset[str]:
        return frozenset(m.slug for m in self.modules if m.required)


def _entry(row: Any) -> ModuleEntry:
    titles = tuple(sorted((lang, words["title"]) for lang, words in (row.translations or {}).items()
                          if "title" in words))
    quiz = row.definition or {}
    return ModuleEntry(id=row.id, slug=row.slug, title=row.title, titles=titles,
                       minutes=row.minutes, required=row.required,
                       quiz_version_id=row.quiz_version_id, pass_mark=row.pass_mark,
                       question_count=quiz.get("draw") or len(quiz.get("questions", ())),
                       max_attempts=quiz.get("max_attempts"))


def _read_outline(course_id: int, _content_hash: str, _synced_at: datetime) -> CourseOutline:
    """The outline as stored now; the hash and sync time are only the cache key."""
    rows = db.session.execute(
        sa.select(Module.id, Module.slug, Module.title, Module.translations, Module.minutes,
                  Module.required, Module.quiz_version_id, QuizVersion.pass_mark,
                  QuizVersion.definition)
        .outerjoin(QuizVersion, QuizVersion.id == Module.quiz_version_id)
        .where(Module.course_id == course_id, Module.is_archived.is_(False))
        .order_by(Module.position, Module.id)
    )
    return CourseOutline(course_id=course_id, modules=tuple(_entry(row) for row in rows))


def init_app(app: Flask) -> None:
    # One cache per app, so that test apps with fresh databases never share entries.
    app.extensions[EXTENSION_KEY] = lru_cache(maxsize=CACHED_OUTLINES)(_read_outline)


def course_outline(course: Course) -> CourseOutline:
    """The course's active modules in order, read once per content version."""
    return current_app.extensions[EXTENSION_KEY](course.id, course.content_hash, course.synced_at)
