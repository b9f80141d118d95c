"""SafeURLFetcher: only data: URLs and regular files really inside the allowed folder."""

import os

import pytest

from app.certificates.pdf_rendering import ASSETS_DIR, ASSETS_URL, URLRefusedError
from app.certificates.weasyprint_engine import SafeURLFetcher


@pytest.fixture
def fetcher():
    return SafeURLFetcher(ASSETS_DIR)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/etc/passwd",
        "file:///dev/zero",
        "file:///proc/self/environ",
        f"{ASSETS_URL}../pdf_rendering.py",
        f"{ASSETS_URL}fonts/../../pdf_rendering.py",
        f"{ASSETS_URL}%2e%2e/pdf_rendering.py",
        f"{ASSETS_URL}..%2fpdf_rendering.py",
        f"{ASSETS_URL}%252e%252e/pdf_rendering.py",
        f"{ASSETS_URL}fonts",
        f"{ASSETS_URL}missing.css",
        "http://127.0.0.1/",
        "http://localhost/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/style.css",
        "ftp://example.com/file",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
        "jar:file:///etc/passwd!/",
        "/etc/passwd",
    ],
)
def test_refuses(fetcher, url):
    with pytest.raises(URLRefusedError):
        fetcher.fetch(url)


def test_allows_bundled_assets_and_data_urls(fetcher):
    css = fetcher.fetch(ASSETS_URL + "fonts.css")
    font = fetcher.fetch(ASSETS_URL + "fonts/BeVietnamPro_400Regular.ttf")
    data = fetcher.fetch("data:text/css,p%20%7Bcolor%3Ared%7D")

    assert b"@font-face" in css.read()
    assert css.content_type == "text/css"
    assert len(font.read()) > 100_000
    assert data.read() == b"p {color:red}"


def test_symlink_escapes_are_refused(tmp_path):
    allowed = tmp_path / "assets"
    allowed.mkdir()
    (allowed / "inside.css").write_text("p {}")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (allowed / "link.css").symlink_to(secret)
    (allowed / "linked-dir").symlink_to(tmp_path)
    fetcher = SafeURLFetcher(allowed)

    assert fetcher.fetch((allowed / "inside.css").as_uri()).read() == b"p {}"
    for url in ((allowed / "link.css").as_uri(), (allowed / "linked-dir/secret.txt").as_uri()):
        with pytest.raises(URLRefusedError):
            fetcher.fetch(url)


def test_allowed_folder_reached_through_a_symlink_still_works(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.css").write_text("p {}")
    (tmp_path / "alias").symlink_to(real)
    fetcher = SafeURLFetcher(tmp_path / "alias")

    assert fetcher.fetch((tmp_path / "alias" / "a.css").as_uri()).read() == b"p {}"
    with pytest.raises(URLRefusedError):
        fetcher.fetch((tmp_path / "real" / ".." / "alias" / ".." / "x").as_uri())


def test_the_prefix_of_the_allowed_folder_is_not_inside_it(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets-evil").mkdir()
    (tmp_path / "assets-evil" / "x.css").write_text("p {}")

    with pytest.raises(URLRefusedError):
        SafeURLFetcher(tmp_path / "assets").fetch((tmp_path / "assets-evil/x.css").as_uri())


def test_assets_folder_holds_the_font_licence():
    assert os.path.isfile(ASSETS_DIR / "fonts" / "OFL.txt")
