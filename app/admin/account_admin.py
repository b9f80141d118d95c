"""What an admin does to someone else's account: reset its password, deactivate, reactivate."""

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.services import end_sessions, name_holds_word, normalize_phone
from app.audit import services as audit
from app.enrolment.credentials import hash_one_time_password, one_time_password
from app.enrolment.services import EnrolmentError
from app.extensions import db
from app.i18n.markers import N_

PAGE_SIZE = 100


def reset_password(user: User, admin: User) -> str:
    """A new one-time password, to be shown once; the user must replace it at the next login."""
    if user.id == admin.id:
        raise EnrolmentError(N_("Change your own password on your account page."))
    password = one_time_password()
    user.password_hash = hash_one_time_password(password)
    user.must_change_password = True
    end_sessions(user)
    audit.record("user.password_reset", target=user.username)
    return password


def set_active(user: User, active: bool, admin: User) -> None:
    """Deactivate (every session ends at once) or reactivate an account."""
    if user.id == admin.id:
        raise EnrolmentError(N_("You cannot deactivate or reactivate your own account."))
    if user.is_active_account == active:
        return
    user.is_active_account = active
    if not active:
        end_sessions(user)
    audit.record("user.reactivated" if active else "user.deactivated", target=user.username)


def search_users(text: str, page: int = 1) -> list[User]:
    """Users whose phone is `text`, or whose name or username holds each of its words, by
    Vietnamese name order. Names match with or without tone marks, as admins often type on a
    phone without them."""
    query = sa.select(User).order_by(User.name_sort_key, User.id)
    text = " ".join(text.split())[:120]
    if text:
        username = sa.func.lower(User.username)
        every_word = sa.and_(*(
            sa.or_(name_holds_word(word), username.contains(word.casefold(), autoescape=True))
            for word in text.split()
        ))
        phone = normalize_phone(text)
        query = query.where(sa.or_(every_word, User.phone == phone) if phone else every_word)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    return list(db.session.scalars(query.limit(PAGE_SIZE).offset(offset)))
