"""Usernames made from names, and one-time passwords people can read off paper. Pure."""

import re
import secrets
import unicodedata
from concurrent.futures import ThreadPoolExecutor

from werkzeug.security import generate_password_hash

# No 0/o, 1/l/i: a commune leader copies this from a printed slip onto a phone keyboard.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a password
PASSWORD_GROUPS = 3
PASSWORD_GROUP_LENGTH = 4  # 12 symbols of 31: 59 bits
MAX_USERNAME_LENGTH = 64
FALLBACK_USERNAME = "hocvien"


def one_time_password() -> str:
    """A random password like "k7mp-x3ta-9qwe", to be replaced at the first login."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
        for _ in range(PASSWORD_GROUPS)
    )


def username_base(full_name: str) -> str:
    """"Nguyễn Thị Hồng Nhung" -> "nguyenthihongnhung": ASCII letters and digits only."""
    text = unicodedata.normalize("NFD", full_name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    base = re.sub(r"[^a-z0-9]", "", bare)[: MAX_USERNAME_LENGTH - 6]
    return base if len(base) >= 3 else FALLBACK_USERNAME


def unique_username(base: str, taken: set[str]) -> str:
    """`base`, else base2, base3, ... : the first that is not in `taken` (which it joins)."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{number}"
    taken.add(candidate)
    return candidate


# A one-time password is random (59 bits) and is replaced at the first login, so it does not
# need the work factor that protects passwords people choose: guessing it offline takes 2^58
# tries on average, years even at a billion tries a second, and scrypt at 1 MiB allows far
# fewer. The light parameters let a province's list of 20,000 learners be imported in a couple
# of minutes (3 ms per account instead of 12 ms at 4 MiB, 16 ms for argon2 at login strength).
ONE_TIME_HASH_METHOD = "scrypt:1024:8:1"
HASHING_THREADS = 2  # scrypt leaves the interpreter lock: both cores of a small server hash at once


def hash_one_time_password(password: str) -> str:
    """The stored hash of a generated one-time password (scrypt, salted)."""
    return generate_password_hash(password, method=ONE_TIME_HASH_METHOD)


def hash_one_time_passwords(passwords: list[str]) -> list[str]:
    """Their hashes, in order, computed on HASHING_THREADS threads."""
    with ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="hocso-hash") as pool:
        return list(pool.map(hash_one_time_password, passwords))
