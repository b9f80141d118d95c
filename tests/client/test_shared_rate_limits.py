"""Several app processes share their limits: login throttling through the database, the other
rate limits through Redis (REDIS_URL in production)."""

import uuid

import pytest
import redis

from app import create_app
from app.extensions import db
from tests.conftest import PASSWORD, TestingConfig, reset_database

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_available():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as error:  # CI has Redis running: this must fail there, not skip
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")


def node(tmp_path, prefix: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = (
            TestingConfig.SQLALCHEMY_DATABASE_URI or f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        )
        RATELIMIT_STORAGE_URI = REDIS_URL
        RATELIMIT_KEY_PREFIX = prefix
        WTF_CSRF_ENABLED = False

    return create_app(Config)


def test_two_app_nodes_share_one_login_limit(tmp_path, redis_available):
    prefix = f"hocso-test-{uuid.uuid4().hex}"
    first, second = node(tmp_path, prefix), node(tmp_path, prefix)
    with first.app_context():
        reset_database()
        db.create_all()
        from app.accounts.services import create_user

        create_user("lan", "Lê Thị Lan", PASSWORD)
        db.session.commit()
    statuses = []
    free = first.config["LOGIN_BACKOFF_FREE_FAILURES"]
    for i in range(free + 1):
        app = first if i % 2 == 0 else second
        response = app.test_client().post("/login", data={"login": "lan", "password": "sai"})
        statuses.append(response.status_code)
    # Alternating nodes, one client: the back-off starts after the free failures, not per node.
    assert statuses[:free] == [200] * free and statuses[free] == 429
    with first.app_context():
        reset_database()


def test_two_app_nodes_share_one_verify_limit_through_redis(tmp_path, redis_available):
    prefix = f"hocso-test-{uuid.uuid4().hex}"
    first, second = node(tmp_path, prefix), node(tmp_path, prefix)
    with first.app_context():
        reset_database()
        db.create_all()
    amount = int(first.config["VERIFY_RATE_LIMIT"].split()[0])
    statuses = [(first if i % 2 == 0 else second).test_client().get("/verify/KHONG-CO").status_code
                for i in range(amount + 1)]
    assert statuses[:amount] == [404] * amount and statuses[amount] == 429
    with first.app_context():
        reset_database()
