"""The surrogate registry: which surrogate each original got, and who owns each surrogate.

It is what makes surrogates *consistent* (same person → same surrogate in a scope) and
*collision-free* (two people never share one). A keyed hash alone cannot promise the second:
an 8,000-name pool gives two of 400 people the same name with near certainty, so the choice is
re-drawn on a clash, and that needs memory of what is taken.

- :class:`MemoryRegistry`: one process (the library, the gateway guard).
- :class:`SqliteRegistry`: shared by the ``--workers N`` processes of a batch run (and kept for
  a resumed run), through SQLite's unique constraints: a claim is one ``INSERT OR IGNORE`` then
  one read of the owner, so two processes can never both own one surrogate. The file holds no
  original text: originals are stored as ``HMAC(key, scope | label | original)``, surrogates in
  clear (they are in the output anyway).

SQLite (standard library) rather than a server: a batch runs on one machine, and the file
doubles as the resume state.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
from pathlib import Path
from typing import Protocol


class Registry(Protocol):
    def given(self, scope: str, owner: str) -> str | None: ...
    def claim(self, scope: str, family: str, value_key: str, owner: str) -> bool: ...
    def assign(self, scope: str, owner: str, value: str) -> str: ...
    def reserve(self, scope: str, keys: list[str]) -> None: ...
    def is_reserved(self, scope: str, key: str) -> bool: ...


class MemoryRegistry:
    def __init__(self) -> None:
        self._given: dict[tuple[str, str], str] = {}
        self._taken: dict[tuple[str, str, str], str] = {}
        self._reserved: dict[str, set[str]] = {}

    def given(self, scope: str, owner: str) -> str | None:
        return self._given.get((scope, owner))

    def claim(self, scope: str, family: str, value_key: str, owner: str) -> bool:
        return self._taken.setdefault((scope, family, value_key), owner) == owner

    def assign(self, scope: str, owner: str, value: str) -> str:
        return self._given.setdefault((scope, owner), value)

    def reserve(self, scope: str, keys: list[str]) -> None:
        self._reserved.setdefault(scope, set()).update(keys)

    def is_reserved(self, scope: str, key: str) -> bool:
        return key in self._reserved.get(scope, ())


_SCHEMA = """
CREATE TABLE IF NOT EXISTS given (scope TEXT, owner TEXT, value TEXT NOT NULL, PRIMARY KEY (scope, owner));
CREATE TABLE IF NOT EXISTS taken (scope TEXT, family TEXT, value_key TEXT, owner TEXT NOT NULL, PRIMARY KEY (scope, family, value_key));
CREATE TABLE IF NOT EXISTS reserved (scope TEXT, key TEXT, PRIMARY KEY (scope, key));
"""


class SqliteRegistry:
    """Registry in a SQLite file shared by several processes (WAL mode, autocommit)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = Path(path)
        self._key = key
        new = not self.path.exists()
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        if new:
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                pass
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._cache: dict[tuple[str, str], str] = {}  # given values never change once set

    def _h(self, *parts: str) -> str:
        return hmac.new(self._key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def given(self, scope: str, owner: str) -> str | None:
        k = (scope, owner)
        if k in self._cache:
            return self._cache[k]
        row = self._db.execute("SELECT value FROM given WHERE scope=? AND owner=?", (self._h(scope), self._h(scope, owner))).fetchone()
        if row:
            self._cache[k] = row[0]
            return row[0]
        return None

    def claim(self, scope: str, family: str, value_key: str, owner: str) -> bool:
        s, o, v = self._h(scope), self._h(scope, owner), self._h(scope, family, value_key)
        self._db.execute("INSERT OR IGNORE INTO taken VALUES (?,?,?,?)", (s, family, v, o))
        row = self._db.execute("SELECT owner FROM taken WHERE scope=? AND family=? AND value_key=?", (s, family, v)).fetchone()
        return row is not None and row[0] == o

    def assign(self, scope: str, owner: str, value: str) -> str:
        s, o = self._h(scope), self._h(scope, owner)
        self._db.execute("INSERT OR IGNORE INTO given VALUES (?,?,?)", (s, o, value))
        got = self._db.execute("SELECT value FROM given WHERE scope=? AND owner=?", (s, o)).fetchone()[0]
        self._cache[(scope, owner)] = got
        return got

    def reserve(self, scope: str, keys: list[str]) -> None:
        s = self._h(scope)
        self._db.executemany("INSERT OR IGNORE INTO reserved VALUES (?,?)", [(s, self._h(scope, "reserved", k)) for k in set(keys)])

    def is_reserved(self, scope: str, key: str) -> bool:
        return self._db.execute("SELECT 1 FROM reserved WHERE scope=? AND key=?", (self._h(scope), self._h(scope, "reserved", key))).fetchone() is not None

    def close(self) -> None:
        self._db.close()
