"""Security headers on every response."""

import re

from flask import Flask, g, request

# The pages work without JavaScript. The one script allowed is named exactly: offline.js (the
# page side of reading offline) and its service worker, both served by this site; no inline
# script, no other file. CSP cannot name a path without a host, hence the origin per request.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src {origin}/static/offline.js; worker-src {origin}/sw.js; "
    "style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Without scripts at all, for a Host header that is not a plain host name (never echoed).
STRICTEST_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src {origin}/static/offline.js; worker-src {origin}/sw.js", "script-src 'none'"
)
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def content_security_policy(scheme: str, host: str) -> str:
    """The policy for a page served at scheme://host."""
    if scheme not in ("http", "https") or not _PLAIN_HOST.fullmatch(host):
        return STRICTEST_POLICY
    return CONTENT_SECURITY_POLICY.format(origin=f"{scheme}://{host}")


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        policy = content_security_policy(request.scheme, request.host)
        framing_origins = g.get("allow_framing_by")  # set by app/lti for the platforms' frames
        if framing_origins:
            policy = policy.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(framing_origins))
        else:
            response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
