"""Moodle GIFT: what is imported, what is refused and why, and the way back out."""

import unicodedata
from pathlib import Path

import pytest

from app.content.format.course_format import Quiz
from app.content.format.parsing import parse_course_folder
from app.content.gift.codec import (
    GiftQuestion,
    category_name,
    module_id_for,
    parse_gift,
    quiz_to_gift,
    to_markdown_quiz,
)

BANK = Path(__file__).parents[1] / "fixtures" / "gift" / "bank.gift"
COURSE_YML = "id: khoa-gift\ntitle: Khóa GIFT\ndescription: Thử nhập GIFT.\npass_mark: 70\nlanguage: vi\n"
MODULE = "---\nid: ngan-hang\ntitle: Ngân hàng câu hỏi\norder: 1\nminutes: 10\n---\n\n## Đọc\n\nBài đọc.\n"


def bank() -> tuple[list[GiftQuestion], list]:
    return parse_gift(BANK.read_text(encoding="utf-8"))


def by_title(questions: list[GiftQuestion]) -> dict[str, GiftQuestion]:
    return {question.title: question for question in questions}


def one(text: str) -> GiftQuestion:
    questions, problems = parse_gift(text)
    assert len(questions) == 1, problems
    return questions[0]


def project_quiz(tmp_path: Path, quiz_markdown: str) -> Quiz:
    """The quiz part parsed by the project parser, in a one-module course; no problem allowed."""
    folder = tmp_path / "khoa-gift"
    folder.mkdir(parents=True)
    (folder / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    (folder / "01-ngan-hang.md").write_text(f"{MODULE}\n<!-- quiz -->\n\n{quiz_markdown}", encoding="utf-8")
    spec, problems = parse_course_folder(folder, tmp_path)
    assert [p for p in problems if p.severity == "error"] == [], "\n".join(map(str, problems))
    return spec.modules[0].quiz


def essentials(question: GiftQuestion) -> tuple:
    """What a question asks and accepts, ignoring where it came from (title, line, category)."""
    return (
        question.kind,
        " ".join(question.text.split()),
        [(o.text, o.correct, o.feedback) for o in question.options],
        question.explanation,
        question.accepted_answers,
        question.any_tone,
        question.numeric_value,
        question.numeric_tolerance,
    )


# ---- reading the bank -------------------------------------------------------------------------


def test_bank_imports_every_supported_kind_in_order():
    questions, _ = bank()

    assert [(q.title, q.kind) for q in questions] == [
        ("Năm ban hành Quyết định 146", "single"),
        ("Bảo vệ tài khoản", "multiple"),
        ("Trọng số lệch", "multiple"),
        ("Dịch vụ công", "truefalse"),
        ("Mật khẩu yếu", "truefalse"),
        ("Ký tự đặc biệt", "single"),
        ("Thủ đô", "short"),
        ("Số pi", "numeric"),
        ("Khoảng", "numeric"),
        ("Số xã", "numeric"),
        ("Định dạng HTML", "single"),
    ]
    assert {q.category for q in questions} == {"$course$/Chuyển đổi số/Cơ bản"}


def test_bank_reports_each_question_it_cannot_import_and_why():
    _, problems = bank()

    skipped = {p.title: p.reason for p in problems if p.skipped}

    assert skipped == {
        "Ghép nối": "matching questions are not supported",
        "Tự luận": "essay questions are not supported",
        "Mô tả": "descriptions (text without answers) are not supported; put the text in the reading part",
        "Điền từ": "missing-word questions (text after the answers) are not supported",
        "Nhiều đáp án số": "numeric ranges with several weighted answers are not supported",
        "Không có đáp án đúng": "a multiple-choice question without a correct answer",
    }
    lines = BANK.read_text(encoding="utf-8").split("\n")
    assert all(lines[p.line - 1].startswith(f"::{p.title}::") for p in problems)


def test_bank_notes_what_changed_in_imported_questions():
    _, problems = bank()

    notes = {p.title: p.reason for p in problems if not p.skipped}

    assert set(notes) == {"Trọng số lệch", "Số xã", "Định dạng HTML"}
    assert "70%, 30%" in notes["Trọng số lệch"] and "same share (50%)" in notes["Trọng số lệch"]
    assert "explanation" in notes["Số xã"]
    assert "HTML" in notes["Định dạng HTML"]


def test_single_choice_keeps_feedback_per_option_and_general_feedback():
    question = by_title(bank()[0])["Năm ban hành Quyết định 146"]

    assert question.text == "Quyết định **146/QĐ-TTg** được ban hành năm nào?"
    assert [(o.text, o.correct) for o in question.options] == [
        ("2020", False),
        ("2022", True),
        ("2025", False),
    ]
    assert question.options[0].feedback == "Năm 2020 là năm ban hành Chương trình 749."
    assert question.options[2].feedback == ""
    assert question.explanation == "Quyết định 146/QĐ-TTg ký ngày 28/01/2022."


def test_every_escape_is_decoded():
    question = by_title(bank()[0])["Ký tự đặc biệt"]

    # [plain] text: Markdown's own special characters are escaped, so '\\' stays a backslash.
    assert question.text == (
        "Ký hiệu 2 = 1 + 1, dấu ~, dấu #, ngoặc { } và dấu : đều hợp lệ; gạch chéo ngược \\\\ cũng vậy."
    )
    assert [o.text for o in question.options] == ["Đúng vậy = chuẩn", "Không { đúng }"]
    assert question.explanation == "Dòng một\nDòng hai"


def test_escaped_title_colons_and_braces_in_markdown_text():
    question = one(r"::Giờ\: phút::Mấy giờ \{ sáng \}? {=8\:30 =tám giờ rưỡi}")

    assert question.title == "Giờ: phút"
    assert question.text == "Mấy giờ { sáng }?"
    assert question.accepted_answers == ["8:30", "tám giờ rưỡi"]


def test_true_false_feedback_follows_the_option_chosen():
    question = by_title(bank()[0])["Dịch vụ công"]

    true, false = question.options
    assert (true.correct, true.feedback) == (True, "Đúng vậy.")
    assert (false.correct, false.feedback) == (False, "Cổng nhận hồ sơ trực tuyến.")
    assert question.explanation == "Địa chỉ: dichvucong.gov.vn"


@pytest.mark.parametrize("answer", ["T", "TRUE", "F", "FALSE", "false"])
def test_true_false_answers_in_every_spelling(answer):
    question = one(f"Trời mưa. {{{answer}}}")

    assert question.kind == "truefalse"
    assert question.options[0].correct is answer.upper().startswith("T")


def test_multiple_select_with_an_equal_split_has_no_note():
    questions, problems = parse_gift("::Chọn::Chọn hai. {~%50%A ~%50%B ~%-50%C}")

    assert [o.correct for o in questions[0].options] == [True, True, False]
    assert problems == []


def test_multiple_select_with_uneven_penalties_is_noted():
    _, problems = parse_gift("::Chọn::Chọn hai. {~%50%A ~%50%B ~C}")

    assert len(problems) == 1 and not problems[0].skipped
    assert "50% off for each wrong answer" in problems[0].reason


def test_single_choice_partial_credit_is_noted_and_counts_as_wrong():
    questions, problems = parse_gift("::Chọn::Chọn một. {=A ~%50%B ~C}")

    assert [o.correct for o in questions[0].options] == [True, False, False]
    assert "'B'" in problems[0].reason and not problems[0].skipped


def test_single_choice_with_two_fully_right_answers_is_skipped():
    questions, problems = parse_gift("::Hai::Chọn. {=A =B ~C}")

    assert questions == []
    assert "several answers are marked '='" in problems[0].reason


def test_short_answer_leaves_out_partial_answers():
    questions, problems = parse_gift("::Thủ đô::Thủ đô? {=Hà Nội =%50%Hà Lội}")

    assert questions[0].accepted_answers == ["Hà Nội"]
    assert "'Hà Lội'" in problems[0].reason


def test_numeric_tolerance_range_and_exact_values():
    questions = by_title(bank()[0])

    assert (questions["Số pi"].numeric_value, questions["Số pi"].numeric_tolerance) == (3.14, 0.01)
    assert (questions["Khoảng"].numeric_value, questions["Khoảng"].numeric_tolerance) == (3, 2)
    assert (questions["Số xã"].numeric_value, questions["Số xã"].numeric_tolerance) == (12, 0)
    assert questions["Số xã"].explanation == "Đúng, 12 xã."


def test_negative_numeric_range():
    question = one("Nhiệt độ? {#-5..-1}")

    assert (question.numeric_value, question.numeric_tolerance) == (-3, 2)


@pytest.mark.parametrize(
    ("gift", "reason"),
    [
        ("Số? {#abc}", "'abc' is not a number"),
        ("Chọn {=A ~B", "never closed"),
        ("Chọn {~A}", "at least 2 answers"),
        ("{=A ~B}", "no text before its answers"),
        ("Tên? {Hà Nội}", "start right answers with '='"),
        ("Câu 1 {=A ~B}\nCâu 2 {=C ~D}", "several answer blocks"),
    ],
)
def test_broken_questions_are_skipped_with_a_reason(gift, reason):
    questions, problems = parse_gift(gift)

    assert questions == []
    assert reason in problems[0].reason and problems[0].skipped


def test_html_becomes_markdown():
    question = by_title(bank()[0])["Định dạng HTML"]

    assert question.text == "Chọn **mức độ** dịch vụ công cao nhất."
    assert question.options[0].text == "*Toàn trình*"


def test_text_is_composed_nfc():
    decomposed = unicodedata.normalize("NFD", "::Thủ đô::Thủ đô Việt Nam? {=Hà Nội}")

    question = one(decomposed)
    markdown = to_markdown_quiz([question])

    assert question.accepted_answers == ["Hà Nội"] and question.title == "Thủ đô"
    assert unicodedata.is_normalized("NFC", markdown)
    assert "- = Hà Nội" in markdown


# ---- our Markdown -----------------------------------------------------------------------------


def test_ids_are_slugs_of_titles_unique_and_never_taken():
    questions, _ = parse_gift("::Thủ đô::A? {=x}\n\n::Thủ đô::B? {=y}\n\nC? {=z}\n\nD? {=w}")

    markdown = to_markdown_quiz(questions, taken_ids=["thu-do", "q-1"])

    ids = [line.split("{#")[1].split()[0] for line in markdown.split("\n") if line.startswith("### ")]
    assert ids == ["thu-do-2", "thu-do-3", "q-2", "q-3"]


def test_true_false_labels_follow_the_language():
    question = one("Trời mưa. {T}")

    assert "- (x) Đúng\n- ( ) Sai" in to_markdown_quiz([question])
    assert "- (x) True\n- ( ) False" in to_markdown_quiz([question], language="en")


def test_converted_bank_passes_the_project_parser(tmp_path):
    questions, _ = bank()

    quiz = project_quiz(tmp_path, to_markdown_quiz(questions))

    assert [(q.id, q.kind) for q in quiz.questions] == [
        ("nam-ban-hanh-quyet-dinh-146", "single"),
        ("bao-ve-tai-khoan", "multiple"),
        ("trong-so-lech", "multiple"),
        ("dich-vu-cong", "truefalse"),
        ("mat-khau-yeu", "truefalse"),
        ("ky-tu-dac-biet", "single"),
        ("thu-do", "short"),
        ("so-pi", "numeric"),
        ("khoang", "numeric"),
        ("so-xa", "numeric"),
        ("dinh-dang-html", "single"),
    ]
    khoang = quiz.questions[8]
    assert (khoang.numeric_value, khoang.numeric_tolerance) == (3, 2)
    assert quiz.questions[0].options[0].feedback == "Năm 2020 là năm ban hành Chương trình 749."


def test_prompt_paragraphs_that_look_like_quiz_syntax_stay_text(tmp_path):
    question = one(r"Đọc kỹ:\n\n- ( ) không phải đáp án\n### không phải câu hỏi {=A ~B}")

    quiz = project_quiz(tmp_path, to_markdown_quiz([question]))

    assert [o.text for o in quiz.questions[0].options] == ["A", "B"]
    assert "không phải câu hỏi" in quiz.questions[0].text


# ---- back to GIFT -----------------------------------------------------------------------------


def test_round_trip_keeps_every_question_and_answer(tmp_path):
    questions, _ = bank()
    quiz = project_quiz(tmp_path, to_markdown_quiz(questions))

    again, problems = parse_gift(quiz_to_gift(quiz, category="khoa-gift/ngan-hang"))

    assert [essentials(q) for q in again] == [essentials(q) for q in questions]
    assert [q.title for q in again] == [q.title for q in questions]
    assert {q.category for q in again} == {"$course$/Chuyển đổi số/Cơ bản"}
    # Only the uneven weights of the bank are worth a note; the export writes equal splits.
    assert problems == []


def test_export_escapes_every_special_character():
    question = one(r"::a\:b::Dấu \~ \= \# \{ \} \: và \\ nhé? {=x\=y ~z\#w #ý \# kiến}")

    gift = quiz_to_gift([question])

    assert r"::a\:b::[markdown]Dấu \~ \= \# \{ \} \: và \\ nhé? {" in gift
    assert essentials(one(gift)) == essentials(question)


def test_export_multiple_select_writes_equal_weights():
    question = one("Chọn. {~%33.33333%A ~%33.33333%B ~%33.33333%C ~%-100%D}")

    gift = quiz_to_gift([question])

    assert "~%33.33333%A" in gift and "~%-33.33333%D" in gift


def test_export_answer_starting_with_percent_keeps_its_text():
    question = one("Ký hiệu phần nghìn? {=%100%%o ~%0%%}")

    gift = quiz_to_gift([question])

    assert "=%100%%o" in gift
    assert [o.text for o in one(gift).options] == ["%o", "%"]


def test_export_hint_and_any_tone_survive_a_round_trip(tmp_path):
    source = (
        "### Thủ đô của Việt Nam? {#q-thu-do .short .any-tone}\n\n"
        "Gợi ý: Thành phố bên sông Hồng.\n\n- = Hà Nội\n"
    )
    quiz = project_quiz(tmp_path, source)

    gift = quiz_to_gift(quiz)
    question = one(gift)

    assert "// hocso: any-tone" in gift
    assert question.any_tone
    assert question.text == "Thủ đô của Việt Nam?\n\nGợi ý: Thành phố bên sông Hồng."
    again = project_quiz(tmp_path / "again", to_markdown_quiz([question]))
    assert again.questions[0].hint == "Thành phố bên sông Hồng." and again.questions[0].any_tone


def test_export_true_false_written_with_false_first(tmp_path):
    quiz = project_quiz(
        tmp_path, "### Trời mưa. {#q-mua .truefalse}\n\n- (x) Sai\n  > Đúng là không mưa.\n- ( ) Đúng\n"
    )

    question = one(quiz_to_gift(quiz))

    assert [(o.correct, o.feedback) for o in question.options] == [(False, ""), (True, "Đúng là không mưa.")]


# ---- names and categories (issue 14 item 18) ---------------------------------------------------

TWO_CATEGORIES = (
    "$CATEGORY: $course$/top/Dịch vụ công\n\n::Nộp hồ sơ::Nộp hồ sơ ở đâu? {=Trực tuyến ~Giấy}\n\n"
    "$CATEGORY: $course$/top/An toàn thông tin\n\n::Mã OTP::Có nên cho người khác mã OTP? {F}\n\n"
    "::Mật khẩu::Mật khẩu mạnh dài bao nhiêu ký tự? {#12}\n"
)


def test_every_question_keeps_its_own_category_and_name():
    questions, _ = parse_gift(TWO_CATEGORIES)

    assert [(q.title, category_name(q.category), q.line) for q in questions] == [
        ("Nộp hồ sơ", "Dịch vụ công", 3),
        ("Mã OTP", "An toàn thông tin", 7),
        ("Mật khẩu", "An toàn thông tin", 9),
    ]
    assert [module_id_for(q.category) for q in questions] == [
        "dich-vu-cong", "an-toan-thong-tin", "an-toan-thong-tin"]


def test_name_and_category_are_kept_in_comments_learners_never_see(tmp_path):
    questions, _ = parse_gift(TWO_CATEGORIES)

    markdown = to_markdown_quiz(questions[:1])
    quiz = project_quiz(tmp_path, markdown)

    assert markdown.startswith(
        "### Nộp hồ sơ ở đâu? {#nop-ho-so}\n\n<!-- GIFT title: Nộp hồ sơ -->\n"
        "<!-- GIFT category: $course$/top/Dịch vụ công -->\n\n- (x) Trực tuyến"
    )
    assert "GIFT" not in quiz.questions[0].html and "<!--" not in quiz.questions[0].html


def test_export_writes_the_real_categories_and_names(tmp_path):
    questions, _ = parse_gift(TWO_CATEGORIES)
    quiz = project_quiz(tmp_path, to_markdown_quiz(questions))

    gift = quiz_to_gift(quiz, category="khoa-gift/ngan-hang")

    assert [line for line in gift.split("\n") if line.startswith("$CATEGORY")] == [
        "$CATEGORY: $course$/top/Dịch vụ công", "$CATEGORY: $course$/top/An toàn thông tin"]
    again, problems = parse_gift(gift)
    assert [(q.title, q.category) for q in again] == [(q.title, q.category) for q in questions]
    assert [essentials(q) for q in again] == [essentials(q) for q in questions] and problems == []


def test_questions_written_in_hocso_export_under_the_given_category_named_by_id(tmp_path):
    quiz = project_quiz(tmp_path, "### Trời mưa. {#q-mua .truefalse}\n\n- (x) Đúng\n- ( ) Sai\n")

    gift = quiz_to_gift(quiz, category="khoa-gift/ngan-hang")

    assert gift.startswith("$CATEGORY: khoa-gift/ngan-hang\n\n::q-mua::")


def test_a_category_names_its_module():
    assert module_id_for("$course$/Chuyển đổi số/Cơ bản") == "co-ban"
    assert module_id_for("Đề") == "bai-de" and category_name("A/B/") == "B"
