"""Login slips: one card per new account, grouped by commune, several to an A4 page. Pure.

The PDF goes through the project's one locked-down renderer; the one-time passwords exist only
in it and on the screen, never in the database.
"""

import math
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.certificates.pdf_rendering import DEFAULT_TIMEOUT_SECONDS, register_warm_up, render_pdf

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "enrolment"
TEMPLATE_NAME = "login_slips_pdf.html"
SLIPS_PER_PAGE = 8  # two columns of four; the template's sizes assume it
SLIPS_PER_RENDER = 400  # 50 pages per WeasyPrint document
RENDER_WORKERS = 2

_templates = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,  # names and units are admin- or learner-controlled text
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class LoginSlip:
    group: str  # the commune (or other unit) whose slips are printed together
    full_name: str
    unit_name: str
    position: str
    username: str
    password: str


def login_slips_html(slips: list[LoginSlip], login_url: str, issuer: str) -> str:
    """The slips as HTML for `render_pdf`, in the order given, a new page for each group."""
    slips = [LoginSlip(*(unicodedata.normalize("NFC", v) for v in vars(s).values())) for s in slips]
    groups = [(name, list(members)) for name, members in groupby(slips, key=lambda s: s.group)]
    return _templates.get_template(TEMPLATE_NAME).render(
        groups=groups, login_url=login_url, issuer=issuer, per_page=SLIPS_PER_PAGE,
    )


def render_login_slips_pdf(slips: list[LoginSlip], login_url: str, issuer: str,
                           timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
                           seconds_per_page: float = 0.0) -> bytes:
    """The slips as one PDF. A province's list is rendered in parts of SLIPS_PER_RENDER slips, two
    at a time, and joined: WeasyPrint's time per page grows with the document (1,000 slips in
    one document took 29 s, 20,000 would have taken many minutes and gigabytes). Each part's
    processor-time budget is `timeout_seconds` plus `seconds_per_page` for each of its pages."""
    from app.certificates.pdf_joining import join_pdfs  # pypdf only where a PDF is made

    def render(part: list[LoginSlip]) -> bytes:
        budget = timeout_seconds + seconds_per_page * page_count(part)
        return render_pdf(login_slips_html(part, login_url, issuer), timeout_seconds=budget)

    parts = slip_parts(slips)
    if len(parts) == 1:
        return render(parts[0])
    with ThreadPoolExecutor(max_workers=RENDER_WORKERS, thread_name_prefix="hocso-slips") as pool:
        return join_pdfs(list(pool.map(render, parts)), title="Phiếu đăng nhập Hocso")


def page_count(slips: list[LoginSlip]) -> int:
    """Pages these slips fill: each group starts a page."""
    return sum(math.ceil(len(list(members)) / SLIPS_PER_PAGE)
               for _, members in groupby(slips, key=lambda s: s.group))


def slip_parts(slips: list[LoginSlip], size: int = 0) -> list[list[LoginSlip]]:
    """The slips cut into parts of at most `size` (SLIPS_PER_RENDER), in order, cutting only where
    a page ends anyway: between groups, or inside a group after a full page."""
    size = size or SLIPS_PER_RENDER
    step = max(SLIPS_PER_PAGE, size - size % SLIPS_PER_PAGE)  # whole pages of a group
    parts: list[list[LoginSlip]] = [[]]
    for _, members in groupby(slips, key=lambda s: s.group):
        members = list(members)
        for start in range(0, len(members), step):
            piece = members[start:start + step]
            if parts[-1] and len(parts[-1]) + len(piece) > size:
                parts.append([])
            parts[-1].extend(piece)
    return parts


# The render children fork from a process that has laid out a slip once (its fonts, weights and
# sizes loaded): each of a province's 50 parts then skips that start-up. A fixed sample of ours.
_SAMPLE = LoginSlip("Xã Mẫu", "Nguyễn Thị Hồng Nhung", "Xã Mẫu", "Chủ tịch UBND xã", "nguyenthihongnhung",
                    "k7mp-x3ta-9qwe")
register_warm_up(lambda: login_slips_html([_SAMPLE], "https://hocso.invalid/login", "Hocso"))
