"""Streaming batch runner behind ``partages deid detect|pseudonymize``.

Records flow in windows of ``workers × 32``: constant memory whatever the input size, and
``--workers N`` processes each holding their own detector (loaded once per process). Vault
entries are written by the parent only, so the vault file has a single writer.

In surrogate mode every process uses one surrogate registry, a SQLite file beside the output
(``OUT.surrogates.sqlite``, see :mod:`partages.deid.registry`): two workers can never give two
people the same surrogate, and a resumed run keeps the surrogates of the first one.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partages.deid.errors import BadInputError
from partages.deid.records import open_writer, read_any

_worker: dict[str, Any] = {}


@dataclass
class BatchStats:
    read: int = 0
    written: int = 0
    skipped_done: int = 0
    bad: int = 0
    spans: int = 0
    bad_places: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"read": self.read, "written": self.written, "skipped_already_done": self.skipped_done, "bad": self.bad, "spans": self.spans, "status": "pseudonymisé"}


@dataclass
class TaskSpec:
    task: str  # "detect" | "pseudonymize"
    mode: str = "surrogate"
    key: bytes | None = None
    data_dir: str | None = None
    reversible: bool = False
    registry_path: str | None = None


def _init(spec: TaskSpec) -> None:
    from partages.deid.detector import Detector, DetectorConfig
    from partages.deid.pseudonymizer import Pseudonymizer

    det = Detector(DetectorConfig(data_dir=Path(spec.data_dir) if spec.data_dir else None))
    _worker["spec"] = spec
    _worker["det"] = det
    if spec.task == "pseudonymize":
        registry = None
        if spec.registry_path and spec.key and spec.mode == "surrogate":
            from partages.deid.registry import SqliteRegistry

            registry = SqliteRegistry(Path(spec.registry_path), spec.key)
        _worker["pz"] = Pseudonymizer(spec.key, spec.mode, detector=det, registry=registry)


def _process(rec: dict) -> dict:
    spec: TaskSpec = _worker["spec"]
    text = rec.get("text") or ""
    patient = rec.get("patient")
    if spec.task == "detect":
        spans = _worker["det"].detect(text, patient)
        return {"id": rec["id"], "spans": [s.to_dict() for s in spans]}
    out = _worker["pz"].pseudonymize(text, patient)
    res = {"id": rec["id"], "text": out.text, "spans": [s.to_dict() for s in out.spans], "status": "pseudonymisé"}
    if spec.reversible:
        res["_vault"] = (out.scope, [(s.label, s.text, s.replacement) for s in out.spans])
    return res


def registry_path_for(out_path: Path) -> Path:
    """Where the shared surrogate registry of a batch output lives."""
    out_path = Path(out_path)
    return out_path.parent / (out_path.name + ".surrogates.sqlite")


def _windows(it: Iterator, size: int) -> Iterator[list]:
    buf = []
    for x in it:
        buf.append(x)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def run_batch(in_path: Path, out_path: Path, spec: TaskSpec, *, workers: int = 1, skip_bad: bool = False,
              vault=None, on_progress: Callable[[int], None] | None = None) -> BatchStats:
    """Raises :class:`BadInputError` on the first bad record unless ``skip_bad``."""
    stats = BatchStats()
    from partages.deid.numbers import IdPatterns

    IdPatterns.from_settings()  # a bad deid_* setting fails here, named, not in N worker processes
    if spec.task == "pseudonymize" and spec.mode == "surrogate" and spec.key and spec.registry_path is None:
        spec.registry_path = str(registry_path_for(out_path))
    writer = open_writer(in_path, out_path, with_text=spec.task == "pseudonymize")
    pool = mp.get_context("spawn").Pool(workers, initializer=_init, initargs=(spec,)) if workers > 1 else None
    if pool is None:
        _init(spec)
    try:
        for window in _windows(read_any(in_path), max(1, workers) * 32):
            todo = []
            for rec in window:
                stats.read += 1
                if isinstance(rec, BadInputError):
                    if not skip_bad:
                        raise rec
                    stats.bad += 1
                    stats.bad_places.append(f"{rec.path}:{rec.line}")
                    continue
                if rec["id"] in writer.done:
                    stats.skipped_done += 1
                    continue
                todo.append(rec)
            results = pool.map(_process, todo, chunksize=8) if pool else [_process(r) for r in todo]
            for res in results:
                entries = res.pop("_vault", None)
                if entries and vault is not None:
                    scope, items = entries
                    for label, original, rep in items:
                        vault.add(scope, label, original, rep)
                writer.write(res)
                writer.done.add(res["id"])
                stats.written += 1
                stats.spans += len(res["spans"])
            if on_progress:
                on_progress(len(window))
    finally:
        writer.close()
        if pool is not None:
            pool.close()
            pool.join()
    return stats
