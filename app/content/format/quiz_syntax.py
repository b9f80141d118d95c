"""The quiz part of a module, line by line: questions, options, answers, feedback, hints. Pure.

This stage only groups lines; app.questions checks what each question means."""

import re

from app.content.format.source_text import Lines, fence_after, outside_code, starts_fence
from app.problems import FileReport
from app.questions.question import AnswerLine, OptionLine, QuestionLines

_QUIZ_MARKER = re.compile(r"\s*<!--\s*quiz\s*-->\s*", re.IGNORECASE)
_HEADING = re.compile(r"(#{1,6})\s+(.*)")
_HEADING_ATTRIBUTES = re.compile(r"(.*?)\s*\{([^{}]*)\}\s*")
OPTION = re.compile(r"\s{0,3}[-*+]\s+(?:\((\s*[xX]?\s*)\)|\[(\s*[xX]?\s*)\])(?:\s+(.*)|\s*)")
_ANSWER = re.compile(r"\s{0,3}[-*+]\s+=(?:\s+(.*)|\s*)")
_LIST_ITEM = re.compile(r"\s{0,3}[-*+]\s+\S")
_HINT = re.compile(r"\s{0,3}(?:gợi ý|hint)\s*:\s*(.*)", re.IGNORECASE)


def split_quiz(content: Lines, report: FileReport) -> tuple[Lines, Lines, int | None]:
    """The reading part, the quiz part and the line of '<!-- quiz -->' (None: no quiz)."""
    markers = [n for n, line in outside_code(content) if _QUIZ_MARKER.fullmatch(line)]
    if not markers:
        return content, [], None
    for extra in markers[1:]:
        report.error(extra, "a module has one quiz; remove this second '<!-- quiz -->'")
    body = [(n, line) for n, line in content if n < markers[0]]
    quiz = [(n, line) for n, line in content if n > markers[0] and n not in markers]
    return body, quiz, markers[0]


def warn_options_in_body(body: Lines, marker_line: int | None, report: FileReport) -> None:
    """Options written above the quiz are shown as text; say so once."""
    for number, line in outside_code(body):
        option = OPTION.fullmatch(line)
        if option and option.group(1) is not None:
            where = (
                "above the '<!-- quiz -->' line"
                if marker_line
                else "in a module without a '<!-- quiz -->' line"
            )
            report.warning(
                number,
                f"this looks like a quiz option but it is {where}, so it is shown as plain text",
            )
            return


def _start_question(number: int, heading: str, report: FileReport) -> QuestionLines:
    attributes = _HEADING_ATTRIBUTES.fullmatch(heading)
    prompt, tokens = (
        (attributes.group(1), attributes.group(2).split()) if attributes else (heading.strip(), [])
    )
    for token in tokens:
        if token[:1] not in "#.":
            report.warning(
                number,
                f"'{token}' in the heading's {{...}} is ignored; only {{#question-id}} and "
                "the classes .truefalse, .short, .numeric and .any-tone are understood",
            )
    return QuestionLines(
        number,
        prompt,
        [t[1:] for t in tokens if t.startswith("#")],
        [t[1:] for t in tokens if t.startswith(".")],
    )


def _add_item(question: QuestionLines, number: int, line: str) -> None:
    option = OPTION.fullmatch(line)
    if option:
        style = "(" if option.group(1) is not None else "["
        mark = option.group(1) if option.group(1) is not None else option.group(2)
        item: OptionLine | AnswerLine = OptionLine(
            number, style, (option.group(3) or "").strip(), mark.strip() != ""
        )
        question.options.append(item)
    else:
        answer = _ANSWER.fullmatch(line)
        assert answer is not None
        item = AnswerLine(number, (answer.group(1) or "").strip())
        question.answers.append(item)
    question.last_item = item
    question.phase = "options"


def _add_feedback(question: QuestionLines, number: int, line: str, report: FileReport) -> None:
    item = question.last_item
    if isinstance(item, OptionLine):
        item.feedback.append(re.sub(r"^\s*> ?", "", line))
    elif not question.answer_feedback_reported:
        question.answer_feedback_reported = True
        report.error(
            number,
            "feedback under an accepted answer is never shown; "
            "write it in the explanation ('> ...' after the answers)",
        )


def _is_feedback(question: QuestionLines, line: str) -> bool:
    if question.phase != "options" or not line[:1].isspace():
        return False
    item = question.last_item
    # A line under feedback without '>' continues it, as Markdown's lazy continuation does.
    return line.lstrip().startswith(">") or (isinstance(item, OptionLine) and bool(item.feedback))


def _report_stray(question: QuestionLines, number: int, line: str, report: FileReport) -> None:
    if question.stray_reported:
        return  # one report per question: the rest of a stray paragraph is the same mistake
    question.stray_reported = True
    if _HINT.fullmatch(line) and question.phase == "options":
        report.error(number, "a hint goes above the options; move this paragraph up")
        return
    report.error(
        number,
        "text after the options is not shown; write the explanation as a blockquote "
        "starting with '> ', or move the text above the options",
    )


def _add_line(question: QuestionLines, number: int, line: str, report: FileReport) -> None:
    """Place one line of a question: prompt, option, answer, feedback, explanation or stray."""
    item = OPTION.fullmatch(line) or _ANSWER.fullmatch(line)
    if question.phase == "prompt" and not item:
        question.extra.append(line)
    elif not line.strip():
        if question.phase == "explanation":
            question.explanation.append("")
    elif item and question.phase in ("prompt", "options"):
        _add_item(question, number, line)
    elif item:
        report.error(
            number,
            "this option comes after the explanation; put every option before the '> ' explanation",
        )
    elif _is_feedback(question, line):
        _add_feedback(question, number, line, report)
    elif line.lstrip().startswith(">") or (
        question.phase == "explanation" and question.explanation[-1]  # a lazy continuation
    ):
        question.phase = "explanation"
        question.explanation.append(re.sub(r"^\s*> ?", "", line))
    elif question.phase == "options" and line[:1].isspace() and question.last_item:
        question.last_item.text += " " + line.strip()
    elif question.phase == "options" and _LIST_ITEM.match(line):
        report.error(
            number,
            "this list item has no '( )' or '[ ]' mark; write options as '- ( ) text' "
            "(one answer) or '- [ ] text' (several answers), or answers as '- = text'",
        )
    else:
        _report_stray(question, number, line, report)


def _take_hint(question: QuestionLines) -> None:
    """Move the paragraph(s) starting 'Gợi ý:' or 'Hint:' from the prompt to the hint."""
    kept: list[str] = []
    in_hint, fence = False, ""
    for offset, line in enumerate(question.extra):
        starts_paragraph = not fence and (offset == 0 or not question.extra[offset - 1].strip())
        hint = _HINT.fullmatch(line) if starts_paragraph else None
        if hint:
            in_hint = True
            question.hint_line = question.hint_line or question.line + 1 + offset
            if question.hint:
                question.hint.append("")
            question.hint.append(hint.group(1))
        elif in_hint and line.strip():
            question.hint.append(line)
        else:
            in_hint = False
            kept.append(line)
        fence = fence_after(fence, line)
    question.extra = kept


def group_questions(lines: Lines, report: FileReport) -> list[QuestionLines]:
    """Group the quiz lines into questions; report lines that belong to none."""
    questions: list[QuestionLines] = []
    fence = ""
    stray_reported = False
    for number, line in lines:
        current = questions[-1] if questions else None
        if current and current.phase == "prompt" and (fence or starts_fence(line)):
            current.extra.append(line)  # a code block in the prompt may contain '###' lines
            fence = fence_after(fence, line)
            continue
        heading = _HEADING.fullmatch(line.rstrip())
        if heading and len(heading.group(1)) == 3:
            questions.append(_start_question(number, heading.group(2), report))
        elif heading:
            report.error(
                number,
                "questions start with a level-3 heading '### '; "
                f"this heading has {len(heading.group(1))} '#'",
            )
        elif current:
            _add_line(current, number, line, report)
        elif line.strip() and not stray_reported:
            stray_reported = True
            report.error(
                number,
                "text between '<!-- quiz -->' and the first question "
                "is not shown; move it above the '<!-- quiz -->' line",
            )
    for question in questions:
        _take_hint(question)
    return questions
