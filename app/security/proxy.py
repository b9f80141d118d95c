"""Trust exactly the configured reverse proxies, and no header from anyone else.

With TRUSTED_PROXY_HOPS = n, the last n entries of X-Forwarded-For and X-Forwarded-Proto are
believed (those the proxies appended); the client's own entries to the left are ignored. With 0
(the default) nothing is believed and the client address is the TCP peer's. Every consumer reads
`request.remote_addr` (the login throttle, the rate limiter, the audit log), so they all see the
real client address behind nginx and a forged header from a direct client changes nothing.

X-Forwarded-Host and X-Forwarded-Prefix are never trusted: certificate QR codes are built from
PUBLIC_BASE_URL (SECURITY-BAR case 15), redirects are relative, and the app is served from `/`.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops < 0:
        raise RuntimeError("TRUSTED_PROXY_HOPS must be 0 (no proxy) or the number of proxies.")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                                x_prefix=0)
