"""The OpenID Connect authorization code flow, spoken through Authlib's Flask client.

Authlib keeps the state, nonce and PKCE verifier in the session and checks the ID token's
signature (the provider's JWKS), nonce, expiry and claims; this module adds what the
configuration promises (the issuer and audience are the configured ones), and turns every
failure into an SsoRefusal with a reason, so that no answer of a provider becomes a 500.
"""

from contextlib import contextmanager
from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, current_app, session
from flask_babel import get_locale
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError

from app.sso.refusals import SsoRefusal
from app.sso.settings import Provider

HTTP_TIMEOUT_SECONDS = 10  # a provider that hangs must not hold a worker for long
ID_TOKEN_LEEWAY_SECONDS = 60  # clock difference tolerated on exp, iat and nbf
MAX_SUBJECT_LENGTH = 255  # SsoLink.subject
LOGOUT_KEY = "sso_logout"  # in the session: the provider and ID token for RP-initiated logout
_REGISTRY = "authlib.integrations.flask_client"


def init_app(app: Flask, providers: dict[str, Provider]) -> None:
    """One Authlib client per provider, found through the issuer's discovery document."""
    registry = OAuth(app)
    for provider in providers.values():
        registry.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256",
                           "default_timeout": HTTP_TIMEOUT_SECONDS},
        )


def _client(provider: Provider):
    return current_app.extensions[_REGISTRY].create_client(provider.name)


def provider_metadata(provider: Provider) -> dict[str, Any]:
    """The discovery document (fetched once, then kept), checked to name the configured issuer
    as OpenID Connect Discovery requires."""
    try:
        metadata = _client(provider).load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise SsoRefusal("unreachable", detail=f"discovery: {error}") from error
    if metadata.get("issuer") != provider.issuer:
        raise SsoRefusal("wrong_issuer", detail=f"discovery names {metadata.get('issuer')!r}")
    return metadata


def start(provider: Provider, redirect_uri: str):
    """The redirect to the provider's sign-in page; its state waits in the session."""
    provider_metadata(provider)
    # A state left by an earlier press of the button is dropped: each one makes the session
    # cookie longer, on every request, and only the newest can still be finished.
    for key in [key for key in session if key.startswith(f"_state_{provider.name}_")]:
        session.pop(key)
    return _client(provider).authorize_redirect(redirect_uri, ui_locales=str(get_locale() or "vi"))


def _claims_options(provider: Provider) -> dict[str, dict]:
    """Made anew for every check (Authlib takes hooks out of the dict it is given)."""
    return {"iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
            "sub": {"essential": True}}


def finish(provider: Provider, callback_args) -> tuple[dict[str, Any], str]:
    """The verified claims of the person the provider sent back, and her ID token."""
    provider_metadata(provider)
    if callback_args.get("error"):
        raise SsoRefusal("cancelled", detail=str(callback_args.get("error"))[:100])
    client = _client(provider)
    with _refusals():
        token = client.authorize_access_token(claims_options=_claims_options(provider),
                                              leeway=ID_TOKEN_LEEWAY_SECONDS)
    if not token.get("id_token") or not token.get("userinfo"):
        raise SsoRefusal("provider_error", detail="the token response has no ID token")
    claims = dict(token["userinfo"])
    if len(claims["sub"]) > MAX_SUBJECT_LENGTH:
        raise SsoRefusal("provider_error", detail="subject longer than 255 characters")
    if provider.match_claim not in claims:
        claims = _with_userinfo(provider, client, token, claims)
    return claims, token["id_token"]


def _with_userinfo(provider: Provider, client, token, claims: dict[str, Any]) -> dict[str, Any]:
    """Claims the ID token lacked, from the userinfo endpoint (many providers send phone
    numbers only there); the answer must be about the same subject."""
    if not provider_metadata(provider).get("userinfo_endpoint"):
        return claims
    with _refusals():
        info = client.userinfo(token=token)
    if info.get("sub") != claims["sub"]:
        raise SsoRefusal("provider_error", detail="userinfo is about another subject")
    return {**info, **claims}


# Authlib's, joserfc's and requests' exceptions: a refused code, a bad signature, an unknown
# state, an answer of the wrong shape. Anything else is a bug of ours and stays one.
_PROVIDER_ERRORS = (OAuthError, JoseError, requests.RequestException, ValueError, KeyError,
                    TypeError, RuntimeError)


@contextmanager
def _refusals():
    """Turn the provider's failures into SsoRefusals with a reason."""
    try:
        yield
    except _PROVIDER_ERRORS as error:
        raise SsoRefusal(_reason(error), detail=f"{type(error).__name__}: {error}"[:300]) from error


def _reason(error: BaseException) -> str:
    if isinstance(error, MismatchingStateError):
        return "unknown_state"
    if isinstance(error, ExpiredTokenError):
        return "expired_token"
    if isinstance(error, InvalidClaimError) and error.claim == "iss":
        return "wrong_issuer"
    if isinstance(error, requests.ConnectionError | requests.Timeout):
        return "unreachable"
    return "provider_error"


def remember_for_logout(provider: Provider, id_token: str) -> None:
    """Kept for RP-initiated logout (call after the session was renewed at login)."""
    session[LOGOUT_KEY] = {"provider": provider.name, "id_token": id_token}


def end_session_url(provider: Provider | None, post_logout_redirect_uri: str) -> str | None:
    """Where logout sends her so the provider's session ends too, or None: not signed in
    through a provider, or the provider has no end_session_endpoint (or cannot be reached)."""
    held = session.get(LOGOUT_KEY)
    if provider is None or not isinstance(held, dict) or not held.get("id_token"):
        return None
    try:
        if not provider_metadata(provider).get("end_session_endpoint"):
            return None
    except SsoRefusal:
        return None  # the local session ends anyway
    return _client(provider).create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=held["id_token"],
        client_id=provider.client_id,
    )["url"]
