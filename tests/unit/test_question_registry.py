"""The question-kind registry: a kind registered from outside is parsed, graded and carried
through GIFT with no other change to the parser, the grader or the GIFT codec."""

from collections.abc import Sequence

import pytest

from app.content.gift.codec import parse_gift, quiz_to_gift, to_markdown_quiz
from app.questions.question import Question
from app.questions.registry import (
    KINDS,
    GiftCodec,
    GradedAnswer,
    QuestionKind,
    gift_readers,
    heading_classes,
    register,
    unregister,
)
from app.quizzes.grading import grade_quiz
from tests.unit.test_course_parsing import module_text, parse, write_course
from tests.unit.test_quiz_kinds import parsed_quiz, quiz_of


def test_the_built_in_kinds_are_registered_once_each():
    assert list(KINDS) == ["single", "multiple", "truefalse", "short", "numeric"]
    assert heading_classes() == {"truefalse": "truefalse", "short": "short", "numeric": "numeric"}
    assert [kind.name for kind in gift_readers()] == ["numeric", "single", "multiple", "truefalse", "short"]


def _check_year(question, report) -> None:
    if len(question.answers) != 1 or not question.answers[0].text.isdigit():
        report.error(question.line, "a year question has one '- =' answer, a year such as 1945")


def _grade_year(question: Question, raw: Sequence[str]) -> GradedAnswer:
    typed = raw[0].strip() if raw else ""
    return GradedAnswer(1.0 if typed == question.accepted_answers[0] else 0.0, (typed,) if typed else ())


YEAR = QuestionKind(
    name="year",
    description="a .year question",
    heading_class="year",
    check=_check_year,
    answer_key=lambda question, render_inline: {"accepted_answers": [a.text for a in question.answers]},
    grade=_grade_year,
    widget="number",
    shuffle_options=False,
    typed=True,
    gift=GiftCodec(
        order=5,
        claims=lambda body: body.startswith("@"),
        read=lambda body, text_format, notes, comments: {
            "kind": "year", "accepted_answers": [body[1:].strip()]
        },
        write=lambda question: [f"@{question.accepted_answers[0]}"],
        markdown=lambda question, language: [f"- = {question.accepted_answers[0]}"],
    ),
)


@pytest.fixture
def year_kind():
    register(YEAR)
    yield YEAR
    unregister("year")


def test_a_registered_kind_is_parsed_graded_and_round_tripped_through_gift(tmp_path, year_kind):
    quiz = parsed_quiz(tmp_path, quiz_of("### Năm Tuyên ngôn Độc lập? {#q-nam .year}\n\n- = 1945\n"))
    [question] = quiz.questions
    assert (question.kind, question.accepted_answers) == ("year", ["1945"])

    assert grade_quiz(quiz, {"q-nam": [" 1945 "]}, 100).passed
    assert not grade_quiz(quiz, {"q-nam": ["1946"]}, 100).passed

    gift = quiz_to_gift(quiz)
    assert "{\n\t@1945\n}" in gift
    imported, problems = parse_gift(gift)
    assert problems == []
    markdown = to_markdown_quiz(imported)
    assert "{#q-nam .year}" in markdown and "- = 1945" in markdown
    again = parsed_quiz(tmp_path / "again", quiz_of(markdown))
    assert [(q.id, q.kind, q.accepted_answers) for q in again.questions] == [("q-nam", "year", ["1945"])]


def test_a_registered_kind_checks_its_own_syntax(tmp_path, year_kind):
    write_course(tmp_path, {"01-a.md": module_text(quiz=quiz_of("### Năm? {#q-nam .year}\n\n- = sớm\n"))})
    _, problems = parse(tmp_path)
    assert any("a year question has one '- =' answer" in p.message for p in problems)


def test_without_the_kind_its_class_is_unknown_again(tmp_path):
    assert "year" not in KINDS
    write_course(tmp_path, {"01-a.md": module_text(quiz=quiz_of("### Năm? {#q-nam .year}\n\n- = 1945\n"))})
    _, problems = parse(tmp_path)
    assert any("unknown question class '.year'" in p.message for p in problems)
