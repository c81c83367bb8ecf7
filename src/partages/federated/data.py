"""A hospital's local data: the Parquet shards written by ``partages corpus build`` (so the
pseudonymisation gate has run), turned into TRL prompt/completion examples, optionally one
partition of a shared folder (``simulate --clients K`` over one corpus), and split into
train and held-out records with a fixed seed.

Errors say which file and which line, and how many records were usable; they never quote a
record, because they are sent to the server (Flower's error reply) and logged there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.federated.errors import FederatedError
from partages.training.data import read_records, to_example
from partages.training.errors import TrainingError


@dataclass
class HospitalData:
    train: list[dict[str, Any]]
    heldout: list[dict[str, Any]]
    records: int


def _read(data_dir: Path) -> list[dict[str, Any]]:
    if not data_dir.exists():
        raise FederatedError(f"{data_dir}: no such data folder")
    files = [data_dir] if data_dir.is_file() else sorted(data_dir.glob("*.parquet")) + sorted(data_dir.glob("*.jsonl"))
    if not files:
        raise FederatedError(f"{data_dir}: no .parquet or .jsonl shards (build the corpus with `partages corpus build`)")
    rows: list[dict[str, Any]] = []
    for f in files:
        try:
            rows += read_records([f])
        except TrainingError as exc:
            raise FederatedError(str(exc)) from None
        except Exception as exc:  # pyarrow: truncated or foreign file; the type is enough, the text may quote data
            raise FederatedError(f"{f}: unreadable shard ({type(exc).__name__}); rebuild it with `partages corpus build`") from None
    return rows


def load_hospital_data(data_dir: Path | str, *, kind: str = "sft", eval_size: int = 8, seed: int = 0,
                       partition: int = 0, num_partitions: int = 1, sources: list[str] | None = None,
                       max_records: int | None = None) -> HospitalData:
    """Read, partition (records ``i`` with ``i % num_partitions == partition``), convert and split."""
    data_dir = Path(data_dir).expanduser()
    rows = _read(data_dir)
    if num_partitions > 1:
        if not 0 <= partition < num_partitions:
            raise FederatedError(f"partition {partition} is outside 0..{num_partitions - 1}")
        rows = rows[partition::num_partitions]
    if sources:
        rows = [r for r in rows if r.get("source") in sources]
    examples = []
    for r in rows:
        if not isinstance(r, dict):
            continue
        try:
            ex = to_example(kind, r)
        except (KeyError, TypeError, IndexError):
            ex = None
        if ex is not None:
            examples.append(ex)
    if not examples:
        raise FederatedError(f"{data_dir}: 0 usable {kind} examples in {len(rows)} records (expected chat records from `partages corpus build`)")
    random.Random(seed).shuffle(examples)
    n_eval = min(eval_size, len(examples) // 4) if eval_size else 0
    heldout, train = examples[:n_eval], examples[n_eval:]
    if max_records:
        train = train[:max_records]
    return HospitalData(train=train, heldout=heldout, records=len(rows))
