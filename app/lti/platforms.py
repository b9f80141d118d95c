"""The platforms registered with this tool, read from LTI_PLATFORMS_FILE, as pylti1p3 asks.

The file follows pylti1p3's ToolConfJsonFile format: issuer -> one registration, or a list of
them (one per client id). `private_key_file` and `public_key_file` are not read: every platform
gets the tool's one key (LTI_PRIVATE_KEY_FILE), published at /lti/jwks.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask, current_app
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from pylti1p3.tool_config.abstract import IssuerToClientRelation

from app.lti.tool_keys import ToolKey, load_tool_key

REQUIRED_KEYS = ("client_id", "auth_login_url", "auth_token_url", "key_set_url", "deployment_ids")
EXTENSION_KEY = "hocso_lti"
_ORIGIN_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?")  # nothing that could bend a CSP header


@dataclass(frozen=True)
class Platform:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: frozenset[str]
    auth_audience: str | None = None
    default: bool = False


def platforms_from_json(data: Any) -> list[Platform]:
    """The registrations in a parsed platforms file; ValueError says what is wrong."""
    if not isinstance(data, dict) or not data:
        raise ValueError("the file must hold an object: issuer -> registration (or a list)")
    platforms = []
    for issuer, entries in data.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            if not isinstance(entry, dict):
                raise ValueError(f"{issuer}: each registration must be an object")
            missing = [key for key in REQUIRED_KEYS if not entry.get(key)]
            if missing:
                raise ValueError(f"{issuer}: missing {', '.join(missing)}")
            if not isinstance(entry["deployment_ids"], list):
                raise ValueError(f"{issuer}: deployment_ids must be a list")
            platforms.append(Platform(
                issuer=issuer, client_id=str(entry["client_id"]),
                auth_login_url=entry["auth_login_url"], auth_token_url=entry["auth_token_url"],
                key_set_url=entry["key_set_url"],
                deployment_ids=frozenset(str(d) for d in entry["deployment_ids"]),
                auth_audience=entry.get("auth_audience") or None, default=bool(entry.get("default")),
            ))
    return platforms


class ToolRegistration(Registration):
    """pylti1p3's registration, naming the tool's key by its thumbprint (jwcrypto sets no kid)."""

    def __init__(self, kid: str) -> None:
        self._kid = kid

    def get_kid(self) -> str:
        return self._kid


class HocsoToolConf(ToolConfAbstract):
    """pylti1p3's view of the registrations: None (never an exception) for anything unknown."""

    def __init__(self, platforms: list[Platform], key: ToolKey) -> None:
        self.platforms = platforms
        self.key = key
        # pylti1p3 keeps this mapping on the class; ours is per instance.
        self.issuers_relation_types = {
            p.issuer: IssuerToClientRelation.MANY_CLIENTS_IDS_PER_ISSUER for p in platforms}

    def platform(self, issuer: str, client_id: str | None) -> Platform | None:
        candidates = [p for p in self.platforms if p.issuer == issuer]
        if client_id:
            return next((p for p in candidates if p.client_id == client_id), None)
        if len(candidates) == 1:
            return candidates[0]
        return next((p for p in candidates if p.default), None)

    def registration(self, platform: Platform) -> Registration:
        registration = ToolRegistration(self.key.kid)
        (registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
         .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
         .set_key_set_url(platform.key_set_url).set_tool_private_key(self.key.private_pem)
         .set_tool_public_key(self.key.public_pem))
        if platform.auth_audience:
            registration.set_auth_audience(platform.auth_audience)
        return registration

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self.platform(iss, client_id)
        return self.registration(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = self.platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)

    def frame_origins(self) -> list[str]:
        """The platforms' own addresses: the pages that may show Hocso's LTI pages in a frame."""
        origins = set()
        for platform in self.platforms:
            for url in (platform.issuer, platform.auth_login_url):
                parts = urlsplit(url)
                if parts.scheme in ("http", "https") and _ORIGIN_HOST.fullmatch(parts.netloc):
                    origins.add(f"{parts.scheme}://{parts.netloc}")
        return sorted(origins)


class TimeoutSession(requests.Session):
    """pylti1p3 calls requests without a timeout; every call of ours has one."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = "Hocso-LTI"

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def load_tool_conf(platforms_file: str, key_file: str) -> HocsoToolConf:
    """Read and check the configured files; raises with a readable reason."""
    try:
        data = json.loads(Path(platforms_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise RuntimeError(f"LTI_PLATFORMS_FILE={platforms_file!r} is not readable JSON: {error}") from error
    if not key_file:
        raise RuntimeError("Set LTI_PRIVATE_KEY_FILE (the tool's RSA key, PEM) to use LTI.")
    try:
        key = load_tool_key(Path(key_file))
        platforms = platforms_from_json(data)
    except (OSError, ValueError) as error:
        raise RuntimeError(f"LTI is not usable: {error}") from error
    return HocsoToolConf(platforms, key)


def init_app(app: Flask) -> None:
    """Load the configuration at start-up, so a broken file stops the app, not a launch."""
    if app.config.get("LTI_PLATFORMS_FILE"):
        app.extensions[EXTENSION_KEY] = load_tool_conf(app.config["LTI_PLATFORMS_FILE"],
                                                       app.config.get("LTI_PRIVATE_KEY_FILE", ""))


def tool_conf() -> HocsoToolConf | None:
    """The registrations, or None when LTI is off."""
    return current_app.extensions.get(EXTENSION_KEY)


def http_session() -> TimeoutSession:
    return TimeoutSession(current_app.config.get("LTI_HTTP_TIMEOUT_SECONDS", 10))
