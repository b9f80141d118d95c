from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.certificates import file_verification, services
from app.certificates.codes import normalize_code
from app.certificates.file_verification import FileVerdict, Outcome
from app.certificates.forms import VerifyFileForm
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
    if certificate is None or not services.downloadable_by(certificate, current_user):
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
    return render_template("certificates/verify_form.html", form=VerifyFileForm(formdata=None),
                           max_bytes=_upload_limit())


@bp.route("/verify/<code>")
@public
@limiter.limit(_verify_limit)
def verify(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        return render_template("certificates/not_found.html"), 404
    return render_template("certificates/verify.html", certificate=certificate)


@bp.route("/verify/<code>.json")
@public
@limiter.limit(_verify_limit)
def verify_json(code: str):
    certificate = services.find_by_code(code)
    if certificate is None:
        return jsonify(error="not_found", code=code[:64]), 404
    return jsonify(services.public_record(certificate))


@bp.route("/verify/file", methods=["GET", "POST"])
@public
@limiter.limit(_verify_limit)
def verify_file():
    form = VerifyFileForm()
    verdict = None
    if form.validate_on_submit():
        data = form.pdf.data.read(_upload_limit() + 1)  # one byte more tells "too large"
        verdict = file_verification.verify_uploaded_pdf(data, _upload_limit())
    return _file_page(form, verdict)


@bp.errorhandler(413)
def upload_too_large(error):
    """A request over MAX_CONTENT_LENGTH, refused unread: the upload page says why."""
    return _file_page(VerifyFileForm(formdata=None), FileVerdict(Outcome.TOO_LARGE))


def _file_page(form: VerifyFileForm, verdict: FileVerdict | None):
    status = 413 if verdict is not None and verdict.outcome == Outcome.TOO_LARGE else 200
    page = render_template("certificates/verify_file.html", form=form, verdict=verdict,
                           max_bytes=_upload_limit())
    return page, status


def _upload_limit() -> int:
    return current_app.config["VERIFY_UPLOAD_MAX_BYTES"]
