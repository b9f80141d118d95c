"""A question two ways: its lines as an author wrote them, which a kind checks, and the question
they make, which grading and the quiz page use. Pure data."""

from dataclasses import dataclass, field


@dataclass
class OptionLine:
    line: int
    style: str  # "(" or "["
    text: str
    correct: bool
    feedback: list[str] = field(default_factory=list)


@dataclass
class AnswerLine:
    """An accepted answer, '- = text', of a short or numeric question."""

    line: int
    text: str


@dataclass
class QuestionLines:
    """One question as read line by line, before it is checked."""

    line: int
    prompt: str
    ids: list[str]
    classes: list[str]
    extra: list[str] = field(default_factory=list)
    hint: list[str] = field(default_factory=list)
    hint_line: int = 0
    options: list[OptionLine] = field(default_factory=list)
    answers: list[AnswerLine] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    phase: str = "prompt"  # then "options", then "explanation"
    last_item: OptionLine | AnswerLine | None = None
    stray_reported: bool = False
    answer_feedback_reported: bool = False


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
