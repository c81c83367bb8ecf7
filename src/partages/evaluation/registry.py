"""Named evaluation tasks.

A task is a subclass of :class:`Task` decorated with :func:`register`, in its own module under
``partages.evaluation.tasks``. Every module of that package is imported on first use, so adding
a task is adding one file: nothing else to edit. A task module whose optional dependency (or
sibling component) is missing simply does not register; :func:`unavailable_tasks` says why.
"""

from __future__ import annotations

import abc
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from partages.engines.base import Engine
from partages.evaluation.errors import EvalError, UnknownTask
from partages.evaluation.metrics import Estimate

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class RunConfig:
    """What a task needs to know about the run (the CLI fills it from its options)."""

    data_dir: Path | None
    split: str = "test"
    shots: int = 0
    limit: int | None = None
    mode: str = "loglikelihood"
    seed: int = 0
    threshold: float = 0.5  # log-likelihood multi-answer rule (see answer_sets)
    max_tokens: int = 16  # generative mode
    settings: Any = None  # partages.config.Settings, for tasks that build their own resources
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> record of a resumed run
    on_record: Callable[[dict[str, Any]], None] | None = None  # called with each finished record


@dataclass
class TaskResult:
    """One (task, mode) evaluated. Estimates are fractions in [0, 1]."""

    task: str
    mode: str
    split: str
    shots: int
    n_items: int
    metrics: dict[str, Estimate]
    baselines: dict[str, dict[str, Estimate]] = field(default_factory=dict)
    breakdowns: dict[str, dict[str, dict[str, Estimate]]] = field(default_factory=dict)
    predictions: list[dict[str, Any]] = field(default_factory=list)
    prompt_template: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # rules, parser stats, data source
    references: list[dict[str, Any]] = field(default_factory=list)  # published scores

    def as_dict(self) -> dict[str, Any]:
        def est(d: dict[str, Estimate]) -> dict[str, Any]:
            return {k: v.as_dict() for k, v in d.items()}

        return {
            "task": self.task,
            "mode": self.mode,
            "split": self.split,
            "shots": self.shots,
            "n_items": self.n_items,
            "metrics": est(self.metrics),
            "baselines": {b: est(m) for b, m in self.baselines.items()},
            "breakdowns": {name: {g: est(m) for g, m in groups.items()} for name, groups in self.breakdowns.items()},
            "details": self.details,
            "references": self.references,
        }


class Task(abc.ABC):
    """An evaluation task. Subclasses set the class attributes and implement :meth:`run`."""

    name: ClassVar[str]
    description: ClassVar[str]
    modes: ClassVar[tuple[str, ...]] = ("loglikelihood",)
    splits: ClassVar[tuple[str, ...]] = ("test",)
    needs_engine: ClassVar[bool] = True
    primary_metric: ClassVar[str] = "accuracy"

    def check(self, config: RunConfig) -> None:
        """Reject a configuration the task cannot run (raise EvalError with a clear message)."""
        if config.mode not in self.modes:
            raise EvalError(f"task '{self.name}' has no mode '{config.mode}' (modes: {', '.join(self.modes)})")
        if config.split not in self.splits:
            raise EvalError(f"task '{self.name}' has no split '{config.split}' (splits: {', '.join(self.splits)})")
        if config.limit is not None and config.limit < 1:
            raise EvalError("--limit must be at least 1")
        if config.shots < 0:
            raise EvalError("--shots must be 0 or more")

    @abc.abstractmethod
    def run(self, engine: Engine | None, config: RunConfig, progress: Progress | None = None) -> TaskResult:
        """Evaluate and return metrics, baselines and one prediction record per item."""


_TASKS: dict[str, type[Task]] = {}
_UNAVAILABLE: dict[str, str] = {}
_discovered = False


def register(cls: type[Task]) -> type[Task]:
    """Class decorator: make ``cls`` available as ``partages eval run <cls.name>``."""
    if cls.name in _TASKS and _TASKS[cls.name] is not cls:
        raise EvalError(f"two tasks are named '{cls.name}'")
    _TASKS[cls.name] = cls
    return cls


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    import partages.evaluation.tasks as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"{pkg.__name__}.{mod.name}")
        except ImportError as exc:  # optional component not installed / not built yet
            _UNAVAILABLE[mod.name] = f"{type(exc).__name__}: {exc}"


def available_tasks() -> dict[str, type[Task]]:
    _discover()
    return dict(sorted(_TASKS.items()))


def unavailable_tasks() -> dict[str, str]:
    _discover()
    return dict(_UNAVAILABLE)


def get_task(name: str) -> Task:
    tasks = available_tasks()
    if name not in tasks:
        raise UnknownTask(f"unknown task '{name}' (available: {', '.join(tasks) or 'none'})")
    return tasks[name]()
