"""Running Hocso in production: request logs, /health, /metrics and backups.

Each module attaches itself with `init_app(app)`; none of them is imported by a domain package.
"""
