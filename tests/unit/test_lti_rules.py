"""The pure parts of the LTI tool: course mapping, names, retries, the platforms file."""

from datetime import timedelta

import pytest

from app.lti.grade_passback import retry_delay
from app.lti.launch import course_slug_from, full_name_from, reason_for
from app.lti.platforms import platforms_from_json

REGISTRATION = {"client_id": "c1", "auth_login_url": "https://lms/auth", "auth_token_url": "https://lms/token",
                "key_set_url": "https://lms/jwks", "deployment_ids": ["1"]}


def test_the_course_comes_from_the_custom_parameter_then_the_target_link():
    assert course_slug_from({"course": " khoa-mau "}, "https://h/lti/launch") == "khoa-mau"
    assert course_slug_from({}, "https://h/lti/courses/an-toan-thong-tin") == "an-toan-thong-tin"
    assert course_slug_from(None, "https://h/lti/courses/khoa-mau/") == "khoa-mau"
    assert course_slug_from({"course": ""}, "https://h/lti/launch") is None
    assert course_slug_from("course=x", "") is None


def test_the_name_is_taken_whole_or_in_vietnamese_order():
    assert full_name_from({"name": "  Lò  Thị Mai "}) == "Lò Thị Mai"
    assert full_name_from({"given_name": "Mai", "family_name": "Lò Thị"}) == "Lò Thị Mai"
    assert full_name_from({}) == ""


def test_failed_sends_back_off_up_to_two_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(30) == timedelta(hours=2)


def test_pylti1p3_messages_map_to_reasons():
    assert reason_for("Invalid Nonce") == "replayed"
    assert reason_for("Unable to find deployment") == "unknown_deployment"
    assert reason_for("Can't decode id_token: Signature has expired") == "invalid"


def test_the_platforms_file_takes_one_registration_or_a_list():
    one = platforms_from_json({"https://lms": REGISTRATION})
    many = platforms_from_json({"https://lms": [REGISTRATION, {**REGISTRATION, "client_id": "c2"}]})
    assert [p.client_id for p in one] == ["c1"] and [p.client_id for p in many] == ["c1", "c2"]
    assert one[0].deployment_ids == frozenset({"1"})


@pytest.mark.parametrize("data", [[], {}, {"https://lms": "x"}, {"https://lms": {"client_id": "c"}},
                                  {"https://lms": {**REGISTRATION, "deployment_ids": "1"}}])
def test_a_broken_platforms_file_says_what_is_wrong(data):
    with pytest.raises(ValueError):
        platforms_from_json(data)
