"""The surrogate registry shared by ``--workers`` processes: two people never get the same
surrogate, one person always gets the same one, and the file holds no original text."""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict

from partages.deid.batch import TaskSpec, registry_path_for, run_batch
from partages.deid.registry import MemoryRegistry, SqliteRegistry
from partages.deid.resources import load_lexicons
from partages.deid.surrogates import SurrogateFactory

PATIENT = {"nom": "Durand", "prenom": "Odile", "ipp": "8000000001"}  # one patient: one scope for every record


def _records(lx, n_records: int = 96, per_record: int = 5) -> list[dict]:
    """Many distinct surnames in one scope: with an 8,000-name pool, 480 people make surrogate
    clashes certain (~14 expected pairs), so only a shared registry keeps them apart."""
    names = [n for n in lx.last[200:4000] if n.isalpha() and len(n) > 3][: n_records * per_record]
    recs = []
    for r in range(n_records):
        group = names[r * per_record:(r + 1) * per_record]
        text = " ".join(f"Vu avec M. {g.upper()} ce jour." for g in group)
        recs.append({"id": f"r{r:03d}", "text": text, "patient": PATIENT})
    return recs


def _pairs(out_rows: list[dict]) -> list[tuple[str, str, str]]:
    return [(s["label"], s["text"].upper(), s["replacement"].upper()) for row in out_rows for s in row["spans"] if s["label"] in ("NOM", "PRENOM")]


def test_two_workers_never_give_two_people_one_surrogate(tmp_path, data_dir, key):
    import json

    lx = load_lexicons(str(data_dir))
    recs = _records(lx)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    spec = TaskSpec(task="pseudonymize", mode="surrogate", key=key, data_dir=str(data_dir))
    stats = run_batch(src, out, spec, workers=2)
    assert stats.written == len(recs)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    pairs = _pairs(rows)
    assert len({p[1] for p in pairs}) >= 400  # hundreds of different people
    by_surrogate: dict[str, set[str]] = defaultdict(set)
    by_original: dict[str, set[str]] = defaultdict(set)
    for _label, original, rep in pairs:
        by_surrogate[rep].add(original)
        by_original[original].add(rep)
    assert {k: v for k, v in by_surrogate.items() if len(v) > 1} == {}  # never shared
    assert {k: v for k, v in by_original.items() if len(v) > 1} == {}  # always the same
    # the registry file beside the output holds hashes and surrogates, never an original
    reg = registry_path_for(out)
    assert reg.exists() and (reg.stat().st_mode & 0o777) == 0o600
    db = sqlite3.connect(reg)
    hashes = [v for q in ("SELECT scope, owner FROM given", "SELECT scope, value_key, owner FROM taken", "SELECT scope, key FROM reserved")
              for row in db.execute(q) for v in row]
    values = [v.upper() for (v,) in db.execute("SELECT value FROM given")]
    db.close()
    assert all(re.fullmatch(r"[0-9a-f]{32}", h) for h in hashes)  # originals only as keyed hashes
    assert set(values) <= set(by_surrogate)  # in clear: only surrogates (already in the output)


def test_without_a_shared_registry_two_processes_do_clash(data_dir, key):
    """Why the registry is needed: two independent in-memory registries (= two workers without
    sharing) hand out the same surrogate to different people of one scope."""
    lx = load_lexicons(str(data_dir))
    names = [n for n in lx.last[200:4000] if n.isalpha() and len(n) > 3][:480]
    a, b = SurrogateFactory(key, lx, MemoryRegistry()), SurrogateFactory(key, lx, MemoryRegistry())
    got_a = {a.surrogate("NOM", n, "s") for n in names[::2]}
    got_b = {b.surrogate("NOM", n, "s") for n in names[1::2]}
    assert got_a & got_b  # a clash across the two processes


def test_sqlite_registry_is_shared_and_resumable(tmp_path, data_dir, key):
    lx = load_lexicons(str(data_dir))
    path = tmp_path / "reg.sqlite"
    names = [n for n in lx.last[200:4000] if n.isalpha() and len(n) > 3][:480]
    a = SurrogateFactory(key, lx, SqliteRegistry(path, key))
    b = SurrogateFactory(key, lx, SqliteRegistry(path, key))
    got_a = {n: a.surrogate("NOM", n, "s") for n in names[::2]}
    got_b = {n: b.surrogate("NOM", n, "s") for n in names[1::2]}
    assert not set(got_a.values()) & set(got_b.values())
    # a third process (a resumed run) gets the same surrogate for the same person
    c = SurrogateFactory(key, lx, SqliteRegistry(path, key))
    assert all(c.surrogate("NOM", n, "s") == v for n, v in list(got_a.items())[:20])
