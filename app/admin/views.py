from flask import Blueprint, render_template, request

from app.accounts.models import Role
from app.admin.home import admin_figures
from app.audit import services as audit
from app.security.access import roles_required
from app.security.input_hygiene import is_ascii_number

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.route("/")
@roles_required(Role.ADMIN)
def home():
    """Every admin task one click away (two at most), each with a figure that says where things stand."""
    return render_template("admin/home.html", figures=admin_figures())


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    event = request.args.get("event", "")
    actor = request.args.get("actor", "")
    page = request.args.get("page", "1")
    page_number = int(page) if is_ascii_number(page) and len(page) < 6 else 1
    return render_template(
        "admin/audit.html",
        events=audit.search(event, actor, page_number),
        event_names=audit.event_names(),
        event=event,
        actor=actor,
        page=page_number,
        page_size=audit.PAGE_SIZE,
    )
