"""Fixtures for the certificate PDF tests: no Flask app, just facts, a renderer and a canary."""

import datetime
import threading
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.certificates.certificate_document import CertificateFacts

CODE = "7KQ2M-9XW4T-HC3PA-R8FVN"
VERIFY_URL = f"https://hocso.laocai.gov.vn/verify/{CODE}"


@pytest.fixture
def make_facts():
    """Build certificate facts in one call; keyword arguments override the defaults."""
    base = CertificateFacts(
        code=CODE,
        full_name="Nguyễn Thị Hồng Nhung",
        unit_name="UBND xã Tả Van, huyện Sa Pa",
        course_title="Chuyển đổi số cho lãnh đạo cấp xã",
        completed_on=datetime.date(2025, 3, 5),
        score=92,
        issuer="Sở Khoa học và Công nghệ tỉnh Lào Cai",
        signer_name="Nguyễn Văn An",
        signer_title="Giám đốc",
        verify_url=VERIFY_URL,
    )
    return lambda **changes: replace(base, **changes)


@dataclass
class Canary:
    """An HTTP server on loopback that records every request it receives."""

    host: str
    port: int
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@pytest.fixture
def canary():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CanaryHandler)
    server.canary = Canary("127.0.0.1", server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.canary
    server.shutdown()
    server.server_close()


class _CanaryHandler(BaseHTTPRequestHandler):
    def _record(self):
        self.server.canary.requests.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p::after { content: 'SSRF-CANARY' }")

    do_GET = do_POST = do_HEAD = _record

    def log_message(self, *args):
        pass
