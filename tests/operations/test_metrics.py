"""/metrics: readable by an admin or from this host; counters move with what the database commits."""

import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from app.operations.metrics import exposition
from tests import builders

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_an_anonymous_outsider_gets_404(client):
    assert client.get("/metrics", environ_overrides=OUTSIDE).status_code == 404


def test_a_learner_gets_403_and_an_admin_reads_them(client, auth, make_user):
    make_user(username="lan")
    make_user(role="admin", username="quantri")
    auth.login("lan")
    assert client.get("/metrics", environ_overrides=OUTSIDE).status_code == 403
    auth.logout()
    auth.login("quantri")
    response = client.get("/metrics", environ_overrides=OUTSIDE)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "hocso_http_requests_total" in response.text and "hocso_jobs_queued 0.0" in response.text


def test_this_host_reads_them_without_logging_in(client):
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1


def test_a_request_forwarded_by_an_untrusted_proxy_is_not_local(client):
    response = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert response.status_code == 404


@pytest.mark.parametrize("app_settings", [{"TRUSTED_PROXY_HOPS": 1}])
def test_behind_a_trusted_proxy_the_resolved_address_decides(client):
    # Without the ProxyFix of the `limits` branch the remote address stays the proxy's (loopback).
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_requests_are_counted_per_url_rule_not_per_path(client):
    before = sample("hocso_http_requests_total", method="GET", route="/verify/<code>", status_class="4xx")
    for code in ("AAAAA-BBBBB", "CCCCC-DDDDD"):
        client.get(f"/verify/{code}")
    after = sample("hocso_http_requests_total", method="GET", route="/verify/<code>", status_class="4xx")
    assert after - before == 2
    client.get("/no/such/page/123")
    assert sample("hocso_http_requests_total", method="GET", route="<unmatched>", status_class="4xx") >= 1
    assert sample("hocso_http_request_duration_seconds_count", method="GET", route="/verify/<code>") >= 2


def test_logins_are_counted_by_outcome(auth, make_user):
    make_user(username="lan")
    success, failure = sample("hocso_logins_total", outcome="success"), sample("hocso_logins_total",
                                                                                 outcome="failure")
    auth.login("lan", "sai-mat-khau")
    auth.login("lan")
    assert sample("hocso_logins_total", outcome="failure") == failure + 1
    assert sample("hocso_logins_total", outcome="success") == success + 1


def test_submissions_and_certificates_are_counted(client, auth, make_user):
    make_user(username="lan")
    auth.login("lan")
    passed = sample("hocso_quiz_submissions_total", result="passed")
    issued = sample("hocso_certificates_issued_total")
    builders.complete_course(client)
    quizzes = sum(1 for module in builders.course().active_modules if module.has_quiz)
    assert sample("hocso_quiz_submissions_total", result="passed") == passed + quizzes
    assert sample("hocso_certificates_issued_total") == issued + 1


WORKER_SCRIPT = """
from app import create_app
from config import TestingConfig

class Worker(TestingConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite:///{database}"

client = create_app(Worker).test_client()
for _ in range(3):
    assert client.get("/health").status_code == 200
"""


def test_several_worker_processes_add_up_in_multiprocess_mode(app, tmp_path):
    """Two processes (as gunicorn workers) write their counts to PROMETHEUS_MULTIPROC_DIR."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    environment = {"PATH": "/usr/bin:/bin", "PROMETHEUS_MULTIPROC_DIR": str(shared),
                   "HOCSO_ENV": "development"}
    root = Path(__file__).resolve().parents[2]
    # A database each: what is shared is the metrics directory, not a SQLite file being created
    scripts = [WORKER_SCRIPT.format(database=tmp_path / f"worker{n}.sqlite3") for n in range(2)]
    workers = [subprocess.Popen([sys.executable, "-c", script], cwd=root, env=environment)
               for script in scripts]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    text = exposition(str(shared)).decode()
    assert 'hocso_http_requests_total{method="GET",route="/health",status_class="2xx"} 6.0' in text


def test_the_gunicorn_hooks_do_nothing_without_a_multiprocess_directory():
    from types import SimpleNamespace

    from app.operations.metrics import gunicorn_child_exit, gunicorn_on_starting

    gunicorn_on_starting(None)
    gunicorn_child_exit(None, SimpleNamespace(pid=12345))
