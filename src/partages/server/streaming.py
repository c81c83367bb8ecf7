"""Bridge a synchronous engine iterator to asyncio.

The iterator runs in a worker thread and hands chunks to the event loop one by one. When the
consumer goes away (client disconnected, task cancelled), the worker notices at the next chunk
and closes the iterator, which stops the generation and frees the engine.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Executor
from typing import TypeVar

T = TypeVar("T")
_END = object()


async def iterate_in_thread(it: Iterator[T], executor: Executor) -> AsyncIterator[T]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    cancelled = threading.Event()

    def put(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
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
            item = await queue.get()
            if item is _END:
                break
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        cancelled.set()
        if not fut.done():
            # do not wait for the worker: it stops at its next chunk
            fut.add_done_callback(lambda f: f.exception())
