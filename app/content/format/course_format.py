"""The course format's data: what a course folder means once parsed. Pure: no Flask, no database."""

from dataclasses import asdict, dataclass, field
from typing import Any

GRADING_METHODS = ("highest", "last")


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
    feedback: str = ""  # Markdown shown after submission when this option was chosen
    feedback_html: str = ""


@dataclass
class Question:
    id: str
    kind: str  # a name in app.questions.registry.KINDS
    text: str  # Markdown source of the prompt
    options: list[Option] = field(default_factory=list)  # choice kinds only
    explanation: str = ""
    html: str = ""  # sanitised HTML of the prompt
    explanation_html: str = ""
    hint: str = ""  # Markdown shown with the question before submission
    hint_html: str = ""
    accepted_answers: list[str] = field(default_factory=list)  # "short": any of these matches
    any_tone: bool = False  # "short": match ignoring Vietnamese tone and vowel marks
    numeric_value: float | None = None  # "numeric"
    numeric_tolerance: float = 0.0  # "numeric": |answer - value| <= tolerance
    line: int = 0

    @property
    def correct_indexes(self) -> set[int]:
        return {i for i, option in enumerate(self.options) if option.correct}


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
