"""What every browser test shares: the app served on 127.0.0.1 (CSRF on, as in production),
Debian's Chromium through Playwright's sync API (never `playwright install`), and a phone."""

import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from app.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE_WIDTH = 390


@pytest.fixture
def live_server(app):
    """Serve the test app (its file database, CSRF on) on a free port of 127.0.0.1."""
    app.config["WTF_CSRF_ENABLED"] = True
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`)"
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@dataclass
class Phone:
    page: Page
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], "requests left 127.0.0.1"
        assert self.console_errors == [], "errors in the browser console"

    def assert_no_horizontal_scroll(self) -> None:
        widths = self.page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        assert widths[0] == PHONE_WIDTH, widths
        assert widths[1] <= PHONE_WIDTH, f"{self.page.url} scrolls sideways: {widths[1]}px wide"


@pytest.fixture
def phone(chromium):
    """A fresh phone-sized context per test, watching requests and the console."""
    context = chromium.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        accept_downloads=True,
    )
    page = context.new_page()
    watched = Phone(page)

    def on_request(request):
        if urlsplit(request.url).hostname != "127.0.0.1":
            watched.foreign_requests.append(request.url)

    def on_console(message):
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # The app ships no favicon yet and Chromium asks for one by itself; only that 404 is
        # tolerated, every other console error fails the test.
        if urlsplit(where).path == "/favicon.ico" and "404" in message.text:
            return
        watched.console_errors.append(f"{message.text} @ {where}")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.console_errors.append(str(error)))
    try:
        yield watched
    finally:
        context.close()
