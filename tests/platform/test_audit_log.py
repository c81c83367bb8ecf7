"""The audit log's hash chain: intact → verifies; edited, deleted, reordered, truncated → fails,
naming the first bad entry; purge keeps the rest verifiable."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from partages.audit.log import AuditEntry, AuditLog
from partages.cli.app import app


@pytest.fixture
def log(tmp_path):
    log = AuditLog(tmp_path / "audit.db")
    for i in range(6):
        log.append(AuditEntry(route="/v1/chat/completions", method="POST", key_id="k1", role="clinician", model="m", status=200, tokens_in=10 + i, tokens_out=5, latency_ms=12.5, request_sha256="a" * 64, response_sha256="b" * 64))
    return log


def _raw(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")  # an attacker with file access can do this
    conn.execute("DROP TRIGGER audit_no_delete")
    return conn


def test_intact_log_verifies(log):
    res = log.verify()
    assert res.ok and res.entries == 6



def test_concurrent_appends_from_worker_threads(log):
    """The gateway appends from many worker threads on one connection: found in CI as a 500
    ("cannot start a transaction within a transaction") when a page fired parallel requests."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i):
        return log.append(AuditEntry(route="/v1/models", method="GET", key_id=f"k{i}", role="admin", status=200))

    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = list(pool.map(one, range(200)))
    assert sorted(seqs) == list(range(7, 207))
    res = log.verify()
    assert res.ok and res.entries == 206

def test_triggers_refuse_update_and_delete(log):
    conn = sqlite3.connect(log.path, isolation_level=None)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET status = 500 WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log WHERE seq = 2")


def test_edited_row_is_named(log):
    _raw(log.path).execute("UPDATE audit_log SET tokens_out = 999 WHERE seq = 3")
    res = log.verify()
    assert not res.ok and res.first_bad_seq == 3 and "edited" in res.reason


def test_deleted_row_is_detected(log):
    _raw(log.path).execute("DELETE FROM audit_log WHERE seq = 4")
    res = log.verify()
    assert not res.ok and res.first_bad_seq == 5


def test_truncated_tail_is_detected(log):
    _raw(log.path).execute("DELETE FROM audit_log WHERE seq = 6")
    res = log.verify()
    assert not res.ok and "truncated" in res.reason


def test_reordered_rows_are_detected(log):
    conn = _raw(log.path)
    cols = [d[0] for d in conn.execute("SELECT * FROM audit_log LIMIT 1").description if d[0] != "seq"]
    r2 = conn.execute(f"SELECT {', '.join(cols)} FROM audit_log WHERE seq = 2").fetchone()
    r3 = conn.execute(f"SELECT {', '.join(cols)} FROM audit_log WHERE seq = 3").fetchone()
    sets = ", ".join(f"{c} = ?" for c in cols)
    conn.execute(f"UPDATE audit_log SET {sets} WHERE seq = 2", r3)  # entry 3 now stands before 2
    conn.execute(f"UPDATE audit_log SET {sets} WHERE seq = 3", r2)
    res = log.verify()
    assert not res.ok and res.first_bad_seq == 2


def test_purge_keeps_chain_verifiable(log):
    # everything is "older than 0 days" one second from now
    n = log.purge(0, now=datetime.now(UTC) + timedelta(seconds=1))
    assert n == 6
    log.append(AuditEntry(route="/v1/models", status=200))
    res = log.verify()
    assert res.ok and res.entries == 1
    # deleting the only entry after the anchor is still detected
    _raw(log.path).execute("DELETE FROM audit_log")
    assert not log.verify().ok


def test_cli_verify_and_export(tmp_path, log):
    runner = CliRunner()
    r = runner.invoke(app, ["audit", "verify", "--home", str(tmp_path)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "audit.jsonl"
    r = runner.invoke(app, ["audit", "export", "--out", str(out), "--home", str(tmp_path)])
    assert r.exit_code == 0
    assert len(out.read_text().splitlines()) == 6
    _raw(log.path).execute("UPDATE audit_log SET model = 'other' WHERE seq = 2")
    r = runner.invoke(app, ["audit", "verify", "--home", str(tmp_path), "--json"])
    assert r.exit_code == 1
    assert '"first_bad_seq": 2' in r.output
