"""Corpus shards → ``datasets.Dataset`` in the layouts TRL expects.

- ``cpt``: ``{"text"}`` (plain-text records, and chat records flattened to their text);
- ``sft``: conversational prompt/completion, ``{"prompt": [turns...], "completion": [last assistant turn]}``,
  so TRL's ``completion_only_loss`` trains on the answer only;
- ``dpo``: ``{"prompt", "chosen", "rejected"}`` columns, read as they are.

The held-out split is drawn with the recipe's seed, so "eval loss before/after" compares the same
records.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from partages.training.errors import TrainingError
from partages.training.recipe import Recipe


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.parquet")) + sorted(p.glob("*.jsonl"))
            if not found:
                raise TrainingError(f"{p}: no .parquet or .jsonl files (build one with `partages corpus build`)")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise TrainingError(f"{p}: no such data file or folder")
    return out


def read_records(paths: list[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for f in _files(paths):
        if f.suffix == ".parquet":
            import pyarrow.parquet as pq

            rows += pq.read_table(f).to_pylist()
        else:
            for lineno, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise TrainingError(f"{f}:{lineno}: invalid JSON ({exc.msg})") from exc
    return rows


def to_example(kind: str, row: dict[str, Any]) -> dict[str, Any] | None:
    if kind == "dpo":
        if not all(k in row for k in ("prompt", "chosen", "rejected")):
            return None
        return {"prompt": row["prompt"], "chosen": row["chosen"], "rejected": row["rejected"]}
    messages = row.get("messages")
    if kind == "cpt":
        text = row.get("text")
        return {"text": text} if text else None
    if not messages or messages[-1]["role"] != "assistant" or len(messages) < 2:
        return None
    turns = [{"role": m["role"], "content": m["content"]} for m in messages]
    return {"prompt": turns[:-1], "completion": turns[-1:]}


def load_splits(recipe: Recipe):
    """(train, eval) ``datasets.Dataset`` for the recipe's kind."""
    from datasets import Dataset

    rows = read_records(recipe.data_paths)
    if recipe.sources:
        rows = [r for r in rows if r.get("source") in recipe.sources]
    examples = [ex for r in rows if (ex := to_example(recipe.kind, r)) is not None]
    if not examples:
        raise TrainingError(f"no usable {recipe.kind} examples in {', '.join(map(str, recipe.data_paths))}")
    ds = Dataset.from_list(examples).shuffle(seed=recipe.seed)
    if recipe.max_records:
        ds = ds.select(range(min(recipe.max_records + recipe.eval_size, len(ds))))
    n_eval = min(recipe.eval_size, len(ds) // 4) if recipe.eval_size else 0
    if n_eval == 0:
        return ds, None
    return ds.select(range(n_eval, len(ds))), ds.select(range(n_eval))
