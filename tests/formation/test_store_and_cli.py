"""Progress storage (resume after an interruption) and the `partages formation` commands."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from partages.formation import ProgressStore, class_results, completion_csv, learner_summary, score


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARTAGES_HOME": str(home), "COLUMNS": "1000"}  # rich: no line wrapping
    return subprocess.run([sys.executable, "-m", "partages", "formation", *args], env=env, capture_output=True, text=True, timeout=300)


def test_resume_after_interruption(tmp_path, shipped_module) -> None:
    m = shipped_module
    ex1, ex2 = m["exercises"][:2]
    db = tmp_path / "formation.db"
    t0 = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
    s = ProgressStore(db)
    s.open("k1", "Alice", m, ex1, at=t0.isoformat())
    s.open("k1", "Alice", m, ex1, at=(t0 + dt.timedelta(minutes=5)).isoformat())  # reopening keeps the first time
    marked = {"marked": [e["line"] for e in ex1["solution"]["errors"]][:1]} if ex1["type"] == "reperer_erreur" else None
    answer = marked or {"trust": True}
    res = score(ex1, answer)
    att, created = s.answer("k1", "Alice", m, ex1, answer, res, at=(t0 + dt.timedelta(seconds=95)).isoformat())
    assert created and att.elapsed_s == 95.0 and att.score == res["score"]
    s.open("k1", "Alice", m, ex2, at=t0.isoformat())
    s.close()  # the learner's browser closes, the server restarts...

    s = ProgressStore(db)
    atts = s.attempts(m["id"], "k1")
    summary = learner_summary(m, atts)
    assert summary["answered"] == 1 and summary["next_exercise"] == ex2["id"] and not summary["completed"]
    assert summary["score_pct"] == round(100 * res["score"] / len(m["exercises"]), 1)
    # the first answer stands
    again, created = s.answer("k1", "Alice", m, ex1, {"marked": []} if marked else {"trust": False}, {"score": 0.0})
    assert not created and again.score == res["score"] and again.answer == answer
    # another learner's rows are separate
    assert s.attempts(m["id"], "k2") == []
    s.close()


def test_completion_records_for_a_full_module(tmp_path, shipped_module) -> None:
    m = shipped_module
    s = ProgressStore(tmp_path / "formation.db")
    for ex in m["exercises"]:  # Alice completes everything perfectly...
        sol = ex["solution"]
        ans = ({"marked": [e["line"] for e in sol["errors"]]} if ex["type"] == "reperer_erreur" else
               {"verdicts": {c["id"]: c["supported"] for c in sol["claims"]}} if ex["type"] == "verifier_sources" else
               {"text": "[NOM] " + " ".join(sol["keep"])} if ex["type"] == "pseudonymiser" else {"trust": sol["bin"]["accuracy"] >= 0.5})
        s.answer("alice", "Alice", m, ex, ans, score(ex, ans))
    for ex in m["exercises"][:4]:  # ...Bob stops after four, marking nothing
        ans = ({"marked": []} if ex["type"] == "reperer_erreur" else
               {"verdicts": {c["id"]: True for c in ex["solution"]["claims"]}} if ex["type"] == "verifier_sources" else
               {"text": ex["note"]} if ex["type"] == "pseudonymiser" else {"trust": True})
        s.answer("bob", "Bob", m, ex, ans, score(ex, ans))
    res = class_results(m, s.attempts(m["id"]))
    alice, bob = (next(lr for lr in res["learners"] if lr["learner_id"] == k) for k in ("alice", "bob"))
    assert alice["completed"] and alice["score_pct"] == 100.0 and alice["completed_at"]
    assert not bob["completed"] and bob["answered"] == 4 and bob["score_pct"] < 20
    assert res["histogram"]["counts"][9] == 1 and sum(res["histogram"]["counts"]) == 2
    missed = {x["type"]: x for x in res["most_missed_errors"]}
    assert missed and all(x["shown"] >= x["missed"] for x in missed.values())
    assert res["most_missed_errors"][0]["miss_rate"] > 0  # Bob missed every error he was shown
    rows = list(csv.DictReader(completion_csv(m, s.attempts(m["id"])).splitlines()))
    assert [(r["learner_id"], r["completed"], r["score_pct"]) for r in rows] == [("alice", "oui", "100.0"), ("bob", "non", str(bob["score_pct"]))]
    s.close()


def test_build_command_is_deterministic_and_reports_bad_cases(kb_home, tmp_path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    r = _cli("build", "--out", str(a), "--seed", "7", "--json", home=kb_home)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["exercises"] >= 20 and len(summary["by_type"]) == 4
    assert _cli("build", "--out", str(b), "--seed", "7", "--json", home=kb_home).returncode == 0
    assert a.read_bytes() == b.read_bytes()

    # a malformed case file: file and line, exit 2, no traceback
    bad = tmp_path / "cases"
    bad.mkdir()
    (bad / "stays.json").write_text('[\n  {"id": "s1", "title": "x",\n   "documents": [}\n]\n', encoding="utf-8")
    r = _cli("build", "--cases", str(bad), "--out", str(tmp_path / "c.json"), home=kb_home)
    assert r.returncode == 2 and "stays.json:3" in r.stderr and "Traceback" not in r.stderr
    (bad / "stays.json").write_text('[\n {"id": "s1", "title": "x", "allergies": "Allergies : aucune.",\n  "documents": [{"text": "Rien."}]}\n]\n', encoding="utf-8")
    r = _cli("build", "--cases", str(bad), "--out", str(tmp_path / "c.json"), home=kb_home)
    assert r.returncode == 2 and "stays.json:2" in r.stderr and "allergies" in r.stderr and "Traceback" not in r.stderr
    # no knowledge base: the fix is named
    r = _cli("build", "--out", str(tmp_path / "d.json"), home=tmp_path / "empty-home")
    assert r.returncode == 2 and "partages kb build" in r.stderr


def test_calibrate_and_report_commands(tmp_path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "predictions.jsonl").write_text(
        json.dumps({"task": "frenchmedmcqa", "mode": "loglikelihood", "id": "q1", "gold": ["B"], "probabilities": {"A": 0.5, "B": 0.3, "C": 0.2}}) + "\n",
        encoding="utf-8")
    r = _cli("calibrate", str(run), "--out", str(tmp_path / "cal.json"), "--json", home=tmp_path / "h")
    assert r.returncode == 0, r.stderr
    cal = json.loads((tmp_path / "cal.json").read_text(encoding="utf-8"))
    assert cal["bins"] == [{"low": 0.5, "high": 0.6, "n": 1, "correct": 0, "accuracy": 0.0, "mean_p": 0.5}]
    (run / "predictions.jsonl").write_text("{not json\n", encoding="utf-8")
    r = _cli("calibrate", str(run), "--out", str(tmp_path / "cal2.json"), home=tmp_path / "h")
    assert r.returncode == 2 and "predictions.jsonl:1" in r.stderr and "Traceback" not in r.stderr

    r = _cli("report", "--csv", str(tmp_path / "c.csv"), "--attestations", str(tmp_path / "att"), "--json", home=tmp_path / "h")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["learners"] == [] and (tmp_path / "c.csv").read_text().startswith("learner_id,")
    r = _cli("report", "--module", "nope", home=tmp_path / "h")
    assert r.returncode == 2 and "Unknown module" in r.stderr
