"""A learner's browser reduced to what quizzes need: cookies, the CSRF token, and four requests.

Plain `http.client`, one connection per request, no redirects followed: a submission counts as
acknowledged only when its own response (302) arrived.
"""

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COURSE = "khoa-mau"


class ServerUnavailable(Exception):
    """No response arrived: refused, reset, closed early or timed out (the request may have run)."""


class UnexpectedResponse(Exception):
    """The server answered, but not as a browser would expect."""

    def __init__(self, what: str, status: int, seconds: float = 0.0):
        super().__init__(f"{what}: HTTP {status}")
        self.status = status
        self.seconds = seconds


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    body: str
    seconds: float


class CookieJar:
    """A browser's cookies for one site, Secure ones included: the bench talks plain http on loopback
    to a production server (whose cookies are Secure), as a TLS-terminating proxy would."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def header(self) -> str:
        """The Cookie header to send; empty when there is none."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def remember(self, set_cookie_headers: list[str]) -> None:
        for header in set_cookie_headers:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            expired = "expires=thu, 01 jan 1970" in header.lower() or "max-age=0" in header.lower()
            if expired or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def clear(self) -> None:
        self.cookies.clear()


def csrf_token_in(page: str) -> str | None:
    """The CSRF token of the first form in the page, if it has one."""
    match = CSRF_FIELD.search(page)
    return match.group(1) if match else None


class QuizClient:
    """One learner talking to one server; not shared between threads."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.cookies = CookieJar()
        self.csrf_token = ""

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        """Send one request; ServerUnavailable when no complete response came back."""
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
        if self.cookies.header():
            headers["Cookie"] = self.cookies.header()
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.csrf_token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise ServerUnavailable(f"{method} {path}: {error!r}") from error
        finally:
            connection.close()
        self.cookies.remember(response.headers.get_all("Set-Cookie") or [])
        text = data.decode("utf-8", "replace")
        self.csrf_token = csrf_token_in(text) or self.csrf_token
        return Response(response.status, response.headers.get("Location", ""), text,
                        time.perf_counter() - started)

    def log_in(self, username: str, password: str) -> None:
        """Open the login page, log in, and pick up the CSRF token of the new session."""
        self.cookies.clear()  # a retried login starts over, as after closing the browser
        self.request("GET", "/login")
        response = self.request("POST", "/login", {"login": username, "password": password})
        if response.status != 302:
            raise UnexpectedResponse(f"log in {username}", response.status)
        page = self.request("GET", f"/courses/{COURSE}")
        if page.status != 200 or not self.csrf_token:
            raise UnexpectedResponse("course page after login", page.status)

    def start_attempt(self, module_slug: str) -> str:
        """Start (or resume) the module's quiz; returns the attempt token."""
        response = self.request("POST", f"/courses/{COURSE}/modules/{module_slug}/quiz", {})
        if response.status != 302 or "/attempts/" not in response.location:
            raise UnexpectedResponse(f"start {module_slug}", response.status, response.seconds)
        return response.location.rsplit("/", 1)[-1]

    def attempt_page(self, token: str) -> str:
        """The attempt's page, whose form holds this attempt's option values."""
        response = self.request("GET", f"/attempts/{token}")
        if response.status != 200:
            raise UnexpectedResponse(f"attempt page {token}", response.status, response.seconds)
        return response.body

    def submit(self, token: str, answers: dict[str, list[str]]) -> Response:
        """POST the answers of an attempt; 302 means the server recorded them."""
        return self.request("POST", f"/attempts/{token}", answers)
