from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.accounts.models import Role
from app.certificates import services
from app.certificates.codes import normalize_code
from app.extensions import db, limiter
from app.security.access import authenticated, public

bp = Blueprint("certificates", __name__, template_folder="templates")


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.route("/certificates")
@authenticated
def my_certificates():
    return render_template(
        "certificates/my_certificates.html", certificates=services.certificates_of(current_user)
    )


@bp.route("/certificates/<code>.pdf")
@authenticated
def download(code: str):
    certificate = services.find_by_code(code)
    if certificate is None or (
        certificate.user_id != current_user.id and current_user.role != Role.ADMIN
    ):
        abort(404)
    filename = f"chung-nhan-{certificate.code}.pdf"
    pdf = services.stored_pdf(certificate)
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/verify")
@public
@limiter.limit(_verify_limit)
def verify_form():
    typed = request.args.get("code", "")
    if typed:
        code = normalize_code(typed)
        return redirect(url_for("certificates.verify", code=code or typed[:64]))
    return render_template("certificates/verify_form.html")


@bp.route("/verify/<code>")
@public
@limiter.limit(_verify_limit)
def verify(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        return render_template("certificates/not_found.html"), 404
    return render_template("certificates/verify.html", certificate=certificate)
