"""The certificate as a person sees it: exact Vietnamese text, embedded fonts, one page."""

import unicodedata

import pytest

from app.certificates.certificate_document import certificate_html, render_certificate_pdf
from tests.pdf.conftest import CODE, VERIFY_URL
from tests.pdf.poppler import (
    embedded_file_count,
    inflated_bytes,
    pdf_fonts,
    pdf_pages,
    pdf_text,
    qr_codes,
)


@pytest.mark.parametrize("name", ["Nguyễn Thị Hồng Nhung", "Hoàng Văn Đức"])
def test_certificate_prints_every_fact_exactly(make_facts, name):
    text = pdf_text(render_certificate_pdf(make_facts(full_name=name)))

    for expected in (
        "GIẤY CHỨNG NHẬN HOÀN THÀNH KHÓA HỌC",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH LÀO CAI",
        "Chứng nhận ông/bà",
        name,
        "Đơn vị: UBND xã Tả Van, huyện Sa Pa",
        "Chuyển đổi số cho lãnh đạo cấp xã",
        "Điểm: 92/100",
        "Hoàn thành ngày 5 tháng 3 năm 2025",
        "GIÁM ĐỐC",
        "Nguyễn Văn An",
        CODE,
        f"Kiểm tra tại: {VERIFY_URL}",
    ):
        assert expected in text


def test_decomposed_input_prints_composed(make_facts):
    composed = "Nguyễn Thị Hồng Nhung"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed

    facts = make_facts(
        full_name=decomposed, course_title=unicodedata.normalize("NFD", "Chuyển đổi số")
    )
    html = certificate_html(facts)
    text = pdf_text(render_certificate_pdf(facts))

    assert decomposed not in html
    assert composed in html
    assert composed in text
    assert "Chuyển đổi số" in text
    assert unicodedata.is_normalized("NFC", text)


def test_fonts_are_be_vietnam_pro_and_embedded(make_facts):
    fonts = pdf_fonts(render_certificate_pdf(make_facts(full_name="Hoàng Văn Đức")))

    names = {name.split("+")[-1] for name, _ in fonts}
    assert names == {"Be-Vietnam-Pro", "Be-Vietnam-Pro-Bold"}
    assert all(embedded == "yes" for _, embedded in fonts)


@pytest.mark.parametrize("length", [1, 28, 29, 40, 41, 64, 65, 120])
def test_long_facts_stay_on_one_page(make_facts, length):
    name = ("Nguyễn Thị Hồng Nhung Hoàng Văn Đức " * 8)[:length].strip() or "A"
    facts = make_facts(
        full_name=name,
        unit_name=("Ủy ban nhân dân xã Tả Van, huyện Sa Pa, tỉnh Lào Cai " * 3)[:120],
        course_title=("Chuyển đổi số cho lãnh đạo cấp xã và chính quyền số " * 4)[:200],
    )
    pdf = render_certificate_pdf(facts)

    assert pdf_pages(pdf) == 1
    assert name.split()[-1] in pdf_text(pdf)


def test_a_name_without_spaces_wraps_on_one_page(make_facts):
    pdf = render_certificate_pdf(make_facts(full_name="Ữ" * 120))

    assert pdf_pages(pdf) == 1
    assert pdf_text(pdf).count("Ữ") == 120


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/passwd">x</a>',
        "{{ 7*7 }} {% raw %}",
    ],
)
def test_markup_in_facts_prints_as_literal_text(make_facts, markup):
    facts = make_facts(full_name=markup, unit_name=markup, course_title=markup)
    pdf = render_certificate_pdf(facts)
    text = pdf_text(pdf)

    assert markup in text
    assert embedded_file_count(pdf) == 0
    assert "root:x:0:0" not in text
    assert b"root:x:0:0" not in inflated_bytes(pdf)


def test_qr_code_scans_to_the_verify_address(make_facts):
    assert qr_codes(render_certificate_pdf(make_facts())) == [VERIFY_URL]


def test_qr_code_is_inline_and_the_address_is_a_link(make_facts):
    html = certificate_html(make_facts())

    assert 'src="data:image/svg+xml' in html
    assert f'Kiểm tra tại: <a href="{VERIFY_URL}">{VERIFY_URL}</a>' in html


def test_verify_address_that_is_not_http_is_not_a_link(make_facts):
    html = certificate_html(make_facts(verify_url="javascript:alert(1)"))

    assert 'href="javascript:' not in html
    assert "Kiểm tra tại: javascript:alert(1)" in html


def test_a_learner_without_a_unit_gets_no_unit_line(make_facts):
    text = pdf_text(render_certificate_pdf(make_facts(unit_name="")))

    assert "Đơn vị" not in text
    assert "Nguyễn Thị Hồng Nhung" in text
