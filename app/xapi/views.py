"""The admin's view of the xAPI outbox: what waits, what was sent, what failed and why."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_wtf import FlaskForm

from app.accounts.models import Role
from app.extensions import db
from app.security.access import roles_required
from app.xapi import delivery

bp = Blueprint("xapi", __name__, url_prefix="/admin/xapi", template_folder="templates")


class RetryFailedForm(FlaskForm):
    """No fields: the CSRF token is the point."""


@bp.route("")
@roles_required(Role.ADMIN)
def status():
    return render_template(
        "xapi/status.html", configured=bool(current_app.config.get("XAPI_LRS_URL")),
        counts=delivery.state_counts(), failures=delivery.recent_failures(), form=RetryFailedForm())


@bp.route("/retry", methods=["POST"])
@roles_required(Role.ADMIN)
def retry_failed():
    if not RetryFailedForm().validate_on_submit():
        abort(400)
    count = delivery.retry_failed()
    db.session.commit()
    flash(ngettext("%(num)d statement will be sent again within a minute.",
                   "%(num)d statements will be sent again within a minute.", count), "success")
    return redirect(url_for("xapi.status"))
