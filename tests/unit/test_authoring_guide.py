"""The module format guide served at /authoring/guide: its examples are modules the checker accepts,
and the Vietnamese guide and its English twin keep step (issue 14 item 9)."""

import re
from pathlib import Path

import pytest

from app.authoring.guide import GUIDE_FILES
from app.content.format.parsing import parse_course_folder

COURSE_YML = "id: khoa-huong-dan\ntitle: Khóa thử hướng dẫn\ndescription: Thử.\npass_mark: 70\nlanguage: vi\n"
FRONT_MATTER = "---\nid: bai-{n}\ntitle: Bài {n}\norder: {n}\nminutes: 5\n---\n\nĐọc.\n\n<!-- quiz -->\n\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c"
    "6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


def examples(language: str) -> list[str]:
    text = GUIDE_FILES[language].read_text(encoding="utf-8")
    return re.findall(r"^```markdown\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("language", sorted(GUIDE_FILES))
def test_the_sample_module_and_every_question_example_pass_the_checker(tmp_path: Path, language):
    folder = tmp_path / "khoa-huong-dan"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "so-do.png").write_bytes(PNG)
    (folder / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    modules = [e for e in examples(language) if e.startswith("---") and "draw_from" not in e]
    questions = [e for e in examples(language) if e.startswith("### ")]
    assert len(modules) == 1 and len(questions) >= 6
    (folder / "01-mau.md").write_text(modules[0], encoding="utf-8")
    for n, question in enumerate(questions, start=2):
        (folder / f"{n:02d}-cau-hoi.md").write_text(FRONT_MATTER.format(n=n) + question, encoding="utf-8")

    spec, problems = parse_course_folder(folder, tmp_path)

    assert spec is not None and [str(p) for p in problems] == []


def test_the_vietnamese_guide_and_its_english_twin_have_the_same_sections_and_examples():
    vi, en = (GUIDE_FILES[language].read_text(encoding="utf-8") for language in ("vi", "en"))
    def headings(text: str) -> list[int]:
        return [len(re.findall(rf"^{level} ", text, re.MULTILINE)) for level in ("##", "###")]

    assert headings(vi) == headings(en)
    assert examples("vi") == examples("en")
