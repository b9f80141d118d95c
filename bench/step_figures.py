"""Latency and error figures per step of a learner's visit, and the table that prints them."""

import statistics
from collections import Counter
from dataclasses import dataclass, field


def percentile_ms(seconds: list[float], q: int) -> float:
    """The q-th percentile of durations in seconds, in milliseconds (0 when there is none)."""
    if len(seconds) < 2:
        return 1000 * (seconds[0] if seconds else 0.0)
    return 1000 * statistics.quantiles(seconds, n=100, method="inclusive")[q - 1]


@dataclass
class StepFigures:
    """Every request of one step: its duration (failed ones included) and its failures by kind."""

    name: str
    seconds: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    finished: int = 0  # learners who got past this step

    def p(self, q: int) -> float:
        return percentile_ms(self.seconds, q)

    def error_text(self) -> str:
        return ", ".join(f"{kind} ×{count}" for kind, count in self.errors.most_common()) or "-"


class StepTable:
    """The figures of every step, in the order a learner takes them."""

    def __init__(self, names: list[str]) -> None:
        self.steps = {name: StepFigures(name) for name in names}

    def record(self, name: str, seconds: float, error_kind: str = "") -> None:
        step = self.steps[name]
        step.seconds.append(seconds)
        if error_kind:
            step.errors[error_kind] += 1

    def passed(self, name: str) -> None:
        self.steps[name].finished += 1

    def worst_p95(self) -> float:
        return max(step.p(95) for step in self.steps.values())

    def errors(self) -> Counter:
        total = Counter()
        for step in self.steps.values():
            total += step.errors
        return total

    def server_errors(self) -> int:
        return sum(count for kind, count in self.errors().items() if kind.startswith("HTTP 5"))

    def lines(self) -> list[str]:
        rows = [f"{'step':<12} {'finished':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  errors"]
        for step in self.steps.values():
            rows.append(f"{step.name:<12} {step.finished:>8} {step.p(50):>8.0f} {step.p(95):>8.0f} "
                        f"{step.p(99):>8.0f}  {step.error_text()}")
        return rows
