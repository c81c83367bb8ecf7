"""API keys: shown once, stored only as salted SHA-256 hashes, compared in constant time.

A key looks like ``pk-<id>-<secret>``: the public ``id`` finds the row, the secret (256 random
bits) is checked against ``sha256(salt || secret)``. A fast hash is right here because the
secret is random and long, not a password (the same choice as GitHub or Stripe tokens).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from partages.auth.roles import Role
from partages.store.sqlite import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    salt BLOB NOT NULL,
    hash TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
"""


class KeyStoreError(Exception):
    """Invalid key operation (unknown role, unknown key)."""


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: str
    created: str
    revoked: str | None = None


def _digest(salt: bytes, secret: str) -> str:
    return hashlib.sha256(salt + secret.encode("utf-8")).hexdigest()


class KeyStore:
    def __init__(self, db_path: Path) -> None:
        self._conn = connect(db_path)
        self._conn.executescript(_SCHEMA)
        # A hash to compare against when the id is unknown, so timing does not reveal ids.
        self._dummy_salt = secrets.token_bytes(16)

    def create(self, name: str, role: str) -> tuple[ApiKey, str]:
        """Create a key; returns the record and the full key (shown once, never stored)."""
        try:
            role = Role(role).value
        except ValueError:
            raise KeyStoreError(f"Unknown role '{role}'. Roles: {', '.join(r.value for r in Role)}") from None
        if not name.strip():
            raise KeyStoreError("A key needs a non-empty --name (who or what uses it).")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        self._conn.execute(
            "INSERT INTO api_keys (id, name, role, salt, hash, created) VALUES (?,?,?,?,?,?)",
            (key_id, name.strip(), role, salt, _digest(salt, secret), created),
        )
        return ApiKey(key_id, name.strip(), role, created), f"pk-{key_id}-{secret}"

    def verify(self, presented: str | None) -> ApiKey | None:
        """The key's record if ``presented`` is a valid, unrevoked key; else None."""
        if not presented or not presented.startswith("pk-") or presented.count("-") < 2:
            return None
        _, key_id, secret = presented.split("-", 2)
        row = self._conn.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        salt = row["salt"] if row else self._dummy_salt
        expected = row["hash"] if row else "0" * 64
        ok = hmac.compare_digest(_digest(salt, secret), expected)
        if not ok or row is None or row["revoked"]:
            return None
        return ApiKey(row["id"], row["name"], row["role"], row["created"], row["revoked"])

    def list(self) -> list[ApiKey]:
        rows = self._conn.execute("SELECT id, name, role, created, revoked FROM api_keys ORDER BY created, id")
        return [ApiKey(r["id"], r["name"], r["role"], r["created"], r["revoked"]) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        if key_id.startswith("pk-"):
            key_id = key_id.split("-", 2)[1]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        cur = self._conn.execute("UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL", (now, key_id))
        if cur.rowcount == 0:
            exists = self._conn.execute("SELECT 1 FROM api_keys WHERE id = ?", (key_id,)).fetchone()
            raise KeyStoreError(f"Key '{key_id}' is already revoked." if exists else f"No key with id '{key_id}'.")
        return next(k for k in self.list() if k.id == key_id)

    def has_active_admin(self) -> bool:
        row = self._conn.execute("SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked IS NULL LIMIT 1").fetchone()
        return row is not None

    def close(self) -> None:
        self._conn.close()
