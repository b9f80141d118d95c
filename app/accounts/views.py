from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app import errors
from app.accounts import external_sign_in, services, throttle
from app.accounts.forms import ChangePasswordForm, LoginForm
from app.accounts.models import Role
from app.audit import services as audit
from app.database import commit_keeping_loaded
from app.extensions import db
from app.security.access import authenticated, public

bp = Blueprint("accounts", __name__, template_folder="templates")


def safe_next_url(target: str | None) -> str | None:
    """Only paths on this site: no scheme, no host, no "//" or backslash tricks, and no control
    characters (a CR/LF in a Location header is refused by Werkzeug with a 500)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if not target.isprintable():
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def home_url(user) -> str:
    """Where a person lands after login: admins on the admin home, everyone else on their courses."""
    return url_for("admin.home") if user.role == Role.ADMIN else url_for("learning.my_courses")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        typed = form.login.data.strip().lower()
        claim = services.login_claim(form.login.data)
        username = claim.user.username if claim.user is not None else typed
        attempt = throttle.begin_attempt(throttle.account_key(claim.user, form.login.data),
                                         request.remote_addr or "")
        if attempt.wait_seconds:
            audit.record("login.locked", "denied", actor_name=typed, wait=attempt.wait_seconds)
            db.session.commit()  # recorded before the refusal is answered
            return errors.too_many_attempts(attempt.wait_seconds)
        commit_keeping_loaded()  # counted before the password is checked: parallel guesses count too
        user = services.check_login(claim, form.password.data)
        if user is None:
            audit.record("login", "failure", actor_name=typed)
            db.session.commit()  # recorded before the refusal is answered
            form.password.errors.append(_("Wrong username, phone number or password."))
        elif refusal := external_sign_in.password_refusal(user.role):
            db.session.rollback()  # her password was right: no rehash, no last login
            throttle.forgive(attempt)
            audit.record("login", "denied", actor_name=username, reason="local_password_off")
            db.session.commit()
            form.password.errors.append(refusal)
        else:
            throttle.forgive(attempt)
            audit.record("login", "success", actor_name=username)
            commit_keeping_loaded()  # only a recorded login logs her in
            session.clear()  # nothing planted before login survives it
            login_user(user)
            next_url = safe_next_url(request.args.get("next"))
            return redirect(next_url or home_url(user))
    return render_template("accounts/login.html", form=form,
                           sign_in_buttons=external_sign_in.buttons_templates())


@bp.route("/logout", methods=["POST"])
@authenticated
def logout():
    provider_logout = external_sign_in.logout_redirect()  # read before the session (and its ID token) ends
    services.end_sessions(current_user)
    audit.record("logout")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    response = redirect(provider_logout or url_for("accounts.login"))
    # Courses saved for reading offline (and progress not yet sent) leave the device with her.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit() and _apply_password_change(form):
        flash(_("Your password has been changed. Other devices have been logged out."), "success")
        return redirect(url_for("learning.my_courses"))
    return render_template("accounts/change_password.html", form=form)


def _apply_password_change(form: ChangePasswordForm) -> bool:
    """Change the password, or put the reason on the form; True when it changed."""
    if form.new_password.data == form.current_password.data:
        form.new_password.errors.append(_("The new password must differ from the current one."))
        return False
    user = current_user._get_current_object()
    try:
        services.change_password(user, form.current_password.data, form.new_password.data)
    except services.WrongPasswordError:
        audit.record("password.changed", "failure", target=user.username)
        db.session.commit()  # recorded before the refusal is answered
        form.current_password.errors.append(_("The current password is wrong."))
        return False
    except services.AccountError:
        form.new_password.errors.append(
            _("This password is too common and easy to guess. Choose another one.")
        )
        return False
    audit.record("password.changed", target=user.username)
    db.session.commit()
    login_user(user)  # this device stays logged in with the new session version
    return True


@bp.route("/language", methods=["POST"])
@public
def set_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.locale = language
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("learning.index"))
