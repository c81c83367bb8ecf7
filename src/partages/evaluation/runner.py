"""Run tasks on one engine and write a run directory.

A run directory holds ``results.json`` (metrics with intervals, baselines, breakdowns, and the
metadata needed to reproduce them) and ``predictions.jsonl`` (one line per item and task/mode:
id, prediction, gold, per-option scores or generated text), from which anyone can recompute the
metrics without the model.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.engines.base import Engine
from partages.evaluation.errors import EvalError, RunDirError
from partages.evaluation.registry import Progress, RunConfig, Task, TaskResult, get_task
from partages.evaluation.provenance import environment, utc_now

SCHEMA = "partages.eval/1"
RESULTS = "results.json"
PREDICTIONS = "predictions.jsonl"
PARTIAL = "predictions.partial.jsonl"


@dataclass
class Job:
    task: Task
    mode: str
    split: str


def plan(task_names: Sequence[str], modes: Sequence[str] | None = None, split: str | None = None) -> list[Job]:
    """(task, mode, split) triples to run.

    Each task runs the requested modes it supports (its first mode when none is requested or it
    supports none of them, e.g. a retrieval task next to ``--mode generative``); a mode that no
    requested task supports is an error. The split defaults to ``test`` where the task has one,
    else the task's first split; an explicit split must exist for every task.
    """
    tasks = [get_task(n) for n in task_names]
    modes = list(modes or [])
    known = {m for t in tasks for m in t.modes}
    for m in modes:
        if m not in known:
            raise EvalError(f"no requested task has mode '{m}' (modes: {', '.join(sorted(known))})")
    jobs: list[Job] = []
    for task in tasks:
        sp = split or ("test" if "test" in task.splits else task.splits[0])
        wanted = [m for m in modes if m in task.modes] or [task.modes[0]]
        jobs.extend(Job(task, m, sp) for m in wanted)
    return jobs


def run_jobs(
    jobs: Sequence[Job],
    engine: Engine | None,
    base_config: RunConfig,
    out_dir: Path,
    *,
    model_meta: dict[str, Any],
    progress_factory: Callable[[str], Progress] | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Run every job, then write results.json and predictions.jsonl into ``out_dir``.

    While it runs, each finished item is appended to ``predictions.partial.jsonl``; with
    ``resume=True`` the items found there for the same task, mode, split, shots, seed, rule and
    model are not recomputed (an interrupted run continues where it stopped)."""
    started = time.perf_counter()
    date = utc_now()
    entries: list[dict[str, Any]] = []
    all_predictions: list[dict[str, Any]] = []
    partial_path = out_dir / PARTIAL
    previous = _read_partial(partial_path) if resume else []
    sink: dict[str, Any] = {}  # the partial file, opened at the first finished item

    def write_partial(line: str) -> None:
        if "f" not in sink:
            out_dir.mkdir(parents=True, exist_ok=True)
            sink["f"] = partial_path.open("a" if resume else "w", encoding="utf-8")
        sink["f"].write(line)
        sink["f"].flush()
    for job in jobs:
        cfg = RunConfig(**{**base_config.__dict__, "mode": job.mode, "split": job.split})
        job.task.check(cfg)
        key = _resume_key(job, cfg, model_meta)
        cfg.done = {r["id"]: r["record"] for r in previous if r.get("key") == key and "id" in r}

        def on_record(record: dict[str, Any], key: dict[str, Any] = key) -> None:
            write_partial(json.dumps({"key": key, "id": record.get("id"), "record": record}, ensure_ascii=False) + "\n")

        cfg.on_record = on_record
        t0 = time.perf_counter()
        progress = progress_factory(f"{job.task.name} ({job.mode})") if progress_factory else None
        result: TaskResult = job.task.run(engine if job.task.needs_engine else None, cfg, progress)
        elapsed = time.perf_counter() - t0
        entry = result.as_dict()
        entry["duration_s"] = round(elapsed, 3)
        entry["items_per_s"] = round(result.n_items / elapsed, 4) if elapsed > 0 else None
        if result.prompt_template is not None:
            entry["prompt_template"] = result.prompt_template
            entry["prompt_template_sha256"] = hashlib.sha256(result.prompt_template.encode("utf-8")).hexdigest()
        entries.append(entry)
        for p in result.predictions:
            all_predictions.append({"task": result.task, "mode": result.mode, **p})
    doc = {
        "schema": SCHEMA,
        "model": model_meta,
        "config": {
            "splits": sorted({j.split for j in jobs}),
            "shots": base_config.shots,
            "limit": base_config.limit,
            "seed": base_config.seed,
            "threshold": base_config.threshold,
            "max_tokens": base_config.max_tokens,
        },
        "metadata": {**environment(), "date": date, "duration_s": round(time.perf_counter() - started, 3), "seed": base_config.seed},
        "results": entries,
    }
    if "f" in sink:
        sink["f"].close()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / RESULTS).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with (out_dir / PREDICTIONS).open("w", encoding="utf-8") as f:
        for p in all_predictions:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    partial_path.unlink(missing_ok=True)
    return doc


def _resume_key(job: Job, cfg: RunConfig, model_meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "task": job.task.name, "mode": job.mode, "split": job.split, "shots": cfg.shots, "seed": cfg.seed,
        "threshold": cfg.threshold, "max_tokens": cfg.max_tokens, "model": model_meta.get("sha256") or model_meta.get("id"),
    }


def _read_partial(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by the interruption: recompute that item
    return out


def load_run(path: Path) -> dict[str, Any]:
    """Read a run directory's results.json (clear error when it is missing or malformed)."""
    f = path / RESULTS if path.is_dir() else path
    if not f.is_file():
        raise RunDirError(f"{path}: no results.json here (write one with `partages eval run ... --out {path}`)")
    try:
        doc = json.loads(f.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RunDirError(f"{f}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise RunDirError(f"{f}: not a Partages evaluation result (schema {SCHEMA!r} expected)")
    doc["_dir"] = str(path)
    return doc
