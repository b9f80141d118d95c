"""Provider settings are checked at start-up: a wrong one stops the app naming the variable."""

import pytest

from app.sso.settings import SettingsError, check_local_password_roles, parse_provider
from config import oidc_providers

VALID = {"ISSUER": "https://id.laocai.gov.vn", "CLIENT_ID": "hocso", "CLIENT_SECRET": "s"}


def test_the_environment_names_providers_and_their_settings():
    environ = {"OIDC_PROVIDERS": " Tinh , ", "OIDC_TINH_ISSUER": "https://id.example",
               "OIDC_TINH_LABEL": "Cổng dịch vụ công"}
    providers = oidc_providers(environ)
    assert list(providers) == ["tinh"]
    assert providers["tinh"]["ISSUER"] == "https://id.example"
    assert providers["tinh"]["CREATE_UNIT"] == ""


def test_defaults_match_by_phone_and_ask_for_the_phone_scope():
    provider = parse_provider("tinh", VALID)
    assert (provider.match_claim, provider.match_field) == ("phone_number", "phone")
    assert provider.scopes == "openid profile phone"
    assert provider.label == "tinh"
    assert provider.discovery_url == "https://id.laocai.gov.vn/.well-known/openid-configuration"


def test_an_identifier_claim_matches_usernames():
    provider = parse_provider("tinh", {**VALID, "MATCH_CLAIM": "personal_id"})
    assert (provider.match_field, provider.scopes) == ("username", "openid profile")


@pytest.mark.parametrize(("values", "named"), [
    ({**VALID, "ISSUER": ""}, "OIDC_TINH_ISSUER"),
    ({**VALID, "CLIENT_SECRET": ""}, "OIDC_TINH_CLIENT_SECRET"),
    ({**VALID, "ISSUER": "http://id.laocai.gov.vn"}, "https://"),
    ({**VALID, "MATCH_FIELD": "email"}, "OIDC_TINH_MATCH_FIELD"),
    ({**VALID, "SCOPES": "profile phone"}, "openid"),
])
def test_unusable_settings_stop_start_up(values, named):
    with pytest.raises(SettingsError, match=named):
        parse_provider("tinh", values)


def test_plain_http_is_allowed_to_this_machine_only():
    assert parse_provider("tinh", {**VALID, "ISSUER": "http://127.0.0.1:8080"}).issuer


def test_passwords_switched_off_need_a_provider_and_known_roles():
    with pytest.raises(SettingsError, match="no provider"):
        check_local_password_roles(("learner",), {})
    with pytest.raises(SettingsError, match="unknown"):
        check_local_password_roles(("learner", "teacher"), {"tinh": parse_provider("tinh", VALID)})
    check_local_password_roles(("learner", "instructor", "admin"), {})
