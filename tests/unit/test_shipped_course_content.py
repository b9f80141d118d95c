"""Editorial rules for the courses that ship in courses/ (issue 13).

These tests read the real course folder: they pin how the shipped content is written,
not how the parser works (tests/unit/test_course_parsing.py does that).
"""

import re
import unicodedata
from pathlib import Path

import pytest

from app.content.format.parsing import parse_courses

COURSES = Path(__file__).resolve().parents[2] / "courses"
MAIN_COURSE = "chuyen-doi-so-lanh-dao-xa"
# The short course `make run` shows; it follows the main course's editorial rules at a smaller size.
DEMO_COURSE = "chuyen-doi-so-co-ban"

# A legal document number: laws (148/2025/QH15), decrees (69/2024/NĐ-CP), decisions (749/QĐ-TTg),
# Government and Party resolutions (03/NQ-CP, 57-NQ/TW), Party plans (01-KH/BCĐTW).
DOC_NUMBER = re.compile(
    r"\b\d{1,4}(?:/\d{4})?[/-](?:QH\d{2}|NĐ-CP|QĐ-TTg|QĐ-BTTTT|NQ-CP|NQ/TW|KH/BCĐTW)"
)
DATE = r"\d{2}/\d{2}/\d{4}"
# The one form every reference must take at least once per file: the number, then its date,
# and for laws and decrees also the date of effect. Vietnamese "ngày" / English "of".
ISSUED = r"(?:,)? (?:ngày|of) " + DATE
IN_EFFECT = r", (?:hiệu lực từ|in effect from) " + DATE

# Laws in force named in the courses, by name; a file that names one must give its number.
# The repealed 2015 and 2018 laws are referred to by name and year only.
LAW_NUMBERS = {
    r"Luật Chuyển đổi số|Law on Digital Transformation": "148/2025/QH15",
    r"Luật Giao dịch điện tử|Law on Electronic Transactions": "20/2023/QH15",
    r"Luật Dữ liệu|Law on Data\b": "60/2024/QH15",
    r"Luật Bảo vệ dữ liệu cá nhân|Law on Personal Data Protection": "91/2025/QH15",
    r"Luật An ninh mạng(?! năm 2018)|Law on Cybersecurity(?! of 2018)": "116/2025/QH15",
    r"Luật Trí tuệ nhân tạo|Law on Artificial Intelligence": "134/2025/QH15",
    r"Luật Bảo vệ bí mật nhà nước|Law on Protection of State Secrets": "117/2025/QH15",
}

# Multi-answer questions where all options but one are right, kept on purpose (none today).
# Add an id here, with a comment saying why, only when the pattern is intended.
INTENDED_ALL_BUT_ONE: set[str] = set()

CHECKLIST = {"vi": "## Việc cần làm trong tuần này", "en": "## Things to do this week"}
SOURCES = {"vi": "## Nguồn", "en": "## Sources"}
# Courses allowed to ship without English twins (none today).
WITHOUT_ENGLISH: set[str] = set()


@pytest.fixture(scope="module")
def specs():
    specs, problems = parse_courses(COURSES)
    assert [str(p) for p in problems] == []
    return {spec.id: spec for spec in specs}


def course_files():
    return sorted(COURSES.glob("*/*.md"))


def quiz_questions(specs):
    """Every question of every module, in the course language and in each translation."""
    for spec in specs.values():
        for module in spec.modules:
            quizzes = [module.quiz, *(t.quiz for t in module.translations.values())]
            for quiz in quizzes:
                for question in quiz.questions if quiz else []:
                    yield spec.id, module.id, question


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[*`_]", "", " ".join(text.split()))


@pytest.mark.parametrize("path", course_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_legal_reference_has_number_date_and_effect_in_one_form(path):
    text = path.read_text(encoding="utf-8")
    missing = []
    for number in sorted(set(DOC_NUMBER.findall(text))):
        form = re.escape(number) + ISSUED
        if number.endswith(("QH15", "QH14", "QH13", "NĐ-CP")):
            form += IN_EFFECT
        if not re.search(form, text):
            missing.append(number)
    assert missing == [], ("give each of these once as "
                           "'number, ngày/of dd/mm/yyyy[, hiệu lực từ/in effect from dd/mm/yyyy]'")


@pytest.mark.parametrize("path", course_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_named_law_in_force_comes_with_its_number(path):
    text = path.read_text(encoding="utf-8")
    missing = [
        number for name, number in LAW_NUMBERS.items() if re.search(name, text) and number not in text
    ]
    assert missing == []


def test_no_multi_answer_question_has_all_options_but_one_right(specs):
    guessable = [
        f"{course}/{module}/{question.id}"
        for course, module, question in quiz_questions(specs)
        if question.kind == "multiple"
        and len(question.options) >= 3
        and len(question.correct_indexes) == len(question.options) - 1
        and question.id not in INTENDED_ALL_BUT_ONE
    ]
    assert guessable == []


def test_no_question_text_contains_its_answer(specs):
    giveaways = []
    for course, module, question in quiz_questions(specs):
        prompt = normalised(question.text + " " + question.hint)
        if question.kind == "short":
            answers = question.accepted_answers
        else:
            answers = [option.text for option in question.options if option.correct]
        telling = [a for a in answers if question.kind == "short" or len(a) >= 12]
        if any(len(a) >= 4 and normalised(a) in prompt for a in telling):
            giveaways.append(f"{course}/{module}/{question.id}")
    assert giveaways == []


def test_every_module_of_the_main_course_has_a_checklist_sources_and_ten_questions(specs):
    course = specs[MAIN_COURSE]
    lessons = [module for module in course.modules if not module.draw_from]
    assert len(lessons) == 7
    for module in lessons:
        assert CHECKLIST["vi"] in module.body, module.id
        assert SOURCES["vi"] in module.body, module.id
        assert len(module.quiz.questions) >= 10, module.id


def test_every_module_of_the_demo_course_has_a_checklist_sources_and_eight_questions(specs):
    course = specs[DEMO_COURSE]
    assert len(course.modules) == 3
    for module in course.modules:
        assert CHECKLIST["vi"] in module.body, module.id
        assert SOURCES["vi"] in module.body, module.id
        assert len(module.quiz.questions) >= 8, module.id


@pytest.mark.parametrize("course_folder", [MAIN_COURSE, DEMO_COURSE])
def test_the_english_twins_have_the_checklist_and_sources(course_folder):
    for path in sorted((COURSES / course_folder).glob("0*.md")):
        if path.name.endswith(".en.md") or "kiem-tra" in path.name:
            continue
        twin = path.with_name(path.name[:-3] + ".en.md")
        text = twin.read_text(encoding="utf-8")
        assert CHECKLIST["en"] in text, twin.name
        assert SOURCES["en"] in text, twin.name


def test_the_final_exam_draws_from_every_lesson(specs):
    course = specs[MAIN_COURSE]
    exams = [module for module in course.modules if module.draw_from]
    lessons = {module.id for module in course.modules if not module.draw_from}
    assert len(exams) == 1
    assert set(exams[0].draw_from) == lessons


@pytest.mark.parametrize("course_folder", sorted(p.name for p in COURSES.iterdir() if p.is_dir()))
def test_every_module_has_an_english_twin(course_folder):
    if course_folder in WITHOUT_ENGLISH:
        pytest.xfail(f"{course_folder} has no English yet")
    modules = [p for p in (COURSES / course_folder).glob("*.md") if not p.name.endswith(".en.md")]
    modules = [p for p in modules if p.name != "README.md"]
    missing = [p.name for p in modules if not p.with_name(p.name[:-3] + ".en.md").exists()]
    assert modules and missing == []
