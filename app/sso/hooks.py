"""What sign-in through providers adds to the accounts views (login and logout): registered
with app.accounts.external_sign_in when the blueprint is, so that accounts never imports sso."""

from flask import current_app, session, url_for

from app.accounts.external_sign_in import ExternalSignIn
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


def password_off_message() -> str:
    """For the login view, when her role may not log in with a password: use the providers'
    buttons instead."""
    return message(SsoRefusal("local_password_off"),
                   " / ".join(p.label for p in settings.providers().values()))


EXTERNAL_SIGN_IN = ExternalSignIn(buttons_template="sso/_buttons.html",
                                  password_off_message=password_off_message,
                                  logout_redirect=logout_redirect)
