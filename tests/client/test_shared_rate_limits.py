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


def test_redis_unreachable_degrades_to_memory_with_a_warning(tmp_path, caplog, figures):
    """A closed port: pages and logins still work, limits count in memory, and it is logged."""
    import logging

    from bench.live_server import free_port
    from tests.conftest import IsolatedClient

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = (
            TestingConfig.SQLALCHEMY_DATABASE_URI or f"sqlite:///{tmp_path / 'no-redis.sqlite3'}"
        )
        RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
        WTF_CSRF_ENABLED = False

    app = create_app(Config)
    app.test_client_class = IsolatedClient
    caplog.set_level(logging.WARNING)
    with app.app_context():
        reset_database()
        db.create_all()
        from app.accounts.services import create_user

        create_user("lan", "Lê Thị Lan", PASSWORD)
        db.session.commit()
        client = app.test_client()
        amount = int(app.config["VERIFY_RATE_LIMIT"].split()[0])
        statuses = [client.get("/verify/KHONG-CO").status_code for _ in range(amount + 1)]
        login = client.post("/login", data={"login": "lan", "password": PASSWORD})
        reset_database()
    assert statuses[:amount] == [404] * amount and statuses[amount] == 429  # counted in memory
    assert login.status_code == 302
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("memory" in message.lower() for message in warnings), warnings
    figures.add(f"issue 9.2: Redis unreachable → {amount + 1} verify requests "
                f"({statuses.count(429)} × 429 from memory), login {login.status_code}, 0 5xx")
