"""Signing in through a provider: the button's start, the provider's callback, the logout hook.

The start is a POST form with a CSRF token, like every other form here: a page elsewhere
cannot send a browser through the provider and back into Hocso (and, on a shared commune
computer, into whichever account the provider still has open). It needs no JavaScript.
"""

import logging

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError

from app.accounts import external_sign_in
from app.accounts.views import safe_next_url
from app.audit import services as audit
from app.extensions import db
from app.security.access import public
from app.sso import accounts, flow, settings
from app.sso.hooks import EXTERNAL_SIGN_IN, public_url
from app.sso.refusals import SsoRefusal, message
from app.sso.settings import Provider

bp = Blueprint("sso", __name__, template_folder="templates", url_prefix="/sso")
log = logging.getLogger("hocso.sso")
NEXT_KEY = "sso_next"  # in the session: where to go after the callback


def _set_up(state) -> None:
    """When the blueprint is registered: check the providers, make their clients and offer
    them on the accounts views."""
    app = state.app
    providers = settings.load(app)
    flow.init_app(app, providers)
    app.jinja_env.globals["sso_providers"] = lambda: list(settings.providers().values())
    external_sign_in.register(app, EXTERNAL_SIGN_IN)  # the login page's buttons, refusal, logout


bp.record_once(_set_up)


def _provider_or_404(name: str) -> Provider:
    provider = settings.providers().get(name)
    if provider is None:
        abort(404)
    return provider


@bp.route("/<provider_name>/login", methods=["POST"])
@public
def start(provider_name: str):
    provider = _provider_or_404(provider_name)
    if current_user.is_authenticated:
        return redirect(url_for("learning.my_courses"))
    session[NEXT_KEY] = safe_next_url(request.form.get("next"))
    try:
        return flow.start(provider, public_url("sso.callback", provider_name=provider.name))
    except SsoRefusal as refusal:
        return _refused(provider, refusal)


@bp.route("/<provider_name>/callback")
@public
def callback(provider_name: str):
    provider = _provider_or_404(provider_name)
    claims: dict = {}
    try:
        claims, id_token = flow.finish(provider, request.args)
        user = accounts.account_for(provider, claims)
        audit.record("login", "success", actor_name=user.username, method="sso",
                     provider=provider.name)
        db.session.commit()  # only a recorded login logs her in, as with a password
    except SsoRefusal as refusal:
        db.session.rollback()
        return _refused(provider, refusal, claims.get("sub", ""))
    except IntegrityError:  # her first sign-in, twice at once: the other one made the link
        db.session.rollback()
        return _refused(provider, SsoRefusal("provider_error", detail="concurrent first sign-in"))
    next_url = safe_next_url(session.get(NEXT_KEY))
    session.clear()  # nothing planted before login survives it
    login_user(user)
    flow.remember_for_logout(provider, id_token)
    return redirect(next_url or url_for("learning.my_courses"))


def _refused(provider: Provider, refusal: SsoRefusal, subject: str = ""):
    """Audit the refusal and show its message on the login page."""
    outcome = "denied" if refusal.reason == "inactive_account" else "failure"
    log.info("sso sign-in refused: provider=%s reason=%s %s", provider.name, refusal.reason,
             refusal.detail)
    audit.record("login", outcome, actor_name=f"{provider.name}:{subject}" if subject else "",
                 method="sso", provider=provider.name, reason=refusal.reason,
                 claim=refusal.claim, detail=refusal.detail[:300])
    db.session.commit()  # recorded before the refusal is answered
    flash(message(refusal, provider.label), "error")
    return redirect(url_for("accounts.login"))
