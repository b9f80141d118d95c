"""Who runs jobs: a thread in each web process (no Redis), or RQ workers (`flask jobs worker`).

The thread takes jobs from the database, oldest first and one at a time per machine, so a job
queued in a process that was killed is still run by another (or by the next one gunicorn starts).
With `JOBS_LOCAL_SWEEP` it stays up and looks every SWEEP_SECONDS for jobs whose worker died, for
private results past their time and for xAPI statements due to the LRS (app/xapi/delivery.py);
without it (tests) it ends when no job is left.

On RQ, RQ's own machinery finds a dead worker: the work horse's heartbeat in StartedJobRegistry
(kept by the worker every `job_monitoring_interval`) expires, the registry's clean-up (every
`maintenance_interval`, and at every worker's start) calls the job's failure callback and retries
it (`Retry`), or fails it; a work horse killed under a live worker is handled by the worker at once.
"""

import logging
import os
import threading

from flask import Flask

from app.extensions import db
from app.jobs import services
from app.jobs.child_processes import die_with_parent
from app.lti import grade_passback
from app.xapi import delivery as xapi_delivery

log = logging.getLogger(__name__)
SWEEP_SECONDS = 5.0
RQ_JOB_TIMEOUT_SECONDS = 3 * 3600
RQ_MONITORING_SECONDS = 10  # the worker renews its horse's heartbeat this often
RQ_HEARTBEAT_GRACE_SECONDS = 10  # ... which expires this long after a missed renewal
RQ_MAINTENANCE_SECONDS = 15  # how often a worker cleans the registries (abandoned jobs)
RQ_WORKER_TTL_SECONDS = 30  # a worker without a heartbeat for this long is gone (idle ones beat every 15 s)


def dispatch(app: Flask, token: str) -> None:
    redis_url = app.config.get("JOBS_REDIS_URL")
    if redis_url:
        enqueue_on_redis(app, token)
    else:
        local_worker.wake(app)


def hand_over(app: Flask, token: str) -> None:
    """Leave a committed job to the site's workers, from a process that ends now (the CLI): RQ
    gets it; without Redis a web process's job thread takes it from the database (it looks every
    SWEEP_SECONDS), since a thread of this process would die with it."""
    if app.config.get("JOBS_REDIS_URL"):
        enqueue_on_redis(app, token)


class LocalWorker:
    """One thread per process runs jobs in turn, taking them from the database."""

    def __init__(self) -> None:
        self._app: Flask | None = None
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._draining = False  # join() asked the thread to end once it finds nothing to run

    def wake(self, app: Flask) -> None:
        """Look for work now (starting the thread if this process has none)."""
        with self._lock:
            self._app = app
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="hocso-jobs", daemon=True)
                self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self) -> None:
        """Wait until the thread has run every job it can and ended, even a sweeping one."""
        thread = self._thread
        if thread is None:
            return
        with self._lock:
            self._draining = True
            self._wake.set()
        try:
            thread.join()
        finally:
            with self._lock:
                self._draining = False

    def _work(self) -> None:
        while True:
            with self._lock:
                app = self._app
                self._wake.clear()
            try:
                with app.app_context():
                    ran = self._run_next(app)
            except Exception:  # noqa: BLE001 - the thread must survive to run the next job
                log.exception("background job crashed")
                ran = False
            if ran:
                continue
            if self._draining or not app.config["JOBS_LOCAL_SWEEP"]:
                with self._lock:
                    if not self._wake.is_set():
                        self._thread = None
                        return
                continue
            self._wake.wait(SWEEP_SECONDS)

    @staticmethod
    def _run_next(app: Flask) -> bool:
        try:
            xapi_delivery.sweep()  # the xAPI outbox (app/xapi): nothing to do without an LRS
            grade_passback.send_due_scores()  # LTI scores waiting for their platform
            if app.config.get("JOBS_REDIS_URL"):  # RQ runs the jobs; only housekeeping here
                services.purge_expired_results()
                return False
            services.purge_expired_results()
            token = services.next_claimable_token()
            return token is not None and services.run_job(token, only_if_idle=True)
        finally:
            db.session.remove()


local_worker = LocalWorker()


def _redis(app: Flask):
    from redis import Redis

    return Redis.from_url(app.config["JOBS_REDIS_URL"])


def enqueue_on_redis(app: Flask, token: str) -> None:
    from rq import Callback, Queue, Retry

    Queue(app.config["JOBS_QUEUE_NAME"], connection=_redis(app)).enqueue(
        run_queued_job, token, job_timeout=RQ_JOB_TIMEOUT_SECONDS, result_ttl=0, failure_ttl=86400,
        retry=Retry(max=services.MAX_ATTEMPTS - 1), on_failure=Callback(rq_job_failed),
    )


def rq_workers_alive(app: Flask) -> int:
    """How many RQ workers on our queue have a live heartbeat."""
    from rq import Queue, Worker

    try:
        connection = _redis(app)
        return len(Worker.all(queue=Queue(app.config["JOBS_QUEUE_NAME"], connection=connection)))
    except Exception:  # noqa: BLE001 - Redis down: no worker can run anything
        log.exception("cannot ask Redis for workers")
        return 0


_worker_pid: int | None = None  # the RQ worker's pid, set before it forks work horses


def run_queued_job(token: str) -> None:
    """The function RQ runs in its work horse, forked from `flask jobs worker` (app context and all)."""
    if _worker_pid is not None:
        die_with_parent(_worker_pid)  # a killed worker takes its horse (and its renders) with it
    db.engine.dispose(close=False)  # the worker's pooled connections stay the worker's
    services.run_job(token, worker_name=f"rq:{os.environ.get('RQ_WORKER_ID', '?')}:{os.getpid()}")


def rq_job_failed(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ's failure callback: runs when RQ's clean-up finds the job abandoned (its worker died)."""
    _after_rq_failure(job)


def _after_rq_failure(job) -> None:
    try:
        services.mark_abandoned(job.args[0], will_retry=bool(job.retries_left))
    finally:
        db.session.remove()
        db.engine.dispose()  # no pooled connection may be inherited by the next horse


def work_horse_killed(job, retpid, ret_val, rusage) -> None:
    """RQ calls this when a work horse died under a live worker (before it retries or fails the job)."""
    _after_rq_failure(job)


def run_rq_worker(app: Flask, burst: bool = False) -> None:
    """`flask jobs worker`: a forking RQ worker whose heartbeats expire within a minute."""
    from rq import Queue, Worker

    global _worker_pid

    class HocsoWorker(Worker):
        def get_heartbeat_ttl(self, job) -> int:
            # RQ's default grace is 60 s on top of the monitoring interval; ours finds a dead
            # worker's job well within a minute.
            remaining = (job.timeout or RQ_JOB_TIMEOUT_SECONDS) - self.current_job_working_time
            return int(min(remaining, self.job_monitoring_interval)) + RQ_HEARTBEAT_GRACE_SECONDS

    _worker_pid = os.getpid()
    db.session.remove()
    db.engine.dispose()
    connection = _redis(app)
    queue = Queue(app.config["JOBS_QUEUE_NAME"], connection=connection)
    worker = HocsoWorker([queue], connection=connection, job_monitoring_interval=RQ_MONITORING_SECONDS,
                         maintenance_interval=RQ_MAINTENANCE_SECONDS, worker_ttl=RQ_WORKER_TTL_SECONDS,
                         work_horse_killed_handler=work_horse_killed)
    worker.work(burst=burst, with_scheduler=False)
