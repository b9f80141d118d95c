"""The certificate as a document: frozen facts -> HTML -> PDF. Pure: no Flask, no database."""

import dataclasses
import datetime
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.certificates.pdf_rendering import (
    DEFAULT_TIMEOUT_SECONDS,
    register_warm_up,
    render_pdf,
)
from app.i18n.dates import format_vietnamese_date

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "certificates"
TEMPLATE_NAME = "certificate_pdf.html"

# Name font sizes (pt) by length, so the longest allowed name (120 characters) keeps one page.
_NAME_SIZES = ((28, 34), (40, 28), (64, 21), (None, 16))
_TITLE_SIZES = ((60, 21), (110, 16), (None, 13))

_templates = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,  # every fact is learner- or admin-controlled text
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class CertificateFacts:
    """Everything printed on one certificate, frozen when it is issued."""

    code: str  # display form, "7KQ2M-9XW4T-HC3PA-R8FVN"
    full_name: str
    unit_name: str
    course_title: str
    completed_on: datetime.date
    score: int  # percent
    issuer: str
    signer_name: str
    signer_title: str
    verify_url: str


def certificate_html(facts: CertificateFacts) -> str:
    """The certificate as HTML for `render_pdf` (A4 landscape, one page, text NFC)."""
    facts = _nfc_facts(facts)
    return _templates.get_template(TEMPLATE_NAME).render(
        facts=facts,
        completed_on=format_vietnamese_date(facts.completed_on),
        name_size=_size_for(facts.full_name, _NAME_SIZES),
        title_size=_size_for(facts.course_title, _TITLE_SIZES),
        qr_data_uri=_qr_data_uri(facts.verify_url),
        verify_link=_link_or_empty(facts.verify_url),
    )


def render_certificate_pdf(
    facts: CertificateFacts, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
) -> bytes:
    """The certificate PDF, rendered through the project's one locked-down renderer."""
    return render_pdf(certificate_html(facts), timeout_seconds=timeout_seconds)


def _nfc_facts(facts: CertificateFacts) -> CertificateFacts:
    texts = {
        field.name: unicodedata.normalize("NFC", value)
        for field in dataclasses.fields(facts)
        if isinstance(value := getattr(facts, field.name), str)
    }
    return dataclasses.replace(facts, **texts)


def _size_for(text: str, sizes: tuple[tuple[int | None, int], ...]) -> int:
    for max_length, points in sizes:
        if max_length is None or len(text) <= max_length:
            return points
    raise AssertionError("the last size has no length limit")


def _link_or_empty(url: str) -> str:
    # Only a web address becomes a clickable link; anything else is printed as plain text.
    return url if url.startswith(("https://", "http://")) else ""


def _qr_data_uri(url: str) -> str:
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_data_uri(border=0, dark="#1d2b4f")


_SAMPLE = CertificateFacts(
    code="7KQ2M-9XW4T-HC3PA-R8FVN",
    full_name="Nguyễn Thị Hồng Nhung",
    unit_name="Ủy ban nhân dân xã Tả Van",
    course_title="Chuyển đổi số cho lãnh đạo cấp xã",
    completed_on=datetime.date(2025, 3, 5),
    score=92,
    issuer="Sở Khoa học và Công nghệ",
    signer_name="Hoàng Văn Đức",
    signer_title="Giám đốc",
    verify_url="https://example.invalid/verify/7KQ2M-9XW4T-HC3PA-R8FVN",
)
register_warm_up(lambda: certificate_html(_SAMPLE))  # a fixed sample: no learner data
