"""Ways in besides the password form, which the login and logout views offer without knowing them.

Accounts sits below the packages that offer another way in (single sign-on, app/sso): each
registers an ExternalSignIn on the app when it is set up, and the views ask what is registered.
Which roles may still use a password (LOCAL_PASSWORD_ROLES) is decided here, not by them: a
role left out is refused at the password form whether or not a way in is registered.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import gettext as _

EXTENSION_KEY = "hocso_external_sign_ins"


@dataclass(frozen=True)
class ExternalSignIn:
    """One way in, as the package that offers it describes it to the accounts views."""

    buttons_template: str  # included below the password form on the login page
    password_off_message: Callable[[], str]  # for a role that must use this way, not a password
    logout_redirect: Callable[[], str | None]  # where logout sends her on; read before the session ends


def register(app: Flask, sign_in: ExternalSignIn) -> None:
    app.extensions.setdefault(EXTENSION_KEY, []).append(sign_in)


def registered() -> list[ExternalSignIn]:
    return current_app.extensions.get(EXTENSION_KEY, [])


def local_password_allowed(role: str) -> bool:
    """Whether this role may log in with a password (LOCAL_PASSWORD_ROLES)."""
    return role in current_app.config["LOCAL_PASSWORD_ROLES"]


def password_refusal(role: str) -> str | None:
    """For the login view, after a right password: why this role may not log in with one
    (pointing to the other ways in), or None when it may."""
    if local_password_allowed(role):
        return None
    if ways_in := registered():
        return ways_in[0].password_off_message()
    return _("Logging in with a password is switched off for your account. Ask the administrator "
             "of your unit.")


def buttons_templates() -> list[str]:
    """The templates that show the other ways in on the login page."""
    return [sign_in.buttons_template for sign_in in registered()]


def logout_redirect() -> str | None:
    """For the logout view, before it clears the session: the first way in that wants her sent
    on (a provider's end-session address), else None."""
    for sign_in in registered():
        if (url := sign_in.logout_redirect()) is not None:
            return url
    return None
