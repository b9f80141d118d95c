"""Cases 39 and 40: oversized bodies get 413; malformed text gets 400 and never reaches the database."""

import io
import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import csrf_token_from
from tests.security.conftest import log_in_as
from tests.security.routes import route_requests, sample_values

# Percent-encoded bytes that are not text: browsers and scripts can send all of them.
MALFORMED = {
    "invalid UTF-8": "%FF%FE",
    "overlong UTF-8": "%C0%AF",
    "NUL byte": "%00",
    "lone surrogate": "%ED%A0%80",
}
RAW = {name: bytes.fromhex(encoded.replace("%", "")) for name, encoded in MALFORMED.items()}
FORM = "application/x-www-form-urlencoded"
THREE_MB = 3 * 1024 * 1024


def acceptable(status: int) -> bool:
    """400 for what is refused, or the route's normal answer (a page, a redirect, a refusal).

    Werkzeug 3.1 keeps undecodable %-escapes in query strings and urlencoded bodies as the
    literal text "%FF", so such input is valid text and may be answered normally.
    """
    return 200 <= status < 400 or status in (400, 401, 403, 404, 405, 429)


def multipart(name: bytes, value: bytes) -> tuple[bytes, str]:
    boundary = "hocso-boundary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"".encode()
        + name + b'"\r\n\r\n' + value + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def malformed_variants(url: str, encoded: str, raw: bytes) -> list[dict]:
    """The same bad bytes in a query value and key, a form value and key, and a multipart field."""
    separator = "&" if "?" in url else "?"
    body, content_type = multipart(b"login", raw)
    key_body, key_type = multipart(b"q-" + raw, b"1")
    return [
        {"path": f"{url}{separator}next={encoded}"},
        {"path": f"{url}{separator}{encoded}=1"},
        {"path": url, "data": f"login={encoded}&password=x".encode(), "content_type": FORM},
        {"path": url, "data": f"q-{encoded}=1".encode(), "content_type": FORM},
        {"path": url, "data": body, "content_type": content_type},
        {"path": url, "data": key_body, "content_type": key_type},
    ]


def text_with_nul_in_database() -> list[str]:
    """Every stored text (JSON included) holding a NUL character, as table.column."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, dict | list):
                    value = json.dumps(value, ensure_ascii=False)
                if isinstance(value, str) and "\x00" in value:
                    found.append(f"{table.name}.{column}")
    return found


def test_malformed_text_on_every_route_never_gives_5xx(app, client, world, figures):
    """Each route is asked by the actor its policy admits, so the bytes reach its view."""
    requests = route_requests(app, sample_values(world))
    answers, wrong = [], []
    for route in requests:
        user = world.user_for(route.policy)
        for name, encoded in MALFORMED.items():
            for variant in malformed_variants(route.url, encoded, RAW[name]):
                log_in_as(client, user)
                status = client.open(method=route.method, **variant).status_code
                answers.append(status)
                if not acceptable(status):
                    wrong.append(f"{status} {route.method} {variant['path']} ({name}, {route.policy})")
    refused = sum(status == 400 for status in answers)
    figures.add(
        f"case 40: {len(answers)} malformed requests (invalid UTF-8, NUL, lone surrogates) over "
        f"{len(requests)} route×method pairs → {sum(s >= 500 for s in answers)} 5xx "
        f"({refused} answered 400)"
    )
    assert wrong == []


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_path_segments_get_400_or_404(client, world, name):
    for url in (f"/verify/{MALFORMED[name]}", f"/courses/khoa{MALFORMED[name]}mau",
                f"/attempts/{world.attempt_token}{MALFORMED[name]}"):
        log_in_as(client, world.learner)
        assert client.get(url).status_code in (400, 404), url


@pytest.mark.parametrize(
    "login", ["lan\x00", "\x00", "lan\x00' OR '1'='1", "a" * 30 + "\x00" + "b" * 30]
)
def test_nul_byte_in_the_login_field_never_reaches_the_database(client, make_user, login):
    make_user(username="lan")
    response = client.post("/login", data={"login": login, "password": "Mat-khau-sai-123"})
    assert acceptable(response.status_code)
    assert text_with_nul_in_database() == []


@pytest.mark.parametrize(
    "answers",
    [{"q-q-nam": "1\x00"}, {"q-q-nam\x00": "1"}, {"q-q-bao-ve": ["0", "\x00"]}, {"\x00": "\x00"}],
    ids=["value", "key", "second-value", "bare"],
)
def test_nul_byte_in_a_quiz_answer_never_reaches_the_database(client, world, answers):
    log_in_as(client, world.learner)
    response = client.post(f"/attempts/{world.attempt_token}", data=answers)
    assert acceptable(response.status_code)
    assert text_with_nul_in_database() == []


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


def test_a_3_mb_login_post_gets_413(client):
    response = client.post("/login", data={"login": "a" * THREE_MB, "password": "x"})
    assert response.status_code == 413


def test_a_3_mb_multipart_login_post_gets_413(client):
    body, content_type = multipart(b"login", b"a" * THREE_MB)
    response = client.post("/login", data=body, content_type=content_type)
    assert response.status_code == 413


def test_an_oversized_body_is_refused_without_being_read(client):
    stream = CountingStream(b"login=" + b"a" * THREE_MB)
    response = client.post(
        "/login", input_stream=stream, content_length=len(stream.getvalue()), content_type=FORM
    )
    assert response.status_code == 413
    assert stream.bytes_read < 64 * 1024


@pytest.mark.parametrize(
    "disposition",
    [b"form-data", b'form-data; name="a\\"', b'form-data; name="a\rb"'],
    ids=["no-name", "backslash", "carriage-return"],
)
@pytest.mark.parametrize("url", ["/login", "/verify", "/health"])
def test_multipart_part_without_a_usable_name_gives_no_5xx(app, client, disposition, url):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production: an error page
    body = b"--b\r\nContent-Disposition: " + disposition + b"\r\n\r\nv\r\n--b--\r\n"
    response = client.post(url, data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code < 500


@pytest.mark.parametrize(
    "body", [[1], False, 7, "text", {"login": {"a": 1}, "password": "Mat-khau-sai-123"},
             {"login": "lan", "password": 12345678}],
    ids=["list", "false", "number", "string", "object-value", "number-value"],
)
def test_json_body_to_a_form_gives_no_5xx(app, client, world, body):
    app.config.update(PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    anonymous = client.post("/login", json=body, headers={"X-CSRFToken": token})
    log_in_as(client, world.learner)
    token = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    learner = client.post("/account/password", json=body, headers={"X-CSRFToken": token})
    assert (anonymous.status_code < 500, learner.status_code < 500) == (True, True)
