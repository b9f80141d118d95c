"""Issue 10 item 13: the workers of one machine count failed logins together.

With `memory://` rate-limit storage (the embedded default, no Redis) each gunicorn worker
counted alone, so two workers doubled every limit. The counters now live in the database.
"""

from bench.quiz_client import QuizClient

ATTEMPTS = 12


def test_issue10_13_two_gunicorn_workers_count_one_login_limit(app, serve, make_user, figures):
    make_user(username="lan")
    server = serve(workers=2)  # no REDIS_URL: the limiter's own storage is per worker
    server.start()
    browser = QuizClient(server.base_url)
    browser.request("GET", "/login")
    statuses = [browser.request("POST", "/login", {"login": "lan", "password": "sai"}).status
                for _ in range(ATTEMPTS)]
    server.stop()
    free = app.config["LOGIN_BACKOFF_FREE_FAILURES"]
    figures.add(f"issue 10.13: {ATTEMPTS} failed logins to 2 gunicorn workers without Redis → "
                f"first 429 at attempt {statuses.index(429) + 1 if 429 in statuses else 'never'}")
    assert statuses[:free] == [200] * free and statuses[free] == 429
