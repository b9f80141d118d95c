"""render_pdf: no local file or network fetch escapes it, no attachment, and it is bounded."""

import contextlib
import glob
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from app.certificates import pdf_rendering, weasyprint_engine
from app.certificates.pdf_rendering import ASSETS_DIR, PdfRenderError, render_pdf
from app.certificates.weasyprint_engine import SafeURLFetcher
from tests.pdf.poppler import embedded_file_count, inflated_bytes, pdf_fonts, pdf_text

APP_DIR = Path(pdf_rendering.__file__).resolve().parents[1]
FILE_CANARY = "FILE-CANARY-91bd"
CSS_CANARY = "CSS-CANARY-7f3a"
SVG_CANARY = "SVG-CANARY-c04e"


def _local_file_vectors(folder: Path) -> str:
    """HTML that reaches for secret files through every WeasyPrint resource type."""
    css = (folder / "secret.css").as_uri()
    svg = (folder / "secret.svg").as_uri()
    txt = (folder / "secret.txt").as_uri()
    escape = os.path.relpath(folder, ASSETS_DIR)  # "../../../tmp/...": a ../ escape
    return f"""<html><head>
      <link rel="stylesheet" href="{css}">
      <link rel="stylesheet" href="{escape}/secret.css">
      <link rel="attachment" href="{txt}"><link rel="attachment" href="file:///etc/passwd">
      <link rel="attachment" href="{escape}/secret.txt">
      <style>
        @import url("{css}");
        @font-face {{ font-family: Stolen; src: url("{svg}"); }}
        body {{ background: url("{svg}"); font-family: Stolen; }}
        h1 {{ list-style-image: url("{svg}"); content: url("{txt}"); }}
      </style></head><body>
      <h1>Vectors</h1>
      <img src="{svg}"><img src="{escape}/secret.svg"><img src="file:///etc/passwd">
      <img src="file:///dev/zero"><img src="file:///proc/self/environ">
      <object data="{svg}"></object><embed src="{svg}"><iframe src="{txt}"></iframe>
      <svg width="20" height="20"><image href="{svg}" width="20" height="20"/></svg>
      <a rel="attachment" href="{txt}">attached</a>
      <a rel="attachment" href="file:///etc/passwd">passwd</a>
    </body></html>"""


@pytest.fixture
def secret_folder(tmp_path):
    (tmp_path / "secret.txt").write_text(FILE_CANARY)
    (tmp_path / "secret.css").write_text(f'h1::after {{ content: "{CSS_CANARY}" }}')
    (tmp_path / "secret.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">'
        f'<text x="0" y="30">{SVG_CANARY}</text></svg>'
    )
    return tmp_path


def _leaks(pdf: bytes) -> list[str]:
    text, raw = pdf_text(pdf), inflated_bytes(pdf)
    canaries = (FILE_CANARY, CSS_CANARY, SVG_CANARY, "root:x:0:0")
    return [c for c in canaries if c in text or c.encode() in raw] + (
        ["embedded file"] if embedded_file_count(pdf) else []
    )


def test_local_files_are_unreachable_through_every_vector(secret_folder):
    assert _leaks(render_pdf(_local_file_vectors(secret_folder))) == []


def test_the_vectors_do_leak_when_the_folder_is_allowed(secret_folder, monkeypatch):
    # Control: proves the test above would see a leak. Attachments stay out regardless.
    monkeypatch.setattr(weasyprint_engine, "_fetcher", SafeURLFetcher(secret_folder))

    leaks = _leaks(render_pdf(_local_file_vectors(secret_folder)))

    assert CSS_CANARY in leaks
    assert SVG_CANARY in leaks
    assert "embedded file" not in leaks


def test_attachments_are_dropped_even_for_allowed_assets():
    html = (
        '<link rel="attachment" href="fonts.css" title="fonts">'
        '<p><a rel="attachment" href="fonts/OFL.txt" download="OFL.txt">licence</a></p>'
    )
    pdf = render_pdf(html)

    assert embedded_file_count(pdf) == 0
    assert b"EmbeddedFile" not in inflated_bytes(pdf)


def _network_vectors(base: str, port: int) -> list[str]:
    hosts = [
        base,
        f"http://localhost:{port}",
        f"http://2130706433:{port}",
        f"http://0x7f000001:{port}",
        f"http://127.1:{port}",
        f"https://127.0.0.1:{port}",
    ]
    docs = []
    for host in hosts:
        docs.append(f"""<html><head>
          <link rel="stylesheet" href="{host}/link.css">
          <link rel="attachment" href="{host}/attachment">
          <style>
            @import url("{host}/import.css");
            @font-face {{ font-family: Remote; src: url("{host}/font.ttf"); }}
            body {{ background-image: url("{host}/background.png"); font-family: Remote; }}
          </style></head><body>
          <img src="{host}/img.png"><object data="{host}/object"></object>
          <embed src="{host}/embed"><iframe src="{host}/iframe"></iframe>
          <svg width="10" height="10"><image href="{host}/svg-image.png"/></svg>
          <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3Cimage
            href='{host}/nested-svg.png' width='5' height='5'/%3E%3C/svg%3E">
          <a rel="attachment" href="{host}/a-attachment">a</a>
          <img src="file://127.0.0.1:{port}/file-host">
        </body></html>""")
    docs.append(
        f'<html><head><base href="{base}/base/"></head><body>'
        '<img src="relative.png"><link rel="stylesheet" href="relative.css"></body></html>'
    )
    return docs


def test_no_request_reaches_the_network(canary):
    urllib.request.urlopen(canary.url + "/self-check", timeout=5).read()
    assert canary.requests == ["GET /self-check"]  # the canary does count requests
    canary.requests.clear()

    for html in _network_vectors(canary.url, canary.port):
        pdf = render_pdf(html)
        assert "SSRF-CANARY" not in pdf_text(pdf)
        assert embedded_file_count(pdf) == 0

    assert canary.requests == []


def test_a_render_over_the_time_limit_is_stopped_and_the_next_one_works():
    huge = "<p>Nguyễn Thị Hồng Nhung — Chuyển đổi số cho lãnh đạo cấp xã</p>" * 10_000

    started = time.monotonic()
    with pytest.raises(PdfRenderError, match=r"longer than 0\.5 s"):
        render_pdf(huge, timeout_seconds=0.5)
    assert time.monotonic() - started < 3

    assert pdf_text(render_pdf("<p>Hoàng Văn Đức</p>")).strip() == "Hoàng Văn Đức"


def test_a_render_out_of_memory_fails_cleanly(monkeypatch):
    def greedy(html):
        return bytes(512 * 1024 * 1024)

    monkeypatch.setattr(weasyprint_engine, "render_in_process", greedy)

    with pytest.raises(PdfRenderError, match="MemoryError"):
        render_pdf("<p>x</p>", memory_budget_bytes=128 * 1024 * 1024)


def test_a_crashed_render_fails_cleanly_and_the_next_one_works(monkeypatch):
    monkeypatch.setattr(weasyprint_engine, "render_in_process", lambda html: os.kill(os.getpid(), 9))

    with pytest.raises(PdfRenderError, match="ended unexpectedly"):
        render_pdf("<p>x</p>")

    monkeypatch.undo()
    assert render_pdf("<p>x</p>").startswith(b"%PDF-")


@pytest.mark.parametrize(
    "html",
    [
        "<style>@page { size: 100000cm 100000cm }</style><p>Trang rất lớn</p>",
        "<p style='font-size: 1e9px'>Chữ rất lớn</p>",
        "<p style='font-size: 100000px'>Chữ rất lớn</p>",
        "<div>" * 20_000 + "lồng sâu" + "</div>" * 20_000,
        "<table><tr><td colspan='100000'>bảng</td></tr></table>",
        "<img src='file:///dev/zero'><link rel='stylesheet' href='file:///dev/zero'>",
    ],
    ids=["page-size", "font-1e9px", "font-100000px", "deep-nesting", "colspan", "dev-zero"],
)
def test_hostile_documents_end_within_the_limit(html):
    started = time.monotonic()
    with contextlib.suppress(PdfRenderError):  # a clear error is as good as a PDF here
        assert render_pdf(html, timeout_seconds=2).startswith(b"%PDF-")
    assert time.monotonic() - started < 5
    assert render_pdf("<p>x</p>").startswith(b"%PDF-")


def test_renders_leave_no_process_or_temporary_file_behind(tmp_path, monkeypatch):
    # A private temporary folder: other processes on the machine may render at the same time.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    render_pdf("<p>Hoàng Văn Đức</p>")
    with pytest.raises(PdfRenderError):
        render_pdf("<p>x</p>" * 10_000, timeout_seconds=0.2)

    assert multiprocessing.active_children() == []
    assert glob.glob(os.path.join(tmp_path, "hocso-pdf-*")) == []


def test_concurrent_renders_from_threads():
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(render_pdf("<p>Đức</p>"))) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(results) == 6
    assert all(pdf.startswith(b"%PDF-") for pdf in results)


def test_a_font_first_declared_in_a_render_works_in_every_render():
    font = (ASSETS_DIR / "fonts" / "BeVietnamPro_700Bold.ttf").as_uri()
    html = (
        f"<style>@font-face {{ font-family: Once; src: url('{font}') }}"
        "p { font-family: Once }</style><p>Nguyễn</p>"
    )
    for _ in range(2):
        names = [name.split("+")[-1] for name, _ in pdf_fonts(render_pdf(html))]
        assert names == ["Once-Bold"]


def test_weasyprint_is_called_only_by_the_renderer():
    callers = [
        path.relative_to(APP_DIR.parent).as_posix()
        for path in APP_DIR.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+weasyprint\b", path.read_text("utf-8"), re.MULTILINE)
    ]
    assert callers == ["app/certificates/weasyprint_engine.py"]


def test_a_web_worker_loads_weasyprint_only_when_it_first_renders(tmp_path):
    """Serving pages never imports WeasyPrint (70 MiB and a second per process); a render does."""
    script = f"""
import sys
from app import create_app
from config import TestingConfig

class Config(TestingConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite:///{tmp_path / 'app.sqlite3'}"

app = create_app(Config)
assert app.test_client().get("/login").status_code == 200
assert "weasyprint" not in sys.modules, "imported at start-up"
from app.certificates.pdf_rendering import render_pdf
assert render_pdf("<p>Chào</p>").startswith(b"%PDF")
assert "weasyprint" in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=APP_DIR.parent, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
