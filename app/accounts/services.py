"""Accounts: creating users, checking passwords, ending sessions."""

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.accounts.passwords import check_password, hash_password
from app.database import utcnow
from app.extensions import db

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PHONE_PATTERN = re.compile(r"^0\d{9,10}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
MAX_NAME_LENGTH = 120
MAX_STACKED_MARKS = 3  # Vietnamese needs two (a vowel mark and a tone) at most
# Zero-width and bidirectional control characters: invisible, and able to disguise a name.
INVISIBLE_CHARACTERS = set("\u200b\u200c\u200d\u2060\ufeff\u00ad") | {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
}
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


class AccountError(ValueError):
    """A user could not be created or changed; the message says why."""


class WrongPasswordError(AccountError):
    """The current password given to confirm a change is wrong."""


def normalize_name(full_name: str) -> str:
    """Full names are stored in NFC with single spaces."""
    return " ".join(unicodedata.normalize("NFC", full_name).split())


def check_full_name(name: str) -> None:
    """Refuse names that cannot be printed honestly on a certificate."""
    if not name or len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"full name must be 1-{MAX_NAME_LENGTH} characters")
    if any(ch in INVISIBLE_CHARACTERS or unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise AccountError("full name contains invisible or control characters")
    stacked = 0
    for ch in unicodedata.normalize("NFD", name):
        # Every mark counts, enclosing ones and the combining grapheme joiner included.
        stacked = stacked + 1 if unicodedata.category(ch).startswith("M") or ch == "\u034f" else 0
        if stacked > MAX_STACKED_MARKS:
            raise AccountError("full name has too many accent marks on one letter")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line and not line.startswith("#"))


def vietnamese_sort_key(full_name: str) -> str:
    """Sort by given name (the last word), then the whole name, ignoring tone marks first."""
    words = normalize_name(full_name).split(" ")
    ordered = " ".join([words[-1], *words[:-1]]) if words else ""
    return f"{_without_tone_marks(ordered)}|{ordered.casefold()}"


def name_holds_word(word: str) -> sa.ColumnElement[bool]:
    """The user's name contains this word, typed with or without tone marks ("nguyen" finds
    "Nguyễn"): matched in the folded half of name_sort_key, folded the same way."""
    return User.name_sort_key.contains(_without_tone_marks(word), autoescape=True)


def _without_tone_marks(text: str) -> str:
    """Case-folded, tone and vowel marks dropped, đ as d: the first half of name_sort_key."""
    return "".join(
        ch for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        if not unicodedata.combining(ch)
    ).casefold()


def normalize_phone(text: str) -> str | None:
    """"+84 912 345 678" and "0912.345.678" -> "0912345678"; None if it is not a phone number."""
    digits = re.sub(r"[\s.()-]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if PHONE_PATTERN.match(digits) else None


def create_user(
    username: str,
    full_name: str,
    password: str,
    role: str = Role.LEARNER,
    unit: "Unit | None" = None,  # noqa: F821 (app/units is above accounts: by name only)
    phone: str | None = None,
) -> User:
    """Create an account (caller commits); raises AccountError with a readable reason."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise AccountError(f"invalid username {username!r}: use 3-64 letters a-z, digits, . _ -")
    if role not in set(Role):
        raise AccountError(f"unknown role {role!r}")
    name = normalize_name(full_name)
    check_full_name(name)
    check_password_rules(password)
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise AccountError(f"username {username!r} is taken")
    user = User(
        username=username,
        full_name=name,
        name_sort_key=vietnamese_sort_key(name),
        password_hash=hash_password(password),
        role=role,
        unit=unit,
        phone=normalize_phone(phone) if phone else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(
            f"password must be {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters"
        )
    if password.casefold() in common_passwords():
        raise AccountError("this password is among the most common ones; choose another")


def find_by_login(login: str) -> User | None:
    """The account named by a username or a phone number."""
    login = login.strip()
    phone = normalize_phone(login)
    if phone is not None:
        user = db.session.scalar(sa.select(User).where(User.phone == phone))
        if user is not None:
            return user
    return db.session.scalar(sa.select(User).where(User.username == login.lower()[:64]))


class LoginClaim(NamedTuple):
    """The account a login form names, read before its password is checked."""

    user: User | None
    stored_hash: str | None
    active: bool


def login_claim(login: str) -> LoginClaim:
    user = find_by_login(login)
    if user is None:
        return LoginClaim(None, None, False)
    return LoginClaim(user, user.password_hash, user.is_active)


def check_login(claim: LoginClaim, password: str) -> User | None:
    """The claimed user if the password is hers and she is active, else None; the same work for
    unknown users. Call with no transaction open, so a login holds no database lock while it
    hashes; a hash with outdated parameters is replaced (caller commits)."""
    check = check_password(claim.stored_hash, password)
    if claim.user is None or not check.matches or not claim.active:
        return None
    if check.needs_rehash:
        claim.user.password_hash = hash_password(password)
    claim.user.last_login_at = utcnow()
    return claim.user


def end_sessions(user: User) -> None:
    """Invalidate every session of this user (logout, password change)."""
    user.session_version += 1


def change_password(user: User, current: str, new: str) -> None:
    if not check_password(user.password_hash, current).matches:
        raise WrongPasswordError("current password is wrong")
    check_password_rules(new)
    if new == current:
        raise AccountError("the new password must differ from the current one")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)


# The session's user is read on every request: the statement is built once, so SQLAlchemy
# reuses its cache key and compiled form (about 100 us less than building it each time).
_USER_BY_ID = sa.select(User).where(User.id == sa.bindparam("user_id"))


def load_user_from_session(session_id: str) -> User | None:
    """flask-login's loader: "<id>:<session version>", refused once the version moved on."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = db.session.scalar(_USER_BY_ID, {"user_id": int(user_id)})
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
