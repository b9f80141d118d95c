from app.content.format.course_format import Quiz
from app.questions.choice import clean_choices
from app.questions.question import Option, Question
from app.questions.registry import KINDS
from app.quizzes.grading import grade_quiz


def question(kind: str, correct: list[bool], qid: str = "q") -> Question:
    options = [Option(text=f"o{i}", correct=c) for i, c in enumerate(correct)]
    return Question(id=qid, kind=kind, text="?", options=options)


def test_single_choice_right_and_wrong():
    quiz = Quiz([question("single", [False, True, False])])
    assert grade_quiz(quiz, {"q": ["1"]}, 70).percent == 100
    assert grade_quiz(quiz, {"q": ["0"]}, 70).percent == 0


def test_single_choice_with_two_answers_counts_as_none():
    quiz = Quiz([question("single", [False, True, False])])
    result = grade_quiz(quiz, {"q": ["1", "0"]}, 70)
    assert result.points == 0 and result.results[0].recorded == ()


def test_multiple_choice_gives_partial_credit_by_the_documented_rule():
    quiz = Quiz([question("multiple", [True, False, True])])
    assert grade_quiz(quiz, {"q": ["0", "2"]}, 70).percent == 100
    assert grade_quiz(quiz, {"q": ["2", "0"]}, 70).percent == 100
    assert grade_quiz(quiz, {"q": ["0"]}, 70).percent == 50  # one of two right
    assert grade_quiz(quiz, {"q": ["0", "1", "2"]}, 70).percent == 50  # two right, one wrong
    assert grade_quiz(quiz, {"q": ["0", "1"]}, 70).percent == 0  # one right, one wrong
    assert grade_quiz(quiz, {"q": ["1"]}, 70).percent == 0  # never below zero


def test_true_false_is_not_shuffled_and_graded():
    quiz = Quiz([question("truefalse", [False, True])])
    assert not KINDS["truefalse"].shuffle_options
    assert grade_quiz(quiz, {"q": ["1"]}, 70).passed
    assert not grade_quiz(quiz, {"q": ["0"]}, 70).passed


def test_unanswered_question_scores_zero():
    quiz = Quiz([question("single", [True, False], "a"), question("single", [True, False], "b")])
    grade = grade_quiz(quiz, {"a": ["0"]}, 50)
    assert grade.results[1].recorded == ()
    assert (grade.points, grade.max_points, grade.percent, grade.passed) == (1, 2, 50, True)


def test_pass_mark_boundary():
    quiz = Quiz([question("single", [True, False], str(i)) for i in range(10)])
    seven_right = {str(i): ["0"] for i in range(7)}
    assert grade_quiz(quiz, seven_right, 70).passed
    assert not grade_quiz(quiz, seven_right, 71).passed


def test_tampered_values_are_ignored():
    q = question("multiple", [True, False, True])
    for bad in (["-1"], ["3"], ["abc"], ["1e3"], ["99999999999999999999"], [""], ["0x1"]):
        assert clean_choices(q, bad) == frozenset()
    assert clean_choices(q, ["0", "0", "2"]) == frozenset({0, 2})


def test_unknown_question_ids_change_nothing():
    quiz = Quiz([question("single", [True, False])])
    grade = grade_quiz(quiz, {"q": ["0"], "other": ["0"], "score": ["100"]}, 70)
    assert grade.points == 1 and grade.max_points == 1


def test_score_never_exceeds_maximum():
    quiz = Quiz([question("multiple", [True, True])])
    grade = grade_quiz(quiz, {"q": ["0", "1", "0", "1"]}, 70)
    assert grade.points <= grade.max_points and grade.percent == 100


def test_short_answers_match_vietnamese_input_forms():
    q = Question(id="q", kind="short", text="?", accepted_answers=["Hà Nội"])
    quiz = Quiz([q])
    for typed in ("Hà Nội", "  hà   nội ", "HÀ NỘI", "Ha\u0300 No\u0323\u0302i"):
        assert grade_quiz(quiz, {"q": [typed]}, 70).passed, typed
    for typed in ("ha noi", "Hà Nam", ""):
        assert not grade_quiz(quiz, {"q": [typed]}, 70).passed, typed


def test_short_answers_can_ignore_tones_when_the_author_allows_it():
    q = Question(id="q", kind="short", text="?", accepted_answers=["Hà Nội", "Thủ đô"], any_tone=True)
    quiz = Quiz([q])
    for typed in ("ha noi", "HA NOI", "Hà Nội", "thu do", "Hả Nợi"):
        assert grade_quiz(quiz, {"q": [typed]}, 70).passed, typed
    assert not grade_quiz(quiz, {"q": ["ha nam"]}, 70).passed


def test_dj_is_d_when_tones_are_ignored():
    q = Question(id="q", kind="short", text="?", accepted_answers=["Điện Biên"], any_tone=True)
    assert grade_quiz(Quiz([q]), {"q": ["dien bien"]}, 70).passed


def test_numeric_answers_with_tolerance_and_decimal_comma():
    q = Question(id="q", kind="numeric", text="?", numeric_value=3.14, numeric_tolerance=0.01)
    quiz = Quiz([q])
    for typed in ("3.14", "3,14", " 3.15 ", "3.13"):
        assert grade_quiz(quiz, {"q": [typed]}, 70).passed, typed
    for typed in ("3.2", "pi", "", "1e3", "3.14.1"):
        assert not grade_quiz(quiz, {"q": [typed]}, 70).passed, typed


def test_exact_numeric_answers():
    q = Question(id="q", kind="numeric", text="?", numeric_value=128)
    assert grade_quiz(Quiz([q]), {"q": ["128"]}, 70).passed
    assert not grade_quiz(Quiz([q]), {"q": ["127"]}, 70).passed


def test_only_the_drawn_questions_count():
    quiz = Quiz([question("single", [True, False], str(i)) for i in range(5)])
    grade = grade_quiz(quiz, {"0": ["0"], "1": ["0"]}, 70, question_ids=["0", "1"])
    assert grade.max_points == 2 and grade.percent == 100


def test_typed_answers_are_stored_bounded():
    q = Question(id="q", kind="short", text="?", accepted_answers=["a"])
    grade = grade_quiz(Quiz([q]), {"q": ["x" * 10_000]}, 70)
    assert len(grade.results[0].recorded[0]) == 200
