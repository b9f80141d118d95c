"""CSRF on every form, and security headers on every response."""

from tests.conftest import PASSWORD, csrf_token_from

STATE_CHANGING = [
    "/logout", "/account/password", "/language", "/courses/khoa-mau/enrol",
    "/courses/khoa-mau/modules/doc-them/read", "/courses/khoa-mau/modules/gioi-thieu/quiz",
    "/attempts/abc",
]


def logged_in_with_csrf(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(username="lan")
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": "lan", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_login_without_csrf_token_is_refused(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user(username="lan")
    response = app.test_client().post("/login", data={"login": "lan", "password": PASSWORD})
    assert response.status_code == 400


def test_every_state_changing_route_rejects_missing_and_foreign_tokens(app, make_user):
    client = logged_in_with_csrf(app, make_user)
    other = app.test_client()
    foreign = csrf_token_from(other.get("/login").get_data(as_text=True))
    for url in STATE_CHANGING:
        assert client.post(url, data={}).status_code == 400, url
        assert client.post(url, data={"csrf_token": foreign}).status_code == 400, url
    assert client.get("/courses").status_code == 200  # still logged in: nothing was changed


def test_security_headers_on_every_kind_of_response(client):
    for url in ("/login", "/verify/XYZ", "/static/hocso.css", "/no-such-page"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src http://localhost/static/offline.js;" in csp, url  # that file only
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, url
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(client, make_user):
    make_user(username="lan")
    response = client.post("/login", data={"login": "lan", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
