"""Admin pages for accounts: find a user, reset the password, deactivate or reactivate."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role, User
from app.admin import account_admin
from app.enrolment.forms import ActionForm
from app.enrolment.services import EnrolmentError
from app.extensions import db
from app.progress.models import Enrolment
from app.security.access import roles_required
from app.security.input_hygiene import is_ascii_number

bp = Blueprint("user_admin", __name__, url_prefix="/admin/users", template_folder="templates")


@bp.route("/")
@roles_required(Role.ADMIN)
def users():
    text = request.args.get("q", "")[:120]
    page = request.args.get("page", "1")
    page_number = int(page) if is_ascii_number(page) and len(page) < 6 else 1
    return render_template("admin/users.html", users=account_admin.search_users(text, page_number),
                           q=text, page=page_number, page_size=account_admin.PAGE_SIZE)


@bp.route("/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int):
    return _user_page(_user_or_404(user_id))


@bp.route("/<int:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        password = account_admin.reset_password(user, current_user)
    except EnrolmentError as problem:
        flash(_(problem.message, **problem.params), "error")
        return redirect(url_for("user_admin.user", user_id=user.id))
    db.session.commit()
    response = make_response(render_template("admin/password_reset.html", user=user, password=password))
    response.headers["Cache-Control"] = "no-store"  # the password is shown once, never cached
    return response


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def deactivate(user_id: int):
    done = _("The account is deactivated; its sessions have ended.")
    return _set_active(_user_or_404(user_id), False, done)


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@roles_required(Role.ADMIN)
def reactivate(user_id: int):
    return _set_active(_user_or_404(user_id), True, _("The account is active again."))


def _set_active(user: User, active: bool, done: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        account_admin.set_active(user, active, current_user)
    except EnrolmentError as problem:
        flash(_(problem.message, **problem.params), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("user_admin.user", user_id=user.id))


def _user_page(user: User):
    enrolments = db.session.scalars(sa.select(Enrolment).filter_by(user_id=user.id)).all()
    return render_template("admin/user.html", user=user, enrolments=enrolments, form=ActionForm())


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user
