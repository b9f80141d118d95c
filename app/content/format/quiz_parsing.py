"""The quiz part of a module to Question objects, each mistake reported at file:line. Pure."""

import difflib
import re
import unicodedata

from app.content.format.front_matter import check_id
from app.content.format.quiz_syntax import group_questions
from app.content.format.source_text import Lines
from app.content.rendering import render_inline, render_markdown, slugify_heading
from app.problems import FileReport
from app.questions.question import Question, QuestionLines
from app.questions.registry import KINDS, heading_classes, kind_of, modifier_classes

# Shorter right options ("Đúng", "Có", "60%") turn up in prompts by chance, not as a give-away.
_TELLING_OPTION_LENGTH = 12
_TELLING_ANSWER_LENGTH = 4


def _question_classes() -> tuple[str, ...]:
    """The heading classes a question may carry: those that set a kind, then modifiers."""
    return (*heading_classes(), *modifier_classes())


def _listed(classes: tuple[str, ...]) -> str:
    names = [f".{name}" for name in classes]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _check_question_id(question: QuestionLines, seen: dict[str, int], report: FileReport) -> None:
    if not question.ids:
        hint = "q-" + "-".join(slugify_heading(question.prompt).split("-")[:5])
        report.error(
            question.line,
            "question has no id; end the heading with an id "
            f"that never changes, such as {{#{hint[:64]}}}",
        )
        return
    if len(question.ids) > 1:
        report.error(question.line, "question has more than one {#id}; keep one")
    question_id = question.ids[0]
    message = check_id(question_id)
    if message:
        report.error(question.line, f"question id '{question_id}' {message}")
    elif question_id in seen:
        report.error(
            question.line,
            f"question id '{question_id}' is already used on "
            f"line {seen[question_id]}; question ids must be unique in a module",
        )
    seen.setdefault(question_id, question.line)


def _check_classes(question: QuestionLines, report: FileReport) -> None:
    known = _question_classes()
    for name in question.classes:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
            hint = f"did you mean '.{close[0]}'?" if close else f"the classes are {_listed(known)}"
            report.warning(question.line, f"unknown question class '.{name}' is ignored; {hint}")
    kinds = [name for name in question.classes if name in heading_classes()]
    if len(kinds) > 1:
        report.error(
            question.line,
            f"a question has one kind, but this heading says .{' and .'.join(kinds)}; keep one",
        )
    for modifier, kind in modifier_classes().items():
        if modifier in question.classes and KINDS[kind].heading_class not in question.classes:
            report.warning(question.line, KINDS[kind].modifiers[modifier])


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[*`_]", "", " ".join(text.split()))


def _warn_if_answer_given_away(question: QuestionLines, kind: str, report: FileReport) -> None:
    """A right answer written out in the question or its hint can be copied, not known."""
    if kind == "numeric":
        return
    if kind == "short":
        answers = [a.text for a in question.answers if len(a.text) >= _TELLING_ANSWER_LENGTH]
    else:
        answers = [o.text for o in question.options if o.correct and len(o.text) >= _TELLING_OPTION_LENGTH]
    asked = _comparable(" ".join([question.prompt, *question.extra, *question.hint]))
    for answer in answers:
        if _comparable(answer) in asked:
            report.warning(
                question.line,
                f"the right answer '{answer}' is written in the question or its hint; "
                "a learner can copy it without knowing it: reword one of them",
            )
            return


def _build_question(question: QuestionLines, kind: str, files_url: str) -> Question:
    extra = "\n".join(question.extra).strip()
    text = f"{question.prompt}\n\n{extra}" if extra else question.prompt
    explanation = "\n".join(question.explanation).strip()
    hint = "\n".join(question.hint).strip()
    return Question(
        id=question.ids[0] if question.ids else "",
        kind=kind,
        text=text,
        html=render_inline(text, files_url),
        explanation=explanation,
        explanation_html=render_markdown(explanation, files_url)[0] if explanation else "",
        hint=hint,
        hint_html=render_inline(hint, files_url) if hint else "",
        line=question.line,
        **KINDS[kind].answer_key(question, lambda markdown: render_inline(markdown, files_url)),
    )


def parse_quiz(lines: Lines, marker_line: int, files_url: str, report: FileReport) -> list[Question]:
    """The questions after '<!-- quiz -->' (at marker_line); every mistake is reported."""
    questions = group_questions(lines, report)
    if not questions:
        report.error(
            marker_line,
            "the quiz has no questions; add questions starting "
            "with '### text {#question-id}', or remove the '<!-- quiz -->' line",
        )
    seen: dict[str, int] = {}
    built = []
    for question in questions:
        _check_question_id(question, seen, report)
        _check_classes(question, report)
        if not question.prompt:
            report.error(question.line, "question has no text; write it after '### '")
        if question.hint_line and not any(line.strip() for line in question.hint):
            report.error(question.hint_line, "the hint is empty; write it after 'Gợi ý:'")
        kind = kind_of(question)
        KINDS[kind].check(question, report)
        _warn_if_answer_given_away(question, kind, report)
        built.append(_build_question(question, kind, files_url))
    return built
