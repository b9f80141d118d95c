import math

from app.certificates.codes import (
    ALPHABET,
    CODE_LENGTH,
    display_code,
    generate_code,
    normalize_code,
)


def test_codes_carry_at_least_80_random_bits():
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 80


def test_100000_codes_do_not_collide_and_are_not_sequential():
    codes = [generate_code() for _ in range(100_000)]
    assert len(set(codes)) == len(codes)
    assert sorted(codes[:1000]) != codes[:1000]


def test_display_and_typed_forms_round_trip():
    code = generate_code()
    shown = display_code(code)
    assert shown.count("-") == 3
    assert normalize_code(shown) == code
    assert normalize_code(shown.lower().replace("-", " ")) == code


def test_lookalike_letters_are_read_as_digits():
    assert normalize_code("O1I1L-00000-00000-00000") == "01111000000000000000"


def test_malformed_codes_are_rejected():
    for typed in ("", "ABC", "A" * 21, "' OR 1=1 --", "x" * 10_000, "UUUUU-UUUUU-UUUUU-UUUUU"):
        assert normalize_code(typed) is None
