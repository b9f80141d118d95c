"""Gunicorn settings for one Hocso app node: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed per node through the environment (the systemd unit and compose.yaml
set them); the defaults suit a 2-core server. Gunicorn reads this file, not the app: the app's own
settings are in config.py and come from /etc/hocso/hocso.env.
"""

import os

_env = os.environ.get
_instance = _env("HOCSO_INSTANCE", "8001")  # systemd passes %i (the port) as the instance name
_run_dir = _env("HOCSO_RUN_DIR", "/run/hocso")

wsgi_app = "wsgi:app"
# PROVINCE: nginx reaches each node here. Loopback when nginx runs on the same host; a private
# address (never a public one) when it runs elsewhere — then list nginx's address in
# FORWARDED_ALLOW_IPS too, so gunicorn believes its X-Forwarded-Proto.
bind = [_env("HOCSO_BIND", f"127.0.0.1:{_instance}")]

# gthread: a few processes, each with threads, so a slow PDF download does not hold a process.
# 2 workers x 4 threads per node fits 2 cores; with more cores raise WEB_CONCURRENCY (about one per core).
worker_class = "gthread"
workers = int(_env("WEB_CONCURRENCY", "2"))
threads = int(_env("HOCSO_THREADS", "4"))

# A request may run this long (a large export); nginx's proxy_read_timeout is a little longer.
timeout = int(_env("HOCSO_TIMEOUT", "60"))
# On restart/stop, requests in flight get this long to finish before their worker is killed.
graceful_timeout = int(_env("HOCSO_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # nginx keeps idle upstream connections open (keepalive in the upstream block)
max_requests = 2000  # recycle workers now and then: bounds any slow leak (WeasyPrint, fonts)
max_requests_jitter = 200

# One pidfile and one control socket per instance: two masters on one host (hocso@8001 and
# hocso@8002) must not share gunicorn's default $HOME/.gunicorn/gunicorn.ctl.
pidfile = os.path.join(_run_dir, f"gunicorn-{_instance}.pid")
control_socket = os.path.join(_run_dir, f"gunicorn-{_instance}.ctl")
control_socket_mode = 0o600
worker_tmp_dir = _env("HOCSO_WORKER_TMP_DIR", "/dev/shm")  # noqa: S108 - heartbeat files off the disk

# The app writes one JSON line per request to stdout; gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = _env("HOCSO_GUNICORN_LOGLEVEL", "info")
capture_output = False
proc_name = f"hocso-{_instance}"


def child_exit(server, worker):
    """Tell prometheus_client a worker is gone, so its multiprocess files stop counting as live."""
    if not _env("PROMETHEUS_MULTIPROC_DIR"):
        return
    try:
        from app.operations.metrics import gunicorn_child_exit
    except ImportError:  # a release without metrics
        return
    gunicorn_child_exit(server, worker)
