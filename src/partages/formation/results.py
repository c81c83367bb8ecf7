"""Progress, class results and completion records (AI-literacy evidence, EU AI Act art. 4).

A learner's module score is the mean of the exercise scores over the *whole* module (an
unanswered exercise counts 0), so a score always says how much of the module was mastered.
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter
from typing import Any

from partages.formation.catalogue import ERROR_TYPES, EXERCISE_TYPES
from partages.formation.store import Attempt

HIST_BINS = 10
CSV_FIELDS = ("learner_id", "learner_name", "module_id", "module_title", "module_sha256", "exercises", "answered", "completed",
              "score_pct", "started_at", "completed_at", "time_spent_min")


def learner_summary(module: dict[str, Any], attempts: list[Attempt]) -> dict[str, Any]:
    total = len(module["exercises"])
    answered = [a for a in attempts if a.answered_at]
    done_ids = {a.exercise_id for a in answered}
    nxt = next((e["id"] for e in module["exercises"] if e["id"] not in done_ids), None)
    score = sum(a.score or 0.0 for a in answered) / total if total else 0.0
    by_type: dict[str, list[float]] = {}
    for a in answered:
        by_type.setdefault(a.exercise_type, []).append(a.score or 0.0)
    return {
        "module_id": module["id"],
        "exercises": total,
        "answered": len(answered),
        "completed": len(answered) == total,
        "next_exercise": nxt,
        "score_pct": round(100 * score, 1),
        "by_type": {t: round(100 * sum(v) / len(v), 1) for t, v in by_type.items()},
        "started_at": min((a.opened_at for a in attempts), default=None),
        "completed_at": max(a.answered_at for a in answered) if len(answered) == total and answered else None,
        "time_spent_min": round(sum(a.elapsed_s or 0.0 for a in answered) / 60, 1),
    }


def _by_learner(attempts: list[Attempt]) -> dict[str, list[Attempt]]:
    out: dict[str, list[Attempt]] = {}
    for a in attempts:
        out.setdefault(a.key_id, []).append(a)
    return out


def class_results(module: dict[str, Any], attempts: list[Attempt]) -> dict[str, Any]:
    """Results of the learners (teachers and admins trying the exercises are left out)."""
    attempts = [a for a in attempts if a.role == "learner"]
    learners = []
    for key_id, atts in sorted(_by_learner(attempts).items()):
        learners.append({"learner_id": key_id, "learner_name": atts[-1].key_name, **learner_summary(module, atts)})
    hist = [0] * HIST_BINS
    for lr in learners:
        if lr["answered"]:
            hist[min(int(lr["score_pct"] // (100 / HIST_BINS)), HIST_BINS - 1)] += 1
    missed, seen = Counter(), Counter()
    per_exercise: dict[str, list[float]] = {}
    leaked, accepted = Counter(), 0
    for a in attempts:
        if not a.answered_at or not a.result:
            continue
        per_exercise.setdefault(a.exercise_id, []).append(a.score or 0.0)
        if a.exercise_type == "reperer_erreur":
            for e in a.result.get("found", []):
                seen[e["type"]] += 1
            for e in a.result.get("missed", []):
                seen[e["type"]] += 1
                missed[e["type"]] += 1
        elif a.exercise_type == "pseudonymiser":
            leaked.update(i["label"] for i in a.result.get("leaked", []))
        elif a.exercise_type == "verifier_sources":
            accepted += a.result.get("counts", {}).get("unsupported_accepted", 0)
    most_missed = sorted(({"type": t, "label": ERROR_TYPES[t].label, "missed": missed[t], "shown": seen[t],
                           "miss_rate": round(missed[t] / seen[t], 3)} for t in seen), key=lambda x: (-x["miss_rate"], -x["missed"], x["type"]))
    titles = {e["id"]: e["title"] for e in module["exercises"]}
    return {
        "module_id": module["id"],
        "module_title": module["title"],
        "learners": learners,
        "histogram": {"bin_width_pct": 100 // HIST_BINS, "counts": hist},
        "most_missed_errors": most_missed,
        "identifiers_leaked": [{"label": k, "count": v} for k, v in leaked.most_common()],
        "unsupported_claims_accepted": accepted,
        "exercises": [{"id": eid, "title": titles.get(eid, eid), "answers": len(v), "mean_score_pct": round(100 * sum(v) / len(v), 1)}
                      for eid, v in sorted(per_exercise.items())],
    }


def completion_rows(module: dict[str, Any], attempts: list[Attempt]) -> list[dict[str, Any]]:
    rows = []
    for lr in class_results(module, attempts)["learners"]:
        rows.append({"learner_id": lr["learner_id"], "learner_name": lr["learner_name"], "module_id": module["id"],
                     "module_title": module["title"], "module_sha256": module.get("sha256", ""), "exercises": lr["exercises"],
                     "answered": lr["answered"], "completed": "oui" if lr["completed"] else "non", "score_pct": lr["score_pct"],
                     "started_at": lr["started_at"] or "", "completed_at": lr["completed_at"] or "", "time_spent_min": lr["time_spent_min"]})
    return rows


def completion_csv(module: dict[str, Any], attempts: list[Attempt]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    w.writeheader()
    w.writerows(completion_rows(module, attempts))
    return buf.getvalue()


def attestation_html(module: dict[str, Any], learner_id: str, learner_name: str, summary: dict[str, Any]) -> str:
    """A printable attestation (module, date, score, steps trained). Styles come from
    ``/static/formation.css`` (strict CSP: no inline style)."""
    e = html.escape
    status = (f"a terminé le module le {e((summary['completed_at'] or '')[:10])}" if summary["completed"]
              else f"a répondu à {summary['answered']} exercice(s) sur {summary['exercises']} (module non terminé)")
    steps = sorted({EXERCISE_TYPES[x["type"]].avec for x in module["exercises"]})
    types = "".join(f"<li>{e(t.titre)} — étape « {e(t.avec)} » ; {e(t.domaine)} : {e(t.competence)}</li>" for t in EXERCISE_TYPES.values())
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Attestation — {e(learner_name)}</title>
<link rel="stylesheet" href="/static/app.css"><link rel="stylesheet" href="/static/formation.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head>
<body class="attestation-body"><main class="attestation">
<h1>Attestation de formation à l'usage de l'intelligence artificielle en santé</h1>
<p class="muted">Maîtrise de l'IA (règlement européen sur l'IA, article 4) — méthode A.V.E.C. de la HAS</p>
<p><strong>{e(learner_name)}</strong> <span class="muted">(identifiant {e(learner_id)})</span> {status}.</p>
<table>
<tr><th>Module</th><td>{e(module['title'])} <span class="muted">({e(module['id'])}, empreinte {e(module.get('sha256', '')[:12])})</span></td></tr>
<tr><th>Score</th><td>{summary['score_pct']} %</td></tr>
<tr><th>Exercices</th><td>{summary['answered']} / {summary['exercises']}</td></tr>
<tr><th>Début</th><td>{e((summary['started_at'] or '')[:10])}</td></tr>
<tr><th>Date de fin</th><td>{e((summary['completed_at'] or '—')[:10])}</td></tr>
<tr><th>Temps passé</th><td>{summary['time_spent_min']} min</td></tr>
<tr><th>Étapes A.V.E.C.</th><td>{e(', '.join(steps))}</td></tr>
</table>
<h2>Compétences travaillées</h2><ul>{types}</ul>
<p class="muted">Exercices sur cas fictifs. Document généré par Partages à partir des résultats enregistrés sur ce serveur.</p>
</main></body></html>
"""
