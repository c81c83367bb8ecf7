"""``partages formation``: AI-literacy modules (build, calibrate) and completion records (report)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from partages.cli.common import HomeOption, JsonOption, console, fail, out, print_json, settings

app = typer.Typer(
    help="AI-literacy exercises for health students and professionals: build modules from fictitious cases, "
         "regenerate the model's calibration, export completion records.",
    no_args_is_help=True,
)


@app.command("build")
def build_cmd(
    cases: Path = typer.Option(None, "--cases", help="Cases folder with stays.json, sources.json, notes.json, calibration.json "
                               "(default: the fictitious cases shipped with Partages)."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Module JSON to write, e.g. module.json."),
    seed: int = typer.Option(0, "--seed", help="Seed for error injection, claim selection and order: same seed, same module."),
    module_id: str = typer.Option("avec-initiation", "--id", help="Module id (learners' progress is stored under it)."),
    title: str = typer.Option("Initiation à l'IA en santé : la méthode A.V.E.C. en pratique", "--title", help="Module title shown to learners."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Build a module (ordered exercises with their solutions) from a cases folder.

    Needs the knowledge base (`partages kb build`) for drafts and source checking, and the shared
    data folder for FrenchMedMCQA questions. Deterministic: the same cases and seed give the same
    file. Serve it by copying it to $PARTAGES_HOME/formation/modules/.

    Example: partages formation build --cases my-cases/ --out module.json --seed 1
    """
    from partages.formation import SHIPPED_CASES, FormationError, build_module, load_cases, write_module
    from partages.knowledge import KnowledgeBaseMissing, open_kb

    s = settings(home)
    cases = cases or SHIPPED_CASES
    try:
        files = load_cases(cases)
    except FormationError as e:
        fail(str(e), 2)
    try:
        kb = open_kb(s.home)
    except (KnowledgeBaseMissing, FileNotFoundError):
        kb = None
        if "stays.json" in files or "sources.json" in files:
            fail(f"No knowledge base in {s.home}: run `partages kb build` first (drafts and source checks need it).", 2)
    n = sum(len(cf.data) for name, cf in files.items() if name != "calibration.json") + ("calibration.json" in files)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=json_out) as bar:
            task = bar.add_task("building exercises", total=n)
            module = build_module(cases, kb, s.data_dir, seed=seed, module_id=module_id, title=title, progress=lambda: bar.advance(task))
    except FormationError as e:
        fail(str(e), 2)
    finally:
        if kb is not None:
            kb.close()
    write_module(module, out_path)
    counts: dict[str, int] = {}
    for ex in module["exercises"]:
        counts[ex["type"]] = counts.get(ex["type"], 0) + 1
    summary = {"out": str(out_path), "id": module["id"], "seed": seed, "exercises": len(module["exercises"]), "by_type": counts, "sha256": module["sha256"]}
    if json_out:
        print_json(summary)
    else:
        out.print(f"wrote {out_path}: {summary['exercises']} exercises {counts} (sha256 {module['sha256'][:12]})")


@app.command("calibrate")
def calibrate_cmd(
    run: Path = typer.Argument(..., help="A `partages eval run frenchmedmcqa` run folder (or its predictions.jsonl)."),
    out_path: Path = typer.Option(..., "--out", "-o", help="calibration.json to write (put it in the cases folder)."),
    json_out: bool = JsonOption,
) -> None:
    """Compute the model's calibration (accuracy per confidence bin) from an evaluation run.

    Example: partages eval run frenchmedmcqa --split dev --threads 1 --out runs/dev
             partages formation calibrate runs/dev --out cases/calibration.json
    """
    from partages.formation import FormationError, calibrate

    predictions = run / "predictions.jsonl" if run.is_dir() else run
    try:
        cal = calibrate(predictions, predictions.parent / "results.json")
    except FormationError as e:
        fail(str(e), 2)
    meta = cal["run"]
    cal["run"]["command"] = (f"partages eval run frenchmedmcqa --mode loglikelihood --model {meta.get('model') or '<model>'} "
                             f"--split {meta.get('split') or 'dev'} --shots {meta.get('shots') or 0} --threads 1 --out {run.parent if not run.is_dir() else run} && "
                             f"partages formation calibrate {run} --out {out_path}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(cal, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if json_out:
        print_json({k: v for k, v in cal.items() if k != "items"})
        return
    t = Table(title=f"Calibration of {cal['run'].get('model') or '?'} ({cal['n']} questions, top-letter accuracy {100 * cal['top_letter_accuracy']:.1f} %)")
    for col in ("probability", "questions", "accuracy", "mean probability"):
        t.add_column(col)
    for b in cal["bins"]:
        t.add_row(f"{b['low']:.1f}–{b['high']:.1f}", str(b["n"]), f"{100 * b['accuracy']:.1f} %", f"{100 * b['mean_p']:.1f} %")
    out.print(t)
    out.print(f"wrote {out_path}")


@app.command("report")
def report_cmd(
    module_id: str = typer.Option("avec-initiation", "--module", "-m", help="Module id."),
    csv_path: Path = typer.Option(None, "--csv", help="Also write the completion records (one row per learner) to this CSV file."),
    attestations: Path = typer.Option(None, "--attestations", help="Also write one printable HTML attestation per learner into this folder."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Class results and completion records (AI-literacy evidence, EU AI Act art. 4).

    Example: partages formation report --module avec-initiation --csv completion.csv
    """
    from partages.formation import FormationError, ProgressStore, attestation_html, class_results, completion_csv, find_modules

    s = settings(home)
    try:
        modules = find_modules(s.home)
    except FormationError as e:
        fail(str(e), 2)
    if module_id not in modules:
        fail(f"Unknown module '{module_id}'. Known: {', '.join(sorted(modules)) or 'none'}.", 2)
    _, module = modules[module_id]
    store = ProgressStore(s.home / "formation.db")
    try:
        attempts = store.attempts(module_id)
    finally:
        store.close()
    res = class_results(module, attempts)
    if csv_path:
        csv_path.write_text(completion_csv(module, attempts), encoding="utf-8")
    if attestations:
        attestations.mkdir(parents=True, exist_ok=True)
        for lr in res["learners"]:
            (attestations / f"attestation-{lr['learner_id']}.html").write_text(
                attestation_html(module, lr["learner_id"], lr["learner_name"], lr), encoding="utf-8")
    if json_out:
        print_json(res)
        return
    t = Table(title=f"{module['title']} ({module_id}): {len(res['learners'])} learner(s)")
    for col in ("learner", "answered", "score", "completed", "time (min)"):
        t.add_column(col)
    for lr in res["learners"]:
        t.add_row(f"{lr['learner_name']} ({lr['learner_id']})", f"{lr['answered']}/{lr['exercises']}", f"{lr['score_pct']} %",
                  lr["completed_at"][:10] if lr["completed_at"] else "no", str(lr["time_spent_min"]))
    out.print(t)
    for m in res["most_missed_errors"][:3]:
        out.print(f"most missed: {m['label']} ({m['missed']}/{m['shown']})")
