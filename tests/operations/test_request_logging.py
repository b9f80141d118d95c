"""One JSON line per request on stdout, with a request id every record of the request carries."""

import json

import pytest

from app.security.access import public

JSON_LOGS = {"LOG_FORMAT": "json"}


def json_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def request_lines(capsys) -> list[dict]:
    return [line for line in json_lines(capsys) if line["logger"] == "hocso.requests"]


@pytest.mark.parametrize("app_settings", [JSON_LOGS])
def test_each_request_logs_one_json_line_with_a_generated_id(client, capsys):
    capsys.readouterr()
    response = client.get("/verify/ABCDE-FGHIJ?secret=xyz", headers={"X-Request-ID": "from-outside"})
    [line] = request_lines(capsys)
    assert line["request_id"] == response.headers["X-Request-ID"] != "from-outside"
    assert len(line["request_id"]) == 32
    assert line["method"] == "GET" and line["status"] == response.status_code
    assert line["route"] == "/verify/<code>"
    assert line["path"] == "/verify/<code>"  # the code itself is not logged, nor the query string
    assert "xyz" not in json.dumps(line) and line["remote_addr"] == "127.0.0.1"
    assert line["user_id"] is None and isinstance(line["duration_ms"], float)


@pytest.mark.parametrize("app_settings", [{**JSON_LOGS, "TRUSTED_PROXY_HOPS": 1}])
def test_a_trusted_proxy_supplies_the_request_id_when_it_looks_sane(client, capsys):
    capsys.readouterr()
    response = client.get("/health", headers={"X-Request-ID": "nginx-42ab"})
    assert response.headers["X-Request-ID"] == "nginx-42ab"
    for forged in ("a b", "x" * 65, "id;forged", "mã-số", "<script>"):
        assert client.get("/health", headers={"X-Request-ID": forged}).headers["X-Request-ID"] != forged
    lines = request_lines(capsys)
    assert len(lines) == 6 and lines[0]["request_id"] == "nginx-42ab"


@pytest.mark.parametrize("app_settings", [JSON_LOGS])
def test_the_logged_in_user_and_other_records_share_the_line_s_request_id(client, auth, make_user, capsys):
    learner = make_user(username="lan")
    auth.login("lan")
    capsys.readouterr()
    response = client.get("/admin/audit")  # refused: the audit service logs the refusal
    lines = json_lines(capsys)
    request_id = response.headers["X-Request-ID"]
    [request_line] = [line for line in lines if line["logger"] == "hocso.requests"]
    assert request_line["user_id"] == learner.id and request_line["status"] == 403
    assert any(line["logger"] == "hocso.audit" and line["request_id"] == request_id for line in lines)


@pytest.mark.parametrize("app_settings", [{**JSON_LOGS, "PROPAGATE_EXCEPTIONS": False}])
def test_a_traceback_is_one_json_record_with_the_request_id(app, client, capsys):
    app.add_url_rule("/boom", "boom", public(lambda: 1 / 0))
    capsys.readouterr()
    response = client.get("/boom")
    assert response.status_code == 500
    [error] = [line for line in json_lines(capsys) if line["level"] == "ERROR"]
    assert "ZeroDivisionError" in error["exc_info"]
    assert error["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("app_settings", [JSON_LOGS])
def test_a_newline_in_the_login_cannot_forge_a_line(client, capsys):
    capsys.readouterr()
    client.post("/login", data={"login": 'x\n{"level": "forged"}', "password": "sai"})
    out = capsys.readouterr().out
    assert all(json.loads(line)["level"] != "forged" for line in out.splitlines() if line.startswith("{"))
