"""The course format's data: what a course folder means once parsed. Pure: no Flask, no database."""

from dataclasses import asdict, dataclass, field
from typing import Any

from app.questions.question import Option, Question

GRADING_METHODS = ("highest", "last")


@dataclass
class Quiz:
    questions: list[Question]
    pass_mark: int | None = None  # None: the course's pass mark applies
    draw: int | None = None  # draw this many questions per attempt; None: all of them
    max_attempts: int | None = None  # None: unlimited
    grading: str = "highest"  # which attempt counts: "highest" or "last"
    # What an attempt shows afterwards, per outcome ("failed"/"passed" -> items of
    # review_options.ITEMS); None: the defaults. Stored only when written, so that quizzes
    # written before review options keep their version hash.
    review: dict[str, list[str]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the database (QuizVersion.definition); holds the answer key."""
        data = asdict(self)
        if data["review"] is None:
            data.pop("review")
        for question in data["questions"]:
            # Sources are not needed once rendered; keeping them would only bloat each version.
            for key in ("text", "explanation", "hint", "line"):
                question.pop(key)
            for option in question["options"]:
                option.pop("text")
                option.pop("feedback")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Quiz":
        questions = []
        for q in data["questions"]:
            options = [Option(text="", feedback="", **o) for o in q.get("options", [])]
            fields = {k: v for k, v in q.items() if k != "options"}
            questions.append(Question(text="", options=options, **fields))
        meta = {k: data.get(k) for k in ("pass_mark", "draw", "max_attempts")}
        return cls(questions=questions, grading=data.get("grading") or "highest",
                   review=data.get("review"), **meta)


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
    # A final exam draws its questions from these modules' quizzes (ids namespaced "module/question").
    draw_from: list[str] = field(default_factory=list)
    translations: dict[str, "ModuleTranslation"] = field(default_factory=dict)


@dataclass
class ModuleTranslation:
    """The same module in another language: same ids, same answer key, other words."""

    language: str
    title: str
    html: str
    toc_html: str
    quiz: Quiz | None = None


@dataclass
class CourseSpec:
    id: str
    title: str
    description: str
    pass_mark: int
    language: str
    folder: str  # folder name under the courses directory
    audience: str = ""  # who the course is for, one line
    modules: list[ModuleSpec] = field(default_factory=list)
    content_hash: str = ""
    # language -> {"title": ..., "description": ..., "audience": ...}
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
