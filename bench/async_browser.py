"""A learner's browser on asyncio + aiohttp: its own connection, its own cookies and CSRF token.

Thousands of these share one thread, so the load generator leaves the server most of the CPU.
Cookies go through bench.quiz_client.CookieJar rather than aiohttp's jar, which never sends a
Secure cookie over plain http (the production config marks them Secure; the bench talks to
127.0.0.1 as a TLS-terminating proxy would). Redirects are not followed: each request is one step.
"""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp

from bench.quiz_client import CookieJar, csrf_token_in

# Chrome on a learner's Android phone. Sent on every request, as a browser does: flask-login's
# session protection ties the session to the browser's address and user agent, and a request
# from another one marks the session no longer fresh (a new Set-Cookie on every response).
PHONE_USER_AGENT = ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/131.0.0.0 Mobile Safari/537.36")


@dataclass(frozen=True)
class Reply:
    """One request's outcome: a response (status) or none (error: "timeout" or "connection")."""

    status: int | None
    location: str
    body: str
    seconds: float
    error: str = ""

    @property
    def kind(self) -> str:
        """How to count it among errors: "HTTP 503", "timeout", "connection"."""
        return self.error or f"HTTP {self.status}"


class AsyncBrowser:
    """One learner's browser; `async with` opens and closes its connection."""

    def __init__(self, base_url: str, timeout: float = 30.0, keep_alive: bool = True) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.keep_alive = keep_alive  # False: a new connection for every request
        self.cookies = CookieJar()
        self.csrf_token = ""
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "AsyncBrowser":
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1, force_close=not self.keep_alive),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.close()

    async def request(self, method: str, path: str, form: dict | None = None) -> Reply:
        """Send one request (a form gets the CSRF token added); never raises for network trouble."""
        headers = {"Accept-Language": "vi", "User-Agent": PHONE_USER_AGENT}
        if self.cookies.cookies:
            headers["Cookie"] = self.cookies.header()
        data = None
        if form is not None:
            data = urlencode({**form, "csrf_token": self.csrf_token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            async with self.session.request(method, self.base_url + path, data=data, headers=headers,
                                            allow_redirects=False) as response:
                body = (await response.read()).decode("utf-8", "replace")
        except TimeoutError:
            return Reply(None, "", "", time.perf_counter() - started, "timeout")
        except (aiohttp.ClientError, OSError):
            return Reply(None, "", "", time.perf_counter() - started, "connection")
        self.cookies.remember(response.headers.getall("Set-Cookie", []))
        self.csrf_token = csrf_token_in(body) or self.csrf_token
        return Reply(response.status, response.headers.get("Location", ""), body,
                     time.perf_counter() - started)
