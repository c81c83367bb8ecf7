"""Browser sessions for the clinician web page: a cookie instead of the API key.

The key is presented once (at log-in) and never reaches browser storage; the browser then holds
an opaque random session token in an HttpOnly cookie. Only ``sha256(token)`` is stored, in the
same SQLite database as the keys, so a session is valid only while its key is: revoking the key
ends every session opened with it (the join in :meth:`SessionStore.verify`), and log-out revokes
the session itself. Each session also carries a CSRF token that the page sends back in a header on
state-changing requests (the cookie alone is never enough to change anything).

Expiry is twofold: an absolute lifetime (a working shift) and an idle timeout (a forgotten tab on
a shared ward computer), both enforced here, server-side.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from partages.store.sqlite import connect

SESSION_COOKIE = "partages_session"
CSRF_HEADER = "x-csrf-token"
DEFAULT_LIFETIME_S = 10 * 3600  # a long shift
DEFAULT_IDLE_S = 30 * 60

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL,
    expires REAL NOT NULL,
    revoked REAL
);
CREATE INDEX IF NOT EXISTS web_sessions_key ON web_sessions(key_id);
"""


@dataclass(frozen=True)
class Session:
    key_id: str
    key_name: str
    role: str
    csrf: str
    expires: float


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    """Server-side sessions in ``partages.db`` (next to ``api_keys``, which it joins)."""

    def __init__(self, db_path: Path, *, lifetime_s: float = DEFAULT_LIFETIME_S, idle_s: float = DEFAULT_IDLE_S, clock=time.time) -> None:
        self._conn = connect(db_path)
        self._conn.executescript(_SCHEMA)
        self.lifetime_s = lifetime_s
        self.idle_s = idle_s
        self._clock = clock

    def create(self, key_id: str) -> tuple[str, Session]:
        """Open a session for an already-verified key; returns (cookie token, session)."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._clock()
        expires = now + self.lifetime_s
        self._conn.execute(
            "INSERT INTO web_sessions (token_hash, key_id, csrf, created, last_seen, expires) VALUES (?,?,?,?,?,?)",
            (_hash(token), key_id, csrf, now, now, expires),
        )
        session = self.verify(token)
        if session is None:  # the key was revoked between verification and now
            raise PermissionError("key revoked")
        return token, session

    def verify(self, token: str | None, *, touch: bool = True) -> Session | None:
        """The session if ``token`` is live (not expired, idle, revoked, nor its key revoked)."""
        if not token or len(token) > 200:
            return None
        now = self._clock()
        row = self._conn.execute(
            "SELECT s.token_hash, s.key_id, s.csrf, s.last_seen, s.expires, s.revoked, k.name, k.role, k.revoked AS key_revoked"
            " FROM web_sessions s JOIN api_keys k ON k.id = s.key_id WHERE s.token_hash = ?",
            (_hash(token),),
        ).fetchone()
        if row is None or row["revoked"] or row["key_revoked"]:
            return None
        if now >= row["expires"] or now - row["last_seen"] >= self.idle_s:
            return None
        if touch:
            self._conn.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", (now, row["token_hash"]))
        return Session(row["key_id"], row["name"], row["role"], row["csrf"], row["expires"])

    @staticmethod
    def csrf_ok(session: Session, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(session.csrf.encode(), (presented or "").encode())

    def revoke(self, token: str | None) -> bool:
        if not token:
            return False
        cur = self._conn.execute(
            "UPDATE web_sessions SET revoked = ? WHERE token_hash = ? AND revoked IS NULL", (self._clock(), _hash(token))
        )
        return cur.rowcount > 0

    def revoke_key(self, key_id: str) -> int:
        """End every session of a key (also implied by the key's own revocation)."""
        cur = self._conn.execute("UPDATE web_sessions SET revoked = ? WHERE key_id = ? AND revoked IS NULL", (self._clock(), key_id))
        return cur.rowcount

    def purge(self) -> int:
        """Delete expired or revoked sessions (called at each log-in; the table stays small)."""
        now = self._clock()
        cur = self._conn.execute(
            "DELETE FROM web_sessions WHERE revoked IS NOT NULL OR expires <= ? OR last_seen <= ?", (now, now - self.idle_s)
        )
        return cur.rowcount

    def close(self) -> None:
        self._conn.close()
