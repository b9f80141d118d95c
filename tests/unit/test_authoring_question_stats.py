"""Question statistics from submitted attempts: a pure aggregation, no app needed."""

from app.authoring.question_stats import AnsweredQuiz, plain_text, question_statistics


def option(html: str, correct: bool = False) -> dict:
    return {"html": html, "correct": correct, "feedback_html": ""}


def question(question_id: str, kind: str = "single", options=(), **fields) -> dict:
    return {"id": question_id, "kind": kind, "html": f"<em>Prompt</em> {question_id}",
            "options": list(options), "explanation_html": "", "hint_html": "",
            "accepted_answers": [], "any_tone": False, "numeric_value": None,
            "numeric_tolerance": 0.0, **fields}


def definition(*questions) -> dict:
    return {"questions": list(questions), "pass_mark": None, "draw": None,
            "max_attempts": None, "grading": "highest", "translations": {}}


YEAR = question("q-nam", options=[option("2020"), option("<b>2022</b>", True), option("2025")])
ACCOUNT = question("q-bao-ve", "multiple",
                   [option("Hai lớp", True), option("Chung mật khẩu"), option("Giữ OTP", True)])
CAPITAL = question("q-thu-do", "short", accepted_answers=["Hà Nội"])
V1 = definition(YEAR, ACCOUNT)


def by_id(stats):
    return {row.question_id: row for row in stats}


def test_counts_attempts_fully_correct_and_the_most_chosen_wrong_option():
    answered = [
        AnsweredQuiz(V1, None, {"q-nam": [1], "q-bao-ve": [0, 2]}),
        AnsweredQuiz(V1, None, {"q-nam": [2], "q-bao-ve": [0]}),  # half the points is not fully correct
        AnsweredQuiz(V1, None, {"q-nam": [2], "q-bao-ve": [0, 1]}),
        AnsweredQuiz(V1, None, {"q-nam": [0], "q-bao-ve": []}),
    ]
    stats = by_id(question_statistics(V1, answered))
    assert (stats["q-nam"].attempts, stats["q-nam"].fully_correct) == (4, 1)
    assert stats["q-nam"].percent_correct == 25
    assert (stats["q-nam"].common_wrong_answer, stats["q-nam"].common_wrong_count) == ("2025", 2)
    assert (stats["q-bao-ve"].fully_correct, stats["q-bao-ve"].common_wrong_answer) == (1, "Chung mật khẩu")


def test_questions_follow_the_current_version_and_unattempted_ones_are_listed():
    stats = question_statistics(V1, [])
    assert [row.question_id for row in stats] == ["q-nam", "q-bao-ve"]
    assert stats[0].attempts == 0 and stats[0].percent_correct is None
    assert stats[0].common_wrong_answer is None and stats[0].prompt == "Prompt q-nam"


def test_all_versions_are_counted_together_by_question_id():
    reworded = question("q-nam", options=[option("2019"), option("2022", True)])
    v2 = definition(reworded, CAPITAL)
    answered = [
        AnsweredQuiz(V1, None, {"q-nam": [0], "q-bao-ve": [0, 2]}),
        AnsweredQuiz(v2, None, {"q-nam": [0], "q-thu-do": ["  ha  noi "]}),
        AnsweredQuiz(v2, None, {"q-nam": [1], "q-thu-do": ["Hà Nội"]}),
    ]
    stats = question_statistics(v2, answered)
    assert [row.question_id for row in stats] == ["q-nam", "q-thu-do", "q-bao-ve"]
    year = stats[0]
    assert (year.attempts, year.fully_correct) == (3, 1)
    # The option at index 0 reads differently in each version; each is counted by its own text.
    assert year.common_wrong_answer == "2020" and year.common_wrong_count == 1
    assert stats[1].common_wrong_answer == "ha noi"  # typed text, whitespace tidied
    assert stats[2].attempts == 1  # only in the first version


def test_only_the_questions_an_attempt_drew_count():
    answered = [AnsweredQuiz(V1, ["q-bao-ve"], {"q-bao-ve": [0, 2]})]
    stats = by_id(question_statistics(V1, answered))
    assert stats["q-nam"].attempts == 0
    assert stats["q-bao-ve"].attempts == 1 and stats["q-bao-ve"].fully_correct == 1


def test_numeric_wrong_answers_are_the_typed_text():
    pi = question("q-pi", "numeric", numeric_value=3.14, numeric_tolerance=0.01)
    quiz = definition(pi)
    answered = [AnsweredQuiz(quiz, None, {"q-pi": ["3,14"]}), AnsweredQuiz(quiz, None, {"q-pi": ["22/7"]}),
                AnsweredQuiz(quiz, None, {"q-pi": []})]
    row = question_statistics(quiz, answered)[0]
    assert (row.attempts, row.fully_correct, row.common_wrong_answer) == (3, 1, "22/7")


def test_tampered_indexes_are_ignored():
    answered = [AnsweredQuiz(V1, None, {"q-nam": [7, "x"], "q-bao-ve": None})]
    stats = by_id(question_statistics(V1, answered))
    assert stats["q-nam"].attempts == 1 and stats["q-nam"].common_wrong_answer is None


def test_plain_text_drops_tags_and_decodes_entities():
    assert plain_text("<b>An</b> &amp; <code>toàn</code>\n thông tin") == "An & toàn thông tin"
