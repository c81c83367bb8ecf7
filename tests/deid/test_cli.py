"""The exact `partages deid` command-line contract: JSONL / Parquet / .txt folders, resume,
bad input named by file and line, key-file errors, eval output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

NOTES = [
    {"id": "a", "text": "Mme Claire Dubois, née le 07/08/1939, tél 06 12 34 56 78.", "patient": {"nom": "Dubois"}},
    {"id": "b", "text": "Vu par le Dr Jean MARTIN au CHU Bichat le 3 janvier 2024."},
    {"id": "c", "text": ""},
]


def run(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run([sys.executable, "-m", "partages", "deid", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture()
def keyfile(tmp_path: Path) -> Path:
    run("keygen", "--out", str(tmp_path / "deid.key"), cwd=tmp_path)
    return tmp_path / "deid.key"


def test_detect_jsonl(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", NOTES)
    run("detect", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    out = {r["id"]: r for r in read_jsonl(tmp_path / "out.jsonl")}
    assert set(out) == {"a", "b", "c"} and out["c"]["spans"] == []
    text = NOTES[0]["text"]
    for s in out["a"]["spans"]:
        assert set(s) == {"start", "end", "label", "text", "source"} and text[s["start"]:s["end"]] == s["text"]
    assert {(s["label"], s["text"]) for s in out["a"]["spans"]} >= {("PRENOM", "Claire"), ("NOM", "Dubois"), ("DATE_NAISSANCE", "07/08/1939"), ("TEL", "06 12 34 56 78")}


def test_pseudonymize_resume_and_reversible(tmp_path, keyfile):
    src = write_jsonl(tmp_path / "in.jsonl", NOTES)
    out = tmp_path / "out.jsonl"
    write_jsonl(out, [{"id": "a", "text": "done before", "spans": []}])
    with out.open("a") as f:
        f.write('{"id": "b", "te')  # a crash mid-line: dropped on resume
    p = run("pseudonymize", "--in", str(src), "--out", str(out), "--key-file", str(keyfile), "--reversible", str(tmp_path / "vault.bin"), "--json", cwd=tmp_path)
    stats = json.loads(p.stdout)
    assert stats["written"] == 2 and stats["skipped_already_done"] == 1 and stats["status"] == "pseudonymisé"
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert rows["a"]["text"] == "done before"
    b = rows["b"]
    assert not re.search(r"\bMARTIN\b|\bBichat\b", b["text"]) and all("replacement" in s for s in b["spans"])
    # same key → same surrogates on a second run
    run("pseudonymize", "--in", str(src), "--out", str(tmp_path / "again.jsonl"), "--key-file", str(keyfile), cwd=tmp_path)
    assert {r["id"]: r["text"] for r in read_jsonl(tmp_path / "again.jsonl")}["b"] == b["text"]
    # the vault restores the original
    write_jsonl(tmp_path / "pseudo.jsonl", [{"id": "b", "text": b["text"]}])
    run("reidentify", "--in", str(tmp_path / "pseudo.jsonl"), "--out", str(tmp_path / "back.jsonl"), "--key-file", str(keyfile), "--vault", str(tmp_path / "vault.bin"), cwd=tmp_path)
    assert read_jsonl(tmp_path / "back.jsonl")[0]["text"] == NOTES[1]["text"]


def test_placeholder_mode_and_workers(tmp_path):
    rows = [{"id": str(i), "text": f"Dr Jean MARTIN vu le {i % 28 + 1:02d}/03/2024."} for i in range(40)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    run("pseudonymize", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), "--mode", "placeholder", "--workers", "2", cwd=tmp_path)
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == [str(i) for i in range(40)]
    assert {r["text"] for r in out} == {"Dr <PRENOM> <NOM> vu le <DATE>."}


def test_parquet_in_parquet_out(tmp_path, keyfile):
    table = pa.Table.from_pylist([{"id": n["id"], "text": n["text"], "patient": json.dumps(n.get("patient")) if n.get("patient") else None} for n in NOTES])
    pq.write_table(table, tmp_path / "in.parquet")
    run("pseudonymize", "--in", str(tmp_path / "in.parquet"), "--out", str(tmp_path / "out.parquet"), "--key-file", str(keyfile), cwd=tmp_path)
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["id"] for r in out] == ["a", "b", "c"]
    assert not re.search(r"\bDubois\b", out[0]["text"]) and json.loads(out[0]["spans"])[0]["replacement"]
    run("detect", "--in", str(tmp_path / "in.parquet"), "--out", str(tmp_path / "spans.parquet"), cwd=tmp_path)
    assert pq.read_table(tmp_path / "spans.parquet").column_names == ["id", "spans"]


def test_txt_folder(tmp_path, keyfile):
    src = tmp_path / "notes"
    (src / "sub").mkdir(parents=True)
    (src / "one.txt").write_text(NOTES[0]["text"], encoding="utf-8")
    (src / "sub" / "two.txt").write_text(NOTES[1]["text"], encoding="utf-8")
    run("pseudonymize", "--in", str(src), "--out", str(tmp_path / "out"), "--key-file", str(keyfile), cwd=tmp_path)
    # whole words: a surrogate may contain the original's letters ("MARTINAUD" for "MARTIN")
    assert not re.search(r"\bDubois\b", (tmp_path / "out" / "one.txt").read_text(encoding="utf-8"))
    assert not re.search(r"\bMARTIN\b", (tmp_path / "out" / "sub" / "two.txt").read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "out" / "sub" / "two.spans.json").read_text())["spans"]
    p = run("pseudonymize", "--in", str(src), "--out", str(tmp_path / "out"), "--key-file", str(keyfile), "--json", cwd=tmp_path)
    assert json.loads(p.stdout)["skipped_already_done"] == 2


def test_bad_json_line_is_named_and_skip_bad_counts(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(NOTES[1]) + "\n{not json\n" + json.dumps({"id": "z", "text": "ok"}) + "\n", encoding="utf-8")
    p = run("detect", "--in", str(src), "--out", str(tmp_path / "out.jsonl"), cwd=tmp_path, check=False)
    assert p.returncode != 0 and f"{src}:2" in p.stderr and "invalid JSON" in p.stderr and "Traceback" not in p.stderr
    p = run("detect", "--in", str(src), "--out", str(tmp_path / "out2.jsonl"), "--skip-bad", "--json", cwd=tmp_path)
    assert json.loads(p.stdout)["bad"] == 1 and len(read_jsonl(tmp_path / "out2.jsonl")) == 2


def test_non_utf8_file_is_named(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(json.dumps(NOTES[1]).encode() + b"\n" + '{"id": "x", "text": "caf\u00e9"}'.encode("latin-1") + b"\n")
    p = run("detect", "--in", str(src), "--out", str(tmp_path / "o.jsonl"), cwd=tmp_path, check=False)
    assert p.returncode != 0 and f"{src}:2" in p.stderr and "UTF-8" in p.stderr
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "bad.txt").write_bytes("ligne 1\nligne 2 caf\u00e9\n".encode("latin-1"))
    p = run("detect", "--in", str(folder), "--out", str(tmp_path / "o"), cwd=tmp_path, check=False)
    assert p.returncode != 0 and "bad.txt:2" in p.stderr


def test_missing_key_file_is_a_clear_error(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", NOTES)
    p = run("pseudonymize", "--in", str(src), "--out", str(tmp_path / "o.jsonl"), cwd=tmp_path, check=False)
    assert p.returncode != 0 and "--key-file is required" in p.stderr
    p = run("pseudonymize", "--in", str(src), "--out", str(tmp_path / "o.jsonl"), "--key-file", str(tmp_path / "nope.key"), cwd=tmp_path, check=False)
    assert p.returncode != 0 and "Key file not found" in p.stderr and not (tmp_path / "o.jsonl").exists()


def test_eval_reports_per_label_and_targets(tmp_path):
    from partages.deid.eval_data import tricky_notes

    gold = write_jsonl(tmp_path / "gold.jsonl", tricky_notes("dev"))
    p = run("eval", "--gold", str(gold), "--json", cwd=tmp_path)
    r = json.loads(p.stdout)
    assert {"per_label", "redact_recall", "docs_nothing_missed", "leaks", "over_redaction"} <= set(r)
    assert r["per_label"]["NOM"]["support"] > 0 and r["leaks"] == 0
    p = run("eval", "--gold", str(gold), cwd=tmp_path)
    assert "redact recall" in p.stdout and "PRENOM" in p.stdout
