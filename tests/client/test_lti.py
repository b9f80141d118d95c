"""Issue 16, item 3: Hocso as an LTI 1.3 tool, launched by a platform simulated on loopback."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.database import utcnow
from app.extensions import db
from app.lti.grade_passback import send_due_scores
from app.lti.models import LtiIdentity, LtiNonce, LtiResourceLink, LtiScore, ScoreState
from app.lti.tool_keys import new_private_pem
from app.progress.models import CourseCompletion, Enrolment
from tests import builders
from tests.conftest import row_count
from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, PlatformServer, SimulatedPlatform, rsa_key

REFUSED_VI = "Liên kết tới Hocso không dùng được"
REFUSED_EN = "This link to Hocso did not work"


@pytest.fixture(scope="session")
def tool_key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("lti") / "tool-key.pem"
    path.write_bytes(new_private_pem())
    return path


@pytest.fixture
def platform():
    with PlatformServer(SimulatedPlatform()) as platform:
        yield platform


@pytest.fixture
def app_settings(platform, tmp_path, tool_key_file):
    return {"LTI_PLATFORMS_FILE": str(platform.registration_file(tmp_path)),
            "LTI_PRIVATE_KEY_FILE": str(tool_key_file), "LTI_CREATE_UNIT": "T99-X01"}


@pytest.fixture
def lti(app, client, platform, commune):
    """The platform trusts the key set the tool publishes, as Moodle does with its Keyset URL."""
    platform.tool_public_jwks = client.get("/lti/jwks").get_json()
    return platform


def start_login(client, platform) -> dict[str, str]:
    """The platform's login initiation; returns the auth request's parameters."""
    response = client.post("/lti/login", data={
        "iss": platform.issuer, "login_hint": "42", "target_link_uri": "http://127.0.0.1:5000/lti/launch",
        "lti_message_hint": "hint-9", "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT_ID})
    assert response.status_code == 302, response.status_code
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.base_url + "/auth"
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def launch(client, platform, **changes):
    auth = start_login(client, platform)
    token = platform.id_token(auth["nonce"], **changes)
    return client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}), token, auth


def test_the_tool_publishes_its_public_key(lti, client):
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    assert keys[0]["kid"] and "d" not in keys[0]  # the private part never leaves


def test_login_initiation_redirects_to_the_platform_with_state_and_nonce(lti, client):
    auth = start_login(client, lti)
    assert auth["scope"] == "openid" and auth["response_type"] == "id_token"
    assert auth["response_mode"] == "form_post" and auth["prompt"] == "none"
    assert auth["client_id"] == CLIENT_ID and auth["login_hint"] == "42"
    assert auth["lti_message_hint"] == "hint-9"
    assert auth["redirect_uri"] == "http://127.0.0.1:5000/lti/launch"
    assert auth["state"].startswith("state-") and len(auth["nonce"]) >= 32
    assert db.session.get(LtiNonce, auth["nonce"]) is not None
    cookie = client.get_cookie("lti1p3-" + auth["state"], path="/lti/")
    assert cookie is not None and cookie.value == auth["state"]


def test_a_valid_launch_signs_in_enrols_and_lands_in_the_course(lti, client, commune):
    response, _, _ = launch(client, lti)
    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/khoa-mau"
    assert client.get("/courses/khoa-mau").status_code == 200  # signed in: no login page
    user = db.session.scalars(sa.select(User)).one()
    assert user.full_name == "Lò Thị Mai" and user.role == "learner" and user.unit_id == commune.id
    assert user.username.startswith("lti-")
    identity = db.session.scalars(sa.select(LtiIdentity)).one()
    assert (identity.issuer, identity.subject, identity.user_id) == (lti.issuer, "moodle-user-42", user.id)
    assert db.session.scalars(sa.select(Enrolment)).one().user_id == user.id
    link = db.session.scalars(sa.select(LtiResourceLink)).one()
    assert link.lineitem_url == lti.lineitem_url and link.resource_link_id == "moodle-activity-9"
    login = db.session.scalars(sa.select(AuditEvent).filter_by(event="login")).one()
    assert login.outcome == "success" and login.details["method"] == "lti"


def test_her_next_launch_finds_the_same_account(lti, client, app):
    launch(client, lti)
    other_browser = app.test_client()
    response, _, _ = launch(other_browser, lti, name="Lò Thị Mai (đổi tên)")
    assert response.status_code == 302
    assert row_count(User) == 1 and row_count(LtiIdentity) == 1 and row_count(Enrolment) == 1


def test_a_platform_instructor_is_a_hocso_learner(lti, client):
    instructor = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    response, _, _ = launch(client, lti, **{"https://purl.imsglobal.org/spec/lti/claim/roles": instructor})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(User)).one().role == "learner"


def test_the_course_can_come_from_the_target_link(lti, client):
    response, _, _ = launch(client, lti, custom=None,
                            target_link_uri="http://127.0.0.1:5000/lti/courses/khoa-mau")
    assert response.headers["Location"] == "/courses/khoa-mau"


def _assert_refused(response, text=REFUSED_VI):
    assert response.status_code == 400
    assert text in response.get_data(as_text=True)
    assert row_count(User) == row_count(LtiIdentity) == row_count(Enrolment) == 0
    assert row_count(LtiResourceLink) == 0
    denied = db.session.scalars(sa.select(AuditEvent).filter_by(event="lti.launch")).all()
    assert [e.outcome for e in denied] == ["denied"]
    return denied[0].details["reason"]


@pytest.mark.parametrize(("changes", "reason"), [
    ({"signing_key": "other"}, "invalid"),
    ({"aud": "another-tool"}, "unknown_platform"),
    ({"deployment_id": "deployment-unknown"}, "unknown_deployment"),
    ({"exp": 1_000_000}, "invalid"),
    ({"custom": {"course": "khong-co-khoa-nay"}}, "unknown_course"),
    ({"name": None, "given_name": None, "family_name": None}, "no_name"),
    ({"message_type": "LtiDeepLinkingRequest"}, "invalid"),
])
def test_a_bad_launch_gets_a_clear_page_and_creates_nothing(lti, client, changes, reason):
    if changes.get("signing_key") == "other":
        changes = {"signing_key": rsa_key()}  # a key the platform's key set does not hold
    response, _, _ = launch(client, lti, **changes)
    assert _assert_refused(response) == reason


def test_a_replayed_launch_is_refused(lti, client, app):
    first, token, auth = launch(client, lti)
    assert first.status_code == 302
    again = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert again.status_code == 400 and REFUSED_VI in again.get_data(as_text=True)
    assert db.session.scalars(sa.select(AuditEvent).filter_by(event="lti.launch")).one().details[
        "reason"] == "replayed"
    assert row_count(User) == 1


def test_a_launch_without_the_state_cookie_is_refused_in_english_too(lti, client, app):
    auth = start_login(client, lti)
    stranger = app.test_client()  # another browser: the state cookie is not there
    response = stranger.post("/lti/launch", headers={"Accept-Language": "en"},
                             data={"id_token": lti.id_token(auth["nonce"]), "state": auth["state"]})
    assert _assert_refused(response, REFUSED_EN) == "state"
    assert "open it in a new window" in response.get_data(as_text=True)


def test_garbage_never_makes_a_server_error(lti, client):
    for data in ({}, {"id_token": "a.b.c", "state": "x"}, {"id_token": "not a token", "state": "s"}):
        assert client.post("/lti/launch", data=data).status_code == 400
    assert client.post("/lti/login", data={"iss": "https://unknown.example", "login_hint": "1"}
                       ).status_code == 400
    assert client.get("/lti/login").status_code == 400


def test_inside_the_platforms_frame_she_is_offered_a_new_window(lti, client):
    response = client.post("/lti/login", headers={"Sec-Fetch-Dest": "iframe"}, data={
        "iss": lti.issuer, "login_hint": "42", "client_id": CLIENT_ID, "lti_message_hint": "m"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Hocso mở trong cửa sổ mới" in page
    assert 'target="_blank"' in page and "lti1p3_new_window=1" in page and "login_hint=42" in page
    assert f"frame-ancestors {lti.base_url}" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert row_count(LtiNonce) == 0  # nothing started until she opens the new window


def test_lti_is_off_without_configuration(tmp_path):
    from app import create_app
    from config import TestingConfig

    class Off(TestingConfig):
        SQLALCHEMY_DATABASE_URI = TestingConfig.SQLALCHEMY_DATABASE_URI or f"sqlite:///{tmp_path / 'off.db'}"

    client = create_app(Off).test_client()
    assert client.get("/lti/jwks").status_code == 404
    assert client.post("/lti/login").status_code == 404
    assert client.post("/lti/launch").status_code == 404


def test_completion_posts_the_score_once_retrying_after_a_platform_error(lti, client):
    launch(client, lti)
    builders.complete_course(client)
    completion = db.session.scalars(sa.select(CourseCompletion)).one()
    score = db.session.scalars(sa.select(LtiScore)).one()
    assert score.state == ScoreState.PENDING and score.platform_user_id == "moodle-user-42"

    lti.score_statuses.append(500)
    assert send_due_scores() == 0
    db.session.commit()  # a fresh read: the sweep wrote on connections of its own
    assert score.attempts == 1 and "HTTP 500" in score.last_error and score.state == ScoreState.PENDING
    assert send_due_scores() == 0  # not due yet: nothing posted
    assert len(lti.scores) == 1

    assert send_due_scores(now=utcnow() + timedelta(minutes=2)) == 1
    assert send_due_scores(now=utcnow() + timedelta(days=1)) == 0
    assert [s["status"] for s in lti.scores] == [500, 200]
    sent = lti.scores[-1]
    assert sent["query"] == "type_id=2"
    assert sent["content_type"] == "application/vnd.ims.lis.v1.score+json"
    body = sent["body"]
    assert body["scoreGiven"] == completion.score and body["scoreMaximum"] == 100
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    assert body["userId"] == "moodle-user-42"
    assert body["timestamp"].startswith(completion.completed_at.strftime("%Y-%m-%dT%H:%M"))
    assertion = lti.assertions[-1]["claims"]  # the platform checked the tool's signed assertion
    assert assertion["iss"] == assertion["sub"] == CLIENT_ID
    db.session.commit()  # a fresh read: the sweep wrote on connections of its own
    assert score.state == ScoreState.SENT and score.sent_at is not None


def test_a_link_she_opens_after_completing_gets_her_score_too(lti, client):
    launch(client, lti)
    builders.complete_course(client)
    response, _, _ = launch(client, lti, **{
        "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": "another-activity"}})
    assert response.status_code == 302
    scores = db.session.scalars(sa.select(LtiScore)).all()
    assert len(scores) == row_count(LtiResourceLink) == 2
    assert len({s.link_id for s in scores}) == 2
