"""The Hocso account of a verified provider identity: found by its link, matched by a claim, or
created as a learner. Services: they add and flush, the view commits."""

import hashlib
import logging
import secrets
from typing import Any

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.external_sign_in import local_password_allowed
from app.accounts.models import Role, User
from app.database import utcnow
from app.extensions import db
from app.sso.models import SsoLink
from app.sso.refusals import SsoRefusal
from app.sso.settings import Provider
from app.units.services import unit_by_code_or_name

log = logging.getLogger("hocso.sso")


def account_for(provider: Provider, claims: dict[str, Any]) -> User:
    """The active account this identity signs in to (linked on first use), or SsoRefusal."""
    subject = claims["sub"]
    link = db.session.scalar(
        sa.select(SsoLink).where(SsoLink.provider == provider.name, SsoLink.subject == subject)
    )
    if link is None:
        user = matching_account(provider, claims)
        if user is None:
            user = create_learner(provider, claims)
        _refuse_if_inactive(user)
        if _linked_subject(provider, user) is not None:
            raise SsoRefusal("linked_to_another", detail=f"user {user.username}")
        link = SsoLink(provider=provider.name, subject=subject, user=user)
        db.session.add(link)
    _refuse_if_inactive(link.user)
    if not local_password_allowed(link.user.role):
        # A one-time password she cannot use must not hold her on the password change page.
        link.user.must_change_password = False
    link.last_login_at = link.user.last_login_at = utcnow()
    db.session.flush()
    return link.user


def _refuse_if_inactive(user: User) -> None:
    if not user.is_active:
        raise SsoRefusal("inactive_account", detail=f"user {user.username}")


def _linked_subject(provider: Provider, user: User) -> str | None:
    return db.session.scalar(
        sa.select(SsoLink.subject).where(SsoLink.provider == provider.name,
                                         SsoLink.user_id == user.id)
    )


def match_value(provider: Provider, claims: dict[str, Any]) -> str:
    """The match claim, normalised as the login form normalises what is typed; SsoRefusal
    when the provider did not send it (or sent something that is not one)."""
    value = claims.get(provider.match_claim)
    if not isinstance(value, str) or not value.strip():
        raise SsoRefusal("missing_claim", claim=provider.match_claim)
    if provider.match_field == "phone":
        phone = accounts.normalize_phone(value)
        if phone is None:
            raise SsoRefusal("missing_claim", claim=provider.match_claim, detail="not a phone number")
        return phone
    return value.strip().lower()[:64]


def matching_account(provider: Provider, claims: dict[str, Any]) -> User | None:
    value = match_value(provider, claims)
    column = User.phone if provider.match_field == "phone" else User.username
    return db.session.scalar(sa.select(User).where(column == value))


def full_name_from(claims: dict[str, Any]) -> str:
    """OpenID's `name`, else family, middle and given names in the Vietnamese order."""
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name
    parts = [claims.get(key) for key in ("family_name", "middle_name", "given_name")]
    return " ".join(part for part in parts if isinstance(part, str) and part.strip())


def create_learner(provider: Provider, claims: dict[str, Any]) -> User:
    """A learner in the provider's CREATE_UNIT, or SsoRefusal("no_account") without one."""
    if not provider.create_unit:
        raise SsoRefusal("no_account", detail=f"no account matches {provider.match_claim}")
    unit = unit_by_code_or_name(provider.create_unit)
    if unit is None:
        log.error("OIDC_%s_CREATE_UNIT=%r names no unit: nobody new can sign in",
                  provider.name.upper(), provider.create_unit)
        raise SsoRefusal("cannot_create", detail=f"unit {provider.create_unit!r} not found")
    name = full_name_from(claims)
    if not name:
        raise SsoRefusal("missing_claim", claim="name")
    value = match_value(provider, claims)
    try:
        return accounts.create_user(
            _new_username(provider, claims["sub"], value),
            name,
            secrets.token_urlsafe(32),  # never shown: she signs in through the provider
            Role.LEARNER,
            unit,
            phone=value if provider.match_field == "phone" else None,
        )
    except accounts.AccountError as error:
        raise SsoRefusal("cannot_create", detail=str(error)) from error


def _new_username(provider: Provider, subject: str, match_value: str) -> str:
    """The identifier itself when accounts are named by it, else one made from the subject."""
    if provider.match_field == "username" and accounts.USERNAME_PATTERN.match(match_value):
        return match_value
    return f"{provider.name}-{hashlib.sha256(subject.encode()).hexdigest()[:16]}"
