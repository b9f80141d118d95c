"""The course format's data: what a course folder means once parsed. Pure: no Flask, no database."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a course folder, located at file:line."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class Option:
    text: str  # Markdown source of the option (inline)
    correct: bool
    html: str = ""  # sanitised inline HTML


@dataclass
class Question:
    id: str
    kind: str  # "single", "multiple" or "truefalse"
    text: str  # Markdown source of the prompt
    options: list[Option]
    explanation: str = ""
    html: str = ""  # sanitised HTML of the prompt
    explanation_html: str = ""
    line: int = 0

    @property
    def correct_indexes(self) -> set[int]:
        return {i for i, option in enumerate(self.options) if option.correct}


@dataclass
class Quiz:
    questions: list[Question]
    pass_mark: int | None = None  # None: the course's pass mark applies

    def to_dict(self) -> dict[str, Any]:
        return {
            "pass_mark": self.pass_mark,
            "questions": [
                {
                    "id": q.id,
                    "kind": q.kind,
                    "html": q.html,
                    "explanation_html": q.explanation_html,
                    "options": [{"html": o.html, "correct": o.correct} for o in q.options],
                }
                for q in self.questions
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Quiz":
        return cls(
            pass_mark=data.get("pass_mark"),
            questions=[
                Question(
                    id=q["id"],
                    kind=q["kind"],
                    text="",
                    html=q["html"],
                    explanation_html=q["explanation_html"],
                    options=[Option(text="", html=o["html"], correct=o["correct"]) for o in q["options"]],
                )
                for q in data["questions"]
            ],
        )


@dataclass
class ModuleSpec:
    id: str
    title: str
    order: int
    minutes: int
    path: str  # relative to the courses directory
    body: str  # Markdown of the reading part
    required: bool = True
    html: str = ""
    toc_html: str = ""
    quiz: Quiz | None = None
    content_hash: str = ""


@dataclass
class CourseSpec:
    id: str
    title: str
    description: str
    pass_mark: int
    language: str
    folder: str  # folder name under the courses directory
    modules: list[ModuleSpec] = field(default_factory=list)
    content_hash: str = ""
