"""Login slips: one card per new account, grouped by commune, several to an A4 page. Pure.

The PDF goes through the project's one locked-down renderer; the one-time passwords exist only
in it and on the screen, never in the database.
"""

import unicodedata
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.certificates.pdf_rendering import DEFAULT_TIMEOUT_SECONDS, render_pdf

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "enrolment"
TEMPLATE_NAME = "login_slips_pdf.html"
SLIPS_PER_PAGE = 8  # two columns of four; the template's sizes assume it

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
                           timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> bytes:
    return render_pdf(login_slips_html(slips, login_url, issuer), timeout_seconds=timeout_seconds)
