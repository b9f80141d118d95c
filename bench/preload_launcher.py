"""Import the app once, then fork a fresh gunicorn server (its own session) on each "start" line.

Used by PreloadedServer for crash tests: a server killed with SIGKILL comes back in a fraction of
a second instead of re-importing the app (~3 s), so thirty kills fit in a CI job. This is
gunicorn's --preload moved one level up: the launcher never opens a database connection, and
every server it forks (master, workers, PDF children) dies whole when its group is killed.

Protocol on stdin/stdout: "start" -> the new master's pid on one line.
"""

import argparse
import ctypes
import os
import signal
import sys

from gunicorn.app.base import BaseApplication

_PR_SET_PDEATHSIG = 1


class PreloadedGunicorn(BaseApplication):
    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve_forked(application, options: dict) -> int:
    """Fork a gunicorn master in a new session; returns its pid (in the launcher)."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the launcher
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(2, 1)  # the protocol pipe is the launcher's alone; logs go to stderr
        PreloadedGunicorn(application, options).run()
    finally:
        os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    from wsgi import app  # reads the environment: SECRET_KEY, DATABASE_URL, COURSES_DIR

    options = {
        "bind": args.bind, "workers": args.workers, "threads": args.threads, "timeout": 60,
        "graceful_timeout": 5, "backlog": 2048, "errorlog": "-", "loglevel": "warning",
    }
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked servers are reaped automatically
    for line in sys.stdin:
        if line.strip() == "start":
            print(serve_forked(app, options), flush=True)


if __name__ == "__main__":
    main()
