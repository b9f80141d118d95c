"""Error pages in the user's language; never a bare stack trace."""

import math

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError

from app.audit import services as audit
from app.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has moved.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a minute, then try again.")),
    500: (
        _l("Something went wrong"),
        _l("Something went wrong on our side. Please try again in a moment."),
    ),
}


def _render(status: int):
    title, message = MESSAGES[status]
    return render_template("error.html", title=title, message=message, status=status), status


def too_many_attempts(wait_seconds: int):
    """The 429 page saying how long to wait, in the user's language, with Retry-After."""
    if wait_seconds < 60:
        message = ngettext("Too many attempts. Wait %(num)d second, then try again.",
                           "Too many attempts. Wait %(num)d seconds, then try again.", wait_seconds)
    else:
        minutes = math.ceil(wait_seconds / 60)
        message = ngettext("Too many attempts. Wait %(num)d minute, then try again.",
                           "Too many attempts. Wait %(num)d minutes, then try again.", minutes)
    page = render_template("error.html", title=MESSAGES[429][0], message=message, status=429)
    return page, 429, {"Retry-After": str(wait_seconds)}


def _audited(status: int, event: str):
    def handle(error):
        # Noted now (the actor is still loaded), written once this request's transaction has
        # ended: writing here, inside a read transaction, failed with "database is locked".
        audit.record_after_request(event, "denied", target=request.path[:200],
                                   endpoint=request.endpoint)
        db.session.rollback()
        return _render(status)

    return handle


def init_app(app: Flask) -> None:
    audit.init_app(app)  # writes what the handlers below note
    for status in MESSAGES:
        app.register_error_handler(status, lambda error, status=status: _render(status))
    app.register_error_handler(403, _audited(403, "access.denied"))
    app.register_error_handler(429, _audited(429, "rate_limited"))

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        title = _("The form has expired")
        message = _("Reload the page and send the form again.")
        return render_template("error.html", title=title, message=message, status=400), 400

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _render(500)
