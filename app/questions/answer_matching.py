"""How typed answers are compared: Vietnamese-aware, forgiving of spacing and case. Pure."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_text_answer(text: str, any_tone: bool = False) -> str:
    """NFC, trimmed, single spaces, case-folded; with any_tone also without marks and with đ as d."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()
    if any_tone:
        text = text.replace("đ", "d")
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text


def text_answer_matches(typed: str, accepted: list[str], any_tone: bool) -> bool:
    wanted = {normalize_text_answer(answer, any_tone) for answer in accepted}
    return normalize_text_answer(typed, any_tone) in wanted


def parse_number(typed: str) -> float | None:
    """"3,14", " 3.14 " and "1 000" read as numbers; anything else is None."""
    cleaned = typed.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d{1,15}(\.\d{1,15})?", cleaned):
        return None
    return float(cleaned)


def number_matches(typed: str, value: float, tolerance: float) -> bool:
    number = parse_number(typed)
    # A little slack for binary floating point: 0.1 + 0.2 must equal 0.3 within tolerance 0.
    return number is not None and abs(number - value) <= tolerance + 1e-9 * max(1.0, abs(value))
