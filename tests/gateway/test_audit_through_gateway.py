"""Every /v1 request leaves a hash-chained audit entry without clear text; tampering is caught."""

from __future__ import annotations

import sqlite3

import httpx
from typer.testing import CliRunner

from partages.audit.log import AuditLog
from partages.cli.app import app

SECRET_PHRASE = "Madame Zoé Quintal-Verdier, née le 03/02/1951"


def _snapshot(src, dst_home):
    dst_home.mkdir(parents=True, exist_ok=True)
    src_conn = sqlite3.connect(src)
    dst_conn = sqlite3.connect(dst_home / "audit.db")
    src_conn.backup(dst_conn)  # consistent copy, WAL included
    src_conn.close()
    dst_conn.close()
    return dst_home


def test_requests_are_audited_and_tampering_detected(gateway, tmp_path):
    client = gateway.client("clinician")
    client.chat.completions.create(model="gemma3-270m", messages=[{"role": "user", "content": SECRET_PHRASE}], max_tokens=4, temperature=0)
    httpx.get(gateway.url + "/models")  # 401, audited too

    home = _snapshot(gateway.home / "audit.db", tmp_path / "copy")
    entries = list(AuditLog(home / "audit.db").entries())
    chat = [e for e in entries if e["route"] == "/v1/chat/completions" and e["status"] == 200][-1]
    assert chat["role"] == "clinician" and chat["key_id"] and chat["model"] == "gemma3-270m"
    assert chat["tokens_in"] > 0 and chat["tokens_out"] == 4
    assert len(chat["request_sha256"]) == 64 and len(chat["response_sha256"]) == 64
    assert chat["latency_ms"] > 0
    assert any(e["status"] == 401 and e["key_id"] is None for e in entries)
    raw = (home / "audit.db").read_bytes()
    assert SECRET_PHRASE.encode() not in raw  # no clear text by default

    runner = CliRunner()
    assert runner.invoke(app, ["audit", "verify", "--home", str(home)]).exit_code == 0
    conn = sqlite3.connect(home / "audit.db", isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit_log SET role = 'admin' WHERE seq = ?", (chat["seq"],))
    conn.close()
    r = runner.invoke(app, ["audit", "verify", "--home", str(home)])
    assert r.exit_code == 1
    assert f"entry {chat['seq']}" in r.output
