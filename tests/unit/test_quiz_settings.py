"""Course format v2 front matter: attempts, grading, draw, and a final exam's draw_from."""

import pytest

from tests.unit.test_course_parsing import (
    FOLDER,
    QUIZ,
    assert_problem,
    line_of,
    module_text,
    only,
    parse,
    write_course,
)

EXAM_BODY = "Bài kiểm tra cuối khóa.\n"


def exam_text(draw_from: str = "[mod-a, mod-b]", **fields: object) -> str:
    values = {"id": "thi-cuoi", "title": "Thi cuối khóa", "order": 3, "draw_from": draw_from}
    return module_text(body=EXAM_BODY, **(values | fields))


def course_with_exam(tmp_path, exam: str, **extra_modules: str):
    """Modules mod-a (3 questions) and mod-b (3 questions), the exam, and any extra files."""
    modules = {
        "01-a.md": module_text(id="mod-a", order=1, quiz=QUIZ),
        "02-b.md": module_text(id="mod-b", order=2, quiz=QUIZ),
        "03-thi.md": exam,
        **extra_modules,
    }
    write_course(tmp_path, modules)
    return parse(tmp_path)


def test_attempts_grading_and_draw_go_to_the_quiz(tmp_path):
    write_course(tmp_path, {"01-a.md": module_text(quiz=QUIZ, attempts=3, grading="last", draw=2)})

    quiz = parse(tmp_path)[0].modules[0].quiz

    assert (quiz.max_attempts, quiz.grading, quiz.draw) == (3, "last", 2)


def test_quiz_settings_default_to_unlimited_highest_and_all_questions(tmp_path):
    write_course(tmp_path, {"01-a.md": module_text(quiz=QUIZ)})

    module = parse(tmp_path)[0].modules[0]

    assert (module.quiz.max_attempts, module.quiz.grading, module.quiz.draw) == (None, "highest", None)
    assert (module.draw_from, module.translations) == ([], {})


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("attempts", 0, "'attempts' must be a whole number of 1 or more (got '0')"),
        ("attempts", "'3'", "write the number without quotes"),
        ("attempts", "true", "'attempts' must be a whole number of 1 or more (got true)"),
        ("grading", "best", "'grading' must be 'highest' or 'last' (got 'best')"),
        ("grading", "hihgest", "did you mean 'highest'?"),
        ("draw", 0, "'draw' must be a whole number of 1 or more"),
        ("draw", 2.5, "'draw' must be a whole number of 1 or more"),
        ("draw_from", "mod-a", "'draw_from' must be a list of module ids (got 'mod-a')"),
        ("draw_from", "[]", "'draw_from' must be a list of module ids"),
        ("draw_from", "[Mod A]", "'draw_from' names 'Mod A', which is not a module id"),
    ],
)
def test_invalid_quiz_setting(tmp_path, key, value, expected):
    text = module_text(quiz=QUIZ, **{key: value})
    write_course(tmp_path, {"01-a.md": text})

    spec, problems = parse(tmp_path)

    assert spec is None
    assert_problem(only(problems), f"{FOLDER}/01-a.md", line_of(text, f"{key}:"), expected)


@pytest.mark.parametrize(("written", "meant"), [("attemps", "attempts"), ("draw-from", "draw_from")])
def test_misspelt_quiz_setting_is_a_warning_with_a_suggestion(tmp_path, written, meant):
    text = module_text(quiz=QUIZ, **{written: 2})
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1], "warning")

    assert_problem(
        problem, f"{FOLDER}/01-a.md", line_of(text, written), f"did you mean '{meant}'?"
    )


@pytest.mark.parametrize("key", ["attempts", "grading", "draw"])
def test_quiz_setting_without_a_quiz_is_a_warning(tmp_path, key):
    value = "last" if key == "grading" else 2
    text = module_text(**{key: value})
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1], "warning")

    assert_problem(problem, f"{FOLDER}/01-a.md", line_of(text, f"{key}:"), "has no effect")


def test_draw_larger_than_the_questions(tmp_path):
    text = module_text(quiz=QUIZ, draw=12)
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1])

    assert_problem(
        problem,
        f"{FOLDER}/01-a.md",
        line_of(text, "draw:"),
        "pool larger than its questions: draw: 12 but only 3 questions",
    )


# ---- a final exam -------------------------------------------------------------------------------


def test_exam_has_a_quiz_without_a_quiz_part(tmp_path):
    spec, problems = course_with_exam(tmp_path, exam_text(draw=5, attempts=2))

    exam = spec.modules[2]
    assert problems == []
    assert exam.draw_from == ["mod-a", "mod-b"]
    assert (exam.quiz.questions, exam.quiz.draw, exam.quiz.max_attempts) == ([], 5, 2)
    assert exam.quiz.pass_mark is None


def test_exam_with_its_own_questions_may_draw_from_them_too(tmp_path):
    exam = module_text(
        id="thi-cuoi", order=3, quiz=QUIZ, draw_from="[mod-a, mod-b]", draw=9, pass_mark=80
    )

    spec, problems = course_with_exam(tmp_path, exam)

    assert problems == []
    assert [q.id for q in spec.modules[2].quiz.questions] == [q.id for q in spec.modules[0].quiz.questions]
    assert spec.modules[2].quiz.pass_mark == 80


def test_exam_draw_larger_than_its_pool(tmp_path):
    exam = exam_text(draw=12)

    spec, problems = course_with_exam(tmp_path, exam)

    assert spec is None
    assert_problem(
        only(problems),
        f"{FOLDER}/03-thi.md",
        line_of(exam, "draw:"),
        "pool larger than its questions: draw: 12 but only 6 questions (0 of its own, 6 from draw_from)",
    )


@pytest.mark.parametrize(
    ("entries", "bad", "expected"),
    [
        ("mod-a, mod-bb", "mod-bb", "there is no module 'mod-bb' in this course; did you mean 'mod-b'?"),
        ("mod-a, thi-cuoi", "thi-cuoi", "'thi-cuoi' is this module"),
        ("mod-a, doc-them", "doc-them", "module 'doc-them' has no quiz questions to draw from"),
        ("mod-a, thi-phu", "thi-phu", "'thi-phu' draws its questions from other modules itself"),
    ],
)
def test_exam_names_a_module_it_cannot_draw_from(tmp_path, entries, bad, expected):
    exam = exam_text(draw_from="\n" + "".join(f"  - {name}\n" for name in entries.split(", ")))
    extra = {
        "04-doc.md": module_text(id="doc-them", order=4),
        "05-phu.md": exam_text(id="thi-phu", order=5, draw_from="[mod-a]"),
    }

    spec, problems = course_with_exam(tmp_path, exam, **extra)

    assert spec is None
    assert_problem(only(problems), f"{FOLDER}/03-thi.md", line_of(exam, f"- {bad}"), expected)


def test_exam_list_on_one_line_is_reported_at_that_line(tmp_path):
    exam = exam_text(draw_from="[mod-a, mod-x]")

    problem = only(course_with_exam(tmp_path, exam)[1])

    assert_problem(problem, f"{FOLDER}/03-thi.md", line_of(exam, "draw_from:"), "no module 'mod-x'")


def test_module_named_twice_in_draw_from_is_a_warning(tmp_path):
    exam = exam_text(draw_from="\n  - mod-a\n  - mod-b\n  - mod-a\n")

    spec, problems = course_with_exam(tmp_path, exam)

    assert spec is not None
    assert_problem(
        only(problems, "warning"),
        f"{FOLDER}/03-thi.md",
        exam.split("\n").index("  - mod-a", 8) + 1,
        "'mod-a' is named twice in draw_from",
    )
