"""Append-only audit log in which each entry carries the hash of the previous one.

- ``append`` adds an entry inside one ``BEGIN IMMEDIATE`` transaction (safe with several
  threads or gateway processes on the same file).
- ``verify`` walks the chain and names the first bad entry: an edited row (its hash no longer
  matches), a deleted row (a gap in ``seq`` or a broken ``prev_hash`` link), reordered rows, or
  a truncated tail (the head record disagrees).
- ``purge`` deletes entries older than the retention period and records the hash of the last
  purged entry as the new anchor, so what remains still verifies.

SQLite triggers refuse UPDATE and DELETE outside a purge; someone with write access to the file
can drop them, which is exactly what the hash chain then detects. No clear text is stored unless
``audit_store_text`` is set: entries hold SHA-256 digests of request and response bodies.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from partages.store.sqlite import connect, serialized

GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    key_id TEXT,
    role TEXT,
    route TEXT NOT NULL,
    method TEXT,
    model TEXT,
    status INTEGER,
    tokens_in INTEGER,
    tokens_out INTEGER,
    latency_ms REAL,
    request_sha256 TEXT,
    response_sha256 TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    request_text TEXT,
    response_text TEXT
);
CREATE TABLE IF NOT EXISTS audit_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    head_seq INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    anchor_seq INTEGER NOT NULL,
    anchor_hash TEXT NOT NULL,
    purging INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO audit_state (id, head_seq, head_hash, anchor_seq, anchor_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log
WHEN (SELECT purging FROM audit_state WHERE id = 1) = 0
BEGIN SELECT RAISE(ABORT, 'audit log is append-only (use purge)'); END;
"""

# Fields covered by the hash, in this order.
_HASHED = (
    "seq", "ts", "key_id", "role", "route", "method", "model", "status", "tokens_in",
    "tokens_out", "latency_ms", "request_sha256", "response_sha256", "details", "prev_hash",
)


@dataclass
class AuditEntry:
    route: str
    method: str | None = None
    key_id: str | None = None
    role: str | None = None
    model: str | None = None
    status: int | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: float | None = None
    request_sha256: str | None = None
    response_sha256: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    request_text: str | None = None
    response_text: str | None = None


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str | None = None


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _entry_hash(row: dict[str, Any]) -> str:
    payload = {k: row.get(k) for k in _HASHED}
    if isinstance(payload["latency_ms"], float):
        payload["latency_ms"] = round(payload["latency_ms"], 3)
    return sha256_hex(json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


class AuditLog:
    def __init__(self, db_path: Path, *, store_text: bool = False) -> None:
        self.path = db_path
        self.store_text = store_text
        self._conn = connect(db_path)
        self._lock = threading.RLock()  # one connection shared by the gateway's worker threads
        self._conn.executescript(_SCHEMA)

    @serialized
    def append(self, entry: AuditEntry) -> int:
        row = asdict(entry)
        row["details"] = json.dumps(entry.details, sort_keys=True, ensure_ascii=False)
        if row["latency_ms"] is not None:
            row["latency_ms"] = round(float(row["latency_ms"]), 3)
        if not self.store_text:
            row["request_text"] = row["response_text"] = None
        row["ts"] = datetime.now(UTC).isoformat(timespec="microseconds")
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            st = c.execute("SELECT head_seq, head_hash FROM audit_state WHERE id = 1").fetchone()
            row["seq"] = st["head_seq"] + 1
            row["prev_hash"] = st["head_hash"]
            row["hash"] = _entry_hash(row)
            cols = ", ".join(row)
            c.execute(f"INSERT INTO audit_log ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
            c.execute("UPDATE audit_state SET head_seq = ?, head_hash = ? WHERE id = 1", (row["seq"], row["hash"]))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return row["seq"]

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, from a connection of its own (a long export never holds the writers' lock)."""
        conn = connect(self.path)
        try:
            for r in conn.execute("SELECT * FROM audit_log ORDER BY rowid"):
                d = dict(r)
                d["details"] = json.loads(d["details"] or "{}") if _is_json(d["details"]) else d["details"]
                yield d
        finally:
            conn.close()

    @serialized
    def verify(self) -> VerifyResult:
        """Checks the chain on one consistent snapshot (a read transaction), even while other
        processes append."""
        self._conn.execute("BEGIN")
        try:
            return self._verify()
        finally:
            self._conn.execute("COMMIT")

    def _verify(self) -> VerifyResult:
        st = self._conn.execute("SELECT * FROM audit_state WHERE id = 1").fetchone()
        expected_seq = st["anchor_seq"] + 1
        expected_prev = st["anchor_hash"]
        n = 0
        last_seq, last_hash = st["anchor_seq"], st["anchor_hash"]
        # rowid order is insertion order: a reordering of rows shows up as a seq/prev mismatch.
        for r in self._conn.execute("SELECT * FROM audit_log ORDER BY rowid"):
            row = dict(r)
            n += 1
            seq = row["seq"]
            if seq != expected_seq:
                missing = "missing or reordered entries"
                return VerifyResult(False, n, seq, f"entry {seq}: expected entry {expected_seq} here ({missing})")
            if row["prev_hash"] != expected_prev:
                return VerifyResult(False, n, seq, f"entry {seq}: link to the previous entry is broken")
            if _entry_hash(row) != row["hash"]:
                return VerifyResult(False, n, seq, f"entry {seq}: content does not match its hash (edited)")
            expected_seq, expected_prev = seq + 1, row["hash"]
            last_seq, last_hash = seq, row["hash"]
        if (last_seq, last_hash) != (st["head_seq"], st["head_hash"]):
            return VerifyResult(False, n, last_seq + 1, f"entries after {last_seq} are missing (log truncated)")
        return VerifyResult(True, n)

    @serialized
    def purge(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete entries older than ``retention_days``; returns how many were deleted."""
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=retention_days)).isoformat(timespec="microseconds")
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            last = c.execute(
                "SELECT seq, hash FROM audit_log WHERE seq <= (SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE ts < ?) ORDER BY seq DESC LIMIT 1",
                (cutoff,),
            ).fetchone()
            if last is None:
                c.execute("COMMIT")
                return 0
            c.execute("UPDATE audit_state SET purging = 1 WHERE id = 1")
            cur = c.execute("DELETE FROM audit_log WHERE seq <= ?", (last["seq"],))
            c.execute(
                "UPDATE audit_state SET purging = 0, anchor_seq = ?, anchor_hash = ? WHERE id = 1",
                (last["seq"], last["hash"]),
            )
            c.execute("COMMIT")
            return cur.rowcount
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def export(self, out: TextIO) -> int:
        n = 0
        for row in self.entries():
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
        return n

    def close(self) -> None:
        self._conn.close()


def _is_json(s: Any) -> bool:
    return isinstance(s, str) and s[:1] in "{["
