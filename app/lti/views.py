"""LTI 1.3 endpoints: the tool's key set, OIDC login initiation, launch, course target links."""

import logging

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.extensions import csrf, db
from app.lti import platforms
from app.lti.launch import LaunchRefused, checked_launch, login_redirect, sign_in
from app.security.access import authenticated, public

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")
log = logging.getLogger(__name__)
LOGIN_PARAMETERS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id",
                    "client_id")
NEW_WINDOW_PARAMETER = "lti1p3_new_window"
SIGN_IN_TRIES = 2  # a second launch of the same new learner at once loses the race, then finds her
REFUSALS = {
    "state": _l("Your browser did not bring back Hocso's sign-in check (it may block Hocso's "
                "cookies inside another site). Go back and open the activity again; if this "
                "happens again, open it in a new window."),
    "replayed": _l("This sign-in has already been used. Go back to the course on the learning "
                   "platform and open the activity again."),
    "unknown_platform": _l("This learning platform is not registered with Hocso. Ask the "
                           "administrator to register it."),
    "unknown_deployment": _l("This tool deployment on the learning platform is not registered "
                             "with Hocso. Ask the administrator to add its deployment ID."),
    "invalid": _l("The sign-in from the learning platform could not be verified. Go back and "
                  "open the activity again."),
    "unsupported_message": _l("Hocso can only open a course from an activity link. Ask the "
                              "administrator to add the activity as Hocso's guide describes."),
    "unknown_course": _l("The activity does not name a Hocso course. Ask the administrator to "
                         "check the activity's custom parameter “course”."),
    "anonymous": _l("The learning platform did not say who you are. Ask the administrator to "
                    "check the tool's privacy settings."),
    "no_name": _l("The learning platform did not share your name, which Hocso prints on "
                  "certificates. Ask the administrator to turn on “Share launcher's name with "
                  "tool”."),
    "inactive": _l("Your Hocso account has been deactivated. Ask the administrator."),
    "misconfigured": _l("Hocso's connection to the learning platform is not fully set up. Tell "
                        "the administrator."),
}


@bp.record_once
def load_configuration(state) -> None:
    platforms.init_app(state.app)


def _configuration_or_404() -> platforms.HocsoToolConf:
    conf = platforms.tool_conf()
    if conf is None:
        abort(404)  # LTI is off
    g.allow_framing_by = conf.frame_origins()  # these pages may show inside the platform
    return conf


@bp.route("/jwks")
@public
def jwks():
    conf = _configuration_or_404()
    response = jsonify({"keys": [conf.key.public_jwk]})
    response.cache_control.public, response.cache_control.max_age = True, 3600
    return response


def _framed() -> bool:
    """Inside the platform's page: Hocso's Lax session cookie would not be kept there."""
    return (request.headers.get("Sec-Fetch-Dest") in ("iframe", "frame")
            and not request.values.get(NEW_WINDOW_PARAMETER))


@bp.route("/login", methods=["GET", "POST"])
@public
@csrf.exempt  # posted by the platform; the state cookie and nonce protect the launch
def login():
    _configuration_or_404()
    if _framed():
        parameters = {k: request.values[k] for k in LOGIN_PARAMETERS if request.values.get(k)}
        new_window = url_for("lti.login", **parameters, **{NEW_WINDOW_PARAMETER: "1"})
        return render_template("lti/new_window.html", new_window_url=new_window)
    try:
        return login_redirect()
    except LaunchRefused as refusal:
        return _refused(refusal)


@bp.route("/launch", methods=["POST"])
@public
@csrf.exempt  # posted by the platform: pylti1p3 checks state, nonce and signature instead
def launch():
    _configuration_or_404()
    try:
        claims = checked_launch()
        for attempt in range(SIGN_IN_TRIES):
            user, course = sign_in(claims)
            try:
                db.session.commit()  # only a recorded launch signs her in
                break
            except IntegrityError:
                db.session.rollback()
                if attempt + 1 == SIGN_IN_TRIES:
                    raise
    except LaunchRefused as refusal:
        db.session.rollback()
        return _refused(refusal)
    session.clear()  # nothing planted before the launch survives it, as at a local login
    login_user(user)
    return redirect(url_for("learning.course", slug=course.slug))


def _refused(refusal: LaunchRefused):
    log.warning("LTI launch refused: %s", refusal)
    audit.record("lti.launch", "denied", reason=refusal.reason, detail=str(refusal)[:300])
    db.session.commit()  # recorded before the refusal is answered
    message = REFUSALS.get(refusal.reason, REFUSALS["invalid"])
    return render_template("lti/refused.html", message=message), 400


@bp.route("/courses/<slug>")
@authenticated
def course(slug: str):
    """A course's target link URI on the platform; opened directly, it is the course page."""
    return redirect(url_for("learning.course", slug=slug))
