"""One request builds a missing cached answer; the others asking for it at the same moment wait for it.

After a change (a new data epoch) every cached answer is out of date, and the clients that poll often
(fifty integrations reading the same plan, a calendar app retrying) ask for the same answer together:
without this, each of them builds it (50 × 25 ms of CPU for one plan read). The first takes a short
lock in the shared cache and builds; the rest poll the cache every few milliseconds until the answer is
there, the lock is gone (the builder stored nothing: an error, a 404 or a 410, so they build
themselves) or WAIT_SECONDS passed (then they build too: a stuck builder never holds anyone up for long).
"""
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
LOCK_SECONDS = 10  # the lock ends by itself if its holder dies
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.01


def _lock_key(key: str) -> str:
    return f"{key}:building"


def await_turn(key: str, read: Callable[[], T | None]) -> tuple[T | None, bool]:
    """(answer, False) when another request built `key` meanwhile; (None, True) when this request holds
    the lock and must build it, then `release(key)`; (None, False) when it must build it without the lock."""
    if cache.add(_lock_key(key), 1, timeout=LOCK_SECONDS):
        return None, True
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = read()
        if found is not None:
            return found, False
        if cache.get(_lock_key(key)) is None:
            return read(), False
    return None, False


def release(key: str) -> None:
    cache.delete(_lock_key(key))
