"""A launch from a platform: checked by pylti1p3, then mapped to a course and a learner.

The learner is found by the platform's issuer and subject, or created as a Hocso learner the
first time (whatever role the platform gives her: a Moodle teacher is not a Hocso instructor).
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException

from app.accounts.models import Role, User
from app.accounts.services import (
    AccountError,
    check_full_name,
    create_user,
    normalize_name,
)
from app.audit import services as audit
from app.content.models import Course
from app.content.services import course_by_slug
from app.database import begin_write_transaction, end_read_transaction, utcnow
from app.extensions import db
from app.lti import grade_passback
from app.lti.launch_state import DatabaseLaunchState, StateCookies
from app.lti.models import LtiIdentity, LtiLinkLearner, LtiResourceLink
from app.lti.platforms import http_session, tool_conf
from app.progress.services import completion_of, enrol
from app.units.services import unit_by_code_or_name

log = logging.getLogger(__name__)
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
COURSE_PATH_PREFIX = "/lti/courses/"
# pylti1p3's messages -> the reason shown (the first that the message starts with).
REASONS_BY_MESSAGE = (
    ("Missing state", "state"), ("State not found", "state"), ("Invalid Nonce", "replayed"),
    ("Registration not found", "unknown_platform"), ("Client id not registered", "unknown_platform"),
    ("Could not find registration", "unknown_platform"), ("Unable to find deployment", "unknown_deployment"),
)


class LaunchRefused(Exception):
    """The launch cannot sign anyone in; `reason` names the page the learner sees."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class LaunchClaims:
    """What Hocso keeps of a checked launch."""

    issuer: str
    client_id: str
    deployment_id: str
    subject: str
    name: str
    resource_link_id: str
    resource_title: str
    course_slug: str | None
    lineitem_url: str | None
    ags_scopes: tuple[str, ...]


def course_slug_from(custom: Any, target_link_uri: str) -> str | None:
    """The custom parameter course=<slug>, else the target link /lti/courses/<slug>."""
    if isinstance(custom, dict) and isinstance(custom.get("course"), str) and custom["course"].strip():
        return custom["course"].strip()[:64]
    path = urlsplit(target_link_uri or "").path
    if path.startswith(COURSE_PATH_PREFIX):
        slug = path[len(COURSE_PATH_PREFIX):].strip("/")
        return slug[:64] or None
    return None


def full_name_from(body: dict[str, Any]) -> str:
    """The launch's name; from its parts in Vietnamese order (family name first) if need be."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [body.get("family_name"), body.get("middle_name"), body.get("given_name")]
        name = " ".join(p for p in parts if isinstance(p, str))
    return normalize_name(name)


def claims_from(body: dict[str, Any]) -> LaunchClaims:
    """Pick the claims Hocso uses from a validated id_token body."""
    aud = body.get("aud")
    link = body.get(CLAIM + "resource_link") or {}
    ags = body.get(AGS_CLAIM) or {}
    scopes = ags.get("scope") if isinstance(ags, dict) else None
    return LaunchClaims(
        issuer=str(body["iss"]), client_id=str(aud[0] if isinstance(aud, list) else aud),
        deployment_id=str(body[CLAIM + "deployment_id"]), subject=str(body.get("sub") or ""),
        name=full_name_from(body), resource_link_id=str(link.get("id", ""))[:255],
        resource_title=str(link.get("title") or "")[:255],
        course_slug=course_slug_from(body.get(CLAIM + "custom"),
                                     str(body.get(CLAIM + "target_link_uri") or "")),
        lineitem_url=(ags.get("lineitem") or None) if isinstance(ags, dict) else None,
        ags_scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
    )


def reason_for(message: str) -> str:
    return next((reason for prefix, reason in REASONS_BY_MESSAGE if message.startswith(prefix)),
                "invalid")


def _adapters():
    request = FlaskRequest()
    return request, DatabaseLaunchState(request), StateCookies(request)


def launch_url() -> str:
    """The Redirection URI registered on the platform: the public address, never the request's."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/lti/launch"


def login_redirect():
    """The OIDC login initiation: a redirect to the platform's auth URL with state and nonce."""
    end_read_transaction()
    request, state, cookies = _adapters()
    login = FlaskOIDCLogin(request, tool_conf(), session_service=state, cookie_service=cookies)
    try:
        return login.redirect(launch_url())
    except (OIDCException, LtiException) as error:
        raise LaunchRefused(reason_for(str(error)), str(error)) from error


def checked_launch() -> LaunchClaims:
    """The posted id_token, checked by pylti1p3: state cookie, one-time nonce, registration,
    signature by the platform's key set, deployment, message. No transaction stays open while
    it fetches the key set."""
    end_read_transaction()
    request, state, cookies = _adapters()
    message = FlaskMessageLaunch(request, tool_conf(), session_service=state, cookie_service=cookies,
                                 requests_session=http_session())
    try:
        message.validate()
        resource_launch = message.is_resource_launch()
        body = dict(message.get_launch_data())
    except (OIDCException, LtiException) as error:
        raise LaunchRefused(reason_for(str(error)), str(error)) from error
    except (KeyError, TypeError, ValueError, AttributeError) as error:  # a malformed token or key set
        raise LaunchRefused("invalid", repr(error)) from error
    if not resource_launch:
        raise LaunchRefused("unsupported_message")
    return claims_from(body)


def sign_in(claims: LaunchClaims) -> tuple[User, Course]:
    """Her account (made on her first launch), enrolled in the launch's course, with the link
    recorded for grade passback and the login audited (caller commits, then logs her in)."""
    course = course_by_slug(claims.course_slug) if claims.course_slug else None
    if course is None:
        raise LaunchRefused("unknown_course", claims.course_slug or "")
    if not claims.subject:
        raise LaunchRefused("anonymous")
    begin_write_transaction()
    identity = db.session.scalar(sa.select(LtiIdentity).filter_by(issuer=claims.issuer,
                                                                  subject=claims.subject))
    if identity is None:
        identity = LtiIdentity(issuer=claims.issuer, subject=claims.subject, user=_new_learner(claims))
        db.session.add(identity)
    user = identity.user
    if not user.is_active:
        raise LaunchRefused("inactive", user.username)
    identity.last_launch_at = user.last_login_at = utcnow()
    enrol(user, course)
    link = _record_link(claims, course, identity)
    completion = completion_of(user, course)
    if completion is not None:  # completed before she came through this link: its column too
        grade_passback.queue_score(user, link, completion)
    audit.record("login", "success", actor_name=user.username, method="lti", issuer=claims.issuer)
    db.session.flush()
    return user, course


def _new_learner(claims: LaunchClaims) -> User:
    try:
        check_full_name(claims.name)
    except AccountError as error:
        raise LaunchRefused("no_name", str(error)) from error
    unit = None
    unit_name = current_app.config.get("LTI_CREATE_UNIT", "")
    if unit_name:
        unit = unit_by_code_or_name(unit_name)
        if unit is None:
            log.error("LTI_CREATE_UNIT=%r names no unit: LTI learners cannot be created", unit_name)
            raise LaunchRefused("misconfigured", "LTI_CREATE_UNIT")
    # No password she knows: she signs in through the platform (an admin may set one later).
    user = create_user(_free_username(claims), claims.name, secrets.token_urlsafe(32),
                       Role.LEARNER, unit)
    audit.record("user.created", target=user.username, method="lti", issuer=claims.issuer)
    return user


def _free_username(claims: LaunchClaims) -> str:
    digest = hashlib.sha256(f"{claims.issuer}\n{claims.subject}".encode()).hexdigest()
    for length in (12, 20, 32):
        username = f"lti-{digest[:length]}"
        if db.session.scalar(sa.select(User.id).where(User.username == username)) is None:
            return username
    raise LaunchRefused("misconfigured", "no free username")


def _record_link(claims: LaunchClaims, course: Course, identity: LtiIdentity) -> LtiResourceLink:
    key = dict(issuer=claims.issuer, client_id=claims.client_id, deployment_id=claims.deployment_id,
               resource_link_id=claims.resource_link_id)
    link = db.session.scalar(sa.select(LtiResourceLink).filter_by(**key))
    if link is None:
        link = LtiResourceLink(**key, course=course)
        db.session.add(link)
    link.course, link.title, link.updated_at = course, claims.resource_title, utcnow()
    link.lineitem_url, link.ags_scopes = claims.lineitem_url, list(claims.ags_scopes)
    db.session.flush()
    if db.session.scalar(sa.select(LtiLinkLearner.id).filter_by(
            identity_id=identity.id, link_id=link.id)) is None:
        db.session.add(LtiLinkLearner(identity=identity, link=link))
    return link
