"""Cases 6 and 41: Vietnamese text stays NFC end to end; tricky names are refused clearly."""

import itertools
import sys
import unicodedata

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.services import (
    MAX_NAME_LENGTH,
    AccountError,
    check_full_name,
    create_user,
    normalize_name,
)
from app.certificates.models import Certificate
from app.content.rendering import render_markdown, sanitize_html
from app.content.services import sync_courses
from app.extensions import db
from tests import builders
from tests.conftest import PASSWORD, row_count
from tests.pdf.poppler import pdf_pages, pdf_text

NAME = "Nguyễn Thị Hồng Nhung"
TITLE = "Khóa học mẫu về chuyển đổi số"
SENTENCE = "Người dân xã Tả Van nộp hồ sơ trực tuyến, được hướng dẫn tận tình."


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def rewrite_course_in_nfd(courses_dir) -> None:
    """Save course.yml and the reading module decomposed (NFD), as some editors do, and sync."""
    folder = courses_dir / "khoa-mau"
    (folder / "02-doc-them.md").write_text(
        (folder / "02-doc-them.md").read_text(encoding="utf-8") + f"\n{SENTENCE}\n", encoding="utf-8"
    )
    for name in ("course.yml", "02-doc-them.md"):
        path = folder / name
        path.write_bytes(nfd(path.read_text(encoding="utf-8")).encode("utf-8"))
    assert nfd(TITLE).encode() in (folder / "course.yml").read_bytes()
    sync_courses(courses_dir)
    db.session.commit()


def assert_nfc_bytes(data: bytes, *texts: str) -> None:
    for text in texts:
        assert unicodedata.normalize("NFC", text).encode("utf-8") in data, text
        assert nfd(text).encode("utf-8") not in data, text


def test_sanitiser_keeps_nfc_text_byte_identical():
    html = f"<p>{NAME}: {SENTENCE}</p>"
    assert sanitize_html(html).encode("utf-8") == html.encode("utf-8")
    body, _ = render_markdown(SENTENCE, "/courses/khoa-mau/files")
    assert body.encode("utf-8") == f"<p>{SENTENCE}</p>".encode()


def test_nfd_name_is_stored_nfc(app, commune):
    create_user("lan", nfd(NAME), PASSWORD, unit=commune)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalar(sa.select(User.full_name).where(User.username == "lan"))
    assert stored.encode("utf-8") == NAME.encode("utf-8")


def test_nfd_input_is_byte_identical_nfc_in_database_pages_and_pdf(
    client, auth, make_user, courses_dir
):
    rewrite_course_in_nfd(courses_dir)
    assert builders.course().title.encode("utf-8") == TITLE.encode("utf-8")
    make_user(username="lan", full_name=nfd(NAME))
    auth.login("lan")
    builders.complete_course(client)
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert (certificate.full_name, certificate.course_title) == (NAME, TITLE)

    module_page = client.get("/courses/khoa-mau/modules/doc-them").data
    assert_nfc_bytes(module_page, TITLE, SENTENCE)
    verify_page = client.get(f"/verify/{certificate.display_code}").data
    assert_nfc_bytes(verify_page, NAME, TITLE)
    assert unicodedata.is_normalized("NFC", verify_page.decode("utf-8"))
    pdf = client.get(f"/certificates/{certificate.display_code}.pdf").data
    assert_nfc_bytes(pdf_text(pdf).encode("utf-8"), NAME, TITLE)


INVISIBLE = {
    "zero width space": "\u200b", "zero width non-joiner": "\u200c", "zero width joiner": "\u200d",
    "word joiner": "\u2060", "byte order mark": "\ufeff", "soft hyphen": "\u00ad",
    "left-to-right embedding": "\u202a", "right-to-left embedding": "\u202b",
    "pop directional formatting": "\u202c", "left-to-right override": "\u202d",
    "right-to-left override": "\u202e", "left-to-right isolate": "\u2066",
    "right-to-left isolate": "\u2067", "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069", "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f", "arabic letter mark": "\u061c",
}


def refusal(name: str) -> str:
    with pytest.raises(AccountError) as refused:
        create_user("lan", name, PASSWORD)
    assert row_count(User) == 0
    return str(refused.value)


def test_a_10000_character_name_is_refused(app):
    name = ("Nguyễn Thị Hồng Nhung " * 500)[:10_000]
    assert len(name.strip()) == 10_000
    assert f"1-{MAX_NAME_LENGTH} characters" in refusal(name)


@pytest.mark.parametrize("character", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_and_bidi_control_characters_are_refused(app, character):
    assert "invisible" in refusal(f"Nguyễn{character} Thị Hồng Nhung")


def test_every_invisible_format_character_is_refused(app):
    format_characters = [
        chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
    ]
    accepted = []
    for character in format_characters:  # the name checks create_user runs, without hashing
        try:
            check_full_name(normalize_name(f"Nguyễn{character} Thị"))
        except AccountError:
            continue
        accepted.append(f"U+{ord(character):04X}")
    assert accepted == []


def test_more_than_three_stacked_accents_are_refused(app):
    assert "accent" in refusal("Nguye\u0302\u0303\u0301\u0300n Thị")


@pytest.mark.parametrize(
    "stacked", ["A" + "\u0489" * 6, "A" + "\u20dd" * 6, "A\u0301\u034f\u0301\u034f\u0301\u034f\u0301"],
    ids=["enclosing-cyrillic-millions", "enclosing-circle", "accents-split-by-cgj"],
)
def test_stacked_marks_of_combining_class_zero_are_refused(app, stacked):
    assert "accent" in refusal(f"Nguyễn {stacked}")


def test_vietnamese_names_with_two_marks_on_a_letter_are_accepted(app):
    for number, name in enumerate(["Nguyễn Thị Ngọc Ánh", "Đặng Thị Hường", "Phạm Quốc Việt"]):
        create_user(f"hv{number:02d}", nfd(name), PASSWORD)
    db.session.commit()
    assert row_count(User) == 3


def name_of_length(words: list[str], length: int = MAX_NAME_LENGTH) -> str:
    name = ""
    for word in itertools.cycle(words):
        if len(f"{name} {word}".strip()) > length:
            break
        name = f"{name} {word}".strip()
    missing = length - len(name)
    return name + (" " + "M" * (missing - 1) if missing > 1 else "M" * missing)


LONGEST_NAMES = {
    "mixed-case": name_of_length("Nguyễn Thị Hồng Nhung Tôn Nữ Phương Thảo Huỳnh Đặng".split()),
    "all-caps-wide": name_of_length(["MƯỜNG", "WƯƠNG", "HOÀNG", "QUẢNG", "NGUYỄN"]),
}


def test_one_character_more_than_the_longest_name_is_refused(app):
    assert "characters" in refusal(LONGEST_NAMES["mixed-case"] + "A")


@pytest.mark.parametrize("name", LONGEST_NAMES.values(), ids=LONGEST_NAMES.keys())
def test_the_longest_valid_name_fits_a_one_page_certificate(client, auth, make_user, name):
    assert len(name) == MAX_NAME_LENGTH
    make_user(username="lan", full_name=name)
    auth.login("lan")
    builders.complete_course(client)
    pdf = db.session.scalars(sa.select(Certificate)).one().pdf
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert all(word in text for word in name.split())
