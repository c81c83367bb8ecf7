"""``partages eval``: benchmark a model reproducibly, compare runs, interoperate with lm-eval."""

from __future__ import annotations

from pathlib import Path

import typer

from partages.cli.common import HomeOption, JsonOption, console, fail, print_json, settings

app = typer.Typer(
    help=(
        "Evaluate models on French medical benchmarks (FrenchMedMCQA, ...) with any engine, "
        "write reproducible results (results.json + predictions.jsonl), and build reports."
    ),
    no_args_is_help=True,
)


@app.command("list")
def list_tasks(json_out: bool = JsonOption) -> None:
    """List the evaluation tasks you can run."""
    from partages.evaluation import available_tasks, unavailable_tasks

    tasks = available_tasks()
    rows = [
        {"name": n, "description": t.description, "modes": list(t.modes), "splits": list(t.splits), "needs_model": t.needs_engine}
        for n, t in tasks.items()
    ]
    if json_out:
        print_json({"tasks": rows, "unavailable": unavailable_tasks()})
        return
    from rich.table import Table

    table = Table("task", "modes", "splits", "description")
    for r in rows:
        table.add_row(r["name"], ", ".join(r["modes"]), ", ".join(r["splits"]), r["description"])
    from partages.cli.common import out

    out.print(table)


@app.command("run")
def run(
    tasks: list[str] = typer.Argument(..., help="Task names (see `partages eval list`), e.g. frenchmedmcqa."),
    model: str = typer.Option(None, "--model", "-m", help="Model id: a registered model (llamacpp) or the upstream's model name (openai). Default: the configured default model."),
    engine: str = typer.Option("llamacpp", "--engine", help="llamacpp (in-process, registered model) or openai (any OpenAI-compatible endpoint)."),
    base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible base URL for --engine openai, e.g. http://127.0.0.1:8080/v1."),
    api_key: str = typer.Option(None, "--api-key", help="API key for --engine openai (or PARTAGES_EVAL_API_KEY). The Partages gateway needs an integrator or admin key.", envvar="PARTAGES_EVAL_API_KEY"),
    split: str = typer.Option(None, "--split", help="Dataset split (FrenchMedMCQA: train, dev, test). Default: test where the task has one."),
    shots: int = typer.Option(0, "--shots", "-k", help="Number of worked examples (from train only) shown before each question."),
    limit: int = typer.Option(None, "--limit", "-n", help="Evaluate only the first N items (quick checks; not a random sample: the first 263 FrenchMedMCQA test questions all have one correct answer)."),
    mode: list[str] = typer.Option(None, "--mode", help="FrenchMedMCQA: loglikelihood (score each option; the default) or generative (generate, then parse the letters). Repeat for both."),
    threshold: float = typer.Option(0.5, "--threshold", help="Log-likelihood mode: also answer every letter whose probability is ≥ this × the best letter's (1 = single best letter)."),
    max_tokens: int = typer.Option(16, "--max-tokens", help="Generative mode: tokens generated per answer."),
    seed: int = typer.Option(0, "--seed", help="Seed for shot selection, bootstrap and decoding."),
    threads: int = typer.Option(None, "--threads", help="CPU threads for the in-process engine (default: settings.n_threads)."),
    out_dir: Path = typer.Option(None, "--out", "-o", help="Run directory to write (default: runs/<model>-<date>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run in --out: questions already answered (same model and options) are not recomputed."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Evaluate a model on one or more tasks and write results.json + predictions.jsonl.

    Examples:
      partages eval run frenchmedmcqa --model gemma3-270m --limit 20
      partages eval run frenchmedmcqa --mode loglikelihood --mode generative --shots 3 --out runs/gemma-3shot
      partages eval run frenchmedmcqa --engine openai --base-url http://127.0.0.1:8080/v1 --api-key pk-...
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from partages.evaluation import EngineSpec, EvalError, RunConfig, model_metadata, open_engine, plan, run_jobs
    from partages.evaluation.provenance import utc_now

    s = settings(home, n_threads=threads)
    if threshold <= 0 or threshold > 1:
        fail("--threshold must be in (0, 1]")
    try:
        jobs = plan(tasks, mode, split)
        cfg = RunConfig(data_dir=s.data_dir, split=jobs[0].split, shots=shots, limit=limit, mode=jobs[0].mode, seed=seed, threshold=threshold, max_tokens=max_tokens, settings=s)
        for job in jobs:
            job.task.check(RunConfig(**{**cfg.__dict__, "mode": job.mode, "split": job.split}))
    except EvalError as exc:
        fail(str(exc))
    spec = EngineSpec(kind=engine, model=model or (None if engine == "openai" else s.default_model), base_url=base_url, api_key=api_key)
    eng = None
    if any(j.task.needs_engine for j in jobs):
        try:
            eng = open_engine(spec, s)
        except EvalError as exc:
            fail(str(exc))
    meta = model_metadata(eng, spec) if eng is not None else {"id": None, "engine": None}
    if resume and out_dir is None:
        fail("--resume needs --out (the run directory to continue)")
    if out_dir is None:
        out_dir = Path("runs") / f"{(meta.get('id') or 'tasks').replace('/', '_')}-{utc_now().replace(':', '')}"
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False) as bar:

        def factory(label: str):
            tid = bar.add_task(label, total=None)

            step = {"next": 0}

            def update(done: int, total: int) -> None:
                bar.update(tid, completed=done, total=total)
                if not console.is_terminal and (done >= step["next"] or done == total):
                    # logs of batch jobs (nohup, CI) get a line every 5% instead of a live bar
                    console.print(f"{label}: {done}/{total}", highlight=False)
                    step["next"] = done + max(1, total // 20)

            return update

        try:
            doc = run_jobs(jobs, eng, cfg, out_dir, model_meta=meta, progress_factory=factory, resume=resume)
        except EvalError as exc:
            fail(str(exc))
        finally:
            if eng is not None:
                eng.close()
    if json_out:
        print_json({"out": str(out_dir), **doc})
        return
    _print_summary(doc, out_dir)


def _print_summary(doc: dict, out_dir: Path) -> None:
    from rich.table import Table

    from partages.cli.common import out

    table = Table("task", "mode", "split", "shots", "n", "metric", "model", "random", "most frequent", title=f"{doc['model'].get('id')} → {out_dir}")
    for r in doc["results"]:
        for m, e in r["metrics"].items():
            base = r.get("baselines", {})
            cell = lambda d: f"{100 * d['value']:.1f} [{100 * d['low']:.1f}–{100 * d['high']:.1f}]" if d else "–"  # noqa: E731
            table.add_row(r["task"], r["mode"], r["split"], str(r["shots"]), str(r["n_items"]), m, cell(e), cell(base.get("random", {}).get(m)), cell(base.get("most_frequent_set", {}).get(m)))
    out.print(table)
    out.print(f"wrote {out_dir / 'results.json'} and {out_dir / 'predictions.jsonl'}")


@app.command("report")
def report(
    runs: list[Path] = typer.Argument(..., help="Run directories written by `partages eval run`."),
    out_file: Path = typer.Option(Path("eval-report/report.md"), "--out", "-o", help="Markdown file to write; plots go beside it."),
    json_out: bool = JsonOption,
) -> None:
    """Compare runs in a markdown report with tables and plots (per group, model comparison)."""
    from partages.evaluation import EvalError, write_report

    try:
        info = write_report(runs, out_file)
    except EvalError as exc:
        fail(str(exc))
    if json_out:
        print_json(info)
    else:
        console.print(f"wrote {info['report']} ({len(info['plots'])} plots)")


@app.command("export-lm-eval")
def export_lm_eval(
    out_dir: Path = typer.Argument(..., help="Folder to write the lm-evaluation-harness task into."),
    shots: int = typer.Option(0, "--shots", "-k", help="Worked examples baked into the task description (same shots as `eval run --shots`)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the shot selection (same as `eval run --seed`)."),
    home: Path = HomeOption,
    json_out: bool = JsonOption,
) -> None:
    """Write FrenchMedMCQA as lm-evaluation-harness tasks (log-likelihood and generative) that
    use the same prompt and the same answer-set rules as `partages eval run`.

    Then: lm_eval --include_path OUT_DIR --tasks frenchmedmcqa_partages_ll ...
    """
    from partages.evaluation import EvalError, export_lm_eval_tasks

    s = settings(home)
    try:
        info = export_lm_eval_tasks(out_dir, data_dir=s.data_dir, shots=shots, seed=seed)
    except EvalError as exc:
        fail(str(exc))
    if json_out:
        print_json(info)
    else:
        console.print(f"wrote {', '.join(info['tasks'])} to {out_dir}")
