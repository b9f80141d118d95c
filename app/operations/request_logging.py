"""Logs on stdout, one line per request, with a request id that every log record carries.

In production (LOG_FORMAT=json) each line is a JSON object, so a newline typed into a form or
a URL is escaped and cannot start a forged line. Only the path is logged, never the query
string, headers, cookies or form fields; path segments that are tokens or certificate codes
are replaced by the name of the route argument.
"""

import logging
import re
import sys
import time
import uuid

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request, request_finished, request_started
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger("hocso.requests")
REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
SECRET_ROUTE_ARGUMENTS = ("token", "code")  # attempt and job tokens, certificate codes
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "{levelname}{name}{message}"
QUIET_LOGGERS = ("weasyprint", "fontTools")  # INFO from these is a line per PDF step


class _StdoutHandler(logging.StreamHandler):
    """Writes what happens while serving a request to the current sys.stdout (gunicorn's or a
    test's capture, looked up each time); records logged outside a request -- a `flask` command,
    a background job -- go to stderr, so they never mix with a command's own output."""

    @property
    def stream(self):
        return sys.stdout if has_request_context() else sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request it was logged in (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, style="{", timestamp="time",  # ISO 8601, UTC
                             rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: str, level: str) -> None:
    """One stdout handler on the root logger; calling again replaces it (tests build many apps)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StdoutHandler)]:
        root.removeHandler(handler)
    handler = _StdoutHandler()
    handler.setFormatter(_formatter(log_format))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def incoming_request_id(trusted_proxy_hops: int) -> str:
    """The proxy's X-Request-ID when a proxy is trusted and the value looks sane; else a new id."""
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    if trusted_proxy_hops > 0 and SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def elapsed_seconds() -> float:
    """Time since this request started (request_started signal)."""
    return time.perf_counter() - g.get("request_started_at", time.perf_counter())


def loggable_path() -> str:
    """The request path with secret route arguments (tokens, codes) replaced by their name."""
    path = request.path
    for name in SECRET_ROUTE_ARGUMENTS:
        value = (request.view_args or {}).get(name)
        if isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path


def _user_id() -> int | None:
    # Only a user this request already loaded: logging must not query (the database may be down).
    # Read the key off the identity map: after the view's commit `user.id` would reload the row.
    user = g.get("_login_user")
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    if state is None:  # nobody, or flask-login's anonymous user
        return None
    identity = state.identity
    return identity[0] if identity else None


def _start(sender: Flask, **_extra) -> None:
    g.request_started_at = time.perf_counter()
    g.request_id = incoming_request_id(sender.config["TRUSTED_PROXY_HOPS"])


def _finish(sender: Flask, response, **_extra) -> None:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    duration_ms = round(elapsed_seconds() * 1000, 1)
    route = request.url_rule.rule if request.url_rule else None
    path = loggable_path()
    log.info("%s %s %s %.1fms", request.method, path, response.status_code, duration_ms, extra={
        "method": request.method, "route": route, "path": path, "status": response.status_code,
        "duration_ms": duration_ms, "user_id": _user_id(), "remote_addr": request.remote_addr,
    })


def init_app(app: Flask) -> None:
    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)  # tracebacks go through the root handler, as JSON
    # Signals, not before_request: the id exists even when an early hook answers the request.
    request_started.connect(_start, app)
    request_finished.connect(_finish, app)
