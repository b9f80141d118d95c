"""Throughput at a fixed concurrency: wrk for GET pages, the asyncio browser for form posts.

Both give a Throughput (requests per second, p50, p99, failures), so a table can set them side by side.
"""

import asyncio
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.async_browser import Reply
from bench.step_figures import percentile_ms

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
STATUS_SCRIPT = Path(__file__).with_name("wrk_statuses.lua")  # prints "status 503: 12" lines


@dataclass(frozen=True)
class Throughput:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failures: int  # non-2xx/3xx answers and socket errors
    failure_kinds: Counter = field(default_factory=Counter)  # "HTTP 503", "timeout", "connection"


def wrk(url: str, seconds: float, connections: int = 50, threads: int = 2,
        headers: tuple[str, ...] = ()) -> Throughput:
    """`wrk -t2 -c50 -d<seconds> --latency` against one URL."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk (scripts/system-deps.sh)")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
               "--timeout", "30s", "--script", str(STATUS_SCRIPT)]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True,  # noqa: S603
                            timeout=seconds + 60).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Throughput:
    """The figures of wrk's --latency report."""
    def latency(percent: int) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        return float(match.group(1)) * _UNITS_MS[match.group(2)] if match else float("nan")

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failures = int(non_2xx.group(1)) if non_2xx else 0
    failures += sum(map(int, sockets.groups())) if sockets else 0
    kinds = Counter()
    for status, count in re.findall(r"^status (\d+): (\d+)$", output, re.MULTILINE):
        kinds[f"HTTP {status}"] += int(count)
    if sockets:
        connect, read, write, timeout = map(int, sockets.groups())
        kinds.update({"timeout": timeout, "connection": connect + read + write})
    return Throughput(float(rate.group(1)) if rate else 0.0, latency(50), latency(99), failures, +kinds)


async def _closed_loop(calls: list[Callable[[], Awaitable[Reply]]], concurrency: int,
                       ok: Callable[[Reply], bool]) -> Throughput:
    pending = iter(calls)
    seconds: list[float] = []
    kinds = Counter()

    async def worker() -> None:
        for call in pending:  # shared iterator: each call runs once
            reply = await call()
            seconds.append(reply.seconds)
            if not ok(reply):
                kinds[reply.kind] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Throughput(len(calls) / elapsed, percentile_ms(seconds, 50), percentile_ms(seconds, 99),
                      sum(kinds.values()), kinds)


def closed_loop(calls: list[Callable[[], Awaitable[Reply]]], concurrency: int = 50,
                ok: Callable[[Reply], bool] = lambda r: r.status == 302) -> Throughput:
    """Run every call once, `concurrency` at a time; requests per second over the whole batch."""
    return asyncio.run(_closed_loop(calls, concurrency, ok))
