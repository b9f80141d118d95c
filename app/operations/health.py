"""/health for the load balancer and monitoring: the database, Redis and the job queue.

"down" (HTTP 503) when the database cannot be reached: this node cannot serve. "degraded"
(HTTP 200) when Redis or the job workers fail: pages are still served (the rate limiter falls
back to memory) but printing waits. The answer names no host, URL or password.
"""

import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify

from app.extensions import db
from app.security.access import public

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 1.0  # /health must answer even when Redis hangs
Check = dict[str, Any]


def redis_connection(url: str):
    """A Redis client that gives up after a second instead of hanging."""
    from redis import Redis

    return Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                          socket_connect_timeout=REDIS_TIMEOUT_SECONDS)


def _failure(name: str, error: Exception) -> Check:
    log.warning("health check %s failed: %s", name, type(error).__name__)
    return {"status": "down", "error": type(error).__name__}


def check_database() -> Check:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "cannot serve"
        db.session.rollback()
        return _failure("database", error)
    return {"status": "ok"}


def check_redis(url: str) -> Check:
    try:
        redis_connection(url).ping()
    except Exception as error:  # noqa: BLE001
        return _failure("redis", error)
    return {"status": "ok"}


def check_jobs(url: str, queue_name: str) -> Check:
    """Queue length and live RQ workers; no worker means queued printing never starts."""
    from rq import Queue, Worker

    try:
        connection = redis_connection(url)
        queue = Queue(queue_name, connection=connection)
        queued, workers = queue.count, Worker.count(queue=queue)
    except Exception as error:  # noqa: BLE001
        return _failure("jobs", error)
    return {"status": "ok" if workers else "degraded", "queued": queued, "workers": workers}


def run_checks(config) -> dict[str, Check]:
    checks = {"database": check_database()}
    if config.get("REDIS_URL"):
        checks["redis"] = check_redis(config["REDIS_URL"])
    if config.get("JOBS_REDIS_URL"):
        checks["jobs"] = check_jobs(config["JOBS_REDIS_URL"], config["JOBS_QUEUE_NAME"])
    return checks


def overall_status(checks: dict[str, Check]) -> str:
    if checks["database"]["status"] != "ok":
        return "down"
    return "ok" if all(check["status"] == "ok" for check in checks.values()) else "degraded"


@bp.route("/health")
@public
def health():
    checks = run_checks(current_app.config)
    status = overall_status(checks)
    return jsonify(status=status, checks=checks), 503 if status == "down" else 200


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
