"""WeasyPrint itself, behind the renderer in pdf_rendering.py: the locked-down URL fetcher, the
shared font configuration and an in-process render with attachments stripped.

Only pdf_rendering imports this module, and only when a process first renders a PDF, so web
workers that never make one never load WeasyPrint and Pango. Call `render_in_process` only in a
render child (or for the fixed warm-up samples): it has no time or memory limit of its own.
"""

import logging
import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from app.certificates.pdf_rendering import (
    ASSETS_DIR,
    ASSETS_URL,
    FONTS_CSS,
    MAX_ASSET_BYTES,
    URLRefusedError,
)

log = logging.getLogger(__name__)
_font_config: FontConfiguration | None = None


class SafeURLFetcher(URLFetcher):
    """Fetch only `data:` URLs and regular files that really lie inside `allowed_dir`.

    Refusing raises `URLRefusedError`, which WeasyPrint reports and then skips the resource; no
    other scheme (http, https, ftp, ...) ever reaches urllib.
    """

    def __init__(self, allowed_dir: str | os.PathLike[str] = ASSETS_DIR) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)
        self.allowed_dir = os.path.realpath(allowed_dir)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """A response for an allowed URL; `URLRefusedError` for anything else."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            return self._fetch_file(url)
        log.warning("PDF renderer refused URL %r", url[:200])
        raise URLRefusedError(f"only data: and bundled asset URLs are allowed, not {url[:80]!r}")

    def resolve(self, url: str) -> str:
        """The real path of an allowed `file:` URL, or `URLRefusedError`."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise URLRefusedError(f"file URL with a host: {url[:80]!r}")
        path = os.path.realpath(url2pathname(parts.path))  # decodes %XX exactly once
        if os.path.commonpath([path, self.allowed_dir]) != self.allowed_dir:
            raise URLRefusedError(f"file outside the PDF assets: {url[:80]!r}")
        if not os.path.isfile(path):
            raise URLRefusedError(f"not a regular asset file: {url[:80]!r}")
        if os.path.getsize(path) > MAX_ASSET_BYTES:
            raise URLRefusedError(f"asset too large: {url[:80]!r}")
        return path

    def _fetch_file(self, url: str) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
        except URLRefusedError:
            log.warning("PDF renderer refused URL %r", url[:200])
            raise
        with open(path, "rb") as asset:
            body = asset.read(MAX_ASSET_BYTES + 1)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(path2url(path), body, {"Content-Type": content_type})


_fetcher = SafeURLFetcher(ASSETS_DIR)


def render_in_process(html: str) -> bytes:
    """Render in this process (the child), with the shared font configuration and no attachments."""
    document = HTML(string=html, base_url=ASSETS_URL, url_fetcher=_fetcher).render(
        font_config=shared_font_config()
    )
    document.metadata.attachments = []  # <link rel="attachment">
    for page in document.pages:  # <a rel="attachment">
        page.links = [link for link in page.links if link[0] != "attachment"]
    return document.write_pdf(attachments=None)


def shared_font_config() -> FontConfiguration:
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
        CSS(url=ASSETS_URL + FONTS_CSS, url_fetcher=_fetcher, font_config=_font_config)
    return _font_config


def keep_new_fonts_private(scratch: Path) -> None:
    """In a child: fonts it declares go to its scratch folder, not the one shared with the parent."""
    # A later child would otherwise find the file there and skip registering it with Fontconfig.
    font_config = shared_font_config()
    shared = getattr(font_config, "_folder", None)
    if shared is None:
        return
    private = scratch / "fonts"
    private.mkdir()
    for entry in Path(shared).iterdir():
        (private / entry.name).symlink_to(entry)
    font_config._folder = private
