"""flask courses import-gift / export-gift on a copy of the fixture courses."""

from pathlib import Path

import pytest

from app.authoring.cli import courses_cli
from app.content.gift.cli import export_gift_command, import_gift_command
from app.content.gift.codec import parse_gift

BANK = Path(__file__).parents[1] / "fixtures" / "gift" / "bank.gift"


@pytest.fixture
def runner(app):
    # The app factory attaches these commands; until it does, attach them here.
    for command in (import_gift_command, export_gift_command):
        if command.name not in courses_cli.commands:
            courses_cli.add_command(command)
    return app.test_cli_runner()


def import_gift(runner, file: Path, module: str = "an-toan", *extra: str):
    return runner.invoke(
        args=["courses", "import-gift", str(file), "--course", "khoa-mau", "--module", module, *extra]
    )


def validate(runner, courses_dir: Path):
    return runner.invoke(args=["courses", "validate", str(courses_dir)])


def test_import_appends_to_a_module_quiz_and_the_course_still_validates(runner, courses_dir):
    module = courses_dir / "khoa-mau" / "03-an-toan.md"
    before = module.read_text(encoding="utf-8")

    result = import_gift(runner, BANK)

    assert result.exit_code == 0, result.output
    assert "Imported 11 question(s) into khoa-mau/03-an-toan.md; 6 skipped." in result.output
    after = module.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip()) and after.count("<!-- quiz -->") == 1
    assert "### Thủ đô của Việt Nam là thành phố nào? {#thu-do .short}" in after
    assert "- = 3 ± 2" in after
    assert validate(runner, courses_dir).exit_code == 0


def test_import_reports_every_question_it_skips_and_why(runner, courses_dir):
    result = import_gift(runner, BANK)

    for line in (
        "bank.gift:58: skipped: 'Ghép nối': matching questions are not supported",
        "bank.gift:63: skipped: 'Tự luận': essay questions are not supported",
        "bank.gift:69: skipped: 'Nhiều đáp án số': numeric ranges with several weighted answers",
        "bank.gift:74: skipped: 'Không có đáp án đúng': a multiple-choice question without a correct",
        "bank.gift:22: note: 'Trọng số lệch': partial credit differs",
    ):
        assert line in result.output


def test_import_twice_gives_new_question_ids(runner, courses_dir):
    import_gift(runner, BANK)

    result = import_gift(runner, BANK)

    assert result.exit_code == 0, result.output
    text = (courses_dir / "khoa-mau" / "03-an-toan.md").read_text(encoding="utf-8")
    assert "{#thu-do .short}" in text and "{#thu-do-2 .short}" in text


def test_import_creates_a_missing_module_with_the_quiz_section(runner, courses_dir):
    result = import_gift(runner, BANK, "ngan-hang-cau-hoi", "--minutes", "20")

    assert result.exit_code == 0, result.output
    text = (courses_dir / "khoa-mau" / "04-ngan-hang-cau-hoi.md").read_text(encoding="utf-8")
    assert text.startswith(
        "---\nid: ngan-hang-cau-hoi\ntitle: Cơ bản\norder: 4\nminutes: 20\n---\n\n<!-- quiz -->\n"
    )
    assert validate(runner, courses_dir).exit_code == 0


def test_import_adds_the_quiz_marker_to_a_reading_module(runner, courses_dir):
    result = import_gift(runner, BANK, "doc-them", "--language", "en")

    assert result.exit_code == 0, result.output
    text = (courses_dir / "khoa-mau" / "02-doc-them.md").read_text(encoding="utf-8")
    assert "để hoàn thành.\n\n<!-- quiz -->\n\n### " in text
    assert "- (x) True\n  > Đúng vậy.\n- ( ) False" in text


def test_import_of_nothing_importable_fails_and_changes_nothing(runner, courses_dir, tmp_path):
    gift = tmp_path / "khong-ho-tro.gift"
    gift.write_text("::Tự luận::Nêu ba lợi ích. {}\n\n::Ghép::Ghép. {=a -> b =c -> d}\n", encoding="utf-8")
    module = courses_dir / "khoa-mau" / "03-an-toan.md"
    before = module.read_bytes()

    result = import_gift(runner, gift)

    assert result.exit_code != 0
    assert "essay questions are not supported" in result.output
    assert "nothing was imported" in result.output
    assert module.read_bytes() == before


def test_import_that_breaks_validation_leaves_the_module_unchanged(runner, courses_dir, tmp_path):
    gift = tmp_path / "anh-thieu.gift"
    gift.write_text("::Ảnh::[markdown]Xem ![sơ đồ](images/khong-co.png). {=A ~B}\n", encoding="utf-8")
    module = courses_dir / "khoa-mau" / "03-an-toan.md"
    before = module.read_bytes()

    result = import_gift(runner, gift)

    assert result.exit_code != 0
    assert "khoa-mau/03-an-toan.md:" in result.output and "khong-co.png" in result.output
    assert module.read_bytes() == before


def test_import_that_breaks_validation_removes_the_new_module(runner, courses_dir, tmp_path):
    gift = tmp_path / "anh-thieu.gift"
    gift.write_text("::Ảnh::[markdown]Xem ![sơ đồ](images/khong-co.png). {=A ~B}\n", encoding="utf-8")

    result = import_gift(runner, gift, "module-moi")

    assert result.exit_code != 0
    assert sorted(p.name for p in (courses_dir / "khoa-mau").glob("*.md")) == [
        "01-gioi-thieu.md",
        "02-doc-them.md",
        "03-an-toan.md",
    ]


def test_import_names_an_unknown_course(runner, courses_dir):
    result = runner.invoke(
        args=["courses", "import-gift", str(BANK), "--course", "khong-co", "--module", "abc"]
    )

    assert result.exit_code != 0 and "no course with id 'khong-co'" in result.output


def test_export_writes_the_module_questions_as_gift(runner, courses_dir):
    result = runner.invoke(args=["courses", "export-gift", "--course", "khoa-mau", "--module", "gioi-thieu"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("$CATEGORY: khoa-mau/gioi-thieu\n")
    questions, problems = parse_gift(result.output)
    assert [(q.title, q.kind) for q in questions] == [
        ("q-nam", "single"),
        ("q-bao-ve", "multiple"),
        ("q-dvc", "truefalse"),
    ]
    assert problems == []


def test_export_to_a_file_then_import_elsewhere(runner, courses_dir, tmp_path):
    out = tmp_path / "gioi-thieu.gift"
    exported = runner.invoke(
        args=["courses", "export-gift", "--course", "khoa-mau", "--module", "gioi-thieu", "-o", str(out)]
    )

    imported = import_gift(runner, out, "ban-sao")

    assert exported.exit_code == 0 and imported.exit_code == 0, exported.output + imported.output
    copy = (courses_dir / "khoa-mau" / "04-ban-sao.md").read_text(encoding="utf-8")
    assert "### Quyết định 146/QĐ-TTg được ban hành năm nào? {#q-nam}" in copy
    assert "> CANARY-EXPLANATION Quyết định được ký ngày 28/01/2022." in copy


def test_export_of_a_module_without_quiz_fails_clearly(runner, courses_dir):
    result = runner.invoke(args=["courses", "export-gift", "--course", "khoa-mau", "--module", "doc-them"])

    assert result.exit_code != 0 and "has no questions" in result.output


# ---- categories and names (issue 14 item 18) ---------------------------------------------------

TWO_CATEGORIES = (
    "$CATEGORY: $course$/top/Dịch vụ công\n\n::Nộp hồ sơ::Nộp hồ sơ ở đâu? {=Trực tuyến ~Giấy}\n\n"
    "$CATEGORY: $course$/top/An toàn thông tin\n\n::Mã OTP::Có nên cho người khác mã OTP? {F}\n\n"
    "::Mật khẩu::Mật khẩu mạnh dài bao nhiêu ký tự? {#12}\n"
)


@pytest.fixture
def two_categories(tmp_path) -> Path:
    gift = tmp_path / "hai-muc.gift"
    gift.write_text(TWO_CATEGORIES, encoding="utf-8")
    return gift


def test_without_module_each_category_becomes_a_module(runner, courses_dir, two_categories):
    result = runner.invoke(args=["courses", "import-gift", str(two_categories), "--course", "khoa-mau"])

    assert result.exit_code == 0, result.output
    assert ("hai-muc.gift: category '$course$/top/Dịch vụ công': 1 question(s) into module "
            "'dich-vu-cong' (04-dich-vu-cong.md)") in result.output
    assert ("hai-muc.gift: category '$course$/top/An toàn thông tin': 2 question(s) into module "
            "'an-toan-thong-tin' (05-an-toan-thong-tin.md)") in result.output
    assert "Imported 3 question(s) into khoa-mau/04-dich-vu-cong.md (1), " in result.output
    second = (courses_dir / "khoa-mau" / "05-an-toan-thong-tin.md").read_text(encoding="utf-8")
    assert second.startswith("---\nid: an-toan-thong-tin\ntitle: An toàn thông tin\norder: 5\n")
    assert "<!-- GIFT title: Mã OTP -->\n<!-- GIFT category: $course$/top/An toàn thông tin -->" in second
    assert validate(runner, courses_dir).exit_code == 0


def test_without_module_a_question_before_any_category_is_refused(runner, courses_dir, tmp_path):
    gift = tmp_path / "khong-muc.gift"
    gift.write_text("::Một::Câu một? {T}\n\n$CATEGORY: Mục\n\n::Hai::Câu hai? {F}\n", encoding="utf-8")

    result = runner.invoke(args=["courses", "import-gift", str(gift), "--course", "khoa-mau"])

    assert result.exit_code != 0
    assert "khong-muc.gift:1: this question comes before any $CATEGORY line; give --module" in result.output
    assert len(list((courses_dir / "khoa-mau").glob("*.md"))) == 3


def test_into_one_module_every_question_of_several_categories_is_reported(runner, two_categories):
    result = import_gift(runner, two_categories)

    assert result.exit_code == 0, result.output
    for line in (
        "hai-muc.gift:3: note: 'Nộp hồ sơ': category '$course$/top/Dịch vụ công' goes into module 'an-toan'",
        "hai-muc.gift:7: note: 'Mã OTP': category '$course$/top/An toàn thông tin' goes into module",
        "hai-muc.gift:9: note: 'Mật khẩu': category '$course$/top/An toàn thông tin' goes into module",
    ):
        assert line in result.output


def test_export_gives_back_the_imported_names_and_categories(runner, two_categories):
    import_gift(runner, two_categories)

    result = runner.invoke(args=["courses", "export-gift", "--course", "khoa-mau", "--module", "an-toan"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("$CATEGORY: khoa-mau/an-toan\n")
    categories = [line for line in result.output.split("\n") if line.startswith("$CATEGORY")]
    assert categories == ["$CATEGORY: khoa-mau/an-toan", "$CATEGORY: $course$/top/Dịch vụ công",
                          "$CATEGORY: $course$/top/An toàn thông tin"]
    questions, _ = parse_gift(result.output)
    assert [q.title for q in questions][-3:] == ["Nộp hồ sơ", "Mã OTP", "Mật khẩu"]
