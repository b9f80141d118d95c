"""The live-session benchmark in its short mode: 200 learners arriving at 10 per second.

Runs `bench.live_session` on the suite's kind of database (SQLite; PostgreSQL when DATABASE_URL
points at it, in a database of its own) and asserts correctness only: every learner finished,
no 5xx, nothing lost, nothing duplicated. Timings are printed with the figures, never asserted.
"""

import dataclasses
import os

import pytest

from bench.live_session import Options, run_live_session
from tests.durability.conftest import on_postgresql

SHORT = Options(
    learners=200,
    rate=10.0,
    drain_seconds=40.0,  # 20 s of arrivals, then at most 40 s for the last ones: bounded
    postgres_database=f"hocso_bench_live_{os.getpid()}",
)


@pytest.mark.slow
def test_two_hundred_learners_at_ten_per_second(figures):
    options = dataclasses.replace(SHORT, database="postgresql" if on_postgresql() else "sqlite")
    result = run_live_session(options)  # on PostgreSQL, a failed connection fails the test
    figures.add(result.summary())
    problems = [f"{step.name}: {step.error_text()}" for w in result.waves for step in w.table.steps.values()
                if step.errors] + [f"gave up: {r}" for w in result.waves for r in w.gave_up]
    assert result.finished == result.learners, (problems, result.server_errors_in_log)
    assert result.server_errors == 0, (problems, result.server_errors_in_log)
    assert not result.lost, result.lost[:5]
    assert not result.duplicated, result.duplicated[:5]
    assert not result.partial, result.partial[:5]
