"""The course format: a valid folder parses fully; each mistake is reported at file:line."""

import hashlib
from pathlib import Path

import pytest

from app.content.format.course_format import CourseSpec
from app.content.format.parsing import parse_course_folder, parse_courses
from app.problems import Problem

FOLDER = "khoa-hoc"
COURSE_YML = """\
id: chuyen-doi-so-co-ban
title: Chuyển đổi số cơ bản
description: |
  Khóa học ngắn giúp lãnh đạo xã hiểu chuyển đổi số.
pass_mark: 70
language: vi
"""
QUIZ = """\
<!-- quiz -->

### Quyết định 146/QĐ-TTg được ban hành năm nào? {#q-nam-ban-hanh}

- ( ) 2020
- (x) 2022
- ( ) 2025

> Quyết định 146/QĐ-TTg được ký ngày 28/01/2022.

### Những việc nào sau đây giúp bảo vệ tài khoản? {#q-bao-ve-tai-khoan}

Chọn tất cả các đáp án đúng.

- [x] Bật xác thực hai lớp
- [ ] Dùng chung một mật khẩu cho mọi tài khoản
- [x] Không chia sẻ mã **OTP** với bất kỳ ai

> Xác thực hai lớp và giữ kín mã OTP
> giúp bảo vệ tài khoản.

### Cổng Dịch vụ công quốc gia cho phép nộp hồ sơ trực tuyến. {#q-dvc-truc-tuyen .truefalse}

- (x) Đúng
- ( ) Sai
"""
READING = """\
## Mở đầu

Chuyển đổi số là gì? ![Sơ đồ](images/so-do.png)

### Đối với xã
"""


def front_matter(**fields: object) -> str:
    """Module front matter; a field set to None is left out."""
    values = {
        "id": "vi-sao-chuyen-doi-so",
        "title": "Vì sao phải chuyển đổi số?",
        "order": 1,
        "minutes": 15,
    } | fields
    lines = [f"{key}: {value}" for key, value in values.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def module_text(body: str = READING, quiz: str = "", **fields: object) -> str:
    return front_matter(**fields) + body + ("\n" + quiz if quiz else "")


def write_course(
    root: Path,
    modules: dict[str, str] | None = None,
    course_yml: str | None = COURSE_YML,
    files: tuple[str, ...] = ("images/so-do.png",),
    folder: str = FOLDER,
) -> Path:
    """A course folder under root: course.yml, the module files and empty attachment files."""
    course = root / folder
    course.mkdir(parents=True)
    if course_yml is not None:
        (course / "course.yml").write_text(course_yml, encoding="utf-8")
    for name, text in (modules if modules is not None else {"01-a.md": module_text()}).items():
        (course / name).write_text(text, encoding="utf-8")
    for name in files:
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_bytes(b"\x89PNG")
    return course


def parse(root: Path) -> tuple[CourseSpec | None, list[Problem]]:
    return parse_course_folder(root / FOLDER, root)


def line_of(text: str, needle: str) -> int:
    """1-based number of the only line containing needle."""
    found = [n for n, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def only(problems: list[Problem], severity: str = "error") -> Problem:
    matching = [p for p in problems if p.severity == severity]
    assert len(matching) == 1, "\n".join(str(p) for p in problems)
    return matching[0]


def assert_problem(problem: Problem, path: str, line: int, text: str) -> None:
    assert (problem.path, problem.line) == (path, line), str(problem)
    assert text in problem.message, str(problem)


def quiz_problem(
    tmp_path: Path, quiz: str, needle: str, severity: str = "error"
) -> tuple[Problem, int]:
    """The one problem of a module with this quiz, and the line number of needle in the file."""
    text = module_text(quiz=quiz)
    write_course(tmp_path, {"01-a.md": text})
    spec, problems = parse(tmp_path)
    problem = only(problems, severity)
    if severity == "error":
        assert spec is None
    return problem, line_of(text, needle)


# ---- a valid course ---------------------------------------------------------------------------


def test_valid_course_parses_fully(tmp_path):
    write_course(tmp_path, {"01-a.md": module_text(quiz=QUIZ, pass_mark=80)})

    spec, problems = parse(tmp_path)

    assert problems == []
    assert (spec.id, spec.title, spec.pass_mark, spec.language, spec.folder) == (
        "chuyen-doi-so-co-ban",
        "Chuyển đổi số cơ bản",
        70,
        "vi",
        FOLDER,
    )
    assert spec.description.startswith("Khóa học ngắn")
    module = spec.modules[0]
    assert (module.id, module.order, module.minutes, module.required) == (
        "vi-sao-chuyen-doi-so",
        1,
        15,
        True,
    )
    assert module.path == f"{FOLDER}/01-a.md"
    assert '<h2 id="mo-dau">Mở đầu</h2>' in module.html
    assert 'src="/courses/chuyen-doi-so-co-ban/files/images/so-do.png"' in module.html
    assert 'href="#doi-voi-xa"' in module.toc_html
    assert "quiz" not in module.body


def test_quiz_questions_kinds_answers_and_explanations(tmp_path):
    write_course(tmp_path, {"01-a.md": module_text(quiz=QUIZ, pass_mark=80)})

    quiz = parse(tmp_path)[0].modules[0].quiz

    single, multiple, true_false = quiz.questions
    assert quiz.pass_mark == 80
    assert [q.kind for q in quiz.questions] == ["single", "multiple", "truefalse"]
    assert [q.id for q in quiz.questions] == [
        "q-nam-ban-hanh",
        "q-bao-ve-tai-khoan",
        "q-dvc-truc-tuyen",
    ]
    assert single.correct_indexes == {1}
    assert multiple.correct_indexes == {0, 2}
    assert true_false.correct_indexes == {0}
    assert [o.html for o in true_false.options] == ["Đúng", "Sai"]
    assert single.html == "Quyết định 146/QĐ-TTg được ban hành năm nào?"
    assert "<p>Chọn tất cả các đáp án đúng.</p>" in multiple.html
    assert multiple.options[2].html == "Không chia sẻ mã <strong>OTP</strong> với bất kỳ ai"
    assert "giữ kín mã OTP\ngiúp bảo vệ" in multiple.explanation_html
    assert true_false.explanation_html == ""
    assert single.line == line_of(module_text(quiz=QUIZ, pass_mark=80), "{#q-nam-ban-hanh}")


def test_module_without_quiz_marker_has_no_quiz(tmp_path):
    write_course(tmp_path)

    assert parse(tmp_path)[0].modules[0].quiz is None


def test_modules_are_sorted_by_order_and_readme_is_not_a_module(tmp_path):
    write_course(
        tmp_path,
        {
            "01-a.md": module_text(id="mod-late", order=2),
            "02-b.md": module_text(id="mod-early", order=1, required="false"),
            "README.md": "# Ghi chú cho giảng viên\n",
        },
    )

    spec, problems = parse(tmp_path)

    assert problems == []
    assert [m.id for m in spec.modules] == ["mod-early", "mod-late"]
    assert spec.modules[0].required is False


def test_hashes_are_sha256_of_the_files(tmp_path):
    course = write_course(tmp_path)
    module_hash = hashlib.sha256((course / "01-a.md").read_bytes()).hexdigest()

    spec = parse(tmp_path)[0]
    (course / "01-a.md").write_text(module_text(minutes=20), encoding="utf-8")
    changed = parse(tmp_path)[0]

    assert spec.modules[0].content_hash == module_hash
    assert len(spec.content_hash) == 64
    assert changed.content_hash != spec.content_hash
    assert changed.modules[0].content_hash != module_hash


def test_crlf_line_endings_and_byte_order_mark_are_accepted(tmp_path):
    course = write_course(tmp_path)
    text = "\ufeff" + module_text(quiz=QUIZ).replace("\n", "\r\n")
    (course / "01-a.md").write_bytes(text.encode("utf-8"))

    spec, problems = parse(tmp_path)

    assert problems == []
    assert len(spec.modules[0].quiz.questions) == 3


def test_parse_courses_reads_every_course_folder_and_skips_hidden_ones(tmp_path):
    write_course(tmp_path, folder="khoa-mot")
    write_course(
        tmp_path,
        folder="khoa-hai",
        course_yml=COURSE_YML.replace("chuyen-doi-so-co-ban", "an-toan-thong-tin"),
    )
    write_course(
        tmp_path, folder=".nhap", course_yml=COURSE_YML.replace("chuyen-doi-so-co-ban", "ban-nhap")
    )
    (tmp_path / "images").mkdir()

    specs, problems = parse_courses(tmp_path)

    assert problems == []
    assert sorted(s.id for s in specs) == ["an-toan-thong-tin", "chuyen-doi-so-co-ban"]


def test_parse_courses_leaves_out_a_course_with_errors(tmp_path):
    write_course(tmp_path, folder="khoa-mot")
    write_course(
        tmp_path,
        folder="khoa-hai",
        course_yml=COURSE_YML.replace("chuyen-doi-so-co-ban", "an-toan-thong-tin"),
        modules={"01-a.md": module_text(order=0)},
    )

    specs, problems = parse_courses(tmp_path)

    assert [s.id for s in specs] == ["chuyen-doi-so-co-ban"]
    assert only(problems).path == "khoa-hai/01-a.md"


# ---- course.yml and folders -----------------------------------------------------------------


def test_missing_course_yml(tmp_path):
    write_course(tmp_path, course_yml=None)

    spec, problems = parse(tmp_path)

    assert spec is None
    assert_problem(only(problems), f"{FOLDER}/course.yml", 1, "course.yml is missing")


def test_course_yaml_spelling_is_pointed_out(tmp_path):
    course = write_course(tmp_path, course_yml=None)
    (course / "course.yaml").write_text(COURSE_YML, encoding="utf-8")

    specs, problems = parse_courses(tmp_path)

    assert specs == []
    assert_problem(only(problems), f"{FOLDER}/course.yaml", 1, "rename course.yaml to course.yml")


def test_folder_with_modules_but_no_course_yml_is_skipped_with_a_warning(tmp_path):
    write_course(tmp_path, course_yml=None)

    specs, problems = parse_courses(tmp_path)

    assert specs == []
    assert_problem(only(problems, "warning"), f"{FOLDER}/course.yml", 1, "no course.yml")


def test_missing_courses_folder(tmp_path):
    specs, problems = parse_courses(tmp_path / "nowhere")

    assert specs == []
    assert "does not exist" in only(problems).message


def test_yaml_syntax_error_in_course_yml(tmp_path):
    write_course(
        tmp_path,
        course_yml=COURSE_YML.replace(
            "title: Chuyển đổi số cơ bản", "title: Chuyển đổi số: cơ bản"
        ),
    )

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/course.yml", 2, "YAML syntax error")


def test_yaml_syntax_error_in_front_matter_points_at_the_file_line(tmp_path):
    text = module_text(title="[Vì sao")
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/01-a.md", line_of(text, "title:"), "YAML syntax error")


@pytest.mark.parametrize("key", ["id", "title", "pass_mark", "language"])
def test_missing_course_key(tmp_path, key):
    lines = COURSE_YML.split("\n")
    write_course(tmp_path, course_yml="\n".join(x for x in lines if not x.startswith(key + ":")))

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/course.yml", 1, f"missing key '{key}'; add a line like")


@pytest.mark.parametrize(
    ("line", "replacement", "expected"),
    [
        (
            "id: chuyen-doi-so-co-ban",
            "id: Chuyển Đổi Số",
            "lowercase a-z, 0-9 and hyphens (got 'Chuyển Đổi Số'); did you mean 'chuyen-doi-so'?",
        ),
        ("id: chuyen-doi-so-co-ban", "id: ab", "must be 3-64 characters"),
        ("title: Chuyển đổi số cơ bản", "title: '  '", "'title' must not be empty"),
        ("pass_mark: 70", "pass_mark: 120", "from 0 to 100"),
        ("pass_mark: 70", "pass_mark: 70%", "without '%' (got '70%')"),
        ("pass_mark: 70", "pass_mark: '70'", "write the number without quotes"),
        ("pass_mark: 70", "pass_mark: true", "(got true)"),
        ("language: vi", "language: vn", "must be 'vi' or 'en' (got 'vn')"),
    ],
)
def test_invalid_course_value(tmp_path, line, replacement, expected):
    course_yml = COURSE_YML.replace(line, replacement)
    write_course(tmp_path, course_yml=course_yml)

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/course.yml", line_of(course_yml, replacement), expected)


def test_unknown_course_key_is_a_warning_with_a_suggestion(tmp_path):
    write_course(tmp_path, course_yml=COURSE_YML + "pas_mark: 80\n")

    spec, problems = parse(tmp_path)

    assert spec is not None
    assert_problem(
        only(problems, "warning"),
        f"{FOLDER}/course.yml",
        7,
        "unknown key 'pas_mark' is ignored; did you mean 'pass_mark'?",
    )


def test_duplicate_key(tmp_path):
    write_course(tmp_path, course_yml=COURSE_YML + "language: en\n")

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/course.yml", 7, "key 'language' appears twice")


def test_course_without_modules(tmp_path):
    write_course(tmp_path, modules={})

    assert_problem(only(parse(tmp_path)[1]), f"{FOLDER}/course.yml", 1, "no modules")


def test_duplicate_course_ids_across_folders(tmp_path):
    write_course(tmp_path, folder="khoa-a")
    write_course(tmp_path, folder="khoa-b")

    specs, problems = parse_courses(tmp_path)

    assert [s.folder for s in specs] == ["khoa-a"]
    assert_problem(
        only(problems),
        "khoa-b/course.yml",
        1,
        "course id 'chuyen-doi-so-co-ban' is already used by khoa-a/course.yml",
    )


# ---- module front matter ---------------------------------------------------------------------


@pytest.mark.parametrize("key", ["id", "title", "order", "minutes"])
def test_missing_module_key(tmp_path, key):
    write_course(tmp_path, {"01-a.md": module_text(**{key: None})})

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/01-a.md", 1, f"missing key '{key}'")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("id", "Vi_Sao", "'id' must be 3-64 characters"),
        ("title", "''", "'title' must not be empty"),
        ("order", 0, "'order' must be a whole number of 1 or more (got '0')"),
        ("order", 1.5, "'order' must be a whole number"),
        ("minutes", "'15'", "write the number without quotes"),
        ("minutes", -3, "'minutes' must be a whole number of 1 or more"),
        ("required", "yes please", "'required' must be true or false (got 'yes please')"),
        ("required", "'true'", "'required' must be true or false"),
        ("pass_mark", 101, "'pass_mark' must be a whole number from 0 to 100"),
    ],
)
def test_invalid_module_value(tmp_path, key, value, expected):
    text = module_text(quiz=QUIZ, **{key: value})
    write_course(tmp_path, {"01-a.md": text})

    spec, problems = parse(tmp_path)

    assert spec is None
    assert_problem(only(problems), f"{FOLDER}/01-a.md", line_of(text, f"{key}:"), expected)


def test_unknown_module_key_suggests_the_known_one(tmp_path):
    text = module_text(minute=10)
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1], "warning")

    assert_problem(
        problem,
        f"{FOLDER}/01-a.md",
        line_of(text, "minute: 10"),
        "unknown key 'minute' is ignored; did you mean 'minutes'?",
    )


def test_missing_front_matter(tmp_path):
    write_course(tmp_path, {"01-a.md": READING})

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/01-a.md", 1, "missing front matter")


def test_unclosed_front_matter(tmp_path):
    write_course(tmp_path, {"01-a.md": "---\nid: vi-sao\ntitle: Vì sao\n\n## Mở đầu\n"})

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/01-a.md", 1, "never closed")


def test_duplicate_module_ids(tmp_path):
    second = module_text(order=2)
    write_course(tmp_path, {"01-a.md": module_text(), "02-b.md": second})

    problem = only(parse(tmp_path)[1])

    assert_problem(
        problem,
        f"{FOLDER}/02-b.md",
        line_of(second, "id:"),
        f"module id 'vi-sao-chuyen-doi-so' is already used by {FOLDER}/01-a.md",
    )


def test_duplicate_orders(tmp_path):
    second = module_text(id="mod-hai")
    write_course(tmp_path, {"01-a.md": module_text(), "02-b.md": second})

    problem = only(parse(tmp_path)[1])

    assert_problem(
        problem,
        f"{FOLDER}/02-b.md",
        line_of(second, "order:"),
        f"order 1 is already used by {FOLDER}/01-a.md",
    )


def test_pass_mark_without_a_quiz_is_a_warning(tmp_path):
    text = module_text(pass_mark=80)
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1], "warning")

    assert_problem(problem, f"{FOLDER}/01-a.md", line_of(text, "pass_mark"), "no effect")


def test_decomposed_text_is_a_warning(tmp_path):
    text = module_text(title="Chuye\u0302\u0309n đổi số")
    write_course(tmp_path, {"01-a.md": text})

    spec, problems = parse(tmp_path)

    assert_problem(
        only(problems, "warning"),
        f"{FOLDER}/01-a.md",
        line_of(text, "title:"),
        "text is decomposed (NFD); save it as NFC",
    )
    assert spec.modules[0].title == "Chuyển đổi số"


def test_text_that_is_not_utf8_is_an_error(tmp_path):
    course = write_course(tmp_path)
    windows_1252 = b"Ti\xeang Vi\xeat\n"
    (course / "01-a.md").write_bytes(module_text().encode("utf-8") + windows_1252)

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/01-a.md", module_text().count("\n") + 1, "not UTF-8")


# ---- links, images and raw HTML --------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("![Sơ đồ](images/khong-co.png)", "file 'images/khong-co.png' was not found"),
        ("![Sơ đồ](images/so-do.PNG)", "did you mean 'images/so-do.png'?"),
        ("[tài liệu](tai-lieu/mau.pdf)", "file 'tai-lieu/mau.pdf' was not found"),
        ("![x](../khoa-khac/anh.png)", "points outside the course folder"),
        ("![x](images/../../anh.png)", "points outside the course folder"),
        ("![x](/etc/passwd)", "is an absolute path"),
        ("![x](C:/Users/anh.png)", "is an absolute path"),
        ('<img src="images/khong-co.png" alt="x">', "was not found"),
        ("[bấm](javascript:alert(1))", "'javascript:' links are not allowed"),
        ("[bấm](JaVaScRiPt:alert(1))", "'javascript:' links are not allowed"),
        ("[bấm](java&#x09;script:alert(1))", "'javascript:' links are not allowed"),
        ("[bấm](data:text/html;base64,PHNjcmlwdD4=)", "'data:' links are not allowed"),
        ("![x](file:///C:/anh.png)", "'file:' links are not allowed"),
        ('<a href="javascript:void(0)">x</a>', "'javascript:' links are not allowed"),
        ("[tham khảo]: javascript:alert(1)", "'javascript:' links are not allowed"),
    ],
)
def test_bad_link_or_image_is_an_error(tmp_path, markdown, expected):
    text = module_text(body=f"Đoạn đầu.\n\n{markdown}\n")
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1])

    assert_problem(problem, f"{FOLDER}/01-a.md", line_of(text, markdown), expected)


def test_link_with_another_scheme_is_a_warning(tmp_path):
    text = module_text(body="[tải](ftp://example.org/a.zip)\n")
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1], "warning")

    assert_problem(problem, f"{FOLDER}/01-a.md", line_of(text, "ftp:"), "'ftp:' links are removed")


def test_good_links_and_code_examples_are_not_reported(tmp_path):
    body = (
        "[Cổng DVC](https://dichvucong.gov.vn) [thư](mailto:a@b.vn) [lên](#mo-dau)\n"
        '![Sơ đồ](images/so-do.png "Sơ đồ") ![Sơ đồ](<images/so-do.png>)\n'
        "[x](images/../images/so-do.png)\n\n"
        "`[ví dụ](khong-co.png)` và `<script>`\n\n"
        "```\n[ví dụ](javascript:alert(1))\n<iframe>\n```\n"
    )
    write_course(tmp_path, {"01-a.md": module_text(body=body)})

    assert parse(tmp_path)[1] == []


def test_raw_html_that_would_be_removed_is_a_warning(tmp_path):
    text = module_text(body='Video: <iframe src="https://youtube.com/x"></iframe>\n')
    write_course(tmp_path, {"01-a.md": text})

    spec, problems = parse(tmp_path)

    assert spec is not None
    assert_problem(
        only(problems, "warning"),
        f"{FOLDER}/01-a.md",
        line_of(text, "<iframe"),
        "raw HTML: the <iframe> tag will be removed",
    )


def test_raw_html_attribute_that_would_be_removed_is_a_warning(tmp_path):
    text = module_text(body='<b onclick="alert(1)">Chú ý</b> và <kbd>Ctrl</kbd>\n')
    write_course(tmp_path, {"01-a.md": text})

    problem = only(parse(tmp_path)[1], "warning")

    assert_problem(
        problem, f"{FOLDER}/01-a.md", line_of(text, "onclick"), "the onclick attribute of <b>"
    )


# ---- the quiz part ---------------------------------------------------------------------------


def quiz_of(*questions: str) -> str:
    return "<!-- quiz -->\n\n" + "\n".join(questions)


GOOD_QUESTION = "### Câu dễ {#q-de}\n\n- (x) Có\n- ( ) Không\n"


def test_question_without_id(tmp_path):
    problem, line = quiz_problem(
        tmp_path, quiz_of("### Dịch vụ công là gì?\n\n- (x) A\n- ( ) B\n"), "### Dịch vụ công"
    )

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "question has no id")
    assert "{#q-dich-vu-cong-la-gi}" in problem.message


def test_question_with_a_bad_id(tmp_path):
    problem, line = quiz_problem(
        tmp_path, quiz_of("### Câu {#Cau_1}\n\n- (x) A\n- ( ) B\n"), "{#Cau_1}"
    )

    assert_problem(
        problem, f"{FOLDER}/01-a.md", line, "question id 'Cau_1' must be 3-64 characters"
    )


def test_duplicate_question_id(tmp_path):
    quiz = quiz_of(GOOD_QUESTION, "### Câu khác {#q-de}\n\n- (x) A\n- ( ) B\n")

    problem, line = quiz_problem(tmp_path, quiz, "### Câu khác")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "question id 'q-de' is already used on")


def test_question_with_one_option(tmp_path):
    problem, line = quiz_problem(
        tmp_path, quiz_of("### Câu {#q-mot}\n\n- (x) Chỉ một\n"), "### Câu"
    )

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "question has 1 option(s); add at least 2")


def test_single_choice_without_a_correct_option(tmp_path):
    problem, line = quiz_problem(
        tmp_path, quiz_of("### Câu {#q-sai}\n\n- ( ) A\n- ( ) B\n"), "### Câu"
    )

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "mark the right answer with '(x)'")


def test_single_choice_with_two_correct_options(tmp_path):
    quiz = quiz_of("### Câu {#q-hai}\n\n- (x) A\n- (x) B thứ hai\n- ( ) C\n")

    problem, line = quiz_problem(tmp_path, quiz, "B thứ hai")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "more than one option is marked '(x)'")


def test_multiple_choice_without_a_correct_option(tmp_path):
    problem, line = quiz_problem(
        tmp_path, quiz_of("### Câu {#q-nhieu}\n\n- [ ] A\n- [ ] B\n"), "### Câu"
    )

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "mark every right answer with '[x]'")


def test_mixed_option_styles(tmp_path):
    problem, line = quiz_problem(
        tmp_path, quiz_of("### Câu {#q-tron}\n\n- (x) A\n- [ ] B lạ\n"), "B lạ"
    )

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "mixes '( )' and '[ ]' options")


def test_true_false_with_three_options(tmp_path):
    quiz = quiz_of(
        "### Đúng hay sai? {#q-ds .truefalse}\n\n- (x) Đúng\n- ( ) Sai\n- ( ) Không rõ\n"
    )

    problem, line = quiz_problem(tmp_path, quiz, "### Đúng hay sai?")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "needs exactly 2 options")


def test_true_false_with_checkbox_options(tmp_path):
    quiz = quiz_of("### Đúng hay sai? {#q-ds .truefalse}\n\n- [x] Đúng\n- [ ] Sai\n")

    problem, line = quiz_problem(tmp_path, quiz, "- [x] Đúng")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "uses '( )' options, not '[ ]'")


def test_true_false_with_two_correct_options(tmp_path):
    quiz = quiz_of("### Đúng hay sai? {#q-ds .truefalse}\n\n- (x) Đúng\n- (x) Sai\n")

    problem, line = quiz_problem(tmp_path, quiz, "- (x) Sai")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "more than one option is marked '(x)'")


def test_unknown_question_class_is_a_warning_with_a_suggestion(tmp_path):
    quiz = quiz_of("### Đúng hay sai? {#q-ds .truefals}\n\n- (x) Đúng\n- ( ) Sai\n")

    problem, line = quiz_problem(tmp_path, quiz, "### Đúng hay sai?", severity="warning")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "did you mean '.truefalse'?")


def test_stray_text_after_the_options(tmp_path):
    quiz = quiz_of("### Câu {#q-le}\n\n- (x) A\n- ( ) B\n\nGiải thích không có dấu >.\nTiếp.\n")

    problem, line = quiz_problem(tmp_path, quiz, "Giải thích không")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "text after the options is not shown")


def test_stray_text_after_the_explanation(tmp_path):
    quiz = quiz_of("### Câu {#q-le}\n\n- (x) A\n- ( ) B\n\n> Giải thích.\n\nCòn sót lại.\n")

    problem, line = quiz_problem(tmp_path, quiz, "Còn sót lại")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "write the explanation as a blockquote")


def test_option_after_the_explanation(tmp_path):
    quiz = quiz_of("### Câu {#q-le}\n\n- (x) A\n- ( ) B\n\n> Giải thích.\n\n- ( ) C muộn\n")

    problem, line = quiz_problem(tmp_path, quiz, "C muộn")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "option comes after the explanation")


def test_list_item_without_a_mark_among_options(tmp_path):
    quiz = quiz_of("### Câu {#q-le}\n\n- (x) A\n- ( ) B\n- C không dấu\n")

    problem, line = quiz_problem(tmp_path, quiz, "C không dấu")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "has no '( )' or '[ ]' mark")


def test_text_before_the_first_question(tmp_path):
    quiz = "<!-- quiz -->\n\nPhần kiểm tra.\n\n" + GOOD_QUESTION

    problem, line = quiz_problem(tmp_path, quiz, "Phần kiểm tra")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "is not shown; move it above")


def test_heading_of_another_level_in_the_quiz(tmp_path):
    problem, line = quiz_problem(tmp_path, quiz_of(GOOD_QUESTION, "## Phần hai\n"), "## Phần hai")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "level-3 heading")


def test_quiz_marker_without_questions(tmp_path):
    problem, line = quiz_problem(tmp_path, "<!-- quiz -->\n", "<!-- quiz -->")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "the quiz has no questions")


def test_second_quiz_marker(tmp_path):
    problem, line = quiz_problem(
        tmp_path, quiz_of(GOOD_QUESTION) + "\n<!--quiz-->\n", "<!--quiz-->"
    )

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "remove this second")


def test_raw_html_in_a_question_is_a_warning(tmp_path):
    quiz = quiz_of("### Câu <b>đậm</b> {#q-html}\n\n- (x) A\n- ( ) B\n")

    problem, line = quiz_problem(tmp_path, quiz, "<b>đậm</b>", severity="warning")

    assert_problem(problem, f"{FOLDER}/01-a.md", line, "Markdown, not HTML")


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    quiz = quiz_of("### A {#q-a}\n\n- ( ) x\n- ( ) y\n", "### B\n\n- [ ] x\n- [ ] y\n")
    write_course(
        tmp_path, {"01-a.md": module_text(body="![x](khong-co.png)\n", quiz=quiz, order=0)}
    )

    problems = parse(tmp_path)[1]

    assert len([p for p in problems if p.severity == "error"]) == 5


def test_problem_prints_as_file_line_severity_message(tmp_path):
    problem = Problem("khoa-hoc/01-a.md", 12, "question has no id")

    assert str(problem) == "khoa-hoc/01-a.md:12: error: question has no id"
