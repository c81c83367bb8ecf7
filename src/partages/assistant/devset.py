"""Scoring of the assistant on its dev data (``devdata/stays.json``, ``devdata/notes.json``) and
on its held-out set (``devdata/heldout_*.json``, written before the rules were fixed for it).

Used by ``benchmarks/assistant_eval.py`` and the tests. Matching is lenient on wording (a gold
drug name or key phrase, folded, contained in the extracted item) and strict on membership.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from partages.assistant.codes import suggest as suggest_codes
from partages.assistant.letter import draft_letter
from partages.assistant.text import fold, parse_documents

DEVDATA = Path(__file__).parent / "devdata"
TARGETS = {"traitements_sortie_f1": 0.9, "traitements_arretes_f1": 0.9, "resultats_en_attente_recall": 0.8, "suivi_recall": 0.8, "cim10_recall@5": 0.8}


SPLITS = {"dev": ("stays.json", "notes.json"), "heldout": ("heldout_stays.json", "heldout_notes.json"),
          "heldout2": ("heldout2_stays.json", "heldout2_notes.json")}


def load_stays(split: str = "dev") -> list[dict[str, Any]]:
    return json.loads((DEVDATA / SPLITS[split][0]).read_text(encoding="utf-8"))


def load_notes(split: str = "dev") -> list[dict[str, Any]]:
    return json.loads((DEVDATA / SPLITS[split][1]).read_text(encoding="utf-8"))


def _has(gold: str | None, pred: dict[str, Any] | None, key: str = "texte") -> bool:
    """A gold substring found in the extracted field (None: the field must be missing)."""
    if gold is None:
        return pred is None
    return pred is not None and fold(gold) in fold(str(pred.get(key) or ""))


def score_people(exp: dict[str, Any], letter: dict[str, Any]) -> tuple[int, int, int, int]:
    """(people+identity fields right, fields, discharge-condition fields right, fields)."""
    ok = n = sok = sn = 0
    for f, g in (exp.get("personnes") or {}).items():
        n += 1
        ok += _has(g, letter["personnes"].get(f))
    pat = letter.get("patient") or {}
    for f, g in (exp.get("patient") or {}).items():
        n += 1
        ok += (g is None and not pat.get(f)) or (g is not None and fold(g) in fold(str(pat.get(f) or "")))
    cond = letter["sortie"]
    for f, g in (exp.get("sortie") or {}).items():
        sn += 1
        if f == "mode":
            sok += (g is None and cond["mode"] is None) or (g is not None and cond["mode"] is not None and fold(g) == fold(cond["mode"]["valeur"]))
        else:
            sok += _has(g, cond.get(f))
    return ok, n, sok, sn


def _match(gold: str, item: dict[str, Any]) -> bool:
    hay = fold(" ".join([str(item.get("medicament") or item.get("texte") or "")] + list(item.get("substances") or [])))
    return fold(gold) in hay


def prf(gold: list[str], pred: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(true positives, predicted, gold)."""
    tp = sum(1 for g in gold if any(_match(g, p) for p in pred))
    tp_pred = sum(1 for p in pred if any(_match(g, p) for g in gold))
    return min(tp, tp_pred), len(pred), len(gold)


def f1(tp: int, n_pred: int, n_gold: int) -> float:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate_letters(stays: list[dict[str, Any]], kb, engine, data_dir, model) -> dict[str, Any]:
    tot: dict[str, list[int]] = {k: [0, 0, 0] for k in ("traitements_sortie", "traitements_arretes", "traitements_modifies")}
    rec: dict[str, list[int]] = {k: [0, 0] for k in ("resultats_en_attente", "suivi")}
    flags = [0, 0]
    people = [0, 0, 0, 0]
    per = []
    for stay in stays:
        letter = draft_letter(parse_documents(stay["documents"]), kb, engine, data_dir, model)
        exp = stay["expected"]
        row = {"id": stay["id"]}
        for k in tot:
            tp, n_pred, n_gold = prf(exp[k], letter[k])
            for i, v in enumerate((tp, n_pred, n_gold)):
                tot[k][i] += v
            row[k] = f"{tp}/{n_pred}/{n_gold}"
        for k in rec:
            hit = sum(1 for g in exp[k] if any(fold(g) in fold(i["texte"]) for i in letter[k]))
            rec[k][0] += hit
            rec[k][1] += len(exp[k])
            row[k] = f"{hit}/{len(exp[k])}"
        for k in ("bmr", "transfusion"):
            flags[0] += letter[k] == exp[k]
            flags[1] += 1
        sc = score_people(exp, letter)
        for i, v in enumerate(sc):
            people[i] += v
        if sc[1] or sc[3]:
            row["identites"] = f"{sc[0]}/{sc[1]}"
            row["sortie"] = f"{sc[2]}/{sc[3]}"
        row["a_completer"] = len(letter["a_completer"])
        row["resume_source"] = letter["provenance"]["resume"]["source"]
        row["resume_note"] = letter["provenance"]["resume"].get("note")
        per.append(row)
    out = {f"{k}_f1": round(f1(*v), 4) for k, v in tot.items()}
    out.update({f"{k}_recall": round(v[0] / v[1], 4) for k, v in rec.items()})
    out["bmr_transfusion_accuracy"] = round(flags[0] / flags[1], 4)
    if people[1]:
        out["identites_accuracy"] = round(people[0] / people[1], 4)
    if people[3]:
        out["sortie_accuracy"] = round(people[2] / people[3], 4)
    if engine is not None:
        out["resume_written_by_model"] = round(sum(r["resume_source"] == "modele" for r in per) / len(per), 4)
    return {"metrics": out, "per_stay": per}


def evaluate_codes(notes: list[dict[str, Any]], data_dir) -> dict[str, Any]:
    norm = lambda c: c.replace(".", "").upper()  # noqa: E731
    hits = total = forbidden = 0
    misses = []
    for i, n in enumerate(notes):
        top = [norm(c["code"]) for c in suggest_codes(parse_documents([{"type": "note", "date": None, "text": n["text"]}]), data_dir, k=5)["codes"]]
        for e in n["expected"]:
            total += 1
            if norm(e) in top:
                hits += 1
            else:
                misses.append({"note": i, "missing": e, "top5": top})
        bad = [f for f in n["forbidden"] if norm(f) in top]
        forbidden += len(bad)
        if bad:
            misses.append({"note": i, "forbidden_in_top5": bad})
    return {"metrics": {"cim10_recall@5": round(hits / total, 4), "cim10_forbidden_in_top5": forbidden}, "errors": misses}
