"""The in-process state that gunicorn's gthread workers share between threads holds up
when many threads use it at once."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from portal.core.memory import app_memory
from portal.otp import budget

THREADS = 16


@pytest.fixture(autouse=True)
def _switch_often() -> Iterator[None]:
    """Make the interpreter switch threads every microsecond, so races show up."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def _together(task: Callable[[int], Any], count: int = THREADS) -> list[Any]:
    """Run task(i) in `count` threads released at the same moment; their results in order."""
    start = threading.Barrier(count)

    def run(i: int) -> Any:
        start.wait(timeout=10)
        return task(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=30))


def test_owners_are_told_once_when_threads_trip_the_breaker_together() -> None:
    """Many threads refusing the same merchant at once: exactly one of them mails."""
    for merchant_id in range(1, 51):
        told = _together(lambda _i, m=merchant_id: budget.first_to_tell(m))
        assert told.count(True) == 1, merchant_id
    budget._told.clear()


def test_told_memory_survives_threads_filling_it_past_its_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Threads adding and pushing out entries of a small memory raise nothing."""
    monkeypatch.setattr(budget, "_told", budget.TTLCache(maxsize=8, ttl=600))

    def hammer(i: int) -> None:
        for n in range(2000):
            budget.first_to_tell(i * 10_000 + n)

    _together(hammer)
    assert len(budget._told) == 8


def test_threads_asking_for_a_new_memory_get_the_same_one() -> None:
    """The first use of an app memory from many threads makes it once."""
    app = Flask(__name__)
    made: list[object] = []

    def create() -> object:
        time.sleep(0.01)  # a slow constructor widens the window the lock closes
        made.append(memory := object())
        return memory

    def ask(_i: int) -> object:
        with app.app_context():
            return app_memory("test_memory", create)

    got = _together(ask)
    assert len(made) == 1
    assert all(memory is made[0] for memory in got)
