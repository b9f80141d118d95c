"""Issue 14 item 13: what an admin types or picks for a unit or an intake, read back as its code."""

import pytest

from app.units.choices import Choice, ChoiceError, match_choice

UNITS = [Choice("LC-TP", "Xã Tân Phú", "Tỉnh Lào Cai"), Choice("DN-TP", "Xã Tân Phú", "Tỉnh Đồng Nai"),
         Choice("LC-TV", "Xã Tả Van"), Choice("LC-TAN", "Xã Tấn Phú")]


def test_an_option_a_code_or_a_unique_name_gives_the_code():
    assert match_choice("Xã Tân Phú (DN-TP)", UNITS) == "DN-TP"
    assert match_choice("LC-TV", UNITS) == "LC-TV"
    assert match_choice("  xã   TẢ van ", UNITS) == "LC-TV"  # case and spacing do not count
    assert match_choice("Xã Tấn Phú", UNITS) == "LC-TAN"  # tone marks do
    assert match_choice("Xa Ta Van (LC-TV)", UNITS) == "LC-TV"  # the code decides
    assert match_choice("Xã Tả Van (NOPE)", UNITS) == "LC-TV"  # an edited option: its unique name
    assert match_choice("   ", UNITS) is None


def test_an_ended_units_code_is_accepted_when_given():
    assert match_choice("LC-OLD", UNITS, codes=["LC-OLD"]) == "LC-OLD"
    assert match_choice("Xã Cũ (LC-OLD)", UNITS, codes=["LC-OLD"]) == "LC-OLD"


def test_namesakes_and_unknown_names_are_errors_that_say_what_to_pick():
    with pytest.raises(ChoiceError) as ambiguous:
        match_choice("xã tân phú", UNITS)
    assert ambiguous.value.params == {"text": "xã tân phú",
                                      "choices": "Xã Tân Phú (LC-TP), Xã Tân Phú (DN-TP)"}
    with pytest.raises(ChoiceError) as unknown:
        match_choice("Tân", UNITS)
    assert unknown.value.message.startswith("Nothing matches")
