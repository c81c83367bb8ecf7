"""Bridge a synchronous engine iterator to asyncio.

The iterator runs in a worker thread and hands chunks to the event loop. The loop is woken only
when it has nothing pending (one wake-up for everything produced meanwhile), and the consumer may
merge what piled up (``merge``), so a slow consumer or a busy CPU costs fewer wake-ups and fewer
HTTP writes instead of falling further behind. On two cores shared with llama.cpp's compute
threads, every wake-up of the server's threads is paid in generation speed.

When the consumer goes away (client disconnected, task cancelled), the worker notices at the next
chunk and closes the iterator, which stops the generation and frees the engine.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")
_END = object()


async def iterate_in_thread(
    it: Iterator[T], executor: Executor, merge: Callable[[list[T]], list[T]] | None = None
) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    pending: deque[object] = deque()
    lock = threading.Lock()
    ready = asyncio.Event()
    woken = {"pending_wakeup": False}
    cancelled = threading.Event()

    def _wake() -> None:
        with lock:
            woken["pending_wakeup"] = False
        ready.set()

    def put(item: object) -> None:
        with lock:
            pending.append(item)
            if woken["pending_wakeup"]:
                return  # the loop will see this item with the ones before it
            woken["pending_wakeup"] = True
        try:
            loop.call_soon_threadsafe(_wake)
        except RuntimeError:  # loop closed
            cancelled.set()

    def pump() -> None:
        try:
            for item in it:
                if cancelled.is_set():
                    break
                put(item)
            put(_END)
        except BaseException as exc:  # delivered to the consumer
            put(exc)
        finally:
            close = getattr(it, "close", None)
            if close:
                close()

    fut = loop.run_in_executor(executor, pump)
    try:
        while True:
            await ready.wait()
            ready.clear()
            with lock:
                batch = list(pending)
                pending.clear()
            items: list = []
            end = error = None
            for item in batch:
                if item is _END:
                    end = True
                    break
                if isinstance(item, BaseException):
                    error = item
                    break
                items.append(item)
            if merge and len(items) > 1:
                items = merge(items)
            for item in items:
                yield item
            if error is not None:
                raise error
            if end:
                break
    finally:
        cancelled.set()
        if not fut.done():
            # do not wait for the worker: it stops at its next chunk
            fut.add_done_callback(lambda f: f.exception())
