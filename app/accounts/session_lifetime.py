"""Sessions end on their own: after a spell of inactivity and after a fixed lifetime.

The login time and the time of the last request are kept in the signed session cookie and
checked on every request, before anything else looks at the user; no database is read. The
idle time is written back at most once a minute, so most responses carry no Set-Cookie
(each one is bytes on a 2G line). A remember-me cookie never restores a session: without
the login time in the session there is no session, whatever other cookie comes along.
"""

import time
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import user_logged_in

from app.accounts.views import safe_next_url

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
USER_KEY = "_user_id"  # where flask-login keeps the logged-in user
clock = time.time  # the server's clock; tests move it


def stamp(store, now: float | None = None) -> None:
    """Start a session's clocks (at login)."""
    now = int(clock() if now is None else now)
    store[LOGIN_AT] = now
    store[SEEN_AT] = now


def expired(store, now: float, idle_seconds: int, lifetime_seconds: int) -> bool:
    """A session without both clocks, idle too long, or older than its lifetime has ended."""
    login_at, seen_at = store.get(LOGIN_AT), store.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    return now - seen_at > idle_seconds or now - login_at > lifetime_seconds


def _end_expired_session() -> None:
    config = current_app.config
    remember_cookie = config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if USER_KEY not in session:
        if remember_cookie in request.cookies:
            session["_remember"] = "clear"  # flask-login then ignores and deletes the cookie
        return
    now = clock()
    if expired(session, now, config["SESSION_IDLE_MINUTES"] * 60,
               config["SESSION_LIFETIME_HOURS"] * 3600):
        language = session.get("language")
        session.clear()
        if language:
            session["language"] = language  # her choice of language outlives the login
        session["_remember"] = "clear"
        g.session_expired = True
    elif now - session[SEEN_AT] >= config["SESSION_ACTIVITY_WRITE_SECONDS"]:
        session[SEEN_AT] = int(now)


def same_site_referrer() -> str | None:
    """The page a form was sent from, when it is a page of this site."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_next_url(path)


def _place_to_return_to() -> str | None:
    """Where she was: the page itself, or for a form sent from a page, that page."""
    if request.method in ("GET", "HEAD"):
        return safe_next_url(request.full_path.rstrip("?"))
    return same_site_referrer()


def unauthorized():
    """Send her to the login page, and back here afterwards."""
    if g.get("session_expired"):
        flash(_("You were logged out because your session ended. Log in again to continue "
                "where you were."), "info")
    return redirect(url_for("accounts.login", next=_place_to_return_to()))


def init_app(app: Flask) -> None:
    app.before_request(_end_expired_session)
    user_logged_in.connect(lambda sender, user: stamp(session), app, weak=False)
    app.login_manager.unauthorized_handler(unauthorized)
