"""Markdown report comparing run directories, with matplotlib plots.

Written for a clinician as much as for an ML engineer: every score is a percentage with its 95%
interval, shown next to what chance and a trivial "always give the most common answer" strategy
would get, and next to published results; a short guide says how to read the numbers. The text
is in French (the project's users), metric names stay as in the papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from partages.evaluation.errors import EvalError
from partages.evaluation.provenance import utc_now
from partages.evaluation.runner import load_run

GROUP_TITLES = {"subject": "par matière", "n_correct": "selon le nombre de bonnes réponses"}
MODE_FR = {"loglikelihood": "vraisemblance", "generative": "génération"}


def _pct(e: dict[str, Any] | None) -> str:
    if not e:
        return "–"
    return f"{100 * e['value']:.1f} [{100 * e['low']:.1f}–{100 * e['high']:.1f}]"


def _label(doc: dict[str, Any], r: dict[str, Any]) -> str:
    return f"{doc['model'].get('id')} · {MODE_FR.get(r['mode'], r['mode'])} · {r['shots']}-shot · {r['split']} n={r['n_items']}"


def _matplotlib():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise EvalError("plots need matplotlib: pip install 'partages[eval]'") from None
    return plt


def _comparison_plot(plt, rows: list[tuple[str, dict[str, Any]]], metric: str, refs: list[dict[str, Any]], path: Path) -> None:
    """Horizontal bars (one per run/mode) with 95% intervals, chance and most-frequent lines."""
    labels = [lab for lab, _ in rows]
    vals = [100 * r["metrics"][metric]["value"] for _, r in rows]
    lo = [100 * (r["metrics"][metric]["value"] - r["metrics"][metric]["low"]) for _, r in rows]
    hi = [100 * (r["metrics"][metric]["high"] - r["metrics"][metric]["value"]) for _, r in rows]
    fig, ax = plt.subplots(figsize=(10, 2.6 + 0.55 * len(rows)))
    y = list(range(len(rows)))
    ax.barh(y, vals, xerr=[lo, hi], color="#4c78a8", capsize=4, label="modèle (IC 95 %)")
    # baselines are computed on each run's own questions: one marker per bar
    for name, color, marker, text in (("random", "#e45756", "|", "hasard"), ("most_frequent_set", "#f58518", "d", "réponse la plus fréquente")):
        pts = [(100 * r["baselines"][name][metric]["value"], i) for i, (_, r) in enumerate(rows) if name in r.get("baselines", {})]
        if pts:
            ax.scatter([x for x, _ in pts], [i for _, i in pts], marker=marker, s=260 if marker == "|" else 60, color=color, zorder=3, label=text, linewidths=2.5)
    for i, ref in enumerate(refs):
        if metric in ref:
            ax.axvline(100 * ref[metric], color="#54a24b", ls="-.", alpha=0.5 + 0.25 * i, label=f"{ref['name']} ({ref['split']})")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{metric.upper() if metric == 'emr' else metric.capitalize()} (%)")
    ax.set_xlim(0, 100)
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=2, fontsize=7, frameon=False)
    ax.set_title(f"Comparaison des modèles — {'EMR' if metric == 'emr' else 'Hamming'}")
    fig.tight_layout(rect=(0, 0.1 + 0.5 / (2.6 + 0.55 * len(rows)), 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _group_plot(plt, label: str, r: dict[str, Any], group: str, path: Path) -> None:
    groups = r["breakdowns"][group]
    names = list(groups)
    fig, ax = plt.subplots(figsize=(max(5, 1.1 * len(names) + 2), 3.4))
    width = 0.38
    for j, (metric, color, name) in enumerate((("emr", "#4c78a8", "EMR"), ("hamming", "#72b7b2", "Hamming"))):
        xs = [i + (j - 0.5) * width for i in range(len(names))]
        v = [100 * groups[g][metric]["value"] for g in names]
        err = [[100 * (groups[g][metric]["value"] - groups[g][metric]["low"]) for g in names], [100 * (groups[g][metric]["high"] - groups[g][metric]["value"]) for g in names]]
        ax.bar(xs, v, width, yerr=err, capsize=3, color=color, label=name)
    ax.set_xticks(range(len(names)), [f"{g}\n(n={groups[g]['emr']['n']})" for g in names])
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_xlabel({"subject": "matière", "n_correct": "nombre de bonnes réponses attendues"}.get(group, group))
    ax.set_title(f"{label} — {GROUP_TITLES.get(group, group)}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(run_dirs: Sequence[Path], out_file: Path) -> dict[str, Any]:
    """Write ``out_file`` (markdown) and its PNG plots beside it; return the paths."""
    if not run_dirs:
        raise EvalError("give at least one run directory")
    docs = [load_run(Path(d)) for d in run_dirs]
    plt = _matplotlib()
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    stem = out_file.stem
    plots: list[str] = []
    lines: list[str] = [
        "# Rapport d'évaluation Partages",
        "",
        f"_Généré le {utc_now()} à partir de {len(docs)} exécution(s)._",
        "",
        "## Comment lire ce rapport",
        "",
        "- **EMR** (*exact match ratio*) : part des questions où le modèle coche **exactement** les bonnes",
        "  réponses, ni plus ni moins. C'est la note d'un QCM corrigé en « tout ou rien ».",
        "- **Hamming** : recouvrement moyen entre les réponses cochées et les bonnes réponses",
        "  (bonnes réponses cochées ÷ réponses cochées ou attendues) ; 100 % = identique.",
        "- Entre crochets, l'**intervalle de confiance à 95 %** (bootstrap) : si deux intervalles se",
        "  chevauchent largement, la différence entre les deux modèles n'est pas démontrée.",
        "- **Hasard** : cocher une combinaison de réponses au hasard. **Réponse la plus fréquente** :",
        "  toujours cocher la combinaison la plus fréquente des questions d'entraînement. Un modèle",
        "  utile doit faire nettement mieux que ces deux repères.",
        "- Ces scores mesurent des connaissances d'examen, pas la sécurité d'un usage clinique :",
        "  toute sortie du modèle reste à vérifier par un professionnel.",
        "",
        "## Résultats",
        "",
        "| modèle · mode · exemples | tâche | jeu | n | EMR % [IC 95 %] | Hamming % [IC 95 %] | hasard EMR / Hamming | plus fréquente EMR / Hamming |",
        "|---|---|---|---|---|---|---|---|",
    ]
    by_task: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    refs_by_task: dict[str, list[dict[str, Any]]] = {}
    others: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for doc in docs:
        for r in doc["results"]:
            lab = _label(doc, r)
            if "emr" not in r["metrics"]:
                others.append((doc, r))
                continue
            by_task.setdefault(r["task"], []).append((lab, r))
            refs_by_task.setdefault(r["task"], r.get("references", []))
            m, b = r["metrics"], r.get("baselines", {})
            rnd, mf = b.get("random", {}), b.get("most_frequent_set", {})
            lines.append(
                f"| {lab} | {r['task']} | {r['split']} | {r['n_items']} | {_pct(m.get('emr'))} | {_pct(m.get('hamming'))} "
                f"| {_pct(rnd.get('emr'))} / {_pct(rnd.get('hamming'))} | {_pct(mf.get('emr'))} / {_pct(mf.get('hamming'))} |"
            )
    lines.append("")
    if others:
        lines += ["## Autres tâches", "", "| tâche | mode | jeu | n | mesure | valeur % [IC 95 %] | cible |", "|---|---|---|---|---|---|---|"]
        for doc, r in others:
            targets = r["details"].get("targets") or {}
            for m, e in r["metrics"].items():
                target = targets.get(m, r["details"].get("target") if m == next(iter(r["metrics"])) else None)
                lines.append(f"| {r['task']} | {r['mode']} | {r['split']} | {r['n_items']} | {m} | {_pct(e)} | {'' if target is None else f'{100 * target:.0f} %'} |")
        lines.append("")
    for task, rows in by_task.items():
        refs = refs_by_task.get(task) or []
        if refs:
            lines += [f"### Références publiées ({task})", "", "| système | jeu | EMR % | Hamming % |", "|---|---|---|---|"]
            lines += [f"| {x['name']} | {x['split']} | {100 * x['emr']:.1f} | {100 * x['hamming']:.1f} |" for x in refs]
            lines.append("")
        if all("emr" in r["metrics"] for _, r in rows):
            lines += [f"### Comparaison ({task})", ""]
            for metric in ("emr", "hamming"):
                if all(metric in r["metrics"] for _, r in rows):
                    p = out_file.parent / f"{stem}-{task}-{metric}.png"
                    _comparison_plot(plt, rows, metric, refs, p)
                    plots.append(str(p))
                    lines += [f"![{task} {metric}]({p.name})", ""]
        for i, (lab, r) in enumerate(rows):
            for group in r.get("breakdowns", {}):
                if len(r["breakdowns"][group]) < 1 or not all("emr" in v and "hamming" in v for v in r["breakdowns"][group].values()):
                    continue
                p = out_file.parent / f"{stem}-{task}-{i}-{group}.png"
                _group_plot(plt, lab, r, group, p)
                plots.append(str(p))
                lines += [f"#### {lab} — {GROUP_TITLES.get(group, group)}", "", f"![{lab} {group}]({p.name})", ""]
                lines += ["| groupe | n | EMR % | Hamming % |", "|---|---|---|---|"]
                lines += [f"| {g} | {v['emr']['n']} | {_pct(v['emr'])} | {_pct(v['hamming'])} |" for g, v in r["breakdowns"][group].items()]
                lines.append("")
    lines += ["## Reproductibilité", "", "| exécution | modèle | sha256 | moteur | commit | date | durée | gabarit de prompt (sha256) | règle |", "|---|---|---|---|---|---|---|---|---|"]
    for doc in docs:
        meta, model = doc["metadata"], doc["model"]
        for r in doc["results"]:
            rule = r["details"].get("decision_rule") or r["details"].get("parser") or ""
            commit = (meta.get("git_commit") or "?")[:10] + (" (modifié)" if meta.get("git_dirty") else "")
            lines.append(
                f"| `{doc['_dir']}` | {model.get('id')} | `{(model.get('sha256') or '–')[:16]}` | {model.get('engine')} | `{commit}` "
                f"| {meta.get('date')} | {r.get('duration_s', '?')} s | `{(r.get('prompt_template_sha256') or '–')[:16]}` | {rule} |"
            )
    lines.append("")
    out_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"report": str(out_file), "plots": plots, "runs": [str(d) for d in run_dirs]}
