"""The calls the accounts views make into sign-in through providers (login and logout)."""

from flask import current_app, session, url_for

from app.sso import flow, settings
from app.sso.refusals import SsoRefusal, message


def public_url(endpoint: str, **values) -> str:
    """An address the provider sends the browser back to: from PUBLIC_BASE_URL, as registered
    with the provider, never from the request's Host header."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def logout_redirect() -> str | None:
    """For the logout view, before it clears the session: the provider's end-session address
    when she signed in through one that offers it (RP-initiated logout), else None."""
    held = session.get(flow.LOGOUT_KEY)
    provider = settings.providers().get(held.get("provider", "")) if isinstance(held, dict) else None
    return flow.end_session_url(provider, public_url("accounts.login"))


def local_password_refused(role: str) -> str | None:
    """For the login view, after a right password: why this role may not log in with one
    (pointing to the providers' buttons), or None when it may."""
    if settings.local_password_allowed(role):
        return None
    return message(SsoRefusal("local_password_off"),
                   " / ".join(p.label for p in settings.providers().values()))
