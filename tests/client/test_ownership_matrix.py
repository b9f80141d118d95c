"""Case 20: every route that takes an object id x every actor; only the allowed cells succeed."""

import hashlib

import pytest
import sqlalchemy as sa

from app.certificates.models import Certificate
from app.extensions import db
from tests import builders
from tests.conftest import PASSWORD

ACTORS = ("owner", "other_learner", "instructor", "admin", "anonymous")


@pytest.fixture
def world(app, make_user):
    """learner_a owns an attempt and a certificate; the others try to reach them."""
    owner = make_user(username="learner_a", full_name="Nguyễn Văn A")
    make_user(username="learner_b", full_name="Trần Thị B")
    make_user(role="instructor", username="instr_1")
    make_user(role="admin", username="admin")
    client = app.test_client()
    client.post("/login", data={"login": "learner_a", "password": PASSWORD})
    builders.complete_course(client)
    open_token = builders.start_attempt(client, "gioi-thieu")
    certificate = db.session.scalars(sa.select(Certificate).filter_by(user_id=owner.id)).one()
    return {"attempt": open_token, "code": certificate.display_code}


def client_for(app, actor: str):
    client = app.test_client()
    username = {"owner": "learner_a", "other_learner": "learner_b", "instructor": "instr_1",
                "admin": "admin"}.get(actor)
    if username:
        assert client.post("/login", data={"login": username, "password": PASSWORD}).status_code == 302
    return client


# (method, url template, actors allowed to succeed)
MATRIX = [
    ("GET", "/attempts/{attempt}", {"owner"}),
    ("POST", "/attempts/{attempt}", {"owner"}),
    ("GET", "/certificates/{code}.pdf", {"owner", "admin"}),
    ("GET", "/verify/{code}", set(ACTORS)),
    ("GET", "/admin/audit", {"admin"}),
    ("GET", "/admin/xapi", {"admin"}),
    ("POST", "/admin/xapi/retry", {"admin"}),
]


def test_ownership_matrix(app, world, figures):
    cells = unexpected = 0
    for method, template, allowed in MATRIX:
        url = template.format(**world)
        for actor in ACTORS:
            response = client_for(app, actor).open(url, method=method)
            succeeded = response.status_code in (200, 302) and not (
                response.status_code == 302 and "/login" in response.headers.get("Location", "")
            )
            cells += 1
            if succeeded != (actor in allowed):
                unexpected += 1
            assert succeeded == (actor in allowed), (method, url, actor, response.status_code)
    figures.add(f"access matrix: {cells} cells → {unexpected} unexpected successes or refusals")


def test_extra_form_fields_change_nothing(app, world):
    client = client_for(app, "other_learner")
    client.post("/account/password", data={"role": "admin", "score": "100"})
    client.post("/courses/khoa-mau/enrol", data={"role": "admin", "user_id": "1"})
    assert client.get("/admin/audit").status_code == 403


def test_an_edited_pdf_does_not_match_the_published_hash(app, world):
    certificate = db.session.scalars(sa.select(Certificate)).one()
    middle = len(certificate.pdf) // 2
    forged = certificate.pdf[:middle] + bytes([certificate.pdf[middle] ^ 1]) + certificate.pdf[middle + 1:]
    assert hashlib.sha256(forged).hexdigest() != certificate.pdf_sha256


def test_verification_is_rate_limited_per_client(app, world):
    client = app.test_client()
    statuses = [client.get(f"/verify/{world['code']}").status_code for _ in range(61)]
    assert statuses[:60].count(200) == 60 and statuses[-1] == 429


def test_login_is_limited_per_account_across_addresses(app, make_user):
    """The account's own ceiling (100 an hour by default, case 29) holds across addresses;
    here it is lowered to 10 so that eleven guesses from eleven addresses reach it."""
    app.config["LOGIN_ACCOUNT_LIMIT"] = "10 per hour"
    make_user(username="lan")
    client = app.test_client()
    statuses = []
    for i in range(11):
        environ = {"REMOTE_ADDR": f"10.0.0.{i + 1}"}
        response = client.post("/login", data={"login": "lan", "password": "sai"},
                               environ_overrides=environ)
        statuses.append(response.status_code)
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429
