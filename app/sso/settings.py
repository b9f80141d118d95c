"""The configured OpenID Connect providers and the roles that keep their passwords.

Checked once at start-up: a provider with a missing or unsafe setting stops the app with a
message naming the variable, rather than failing at the first learner's login.
"""

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app

from app.accounts.models import Role

PROVIDER_NAME = re.compile(r"^[a-z0-9]{1,32}$")
MATCH_FIELDS = ("phone", "username")  # the User column a match claim is compared with
DEFAULT_MATCH_CLAIM = "phone_number"


@dataclass(frozen=True)
class Provider:
    """One OpenID Connect provider, as OIDC_<NAME>_* describe it."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    label: str
    match_claim: str
    match_field: str  # "phone" or "username"
    create_unit: str  # a unit code; empty: only existing accounts may sign in
    scopes: str

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


class SettingsError(RuntimeError):
    """A provider or LOCAL_PASSWORD_ROLES cannot be used; the message names the variable."""


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_provider(name: str, values: dict[str, str]) -> Provider:
    """A Provider from its OIDC_<NAME>_* values, or SettingsError saying what to fix."""
    prefix = f"OIDC_{name.upper()}_"
    if not PROVIDER_NAME.match(name):
        raise SettingsError(f"OIDC_PROVIDERS: {name!r} must be 1-32 letters a-z or digits")
    for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET"):
        if not values.get(key):
            raise SettingsError(f"set {prefix}{key} (provider {name!r} is in OIDC_PROVIDERS)")
    issuer = urlsplit(values["ISSUER"])
    # An ID token is only worth its transport: plain http only to this machine (tests, a tunnel).
    if issuer.scheme != "https" and not (issuer.scheme == "http" and _is_loopback(issuer.hostname or "")):
        raise SettingsError(f"{prefix}ISSUER must be an https:// address")
    if issuer.query or issuer.fragment:
        raise SettingsError(f"{prefix}ISSUER must have no ? or # part")
    claim = values.get("MATCH_CLAIM") or DEFAULT_MATCH_CLAIM
    field = values.get("MATCH_FIELD") or ("phone" if claim == "phone_number" else "username")
    if field not in MATCH_FIELDS:
        raise SettingsError(f"{prefix}MATCH_FIELD must be one of {', '.join(MATCH_FIELDS)}")
    scopes = values.get("SCOPES") or "openid profile" + (" phone" if claim == "phone_number" else "")
    if "openid" not in scopes.split():
        raise SettingsError(f"{prefix}SCOPES must include openid")
    return Provider(name=name, issuer=values["ISSUER"], client_id=values["CLIENT_ID"],
                    client_secret=values["CLIENT_SECRET"], label=values.get("LABEL") or name,
                    match_claim=claim, match_field=field,
                    create_unit=values.get("CREATE_UNIT", ""), scopes=scopes)


def check_local_password_roles(roles: tuple[str, ...], providers: dict[str, Provider]) -> None:
    unknown = set(roles) - set(Role)
    if unknown:
        raise SettingsError(f"LOCAL_PASSWORD_ROLES: unknown role(s) {', '.join(sorted(unknown))}")
    if set(roles) != set(Role) and not providers:
        raise SettingsError("LOCAL_PASSWORD_ROLES switches passwords off for some roles, but "
                            "OIDC_PROVIDERS names no provider: they could not log in at all")


def load(app: Flask) -> dict[str, Provider]:
    """Parse and check the app's providers; keep them in app.extensions."""
    providers = {name: parse_provider(name, values)
                 for name, values in app.config["OIDC_PROVIDERS"].items()}
    check_local_password_roles(tuple(app.config["LOCAL_PASSWORD_ROLES"]), providers)
    app.extensions["hocso_sso_providers"] = providers
    return providers


def providers() -> dict[str, Provider]:
    return current_app.extensions.get("hocso_sso_providers", {})
