"""Certificate codes: 100 random bits, written in groups a person can read aloud."""

import secrets

# Crockford's base32: no I, L, O or U, so a code read over the phone is not misheard.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 20 symbols x 5 bits = 100 bits
GROUP = 5
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate_code() -> str:
    """A new code in stored form (20 symbols, no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """"7KQ2M9XW4THC3PAR8FVN" -> "7KQ2M-9XW4T-HC3PA-R8FVN"."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_code(typed: str) -> str | None:
    """The stored form of a code typed or scanned by a person, or None if it cannot be one."""
    if len(typed) > 64:
        return None
    cleaned = typed.upper().replace("-", "").replace(" ", "").translate(_LOOKALIKES)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
