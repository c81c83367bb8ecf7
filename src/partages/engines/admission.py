"""Admission control shared by engines: a bounded number of requests in flight and a FIFO lock.

Why hand-written: ``threading.Lock`` gives no ordering guarantee between waiters, and latency
percentiles under load depend on first-come first-served. This is ~40 lines with no library
that does exactly "bounded FIFO mutex" for threads.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from partages.engines.errors import EngineBusy


class FifoLock:
    """A mutex that hands itself to waiters in arrival order."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Event] = deque()
        self._held = False

    def acquire(self) -> None:
        with self._mutex:
            if not self._held and not self._waiters:
                self._held = True
                return
            ev = threading.Event()
            self._waiters.append(ev)
        ev.wait()  # ownership is transferred to us by release()

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()  # hand over, still held
            else:
                self._held = False

    @contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


class Admission:
    """Counts requests admitted (running + waiting); refuses beyond ``capacity``."""

    def __init__(self, capacity: int, retry_after: int = 2) -> None:
        self.capacity = max(1, capacity)
        self.retry_after = retry_after
        self._n = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            if self._n >= self.capacity:
                raise EngineBusy(
                    f"The model is busy ({self._n} requests in queue); retry in {self.retry_after} s.",
                    retry_after=self.retry_after,
                )
            self._n += 1

    def leave(self) -> None:
        with self._lock:
            self._n = max(0, self._n - 1)

    @property
    def depth(self) -> int:
        return self._n
