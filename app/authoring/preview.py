"""A draft as learners would see it: the module's reading part and its quiz's questions.

The preview is rendered by the learner templates' own partials (_module_reading.html,
_quiz_questions.html), through the same `sanitized` filter, from the draft parsed by the
same parser: what the instructor sees is what learners will get.
"""

from dataclasses import dataclass, field
from typing import Any

from app.authoring.services import DraftCheck
from app.quizzes.presentation import PresentedQuestion, present_questions


@dataclass(frozen=True)
class _Version:
    definition: dict[str, Any]


@dataclass(frozen=True)
class _EveryQuestion:
    """Stands in for a QuizAttempt: every question of the pool, options in written order."""

    quiz_version: _Version
    question_ids: None = None
    option_order: dict[str, list[int]] = field(default_factory=dict)
    option_ids: None = None  # the form sends option indexes: the preview is never submitted


@dataclass(frozen=True)
class Preview:
    title: str
    minutes: int
    body_html: str
    toc_html: str
    questions: list[PresentedQuestion]
    pass_mark: int | None  # None: the course's pass mark


def preview_context(check: DraftCheck) -> Preview | None:
    """What learners would see of the draft module; None when its front matter is unusable."""
    module = check.module_spec
    if module is None:
        return None
    questions = present_questions(_EveryQuestion(_Version(check.quiz))) if check.quiz else []  # type: ignore[arg-type]
    return Preview(
        title=module.title,
        minutes=module.minutes,
        body_html=module.html,
        toc_html=module.toc_html,
        questions=questions,
        pass_mark=check.quiz.get("pass_mark") if check.quiz else None,
    )
