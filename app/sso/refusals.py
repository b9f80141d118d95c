"""Why a sign-in through a provider was refused, and what the person is told about it.

Each reason is stored in the audit trail as it is; the message tells her what to do next, in
her language, on the login page.
"""

from flask_babel import gettext as _


class SsoRefusal(Exception):
    """A sign-in that must not go on; `reason` is the audit code."""

    def __init__(self, reason: str, claim: str = "", detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.claim = claim
        self.detail = detail  # for the audit trail and the log, never shown


def message(refusal: SsoRefusal, label: str) -> str:
    """The sentence shown on the login page for this refusal."""
    texts = {
        "wrong_issuer": lambda: _(
            "The sign-in answer did not come from %(label)s (wrong issuer), so it was refused. "
            "Try again; if it happens again, tell the administrator.", label=label),
        "unknown_state": lambda: _(
            "This sign-in was already used or has expired. Press “Log in with %(label)s” "
            "again.", label=label),
        "expired_token": lambda: _(
            "The sign-in from %(label)s has expired. Press “Log in with %(label)s” again; if "
            "it happens again, tell the administrator (a clock may be wrong).", label=label),
        "missing_claim": lambda: _(
            "%(label)s did not send the information Hocso needs to find your account "
            "(%(claim)s). Allow Hocso to read it at %(label)s, or ask the administrator.",
            label=label, claim=refusal.claim),
        "inactive_account": lambda: _(
            "Your Hocso account is switched off. Ask the administrator of your unit."),
        "no_account": lambda: _(
            "No Hocso account belongs to your %(label)s identity. Ask the administrator of "
            "your unit to create one.", label=label),
        "linked_to_another": lambda: _(
            "This Hocso account is already linked to another %(label)s identity. Ask the "
            "administrator of your unit.", label=label),
        "cancelled": lambda: _(
            "The sign-in at %(label)s was cancelled or refused. Try again, or log in with "
            "your password.", label=label),
        "unreachable": lambda: _(
            "%(label)s cannot be reached right now. Try again in a few minutes, or log in "
            "with your password.", label=label),
        "local_password_off": lambda: _(
            "Logging in with a password is switched off for your account. Use the button "
            "“Log in with %(label)s” below.", label=label),
        "cannot_create": lambda: _(
            "Hocso cannot create your account from %(label)s right now. Ask the administrator "
            "of your unit.", label=label),
    }
    text = texts.get(refusal.reason)
    if text is None:  # "provider_error" and anything unforeseen
        return _("%(label)s did not complete the sign-in. Try again in a few minutes, or log in "
                 "with your password.", label=label)
    return text()
