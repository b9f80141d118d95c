"""What admins do with issued certificates: find them, and correct a learner's name before a reissue."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from app.accounts.models import User
from app.accounts.services import check_full_name, name_holds_word, normalize_name, vietnamese_sort_key
from app.audit import services as audit
from app.certificates.codes import normalize_code
from app.certificates.models import Certificate, CertificateStatus
from app.content.models import Course
from app.extensions import db
from app.units.services import today
from app.units.tree import unit_tree_on

PAGE_SIZE = 50
STATUS_NAMES = {
    CertificateStatus.VALID: _l("Valid"),
    CertificateStatus.REVOKED: _l("Revoked"),
    CertificateStatus.SUPERSEDED: _l("Superseded"),
}


@dataclass(frozen=True)
class CertificateSearch:
    text: str = ""  # part of a name (tone marks optional) or a whole code
    unit_code: str = ""  # the unit and every unit beneath it
    course_slug: str = ""
    status: str = ""
    page: int = 1


def search_certificates(search: CertificateSearch) -> tuple[list[Certificate], bool]:
    """One page of matching certificates, newest first, and whether another page follows."""
    query = sa.select(Certificate).join(User, User.id == Certificate.user_id)
    query = _match_text(query, search.text.strip()[:120])
    if search.course_slug:
        query = (query.join(Course, Course.id == Certificate.course_id)
                 .where(Course.slug == search.course_slug))
    if search.status in set(CertificateStatus):
        query = query.where(Certificate.status == search.status)
    if search.unit_code:
        tree = unit_tree_on(today())
        unit = tree.by_code(search.unit_code)
        recorded = tree.recorded_under(unit.id) if unit else set()
        query = query.where(User.unit_id.in_(recorded))
    offset = (max(search.page, 1) - 1) * PAGE_SIZE
    rows = list(db.session.scalars(
        query.options(contains_eager(Certificate.user))  # the account tells namesakes apart
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(PAGE_SIZE + 1).offset(offset)
    ))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _match_text(query, text: str):
    if not text:
        return query
    code = normalize_code(text)
    if code is not None:
        return query.where(Certificate.code == code)
    for word in text.split():
        on_certificate = Certificate.full_name.contains(word, autoescape=True)
        query = query.where(sa.or_(name_holds_word(word), on_certificate))
    return query


def correct_learner_name(user: User, full_name: str) -> None:
    """Change a learner's name (before a reissue); raises AccountError for a name we cannot print."""
    name = normalize_name(full_name)
    check_full_name(name)
    if name == user.full_name:
        return
    audit.record("user.name_corrected", target=user.username, old_name=user.full_name, new_name=name)
    user.full_name = name
    user.name_sort_key = vietnamese_sort_key(name)
    db.session.flush()
