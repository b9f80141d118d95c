import pytest

from app.accounts.services import (
    AccountError,
    check_full_name,
    check_password_rules,
    normalize_name,
    normalize_phone,
    vietnamese_sort_key,
)


def test_names_are_nfc_with_single_spaces():
    decomposed = "Nguye\u0302\u0303n  Thi\u0323 Ho\u0302\u0300ng"
    assert normalize_name(decomposed) == "Nguyễn Thị Hồng"


@pytest.mark.parametrize("name", [
    "A" * 121, "", "Lan\u200b", "Lan\u202eabc", "Lan\ufeff", "La\u0301\u0301\u0301\u0301n", "Lan\x07",
])
def test_unprintable_or_disguised_names_are_refused(name):
    with pytest.raises(AccountError):
        check_full_name(normalize_name(name))


def test_vietnamese_names_with_two_marks_per_letter_pass():
    check_full_name("Nguyễn Thị Hồng Nhung Đặng Quốc Việt Trường")


def test_phone_numbers_in_common_forms():
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("0912.345.678") == "0912345678"
    assert normalize_phone("84912345678") == "0912345678"
    assert normalize_phone("lan") is None


def test_sort_key_orders_by_given_name_then_family():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn Ánh", "Đỗ Thị Bình"]
    ordered = sorted(names, key=vietnamese_sort_key)
    assert ordered[0] == "Nguyễn Thị An" and ordered[-1].endswith("Bình")


@pytest.mark.parametrize("password", ["12345678", "matkhau123", "Password1", "anhyeuem"])
def test_common_passwords_are_refused(password):
    with pytest.raises(AccountError):
        check_password_rules(password)


def test_short_and_huge_passwords_are_refused():
    for password in ("short", "x" * 257):
        with pytest.raises(AccountError):
            check_password_rules(password)
