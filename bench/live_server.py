"""A real gunicorn server for Hocso in its own process group, which can be killed and restarted.

The server runs in a new session, so `kill()` sends SIGKILL to the master, its workers and any
PDF-rendering child at once, as a power cut or the OOM killer would. The master also gets
SIGKILL if the thread that started it dies, so a crashed test run leaves no server behind.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def server_environment(database_url: str, courses_dir: Path, scratch_dir: Path,
                       **extra: str) -> dict[str, str]:
    """The environment of a production-like server: its own secret, database, courses and TMPDIR.

    A server killed with SIGKILL cannot remove its temporary files (a PDF render's scratch
    folder, say): with TMPDIR in the caller's own folder they go when that folder goes.
    """
    scratch_dir.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HOCSO_", "FLASK_"))}
    env.update(
        HOCSO_ENV="production",
        SECRET_KEY=os.urandom(32).hex(),
        DATABASE_URL=database_url,
        COURSES_DIR=str(courses_dir),
        TMPDIR=str(scratch_dir),
        PYTHONUNBUFFERED="1",
        PUBLIC_BASE_URL="http://127.0.0.1",  # production requires one; callers that know the port pass theirs
    )
    env.pop("REDIS_URL", None)  # rate limits in worker memory: the load comes from one address
    env.update(extra)
    return env


class LiveServer:
    """`gunicorn wsgi:app` on 127.0.0.1, started, killed with SIGKILL and restarted on demand.

    Start and kill it from one long-lived thread (the master dies with the thread that forked it).
    """

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2, threads: int = 1,
                 port: int | None = None, app_module: str = "wsgi:app",
                 gunicorn_args: tuple[str, ...] = ()) -> None:
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.threads = threads
        self.port = port or free_port()
        self.app_module = app_module  # "module:variable" of the WSGI app gunicorn serves
        self.gunicorn_args = gunicorn_args  # more flags (e.g. --worker-class), after the defaults
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.kills = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", self.app_module,
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers), "--threads", str(self.threads),
            "--preload",  # import the app once in the master: restarts take one import, not three
            "--timeout", "60", "--graceful-timeout", "5", "--backlog", "2048",
            "--error-logfile", "-", "--log-level", "warning",
            *self.gunicorn_args,
        ]

    def start(self, ready_timeout: float = 60.0) -> None:
        """Start the server and wait until /health answers."""
        assert self.process is None, "server already running"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                self.command(), cwd=REPO_DIR, env=self.env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads run between fork and exec
            )
        self.starts += 1
        self._wait_ready(ready_timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._alive():
                self.process = None
                raise RuntimeError(f"server exited at start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def _alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group: master, workers and children, no clean-up."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None
        self.kills += 1

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then make sure nothing of the group is left."""
        if self.process is None:
            return
        pgid = self.process.pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None

    @property
    def group_id(self) -> int | None:
        """The process group of master and workers (the master leads its own session)."""
        return self.process.pid if self.process is not None else None

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master, its workers and their reaped children."""
        return sum(process_cpu_seconds(pid) for pid in group_pids(self.group_id))

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker (the group's processes but the master), in MiB."""
        return [process_rss_mib(pid) for pid in group_pids(self.group_id) if pid != self.group_id]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def error_summary(self, limit: int = 8) -> str:
        """The distinct exception and SQL lines in the server log, most frequent first."""
        counts: dict[str, int] = {}
        for line in self.log_tail(100_000).splitlines():
            if line.startswith(("sqlalchemy.exc.", "[SQL:", "psycopg.", "sqlite3.")) or "Error:" in line[:60]:
                counts[line[:300]] = counts.get(line[:300], 0) + 1
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:limit]
        return "\n".join(f"{count:5d} × {line}" for line, count in ranked)

    def __enter__(self) -> "LiveServer":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _proc_stat(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (field 3, "state", comes first)."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def group_pids(group_id: int | None) -> list[int]:
    """Every live process of a process group."""
    if group_id is None:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_proc_stat(int(entry.name))[2]) == group_id:
                    pids.append(int(entry.name))
            except (OSError, IndexError):
                pass  # gone meanwhile
    return pids


def process_cpu_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of a process (its reaped children count too)."""
    try:
        fields = _proc_stat(pid)
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def process_rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class PreloadedServer(LiveServer):
    """A LiveServer whose app is imported once, by bench/preload_launcher.py.

    start() forks a new gunicorn master (in its own session) from the launcher; kill() sends
    SIGKILL to that session's process group, so master, workers and children die at once,
    while the launcher, outside the group, stays ready to start the next server at once.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.launcher: subprocess.Popen | None = None
        self.pid: int | None = None

    def _start_launcher(self) -> None:
        with open(self.log_path, "ab") as log:
            self.launcher = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "bench.preload_launcher", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", str(self.workers), "--threads", str(self.threads)],
                cwd=REPO_DIR, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log, start_new_session=True, preexec_fn=_die_with_parent,  # noqa: PLW1509
            )

    def start(self, ready_timeout: float = 60.0) -> None:
        assert self.pid is None, "server already running"
        if self.launcher is None:
            self._start_launcher()
        self.launcher.stdin.write(b"start\n")
        self.launcher.stdin.flush()
        line = self.launcher.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"launcher died:\n{self.log_tail()}")
        self.pid = int(line)
        self.starts += 1
        self._wait_ready(ready_timeout)

    @property
    def group_id(self) -> int | None:
        return self.pid

    def _alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        if self.pid is None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while self._alive() and time.monotonic() < deadline:  # the launcher reaps it
            time.sleep(0.01)
        self.pid = None
        self.kills += 1

    def stop(self) -> None:
        """Kill the server's group, then the launcher's: nothing is left either way."""
        if self.pid is not None:
            self.kill()
            self.kills -= 1  # a clean-up, not a crash under test
        if self.launcher is not None:
            try:
                os.killpg(self.launcher.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.launcher.wait()
            self.launcher.stdin.close()
            self.launcher.stdout.close()
            self.launcher = None
