"""How responses travel: compressed, static files cached for a year under versioned URLs, and
requests that waited too long in a queue answered "busy" instead of late.

- Pages are compressed (brotli or gzip, whichever the browser takes): a module page of 10 KB
  crosses a 2G link as about 3 KB.
- `url_for('static', filename=...)` adds `?v=<first 12 hex digits of the file's SHA-256>`; a
  request carrying the current version is answered with `Cache-Control: immutable` for a year
  and an ETag made from the content, so every node gives the same answer and a phone never asks
  again until the file changes. nginx serves /static/ itself in production with the same rule.
- Behind a trusted proxy that stamps `X-Request-Start: t=<unix seconds>` (nginx: `${msec}`),
  a request older than REQUEST_QUEUE_DEADLINE_SECONDS when a worker picks it up is answered 503
  with Retry-After at once: its person has most likely given up, and serving it would only make
  every request behind it late too.
"""

import hashlib
import time
from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, request
from flask_compress import Compress

STATIC_MAX_AGE_SECONDS = 365 * 24 * 3600
VERSION_LENGTH = 12

compress = Compress()


@lru_cache(maxsize=256)
def _file_version(folder: str, filename: str, _stamp: int) -> str | None:
    path = (Path(folder) / filename).resolve()
    if not path.is_file() or not path.is_relative_to(Path(folder).resolve()):
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:VERSION_LENGTH]


def static_version(app: Flask, filename: str) -> str | None:
    """The content version of a static file, or None if there is no such file.

    Static files change only with a new release, so the version is read once per process; in
    debug mode it is read again every second, so an edited stylesheet shows at once.
    """
    stamp = int(time.monotonic()) if app.debug else 0
    return _file_version(app.static_folder, filename, stamp)


def queue_age_seconds(header: str | None, now: float) -> float | None:
    """How long ago the proxy received the request, from "t=1733090000.123"; None if unknown."""
    if not header:
        return None
    value = header.removeprefix("t=")
    try:
        started = float(value)
    except ValueError:
        return None
    if started > 1e11:  # microseconds (Apache's %t format) rather than seconds
        started /= 1e6
    return now - started


def init_app(app: Flask) -> None:
    compress.init_app(app)

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app, values["filename"])
            if version is not None:
                values["v"] = version

    @app.before_request
    def shed_requests_that_waited_too_long():
        deadline = app.config["REQUEST_QUEUE_DEADLINE_SECONDS"]
        if not deadline or app.config["TRUSTED_PROXY_HOPS"] < 1:
            return None  # the header is only believed when a proxy we trust set it
        age = queue_age_seconds(request.headers.get("X-Request-Start"), time.time())
        if age is not None and age > deadline:
            abort(503)
        return None

    @app.after_request
    def cache_versioned_static_files(response):
        if request.endpoint != "static" or response.status_code != 200:
            return response
        version = static_version(app, request.view_args.get("filename", ""))
        if version is not None:
            response.set_etag(version)
            if request.args.get("v") == version:
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE_SECONDS
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
            # Every node answers a revalidation alike, from the content's own version (the
            # compressor evaluates no conditional request: pages carry no ETag).
            response.make_conditional(request)
        return response
