"""SQLite connections with the settings every store here wants."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode, WAL journal, waiting (not failing) on a busy database.

    ``check_same_thread=False``: the gateway uses it from worker threads. SQLite serialises single
    statements, but a shared connection has ONE transaction: a store that runs explicit
    transactions on it must hold a lock around them (:func:`serialized`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=ON")
    try:
        path.chmod(0o600)
    except OSError:
        pass
    return conn


def serialized(method: F) -> F:
    """Run ``method`` under ``self._lock`` (an ``RLock``): a store's explicit transactions on its one
    shared connection must not interleave ("cannot start a transaction within a transaction")."""

    @functools.wraps(method)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
