"""Course format v2 questions: short and numeric answers, option feedback, hints, stored form."""

import json

import pytest

from app.content.format.course_format import Quiz
from app.content.format.quiz_parsing import parse_quiz
from app.problems import FileReport, ProblemList
from tests.security.payloads import PAYLOADS
from tests.security.vectors import executable_vectors
from tests.unit.test_course_parsing import (
    FOLDER,
    QUIZ,
    assert_problem,
    line_of,
    module_text,
    parse,
    quiz_problem,
    write_course,
)

PATH = f"{FOLDER}/01-a.md"


def quiz_of(*questions: str) -> str:
    return "<!-- quiz -->\n\n" + "\n".join(questions)


def parsed_quiz(tmp_path, quiz: str) -> Quiz:
    write_course(tmp_path, {"01-a.md": module_text(quiz=quiz)})
    spec, problems = parse(tmp_path)
    assert problems == [], "\n".join(str(p) for p in problems)
    return spec.modules[0].quiz


SHORT = "### Thủ đô của Việt Nam? {#q-thu-do .short .any-tone}\n\n- = Hà Nội\n- = Thủ đô Hà Nội\n"
NUMERIC = "### Số pi, hai chữ số thập phân? {#q-pi .numeric}\n\n- = 3.14 ± 0.01\n\n> Pi ≈ 3,14159.\n"
FEEDBACK = """\
### Quyết định 146/QĐ-TTg được ban hành năm nào? {#q-nam}

Gợi ý: Đề án được phê duyệt **đầu năm** 2022.

- ( ) 2020
  > Năm 2020 là năm ban hành *Chương trình 749*.
  > Chương trình 749 nói về chuyển đổi số quốc gia.
- (x) 2022
- ( ) 2025

> Quyết định 146/QĐ-TTg ký ngày 28/01/2022.
"""


# ---- parsing each kind --------------------------------------------------------------------------


def test_short_answer_question(tmp_path):
    question = parsed_quiz(tmp_path, quiz_of(SHORT)).questions[0]

    assert (question.kind, question.any_tone) == ("short", True)
    assert question.accepted_answers == ["Hà Nội", "Thủ đô Hà Nội"]
    assert question.options == []
    assert question.html == "Thủ đô của Việt Nam?"


def test_short_answer_without_any_tone_matches_tones(tmp_path):
    quiz = quiz_of("### Tỉnh nào? {#q-tinh .short}\n\n- = Quảng Trị\n")

    question = parsed_quiz(tmp_path, quiz).questions[0]

    assert (question.kind, question.any_tone, question.accepted_answers) == (
        "short",
        False,
        ["Quảng Trị"],
    )


def test_numeric_question(tmp_path):
    question = parsed_quiz(tmp_path, quiz_of(NUMERIC)).questions[0]

    assert question.kind == "numeric"
    assert (question.numeric_value, question.numeric_tolerance) == (3.14, 0.01)
    assert question.explanation_html == "<p>Pi ≈ 3,14159.</p>"


@pytest.mark.parametrize(
    ("answer", "value", "tolerance"),
    [
        ("128", 128.0, 0.0),
        ("3.14 ± 0.01", 3.14, 0.01),
        ("3.14±0.01", 3.14, 0.01),
        ("3.14 +- 0.01", 3.14, 0.01),
        ("3,14 +- 0,01", 3.14, 0.01),
        ("-2.5", -2.5, 0.0),
        ("1000 +/- 50", 1000.0, 50.0),
    ],
)
def test_numeric_answer_forms(tmp_path, answer, value, tolerance):
    quiz = quiz_of(f"### Bao nhiêu? {{#q-so .numeric}}\n\n- = {answer}\n")

    question = parsed_quiz(tmp_path, quiz).questions[0]

    assert (question.numeric_value, question.numeric_tolerance) == (value, tolerance)


def test_v1_kinds_are_unchanged_and_have_no_typed_answers(tmp_path):
    quiz = parsed_quiz(tmp_path, QUIZ)

    assert [q.kind for q in quiz.questions] == ["single", "multiple", "truefalse"]
    assert all(q.accepted_answers == [] and q.numeric_value is None for q in quiz.questions)
    assert all(q.hint == "" and o.feedback == "" for q in quiz.questions for o in q.options)


def test_a_long_option_continues_on_an_indented_line(tmp_path):
    quiz = quiz_of("### Câu {#q-dai}\n\n- (x) Một đáp án\n  rất dài\n- ( ) Không\n")

    option = parsed_quiz(tmp_path, quiz).questions[0].options[0]

    assert (option.text, option.feedback) == ("Một đáp án rất dài", "")


# ---- feedback and hints -------------------------------------------------------------------------


def test_option_feedback_is_read_from_the_indented_quote(tmp_path):
    question = parsed_quiz(tmp_path, quiz_of(FEEDBACK)).questions[0]

    first, right, _ = question.options
    assert first.text == "2020"
    assert first.feedback == (
        "Năm 2020 là năm ban hành *Chương trình 749*.\n"
        "Chương trình 749 nói về chuyển đổi số quốc gia."
    )
    assert first.feedback_html.startswith("Năm 2020 là năm ban hành <em>Chương trình 749</em>.")
    assert (right.feedback, right.feedback_html) == ("", "")
    assert question.explanation_html == "<p>Quyết định 146/QĐ-TTg ký ngày 28/01/2022.</p>"


def test_hint_is_taken_out_of_the_prompt(tmp_path):
    question = parsed_quiz(tmp_path, quiz_of(FEEDBACK)).questions[0]

    assert question.hint == "Đề án được phê duyệt **đầu năm** 2022."
    assert question.hint_html == "Đề án được phê duyệt <strong>đầu năm</strong> 2022."
    assert question.html == "Quyết định 146/QĐ-TTg được ban hành năm nào?"
    assert "Gợi ý" not in question.text


def test_english_hint_after_another_prompt_paragraph(tmp_path):
    quiz = quiz_of(
        "### Which year? {#q-year}\n\nChoose one.\n\nHint: early 2022.\n\n- ( ) 2020\n- (x) 2022\n"
    )

    question = parsed_quiz(tmp_path, quiz).questions[0]

    assert question.hint == "early 2022."
    assert question.html == "<p>Which year?</p>\n<p>Choose one.</p>"


def test_hint_words_inside_a_code_block_stay_in_the_prompt(tmp_path):
    quiz = quiz_of("### Đoạn mã? {#q-ma}\n\n```\nHint: không phải gợi ý\n```\n\n- (x) A\n- ( ) B\n")

    question = parsed_quiz(tmp_path, quiz).questions[0]

    assert question.hint == ""
    assert "Hint: không phải gợi ý" in question.html


def test_feedback_and_hint_html_drop_what_the_sanitiser_drops(tmp_path):
    quiz = quiz_of(
        "### Câu {#q-xss}\n\n"
        "Gợi ý: <img src=https://a.vn/x.png onerror=alert(1)><b onclick=alert(2)>đậm</b>\n\n"
        '- (x) A\n  > <script>alert(3)</script><a href="https://a.vn" onclick="x()">xem</a>\n'
        "- ( ) B\n"
    )
    write_course(tmp_path, {"01-a.md": module_text(quiz=quiz)})

    question = parse(tmp_path)[0].modules[0].quiz.questions[0]

    for html in (question.hint_html, question.options[0].feedback_html):
        assert "onerror" not in html and "onclick" not in html and "script" not in html
    assert "<b>đậm</b>" in question.hint_html
    assert question.options[0].feedback_html == (
        '<a href="https://a.vn" rel="noopener noreferrer">xem</a>'
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hint_and_feedback_render_no_executable_vector(payload):
    one_line = payload.replace("\n", " ")
    source = f"### Câu {{#q-xss}}\n\nGợi ý: {one_line}\n\n- (x) A\n  > {one_line}\n- ( ) B\n"
    lines = list(enumerate(source.split("\n"), start=1))

    question = parse_quiz(lines, 1, "/courses/k/files", FileReport("k/01-a.md", ProblemList()))[0]

    assert (question.hint, question.options[0].feedback) == (one_line.strip(), one_line.strip())
    assert executable_vectors(question.hint_html) == []
    assert executable_vectors(question.options[0].feedback_html) == []


# ---- one error per mistake, at its line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "needle", "expected"),
    [
        (
            "### Thủ đô? {#q-td .short}\n\n> Giải thích.\n",
            "### Thủ đô?",
            "a short-answer question needs at least one accepted answer",
        ),
        ("### Thủ đô? {#q-td .short}\n\n- =\n", "- =", "this answer is empty"),
        (
            "### Thủ đô? {#q-td .short}\n\n- (x) Hà Nội\n- ( ) Huế\n",
            "- (x) Hà Nội",
            "a short-answer question has no '( )' or '[ ]' options",
        ),
        ("### Bao nhiêu? {#q-so .numeric}\n", "### Bao nhiêu?", "a numeric question needs its answer"),
        (
            "### Bao nhiêu? {#q-so .numeric}\n\n- = 12\n- = 13\n",
            "- = 13",
            "a numeric question has exactly one '- =' answer",
        ),
        (
            "### Bao nhiêu? {#q-so .numeric}\n\n- = mười hai\n",
            "- = mười hai",
            "'mười hai' is not a number with an optional tolerance",
        ),
        (
            "### Bao nhiêu? {#q-so .numeric}\n\n- = 3.14 ± -0.01\n",
            "- = 3.14",
            "'3.14 ± -0.01' is not a number",
        ),
        (
            "### Bao nhiêu? {#q-so .numeric}\n\n- [x] 12\n- [ ] 13\n",
            "- [x] 12",
            "a numeric question has no '( )' or '[ ]' options",
        ),
        (
            "### Thủ đô? {#q-td}\n\n- = Hà Nội\n",
            "- = Hà Nội",
            "'- =' answers belong to short-answer and numeric questions",
        ),
        (
            "### Thủ đô? {#q-td}\n\n- (x) Hà Nội\n- ( ) Huế\n- = Hà Nội\n",
            "- = Hà Nội",
            "'- =' answers belong to short-answer and numeric questions",
        ),
        (
            "### Thủ đô? {#q-td .short .numeric}\n\n- = 1\n",
            "### Thủ đô?",
            "a question has one kind, but this heading says .short and .numeric",
        ),
        (
            "### Thủ đô? {#q-td .short}\n\n- = Hà Nội\n  > Đúng rồi.\n",
            "> Đúng rồi.",
            "feedback under an accepted answer is never shown",
        ),
        (
            "### Năm? {#q-nam}\n\n- (x) 2022\n- ( ) 2020\n\nGợi ý: đầu năm.\n",
            "Gợi ý: đầu năm.",
            "a hint goes above the options",
        ),
        ("### Năm? {#q-nam}\n\nGợi ý:\n\n- (x) 2022\n- ( ) 2020\n", "Gợi ý:", "the hint is empty"),
    ],
)
def test_mistake_in_a_v2_question(tmp_path, question, needle, expected):
    problem, line = quiz_problem(tmp_path, quiz_of(question), needle)

    assert_problem(problem, PATH, line, expected)


@pytest.mark.parametrize(
    ("question", "needle", "expected"),
    [
        (
            "### Tỉnh? {#q-tinh .any-tone}\n\n- (x) Huế\n- ( ) Hà Nội\n",
            "### Tỉnh?",
            "'.any-tone' only applies to short-answer questions",
        ),
        ("### Tỉnh? {#q-tinh .shrot}\n\n- (x) Huế\n- ( ) Hà Nội\n", "### Tỉnh?", "did you mean '.short'?"),
        (
            "### Bao nhiêu? {#q-so .numeric}\n\n- = 1.500\n",
            "- = 1.500",
            "'1.500' is read as 1.5; if you mean thousands, write the number without a separator",
        ),
    ],
)
def test_questionable_v2_question_is_a_warning(tmp_path, question, needle, expected):
    problem, line = quiz_problem(tmp_path, quiz_of(question), needle, severity="warning")

    assert_problem(problem, PATH, line, expected)


# ---- the stored form -----------------------------------------------------------------------------


def test_quiz_round_trips_through_to_dict_and_from_dict(tmp_path):
    text = module_text(quiz=quiz_of(FEEDBACK, SHORT, NUMERIC), attempts=3, grading="last", draw=2)
    write_course(tmp_path, {"01-a.md": text})
    quiz = parse(tmp_path)[0].modules[0].quiz

    stored = json.loads(json.dumps(quiz.to_dict(), ensure_ascii=False))
    loaded = Quiz.from_dict(stored)

    assert loaded.to_dict() == quiz.to_dict()
    assert (loaded.draw, loaded.max_attempts, loaded.grading) == (2, 3, "last")
    choice, short, numeric = loaded.questions
    assert choice.hint_html == quiz.questions[0].hint_html != ""
    assert choice.options[0].feedback_html == quiz.questions[0].options[0].feedback_html != ""
    assert choice.correct_indexes == {1}
    assert (short.accepted_answers, short.any_tone) == (["Hà Nội", "Thủ đô Hà Nội"], True)
    assert (numeric.numeric_value, numeric.numeric_tolerance) == (3.14, 0.01)


def test_stored_form_keeps_no_markdown_sources(tmp_path):
    write_course(tmp_path, {"01-a.md": module_text(quiz=quiz_of(FEEDBACK))})
    quiz = parse(tmp_path)[0].modules[0].quiz

    question = quiz.to_dict()["questions"][0]

    assert not {"text", "explanation", "hint", "line"} & set(question)
    assert not {"text", "feedback"} & set(question["options"][0])
    assert question["id"] == "q-nam"
    assert line_of(module_text(quiz=quiz_of(FEEDBACK)), "{#q-nam}") == quiz.questions[0].line


# ---- give-aways: the right answer written in the question (issue 13 review) ------------------

GIVEN_AWAY_IN_HINT = """\
### Cán bộ ký văn bản điện tử bằng loại chữ ký nào? {#q-chu-ky}

Gợi ý: Dùng *chữ ký số chuyên dùng công vụ*, do Ban Cơ yếu cấp.

- ( ) Chữ ký scan dán vào văn bản
- (x) Chữ ký số chuyên dùng công vụ
"""

GIVEN_AWAY_SHORT = """\
### Ứng dụng VNeID dùng để làm gì? Ghi tên ứng dụng. {#q-ten-ung-dung .short}

- = VNeID
"""

NOT_GIVEN_AWAY = """\
### Có phải hồ sơ nộp trực tuyến cũng được tính thời hạn giải quyết? {#q-thoi-han}

- (x) Có
- ( ) Không
"""


def test_a_right_option_written_in_the_hint_is_a_warning(tmp_path):
    problem, line = quiz_problem(tmp_path, quiz_of(GIVEN_AWAY_IN_HINT), "{#q-chu-ky}", "warning")
    assert_problem(problem, PATH, line, "'Chữ ký số chuyên dùng công vụ' is written in the question")


def test_an_accepted_short_answer_written_in_the_question_is_a_warning(tmp_path):
    problem, line = quiz_problem(tmp_path, quiz_of(GIVEN_AWAY_SHORT), "{#q-ten-ung-dung", "warning")
    assert_problem(problem, PATH, line, "'VNeID' is written in the question")


def test_a_short_right_option_that_happens_to_be_in_the_question_is_not_reported(tmp_path):
    quiz = parsed_quiz(tmp_path, quiz_of(NOT_GIVEN_AWAY))
    assert quiz.questions[0].id == "q-thoi-han"
