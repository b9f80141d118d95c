"""Course format v2 translations: course.yml 'translations:' and '01-a.en.md' beside '01-a.md'."""

import hashlib

import pytest

from tests.unit.test_course_parsing import (
    COURSE_YML,
    FOLDER,
    assert_problem,
    line_of,
    module_text,
    only,
    parse,
    write_course,
)

COURSE_YML_EN = COURSE_YML + (
    "translations:\n"
    "  en:\n"
    "    title: Digital transformation basics\n"
    "    description: |\n"
    "      A short course for commune leaders.\n"
)
QUIZ_VI = """\
<!-- quiz -->

### Quyết định 146 ban hành năm nào? {#q-nam}

Gợi ý: đầu năm.

- ( ) 2020
  > Năm 2020 là Chương trình 749.
- (x) 2022

> Ký ngày 28/01/2022.

### Thủ đô? {#q-thu-do .short .any-tone}

- = Hà Nội

### Số pi? {#q-pi .numeric}

- = 3.14 ± 0.01
"""
QUIZ_EN = """\
<!-- quiz -->

### In which year was Decision 146 issued? {#q-nam}

Hint: early in the year.

- ( ) 2020
  > 2020 was Programme 749.
- (x) 2022

> Signed on 28 January 2022.

### The capital? {#q-thu-do .short .any-tone}

- = Hanoi

### Pi? {#q-pi .numeric}

- = 3.14 ± 0.01
"""
READING_EN = "## Introduction\n\nWhat is digital transformation?\n"


def english(quiz: str = QUIZ_EN, **fields: object) -> str:
    values = {"title": "Why digital transformation?", "order": None, "minutes": None} | fields
    return module_text(body=READING_EN, quiz=quiz, **values)


def course(tmp_path, translation: str, course_yml: str = COURSE_YML_EN, name: str = "01-a.en.md"):
    write_course(
        tmp_path, {"01-a.md": module_text(quiz=QUIZ_VI, pass_mark=80, attempts=2), name: translation}
    )
    (tmp_path / FOLDER / "course.yml").write_text(course_yml, encoding="utf-8")
    return parse(tmp_path)


def translation_problem(tmp_path, translation: str, severity: str = "error"):
    spec, problems = course(tmp_path, translation)
    if severity == "error":
        assert spec is None
    return only(problems, severity)


# ---- what a translation gives ---------------------------------------------------------------------


def test_course_yml_translations(tmp_path):
    spec, problems = course(tmp_path, english())

    assert problems == []
    assert spec.translations == {
        "en": {
            "title": "Digital transformation basics",
            "description": "A short course for commune leaders.",
        }
    }


def test_module_translation_has_its_own_words_and_the_same_quiz_settings(tmp_path):
    module = course(tmp_path, english())[0].modules[0]

    translation = module.translations["en"]
    assert (translation.language, translation.title) == ("en", "Why digital transformation?")
    assert '<h2 id="introduction">Introduction</h2>' in translation.html
    assert 'href="#introduction"' in translation.toc_html
    assert (translation.quiz.pass_mark, translation.quiz.max_attempts) == (80, 2)
    first, short, numeric = translation.quiz.questions
    assert first.html == "In which year was Decision 146 issued?"
    assert (first.hint_html, first.options[0].feedback_html) == (
        "early in the year.",
        "2020 was Programme 749.",
    )
    assert first.correct_indexes == module.quiz.questions[0].correct_indexes
    assert short.accepted_answers == ["Hanoi"]
    assert (numeric.numeric_value, numeric.numeric_tolerance) == (3.14, 0.01)


def test_translation_bytes_are_part_of_the_module_hash(tmp_path):
    spec = course(tmp_path, english())[0]
    original = (tmp_path / FOLDER / "01-a.md").read_bytes()
    (tmp_path / FOLDER / "01-a.en.md").write_text(english(title="Why change?"), encoding="utf-8")
    changed = parse(tmp_path)[0]

    assert spec.modules[0].content_hash != hashlib.sha256(original).hexdigest()
    assert changed.modules[0].content_hash != spec.modules[0].content_hash
    assert changed.content_hash != spec.content_hash


def test_other_front_matter_keys_of_a_translation_are_taken_from_the_original(tmp_path):
    spec, problems = course(tmp_path, english(order=7, minutes=99, pass_mark=10))

    assert problems == []
    assert (spec.modules[0].order, spec.modules[0].quiz.pass_mark) == (1, 80)
    assert spec.modules[0].translations["en"].quiz.pass_mark == 80


# ---- course.yml mistakes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("translations", "needle", "expected"),
    [
        ("translations: English\n", "translations:", "'translations' must list languages"),
        ("translations:\n  fr:\n    title: Bases\n", "fr:", "'fr' is not a language Hocso shows"),
        ("translations:\n  vi:\n    title: Cơ bản\n", "vi:", "the course is written in 'vi'"),
        ("translations:\n  en:\n    description: No title\n", "en:", "missing key 'title'"),
        ("translations:\n  en: Basics\n", "en: Basics", "'en' needs 'title:'"),
        ("translations:\n  en:\n    title: ''\n", "title: ''", "'title' must not be empty"),
    ],
)
def test_mistake_in_course_yml_translations(tmp_path, translations, needle, expected):
    course_yml = COURSE_YML + translations
    spec, problems = course(tmp_path, english(), course_yml=course_yml)

    assert spec is None
    problem = only(problems)
    assert_problem(problem, f"{FOLDER}/course.yml", line_of(course_yml, needle), expected)


def test_unknown_key_in_a_course_translation_is_a_warning(tmp_path):
    course_yml = COURSE_YML_EN + "    titel: Basics\n"

    problem = only(course(tmp_path, english(), course_yml=course_yml)[1], "warning")

    assert_problem(
        problem, f"{FOLDER}/course.yml", line_of(course_yml, "titel:"), "did you mean 'title'?"
    )


def test_translated_modules_without_a_translated_course_title_is_a_warning(tmp_path):
    spec, problems = course(tmp_path, english(), course_yml=COURSE_YML)

    assert spec is not None
    assert_problem(only(problems, "warning"), f"{FOLDER}/course.yml", 1, "the course title is not")


# ---- translation file mistakes --------------------------------------------------------------------


def test_translation_without_an_original(tmp_path):
    spec, problems = course(tmp_path, english(), name="02-b.en.md")

    assert spec is None
    assert_problem(
        only(problems), f"{FOLDER}/02-b.en.md", 1, "this translation has no original: there is no 02-b.md"
    )


def test_translation_into_the_course_language(tmp_path):
    spec, problems = course(tmp_path, english(), name="01-a.vi.md")

    assert spec is None
    assert_problem(only(problems), f"{FOLDER}/01-a.vi.md", 1, "the course is written in 'vi'")


def test_translation_with_another_id(tmp_path):
    text = english(id="why-digital")

    problem = translation_problem(tmp_path, text)

    assert_problem(
        problem,
        f"{FOLDER}/01-a.en.md",
        line_of(text, "id:"),
        "id 'why-digital' is not the id of 01-a.md ('vi-sao-chuyen-doi-so')",
    )


def test_translation_without_a_title(tmp_path):
    problem = translation_problem(tmp_path, english(title=None))

    assert_problem(problem, f"{FOLDER}/01-a.en.md", 1, "missing key 'title'")


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        ("{#q-nam}", "{#q-year}", "{#q-year}", "question 1 is 'q-year' here but 'q-nam' in 01-a.md"),
        (
            "{#q-nam}",
            "{#q-nam .truefalse}",
            "{#q-nam .truefalse}",
            "question 'q-nam' is a .truefalse question here but a one-answer '( )' question",
        ),
        (
            "- (x) 2022\n",
            "- (x) 2022\n- ( ) 2025\n",
            "{#q-nam}",
            "question 'q-nam' has 3 options here but 2 in 01-a.md",
        ),
        (
            "- ( ) 2020\n  > 2020 was Programme 749.\n- (x) 2022\n",
            "- (x) 2020\n- ( ) 2022\n",
            "{#q-nam}",
            "question 'q-nam' has option(s) 1 marked correct here but 2 in 01-a.md",
        ),
        (
            "- = Hanoi\n",
            "- = Hanoi\n- = Ha Noi\n",
            "{#q-thu-do",
            "question 'q-thu-do' has 2 accepted answer(s) here but 1 in 01-a.md",
        ),
        (
            "- = 3.14 ± 0.01",
            "- = 3.14 ± 0.02",
            "{#q-pi",
            "the answer of question 'q-pi' is 3.14 ± 0.02 here but 3.14 ± 0.01 in 01-a.md",
        ),
        (
            "### Pi? {#q-pi .numeric}\n\n- = 3.14 ± 0.01\n",
            "",
            "<!-- quiz -->",
            "question(s) 'q-pi' of 01-a.md are missing in this translation",
        ),
        (
            "- = 3.14 ± 0.01\n",
            "- = 3.14 ± 0.01\n\n### Extra {#q-them}\n\n- (x) A\n- ( ) B\n",
            "{#q-them}",
            "question 'q-them' is not in 01-a.md",
        ),
    ],
)
def test_translation_whose_quiz_differs(tmp_path, old, new, needle, expected):
    assert old in QUIZ_EN
    text = english(quiz=QUIZ_EN.replace(old, new))

    problem = translation_problem(tmp_path, text)

    assert_problem(problem, f"{FOLDER}/01-a.en.md", line_of(text, needle), expected)


def test_translation_without_the_quiz_of_its_original(tmp_path):
    problem = translation_problem(tmp_path, english(quiz=""))

    assert_problem(problem, f"{FOLDER}/01-a.en.md", 1, "01-a.md has a quiz; translate it")


def test_translation_with_a_quiz_its_original_lacks(tmp_path):
    write_course(tmp_path, {"01-a.md": module_text(), "01-a.en.md": (text := english())})
    (tmp_path / FOLDER / "course.yml").write_text(COURSE_YML_EN, encoding="utf-8")

    spec, problems = parse(tmp_path)

    assert spec is None
    assert_problem(
        only(problems), f"{FOLDER}/01-a.en.md", line_of(text, "<!-- quiz -->"), "01-a.md has no quiz"
    )


def test_mistakes_inside_a_translation_are_reported_like_any_module(tmp_path):
    text = english(quiz=QUIZ_EN.replace("- = 3.14 ± 0.01", "- = pi"))

    problem = translation_problem(tmp_path, text)

    assert_problem(problem, f"{FOLDER}/01-a.en.md", line_of(text, "- = pi"), "'pi' is not a number")
