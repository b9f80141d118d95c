"""Deny by default: every endpoint needs a logged-in user unless it is declared public.

Each view declares its policy with @public or @roles_required; the access-control tests
walk the URL map and fail on any endpoint that declares neither.
"""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

View = TypeVar("View", bound=Callable)
STATIC_ENDPOINTS = {"static"}


def public(view: View) -> View:
    """Anyone, logged in or not, may use this endpoint."""
    view.access_policy = "public"  # type: ignore[attr-defined]
    return view


def authenticated(view: View) -> View:
    """Any logged-in user (the deny-by-default hook enforces it; this declares it)."""
    view.access_policy = "authenticated"  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable[[View], View]:
    """Only logged-in users with one of these roles; others get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.access_policy = "roles:" + ",".join(sorted(roles))  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def access_policy(app: Flask, endpoint: str) -> str | None:
    if endpoint in STATIC_ENDPOINTS or endpoint.endswith(".static"):
        return "public"
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


# Where a user who must replace a one-time password may still go.
PASSWORD_CHANGE_ENDPOINTS = {"accounts.change_password", "accounts.logout"}


def init_app(app: Flask) -> None:
    @app.before_request
    def require_login_unless_public():
        if request.endpoint is None:
            return None  # no such route: let the 404 handler answer
        if access_policy(app, request.endpoint) == "public":
            return None
        if not current_user.is_authenticated:
            return app.login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("accounts.change_password"))
        return None
