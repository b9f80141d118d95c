"""Prometheus metrics on /metrics: requests per route, logins, quiz submissions, certificates,
and the job queue. Readable by an admin, or by a process on this host.

Domain events are counted from what the database commits, not from the services: a new
`AuditEvent` row ("login", "certificate.issued") or a quiz attempt whose state becomes
"submitted" is noted when the session flushes, and counted only once its transaction commits
(a rolled-back double submission counts nothing).

Several gunicorn workers: set PROMETHEUS_MULTIPROC_DIR (prometheus_client itself reads it at
import, so it must be in the environment, not only in a config class), and in
deploy/gunicorn.conf.py:

    from app.operations.metrics import gunicorn_child_exit as child_exit
    from app.operations.metrics import gunicorn_on_starting as on_starting
"""

from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, request, request_finished
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.extensions import db
from app.jobs.models import BatchJob, JobState
from app.operations.request_logging import elapsed_seconds
from app.quizzes.models import AttemptState, QuizAttempt
from app.security.access import loopback_or_roles

bp = Blueprint("metrics", __name__)
UNMATCHED_ROUTE = "<unmatched>"  # any path outside the URL map: one label, not one per path

REQUESTS = Counter("hocso_http_requests_total", "HTTP requests answered",
                   ["method", "route", "status_class"])
LATENCY = Histogram("hocso_http_request_duration_seconds", "Time to answer a request",
                    ["method", "route"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
LOGINS = Counter("hocso_logins_total", "Login attempts", ["outcome"])
QUIZ_SUBMISSIONS = Counter("hocso_quiz_submissions_total", "Quiz attempts submitted", ["result"])
CERTIFICATES_ISSUED = Counter("hocso_certificates_issued_total", "Certificates issued")
_PENDING = "hocso_pending_metrics"


def _note(session: Session, counter: Counter, **labels: str) -> None:
    session.info.setdefault(_PENDING, []).append((counter, labels))


def _note_flushed_events(session: Session, _flush_context) -> None:
    for instance in session.new:
        if isinstance(instance, AuditEvent) and instance.event == "login":
            _note(session, LOGINS, outcome=instance.outcome)
        elif isinstance(instance, AuditEvent) and instance.event == "certificate.issued":
            _note(session, CERTIFICATES_ISSUED)
    for instance in session.dirty:
        if isinstance(instance, QuizAttempt) and not instance.is_preview and AttemptState.SUBMITTED in \
                sa.inspect(instance).attrs.state.history.added:
            _note(session, QUIZ_SUBMISSIONS, result="passed" if instance.passed else "failed")


def _count_committed(session: Session) -> None:
    for counter, labels in session.info.pop(_PENDING, []):
        (counter.labels(**labels) if labels else counter).inc()


def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _observe_request(sender: Flask, response, **_extra) -> None:
    route = request.url_rule.rule if request.url_rule else UNMATCHED_ROUTE
    REQUESTS.labels(request.method, route, f"{response.status_code // 100}xx").inc()
    LATENCY.labels(request.method, route).observe(elapsed_seconds())


class JobQueueCollector:
    """Jobs waiting to run, read from the database at scrape time (both job runners use it)."""

    def collect(self):
        queued = db.session.scalar(
            sa.select(sa.func.count()).select_from(BatchJob).where(BatchJob.state == JobState.QUEUED))
        gauge = GaugeMetricFamily("hocso_jobs_queued", "Background jobs waiting to run")
        gauge.add_metric([], queued or 0)
        yield gauge


def exposition(multiprocess_dir: str) -> bytes:
    """Every metric in Prometheus text format: this process's, or all workers' in multiprocess mode."""
    if multiprocess_dir:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiprocess_dir)
    else:
        registry = REGISTRY
    jobs = CollectorRegistry(auto_describe=True)
    jobs.register(JobQueueCollector())
    return generate_latest(registry) + generate_latest(jobs)


@bp.route("/metrics")
@loopback_or_roles(Role.ADMIN)
def metrics():
    body = exposition(current_app.config["PROMETHEUS_MULTIPROC_DIR"])
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0])


def gunicorn_on_starting(_server) -> None:
    """gunicorn's on_starting hook: counts of a previous run must not add to this one's."""
    from config import Config

    if Config.PROMETHEUS_MULTIPROC_DIR:
        for stale in Path(Config.PROMETHEUS_MULTIPROC_DIR).glob("*.db"):
            stale.unlink()


def gunicorn_child_exit(_server, worker) -> None:
    """gunicorn's child_exit hook: forget the per-process files of a worker that ended."""
    from config import Config

    if Config.PROMETHEUS_MULTIPROC_DIR:
        multiprocess.mark_process_dead(worker.pid, path=Config.PROMETHEUS_MULTIPROC_DIR)


SESSION_LISTENERS = {"after_flush": _note_flushed_events, "after_commit": _count_committed,
                     "after_rollback": _forget_rolled_back}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    request_finished.connect(_observe_request, app)
    for name, listener in SESSION_LISTENERS.items():
        if not event.contains(Session, name, listener):  # global: several apps must not count twice
            event.listen(Session, name, listener)
