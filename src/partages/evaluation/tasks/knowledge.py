"""Knowledge-layer tasks: drug retrieval recall@5 and ANSM interaction levels.

Thin wrappers around :mod:`partages.knowledge.evalsets` (the dev sets and scoring live with the
knowledge component); this module only adds bootstrap intervals and the run-directory format.
They need a built knowledge base (``partages kb build``) and no model.
"""

from __future__ import annotations

from typing import Any

from partages.engines.base import Engine
from partages.evaluation.errors import EvalError
from partages.evaluation.metrics import bootstrap
from partages.evaluation.registry import Progress, RunConfig, Task, TaskResult, register
from partages.knowledge import evalsets


def _open_kb(config: RunConfig):
    from partages.knowledge import open_kb

    if config.settings is None:
        raise EvalError("knowledge tasks need settings (PARTAGES_HOME with a built knowledge base)")
    try:
        return open_kb(config.settings.home)
    except Exception as exc:  # noqa: BLE001 - the knowledge layer's own error says what is missing
        raise EvalError(f"knowledge base not available: {exc}") from None


def _result(task: Task, config: RunConfig, res: evalsets.EvalResult, metric: str) -> TaskResult:
    hits = res.n - len(res.failures)
    values = [1.0] * hits + [0.0] * len(res.failures)
    preds: list[dict[str, Any]] = [{"failure": f} for f in res.failures]
    return TaskResult(
        task=task.name,
        mode=config.mode,
        split="dev",
        shots=0,
        n_items=res.n,
        metrics=bootstrap({metric: values}, seed=config.seed),
        predictions=preds,
        details={"target": res.target, "passed": res.passed, "scorer": f"partages.knowledge.evalsets ({res.task})"},
    )


class _KnowledgeDevSet(Task):
    """A knowledge dev set scored by ``partages.knowledge.evalsets`` (no model involved)."""

    modes = ("retrieval",)
    splits = ("dev",)
    needs_engine = False

    def score(self, kb):  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self, engine: Engine | None, config: RunConfig, progress: Progress | None = None) -> TaskResult:
        self.check(config)
        res = self.score(_open_kb(config))
        if progress:
            progress(res.n, res.n)
        return _result(self, config, res, self.primary_metric)


@register
class DrugRecall(_KnowledgeDevSet):
    name = "kb-drug-recall"
    description = "Drug-name lookup in the BDPM: recall@5 on 70 prescriber-written names (no model)"
    primary_metric = "recall_at_5"

    def score(self, kb):
        return evalsets.score_drug_questions(kb, k=5)


@register
class InteractionLevels(_KnowledgeDevSet):
    name = "kb-interaction-level"
    description = "ANSM interaction level of 32 drug pairs: exact most-severe level (no model)"
    primary_metric = "exact_level"

    def score(self, kb):
        return evalsets.score_interaction_pairs(kb)
