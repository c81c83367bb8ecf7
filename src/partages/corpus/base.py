"""Pipeline steps in the datatrove style.

Every stage is a small :class:`PipelineStep`: ``run(docs, rank, world_size)`` takes an iterator
of :class:`Document` and yields documents, and keeps its own :class:`Stats`. Sharding by
``rank``/``world_size`` lets the same pipeline run as several processes; readers take every
``world_size``-th record starting at ``rank``. A step whose optional dependency is missing fails
at construction (not half-way through a build) with the exact ``pip install`` to run.

We do not depend on datatrove itself: it pulls a large dependency tree for a pipeline of a dozen
small stages, and its readers do not know FHIR or the project's shared datasets.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Iterator
from types import ModuleType

from partages.corpus.document import Document
from partages.corpus.errors import MissingDependency


def require(module: str, pip_name: str | None = None) -> ModuleType:
    """Import an optional dependency or fail with the command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(
            f"this step needs the '{pip_name or module}' package: pip install '{pip_name or module}' "
            "(or pip install 'partages[train]')"
        ) from exc


class Stats(Counter):
    """Counters of one step (documents in/out, reasons for dropping them, tokens...)."""

    def as_dict(self) -> dict[str, int]:
        return {k: int(v) for k, v in sorted(self.items())}


class PipelineStep:
    """Base class. Subclasses implement :meth:`process` (one document → kept or not) or
    override :meth:`run` when they need the whole stream (readers, dedup)."""

    name: str = "step"
    #: optional imports checked at construction: (module, pip name)
    requires: tuple[tuple[str, str], ...] = ()

    def __init__(self) -> None:
        for module, pip_name in self.requires:
            require(module, pip_name)
        self.stats = Stats()

    def process(self, doc: Document) -> Document | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def run(self, docs: Iterable[Document], rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        for doc in docs:
            self.stats["in"] += 1
            kept = self.process(doc)
            if kept is None:
                self.stats["dropped"] += 1
                continue
            self.stats["out"] += 1
            yield kept

    def drop(self, reason: str) -> None:
        """Count a dropped document under ``reason`` (returns ``None`` for ``process``)."""
        self.stats[f"dropped_{reason}"] += 1

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def run_pipeline(steps: list[PipelineStep], source: Iterable[Document] = (), rank: int = 0, world_size: int = 1) -> Iterator[Document]:
    """Chain steps lazily: nothing is read until the result is iterated (streaming)."""
    stream: Iterable[Document] = source
    for step in steps:
        stream = step.run(stream, rank=rank, world_size=world_size)
    yield from stream
