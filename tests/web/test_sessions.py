"""Server-side sessions: expiry (absolute and idle), log-out, key revocation, CSRF token."""

from __future__ import annotations

from pathlib import Path

from partages.auth.keys import KeyStore
from partages.auth.sessions import SessionStore


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def _stores(tmp_path: Path, clock: Clock) -> tuple[KeyStore, SessionStore, str]:
    keys = KeyStore(tmp_path / "partages.db")
    key, _ = keys.create("dr-test", "clinician")
    return keys, SessionStore(tmp_path / "partages.db", lifetime_s=3600, idle_s=600, clock=clock), key.id


def test_session_lifecycle(tmp_path: Path) -> None:
    clock = Clock()
    keys, store, key_id = _stores(tmp_path, clock)
    token, session = store.create(key_id)
    assert session.role == "clinician" and session.key_name == "dr-test" and len(session.csrf) >= 40
    assert token not in (tmp_path / "partages.db").read_bytes().decode("latin-1")  # only its hash is stored
    assert store.verify(token) == session
    assert store.verify("not-a-token") is None and store.verify(None) is None
    assert SessionStore.csrf_ok(session, session.csrf)
    assert not SessionStore.csrf_ok(session, "") and not SessionStore.csrf_ok(session, None) and not SessionStore.csrf_ok(session, session.csrf[:-1] + "x")
    assert store.revoke(token) and store.verify(token) is None
    assert not store.revoke(token)
    keys.close(), store.close()


def test_idle_and_absolute_expiry(tmp_path: Path) -> None:
    clock = Clock()
    keys, store, key_id = _stores(tmp_path, clock)
    token, _ = store.create(key_id)
    for _ in range(5):  # activity keeps it alive, up to the absolute lifetime
        clock.t += 599
        assert store.verify(token) is not None
    clock.t += 599 + 600
    assert store.verify(token) is None  # idle too long
    token, _ = store.create(key_id)
    for _ in range(6):
        clock.t += 590
        assert store.verify(token) is not None
    clock.t += 590  # 7 * 590 > 3600
    assert store.verify(token) is None
    assert store.purge() == 2
    keys.close(), store.close()


def test_revoking_the_key_ends_its_sessions(tmp_path: Path) -> None:
    clock = Clock()
    keys, store, key_id = _stores(tmp_path, clock)
    other, _ = keys.create("dr-other", "clinician")
    t1, _ = store.create(key_id)
    t2, _ = store.create(key_id)
    t3, _ = store.create(other.id)
    keys.revoke(key_id)
    assert store.verify(t1) is None and store.verify(t2) is None
    assert store.verify(t3) is not None
    assert store.revoke_key(other.id) == 1 and store.verify(t3) is None
    keys.close(), store.close()
