"""Case 4: text a learner controls is escaped wherever it is shown, and never evaluated."""

import re
from html.parser import HTMLParser
from pathlib import Path

import sqlalchemy as sa

from app.certificates.models import Certificate
from app.extensions import db
from tests import builders
from tests.conftest import PASSWORD
from tests.pdf.poppler import pdf_text
from tests.security.own_scripts import without_own_scripts

HOSTILE_NAME = "<script>alert(1)</script>{{7*7}}"
ESCAPED_NAME = "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}"
APP_DIR = Path(__file__).resolve().parents[2] / "app"
FORBIDDEN_IN_CODE = re.compile(r"\|\s*safe\b|\bMarkup\(|\brender_template_string\b|\bMarkup\s+as\b")


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []

    def handle_data(self, data):
        self.texts.append(data)


def texts_of(page: str) -> list[str]:
    parser = _Texts()
    parser.feed(page)
    return parser.texts


def certified_hostile_learner(client, auth, make_user) -> str:
    """Log in as the learner with the hostile name, finish the course; the certificate code."""
    make_user(username="lan", full_name=HOSTILE_NAME)
    auth.login("lan")
    builders.complete_course(client)
    return db.session.scalars(sa.select(Certificate)).one().display_code


def assert_shown_as_text(page: str, hostile: str = HOSTILE_NAME) -> None:
    """No script tag; wherever the hostile text shows, it shows whole and unevaluated."""
    page = without_own_scripts(page)
    assert not re.search(r"<script", page, re.IGNORECASE)
    for text in texts_of(page):
        if "alert(1)" in text:
            assert hostile in text and "49" not in text.replace(hostile, ""), text


def test_name_is_escaped_on_every_learner_page(client, auth, make_user):
    code = certified_hostile_learner(client, auth, make_user)
    token = builders.start_attempt(client, "gioi-thieu")
    urls = (
        "/courses", "/courses/khoa-mau", "/courses/khoa-mau/modules/gioi-thieu",
        "/courses/khoa-mau/modules/doc-them", f"/attempts/{token}", "/certificates",
        "/account/password", f"/verify/{code}",
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.get_data(as_text=True))
    assert ESCAPED_NAME in client.get("/account/password").get_data(as_text=True)


def test_name_is_escaped_on_the_public_verify_page(client, auth, make_user):
    code = certified_hostile_learner(client, auth, make_user)
    auth.logout()
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert ESCAPED_NAME in page
    assert HOSTILE_NAME in texts_of(page)
    assert_shown_as_text(page)


def test_certificate_pdf_prints_the_name_literally(client, auth, make_user):
    certified_hostile_learner(client, auth, make_user)
    pdf = db.session.scalars(sa.select(Certificate)).one().pdf
    assert HOSTILE_NAME in pdf_text(pdf, layout=False)


def test_typed_login_is_escaped_in_the_audit_log(client, auth, make_user):
    hostile_login = "<script>alert(1)</script>"
    client.post("/login", data={"login": hostile_login, "password": "sai-mat-khau-123"})
    make_user(role="admin", username="admin")
    auth.login("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert_shown_as_text(page, hostile_login)


def test_query_strings_reflected_into_pages_are_escaped(client, make_user):
    make_user(role="admin", username="admin")
    probe = '"><script>alert(1)</script>{{7*7}}'
    anonymous = client.get("/login", query_string={"next": probe, "x": probe})
    assert_shown_as_text(anonymous.get_data(as_text=True), probe)
    client.post("/login", data={"login": "admin", "password": PASSWORD})
    audit = client.get("/admin/audit", query_string={"event": probe, "actor": probe})
    assert audit.status_code == 200
    assert_shown_as_text(audit.get_data(as_text=True), probe)


def is_the_sanitized_filter(path: Path, line: str) -> bool:
    """The allowed places: app/__init__.py registering `sanitized` as Markup(sanitize_html_cached(...)),
    and app/i18n/request_locale.py's template gettext, which (as Jinja's own) marks the app's
    catalogue text safe and escapes the variables formatted into it."""
    if path == APP_DIR / "i18n" / "request_locale.py":
        return line.strip() == CATALOGUE_MARKUP
    return path == APP_DIR / "__init__.py" and all(
        part in line for part in ('filters["sanitized"]', "Markup(sanitize_html_cached(")
    )


CATALOGUE_MARKUP = ("return (Markup(text) if context.eval_ctx.autoescape else text) % variables"
                    "  # noqa: S704  # nosec B704")


def test_no_code_or_template_marks_text_safe_except_the_sanitized_filter():
    found, allowed = [], []
    for path in sorted([*APP_DIR.rglob("*.py"), *APP_DIR.rglob("*.html")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN_IN_CODE.search(line):
                where = allowed if is_the_sanitized_filter(path, line) else found
                where.append(f"{path.relative_to(APP_DIR)}:{number}: {line.strip()}")
    assert found == []
    assert len(allowed) == 3  # the filter, the catalogue's gettext and ngettext


def test_every_jinja_environment_the_app_builds_autoescapes():
    built = [
        (path, match)
        for path in APP_DIR.rglob("*.py")
        for match in re.finditer(r"\bEnvironment\((.*?)\n\)", path.read_text(encoding="utf-8"), re.DOTALL)
    ]
    assert built  # the certificate template has its own environment
    for path, match in built:
        assert "autoescape=True" in match.group(1), path


def test_the_catalogue_gettext_escapes_what_is_formatted_into_it(app):
    from flask import render_template_string

    probe = "<script>alert(1)</script>"
    with app.test_request_context("/"):
        page = render_template_string(
            "{{ _('Welcome, %(name)s!', name=probe) }}"
            "|{{ ngettext('%(num)d module', '%(num)d modules', 2) }}",
            probe=probe)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.endswith("|2 modules") or page.endswith("|2 bài học")
