"""Deny by default: every endpoint needs a logged-in user unless it is declared public.

Each view declares its policy with @public or @roles_required; the access-control tests
walk the URL map and fail on any endpoint that declares neither.
"""

import ipaddress
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


LOOPBACK_POLICY_PREFIX = "loopback_or_roles:"


def is_loopback_request() -> bool:
    """The client is on this host. The remote address is the one ProxyFix resolved; a request
    that names a forwarded client while no proxy is trusted came through a proxy (nginx on this
    host) and is not local."""
    forwarded = "X-Forwarded-For" in request.headers and not current_app.config.get("TRUSTED_PROXY_HOPS")
    try:
        return not forwarded and ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def loopback_or_roles(*roles: str) -> Callable[[View], View]:
    """A process on this host, or a logged-in user with one of these roles (a learner gets 403);
    an anonymous outsider gets 404, since a scraper has no login page to go to."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args, **kwargs):
            if is_loopback_request():
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                abort(404)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.access_policy = LOOPBACK_POLICY_PREFIX + ",".join(sorted(roles))  # type: ignore[attr-defined]
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
        policy = access_policy(app, request.endpoint) or ""
        if policy == "public" or policy.startswith(LOOPBACK_POLICY_PREFIX):
            return None  # a loopback policy's own guard decides
        if not current_user.is_authenticated:
            return app.login_manager.unauthorized()
        if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("accounts.change_password"))
        return None
