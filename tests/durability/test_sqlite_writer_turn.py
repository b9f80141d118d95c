"""The writers' turn between processes (app/database.py `_ProcessTurn`): one writer at a time
across processes, a worker forked from a preloaded master takes its own turn, and a process
killed while holding the turn leaves nothing locked."""

import multiprocessing
import os
import signal
import time

import pytest

from app.database import _ProcessTurn

FORK = multiprocessing.get_context("fork")


def _hold_turn(path: str, holding, release) -> None:
    turn = _ProcessTurn(path)
    assert turn.acquire(time.monotonic() + 5)
    holding.set()
    release.wait(30)
    turn.release()


@pytest.fixture
def turn_path(tmp_path) -> str:
    return str(tmp_path / "hocso.sqlite3-writer.lock")


def _holder(path: str):
    holding, release = FORK.Event(), FORK.Event()
    process = FORK.Process(target=_hold_turn, args=(path, holding, release))
    process.start()
    assert holding.wait(10), "the holder never took the turn"
    return process, release


def test_a_second_process_waits_for_the_turn_and_gets_it_once_released(turn_path):
    process, release = _holder(turn_path)
    mine = _ProcessTurn(turn_path)
    try:
        started = time.monotonic()
        assert not mine.acquire(time.monotonic() + 0.2)  # held elsewhere: the deadline passes
        assert time.monotonic() - started >= 0.2
        release.set()
        assert mine.acquire(time.monotonic() + 5)
    finally:
        release.set()
        process.join(10)
    mine.release()


def test_a_process_killed_holding_the_turn_leaves_it_free(turn_path):
    process, _release = _holder(turn_path)
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    mine = _ProcessTurn(turn_path)
    assert mine.acquire(time.monotonic() + 1)
    mine.release()


def test_a_forked_worker_does_not_share_the_turn_of_its_parent(turn_path):
    """gunicorn --preload forks workers from a master that may have opened the lock file."""
    parent = _ProcessTurn(turn_path)
    assert parent.acquire(time.monotonic() + 1)
    outcome = FORK.Queue()

    def child() -> None:  # the same object, inherited: it must open a descriptor of its own
        outcome.put(parent.acquire(time.monotonic() + 0.2))

    process = FORK.Process(target=child)
    process.start()
    process.join(10)
    assert outcome.get(timeout=5) is False
    parent.release()


def test_an_in_memory_database_needs_no_turn():
    turn = _ProcessTurn.beside(":memory:")
    assert turn.path is None
    assert turn.acquire(time.monotonic())
    turn.release()
