"""The one way PDFs are made: locked-down fetches, no attachments, bounded time and memory.

Every PDF is rendered in a forked child process with a processor-time limit and an address-space
limit, so a hostile or runaway document (deep nesting, huge pages, a font size of 1e9px) costs
one child process, never the web worker. The limit counts CPU seconds, not wall-clock seconds: a
render on a busy machine waits for its turn without failing. The child dies with its parent
(PR_SET_PDEATHSIG) and lets go of every inherited socket, so a killed worker leaves neither an
orphan render nor a database connection held open behind it. The child fetches nothing but
`data:` URLs and the files under `ASSETS_DIR` (see weasyprint_engine.py, which this module
imports only when it first renders).
"""

import logging
import math
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.jobs.child_processes import die_with_parent, drop_inherited_sockets

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
FONTS_CSS = "fonts.css"  # the project's @font-face rules, registered once per worker
MAX_ASSET_BYTES = 20 * 1024 * 1024  # the largest asset file the fetcher will read
DEFAULT_TIMEOUT_SECONDS = 30.0  # of processor time
DEFAULT_MEMORY_BUDGET_BYTES = 1536 * 1024 * 1024
WALL_CLOCK_FACTOR = 10  # a render waiting this many times its CPU limit (+ a minute) is stuck
CPU_POLL_SECONDS = 0.05
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

log = logging.getLogger(__name__)
_fork = multiprocessing.get_context("fork")
_setup_lock = threading.Lock()
_samples_done = 0


class PdfRenderError(Exception):
    """Rendering a PDF failed, ran out of time or memory; the worker itself is unharmed."""


class URLRefusedError(ValueError):
    """A resource the PDF renderer may not load."""


ASSETS_URL = ASSETS_DIR.as_uri() + "/"


def _engine():
    """WeasyPrint, imported on the first render: a web worker that never renders a PDF never
    loads Pango (about 70 MiB and a second of start-up per process)."""
    from app.certificates import weasyprint_engine

    return weasyprint_engine


def render_pdf(
    html: str,
    *,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET_BYTES,
) -> bytes:
    """Render trusted-template HTML to PDF bytes in a bounded child process.

    Relative URLs resolve against `ASSETS_DIR`. Raises `PdfRenderError` when the render fails,
    uses more than `timeout_seconds` of processor time or needs more than `memory_budget_bytes`
    of extra address space. Read the database before calling: the child gets no connection.
    """
    _prepare_worker()
    scratch = tempfile.mkdtemp(prefix="hocso-pdf-")  # removed here even if the child is killed
    receiver, sender = _fork.Pipe(duplex=False)
    child = _fork.Process(
        target=_child_main,
        args=(sender, html, Path(scratch), timeout_seconds, memory_budget_bytes, os.getpid()),
        name="hocso-pdf-render",
        daemon=True,
    )
    try:
        child.start()
        sender.close()
        return _await_child(child, receiver, timeout_seconds)
    finally:
        receiver.close()
        if child.pid is not None:
            child.kill()
            child.join()
        shutil.rmtree(scratch, ignore_errors=True)


def _await_child(child, receiver, timeout_seconds: float) -> bytes:
    wall_deadline = time.monotonic() + WALL_CLOCK_FACTOR * timeout_seconds + 60
    while not receiver.poll(CPU_POLL_SECONDS):
        if cpu_seconds_used(child.pid) > timeout_seconds:
            raise _over_cpu_limit(timeout_seconds)
        if time.monotonic() > wall_deadline:
            raise PdfRenderError("PDF rendering made no progress for "
                                 f"{time.monotonic() - wall_deadline + 60:.0f} s and was stopped")
    try:
        message = receiver.recv_bytes()
    except (EOFError, OSError):
        child.join(1)
        if child.exitcode == -signal.SIGXCPU:  # the kernel enforced RLIMIT_CPU
            raise _over_cpu_limit(timeout_seconds) from None
        raise PdfRenderError(
            f"PDF rendering process ended unexpectedly (exit code {child.exitcode})"
        ) from None
    if message[:1] == b"P":
        return message[1:]
    raise PdfRenderError(f"PDF rendering failed: {message[1:].decode('utf-8', 'replace')}")


def _over_cpu_limit(timeout_seconds: float) -> PdfRenderError:
    return PdfRenderError(
        f"PDF rendering took longer than {timeout_seconds:g} s of processor time and was stopped"
    )


def cpu_seconds_used(pid: int | None) -> float:
    """Processor seconds (user + system) a live process has used; 0 once it is gone."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            fields = stat_file.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    if fields[0] == "Z":  # a zombie: already ended, its times are no longer growing
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _child_main(sender, html: str, scratch: Path, timeout_seconds: float, memory_budget_bytes: int,
                parent_pid: int) -> None:
    """Runs in the forked child: limit resources, render, send b"P"+pdf or b"E"+reason."""
    try:
        die_with_parent(parent_pid)
        drop_inherited_sockets(keep={sender.fileno()})
        _limit_resources(timeout_seconds, memory_budget_bytes)
        tempfile.tempdir = str(scratch)  # anything WeasyPrint writes goes with this render
        engine = _engine()
        engine.keep_new_fonts_private(scratch)
        pdf = engine.render_in_process(html)
        sender.send_bytes(b"P" + pdf)
    except BaseException as error:  # noqa: BLE001 - every failure must reach the parent
        reason = f"{type(error).__name__}: {error}"[:500]
        sender.send_bytes(b"E" + reason.encode("utf-8", "replace"))
    finally:
        sender.close()


def _limit_resources(timeout_seconds: float, memory_budget_bytes: int) -> None:
    # The budget is on top of what the forked child already maps (the parent's whole heap).
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_budget_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # The processor-time limit, enforced by the kernel even if the parent cannot watch (SIGXCPU,
    # then SIGKILL); the parent also measures it, to the twentieth of a second.
    cpu_seconds = math.ceil(timeout_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def register_warm_up(sample: Callable[[], str]) -> None:
    """Have each worker render `sample()` once before it forks render children.

    `sample` must build a fixed document of ours (never user input): it runs in the worker
    itself, unbounded. Children inherit the warmed caches, so a document like the sample
    renders about as fast as in-process.
    """
    with _setup_lock:
        _warm_up_samples.append(sample)


def _prepare_worker() -> None:
    # Registers the project fonts (through the engine's shared font configuration) and renders
    # the samples, so that children fork with warm caches.
    global _samples_done
    if _samples_done == len(_warm_up_samples):
        return
    with _setup_lock:  # no child may fork while this thread is inside Pango
        engine = _engine()
        while _samples_done < len(_warm_up_samples):
            sample = _warm_up_samples[_samples_done]
            _samples_done += 1
            try:
                engine.render_in_process(sample())
            except Exception:  # a cold child is slower, not wrong; it will report real errors
                log.exception("PDF renderer warm-up failed")


_BASIC_SAMPLE = (
    '<html lang="vi"><head><link rel="stylesheet" href="fonts.css">'
    "<style>body { font-family: 'Be Vietnam Pro' } b { font-weight: 700 }</style></head>"
    "<body><p>Chứng nhận <b>Nguyễn Thị Hồng Nhung</b></p>"
    '<img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 '
    'width=%221%22 height=%221%22%3E%3Cpath d=%22M0 0h1v1h-1z%22/%3E%3C/svg%3E"></body></html>'
)
_warm_up_samples: list[Callable[[], str]] = [lambda: _BASIC_SAMPLE]
