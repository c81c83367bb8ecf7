"""« Estimer la confiance »: the model's answer to an exam question with its probability; the
learner trusts it or not, then sees how often the model is right at that confidence. The
decision is scored against the calibration (trust when the model is right ≥ 50 % of the time at
that confidence), not against the outcome of the one question, so a lucky guess does not count.

The calibration (accuracy per probability bin) comes from a real evaluation run's
``predictions.jsonl`` (``partages eval run frenchmedmcqa``, log-likelihood mode, which records the
renormalised probability of every letter): :func:`calibrate` turns it into ``calibration.json``
(``partages formation calibrate``). The model's "answer" is its most probable letter, correct when
that letter is one of the gold answers.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from partages.formation.cases import CaseFile
from partages.formation.errors import AnswerError, CaseError

BIN_WIDTH = 0.1
QUESTIONS = 6
TRUST_THRESHOLD = 0.5


def _bin(p: float) -> int:
    return min(int(p / BIN_WIDTH), int(1 / BIN_WIDTH) - 1)


def calibrate(predictions: Path, results: Path | None = None) -> dict[str, Any]:
    """Calibration bins and per-question outcomes from an evaluation run."""
    predictions = Path(predictions)
    items: list[dict[str, Any]] = []
    try:
        lines = predictions.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CaseError(f"{predictions}: file not found (expected the predictions.jsonl of `partages eval run`)") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise CaseError(f"{predictions}:{n}: invalid JSON ({e.msg})") from None
        if rec.get("task") != "frenchmedmcqa" or rec.get("mode") != "loglikelihood":
            continue
        probs = rec.get("probabilities")
        if not isinstance(probs, dict) or not probs or not isinstance(rec.get("gold"), list):
            raise CaseError(f"{predictions}:{n}: a log-likelihood prediction needs 'probabilities' and 'gold'")
        top = max(sorted(probs), key=lambda k: probs[k])
        items.append({"id": rec["id"], "top": top, "p": round(float(probs[top]), 4), "gold": rec["gold"], "correct": top in rec["gold"]})
    if not items:
        raise CaseError(f"{predictions}:1: no FrenchMedMCQA log-likelihood prediction (run `partages eval run frenchmedmcqa --mode loglikelihood`)")
    bins = []
    for b in range(int(1 / BIN_WIDTH)):
        inb = [it for it in items if _bin(it["p"]) == b]
        if inb:
            right = sum(it["correct"] for it in inb)
            bins.append({"low": round(b * BIN_WIDTH, 2), "high": round((b + 1) * BIN_WIDTH, 2), "n": len(inb), "correct": right,
                         "accuracy": round(right / len(inb), 4), "mean_p": round(sum(it["p"] for it in inb) / len(inb), 4)})
    meta: dict[str, Any] = {"predictions": predictions.name}
    if results and Path(results).exists():
        r = json.loads(Path(results).read_text(encoding="utf-8"))
        res = next((x for x in r.get("results", []) if x.get("task") == "frenchmedmcqa" and x.get("mode") == "loglikelihood"), {})
        meta.update({"model": r.get("model", {}).get("id"), "model_sha256": r.get("model", {}).get("sha256"),
                     "split": res.get("split"), "shots": res.get("shots"), "date": r.get("metadata", {}).get("date"),
                     "git_commit": r.get("metadata", {}).get("git_commit"), "package_version": r.get("metadata", {}).get("package_version"),
                     "data_sha256": res.get("details", {}).get("data_files")})
    overall = sum(it["correct"] for it in items) / len(items)
    return {"schema": "partages.formation.calibration/1", "run": meta, "n": len(items), "top_letter_accuracy": round(overall, 4),
            "bin_width": BIN_WIDTH, "bins": bins, "items": items}


def validate(cf: CaseFile) -> None:
    d = cf.data
    if not isinstance(d, dict) or not isinstance(d.get("bins"), list) or not isinstance(d.get("items"), list) or not d["items"]:
        raise CaseError(f"{cf.path}:1: expected the output of `partages formation calibrate` (with 'bins' and 'items')")


def build_all(cf: CaseFile, data_dir: Path | None, rng: random.Random, n: int = QUESTIONS) -> list[dict[str, Any]]:
    """``n`` single-answer questions spread over the probability bins."""
    cal = cf.data
    split = cal.get("run", {}).get("split") or "dev"
    if data_dir is None or not (Path(data_dir) / "frenchmedmcqa" / f"{split}.json").exists():
        raise CaseError(f"{cf.path}:1: FrenchMedMCQA {split} split not found under the data dir ({data_dir})")
    questions = {q["id"]: q for q in json.loads((Path(data_dir) / "frenchmedmcqa" / f"{split}.json").read_text(encoding="utf-8"))}
    pool = [it for it in cal["items"] if it["id"] in questions and len(it["gold"]) == 1]
    by_bin: dict[int, list[dict[str, Any]]] = {}
    for it in sorted(pool, key=lambda x: x["id"]):
        by_bin.setdefault(_bin(it["p"]), []).append(it)
    for lst in by_bin.values():
        rng.shuffle(lst)
    chosen: list[dict[str, Any]] = []
    while len(chosen) < n and any(by_bin.values()):
        for b in sorted(by_bin):
            if by_bin[b] and len(chosen) < n:
                chosen.append(by_bin[b].pop())
    bins = {(_bin(b["low"] + 1e-9)): b for b in cal["bins"]}
    out = []
    for it in chosen:
        q = questions[it["id"]]
        b = bins[_bin(it["p"])]
        out.append({
            "type": "estimer_confiance",
            "case": it["id"][:12],
            "title": "Estimer la confiance — question d'examen de pharmacie",
            "question": q["question"],
            "options": {k.upper(): v for k, v in sorted(q["answers"].items())},
            "model_answer": it["top"],
            "model_probability": it["p"],
            "source": {"dataset": "FrenchMedMCQA", "split": split, "id": it["id"], "licence": "Apache-2.0",
                       "citation": "Labrak et al. 2022 (hal-03824241)"},
            "solution": {"gold": it["gold"], "model_correct": it["correct"], "bin": b, "run": cal.get("run", {}),
                         "overall_accuracy": cal.get("top_letter_accuracy")},
        })
    return out


def score(exercise: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    trust = answer.get("trust")
    if not isinstance(trust, bool):
        raise AnswerError("'trust' must be true (I trust the model's answer) or false")
    sol = exercise["solution"]
    b = sol["bin"]
    should_trust = trusted(b)
    pct = round(100 * b["accuracy"])
    return {
        "score": 1.0 if trust == should_trust else 0.0,
        "should_trust": should_trust,
        "model_correct": sol["model_correct"],
        "gold": sol["gold"],
        "calibration": b,
        "overall_accuracy": sol.get("overall_accuracy"),
        "explanation": (f"Le modèle a {'raison' if sol['model_correct'] else 'tort'} cette fois (bonne réponse : {', '.join(sol['gold'])}). "
                        f"Mais quand il annonce entre {round(100 * b['low'])} et {round(100 * b['high'])} % de probabilité, il a raison dans "
                        f"{pct} % des cas ({b['correct']} sur {b['n']} questions de l'évaluation) : "
                        + ("lui faire confiance était le bon choix. " if should_trust else "ne pas lui faire confiance sans vérifier était le bon choix. ")
                        + ("Sa probabilité surestime sa fiabilité réelle." if b["accuracy"] < b["mean_p"] - 0.05 else
                           "Sa probabilité sous-estime sa fiabilité réelle." if b["accuracy"] > b["mean_p"] + 0.05 else
                           "Sa probabilité est ici proche de sa fiabilité réelle.")),
    }


def trusted(b: dict[str, Any]) -> bool:
    """The calibrated decision: trust when the model is right at least half the time at that
    confidence. Scoring the decision, not the outcome of one question, so luck does not count."""
    return b["accuracy"] >= TRUST_THRESHOLD
