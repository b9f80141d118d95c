"""/health: ok, degraded when Redis fails (still 200), down (503) when the database is gone."""

import socket
import time
import uuid

import pytest
import redis

from app import create_app
from config import TestingConfig

SHARED_REDIS = "redis://127.0.0.1:6379/15"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


CLOSED_REDIS = f"redis://:s3cret-pass@127.0.0.1:{closed_port()}/0"


def test_ok_with_the_database_alone(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": {"status": "ok"}}}


@pytest.mark.parametrize("app_settings", [{"REDIS_URL": CLOSED_REDIS, "JOBS_REDIS_URL": CLOSED_REDIS}])
def test_redis_down_is_degraded_quickly_and_reveals_no_secret(client):
    started = time.monotonic()
    response = client.get("/health")
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "degraded" and body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["redis"]["status"] == body["checks"]["jobs"]["status"] == "down"
    assert "s3cret" not in response.text and "127.0.0.1" not in response.text


@pytest.fixture
def shared_redis():
    try:
        redis.Redis.from_url(SHARED_REDIS).ping()
    except redis.ConnectionError as error:  # CI has Redis running: fail there, never skip
        pytest.fail(f"Redis is not reachable at {SHARED_REDIS}: {error}")


@pytest.mark.parametrize("app_settings", [{
    "REDIS_URL": SHARED_REDIS, "JOBS_REDIS_URL": SHARED_REDIS,
    "JOBS_QUEUE_NAME": f"hocso-health-test-{uuid.uuid4().hex}"}])
def test_live_redis_without_a_worker_reports_the_queue_as_degraded(shared_redis, client):
    body = client.get("/health").json
    assert body["checks"]["redis"] == {"status": "ok"}
    assert body["checks"]["jobs"] == {"status": "degraded", "queued": 0, "workers": 0}
    assert body["status"] == "degraded"


def test_an_unreachable_database_is_down_with_503(tmp_path):
    class Unreachable(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'no-such-folder' / 'hocso.sqlite3'}"

    response = create_app(Unreachable).test_client().get("/health")
    assert response.status_code == 503
    assert response.json["status"] == "down"
    assert response.json["checks"]["database"]["status"] == "down"
