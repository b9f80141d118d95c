"""Issue 9 item 2: with Redis unreachable the request limiter counts in this process's memory and
logs a warning; rate-limited pages are still served, and their limit still holds."""

import logging

import pytest

from tests.operations.test_health import CLOSED_REDIS


@pytest.mark.parametrize("app_settings", [
    {"RATELIMIT_STORAGE_URI": CLOSED_REDIS, "VERIFY_RATE_LIMIT": "3 per minute"}])
def test_redis_unreachable_the_limiter_falls_back_to_memory_with_a_warning(client, caplog):
    with caplog.at_level(logging.WARNING):
        statuses = [client.get("/verify").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # served, and still limited, in memory
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert any("memory" in record.getMessage().lower() for record in warnings), [
        record.getMessage() for record in warnings]
    assert "s3cret-pass" not in caplog.text  # the Redis password stays out of the log
