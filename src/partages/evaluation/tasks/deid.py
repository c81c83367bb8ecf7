"""Pseudonymisation task: the ``partages deid eval`` metrics on generated gold notes.

Gold documents come from :func:`partages.deid.eval_data.build_gold` (EDS-Pseudo templates of
the shared data refilled with surrogate identities, plus hand-written tricky notes); scoring is
:func:`partages.deid.evaluation.evaluate`, unchanged. This module scores documents one by one so
that token recall/precision get a document-level bootstrap interval. No model is needed.
"""

from __future__ import annotations

from pathlib import Path

from partages.deid.detector import Detector, DetectorConfig
from partages.deid.eval_data import build_gold
from partages.deid.evaluation import evaluate
from partages.engines.base import Engine
from partages.evaluation.errors import EvalError
from partages.evaluation.metrics import bootstrap, ratio_bootstrap
from partages.evaluation.registry import Progress, RunConfig, Task, TaskResult, register


@register
class Pseudonymisation(Task):
    name = "deid-pseudonymisation"
    description = "Identifier detection on synthetic French notes: token redact recall/precision, leaks (no model)"
    modes = ("detection",)
    splits = ("dev", "test")
    needs_engine = False
    primary_metric = "redact_recall"

    def run(self, engine: Engine | None, config: RunConfig, progress: Progress | None = None) -> TaskResult:
        self.check(config)
        if config.data_dir is None:
            raise EvalError("no data directory: set PARTAGES_DATA_DIR (EDS-Pseudo templates, names, places)")
        docs = build_gold(Path(config.data_dir), config.split, n_docs=config.limit or 200, seed=config.seed)
        if config.limit:
            docs = docs[: config.limit]
        det = Detector(DetectorConfig(data_dir=Path(config.data_dir)))
        hidden, gold, in_gold, predicted, perfect = [], [], [], [], []
        leaks = occurrences = 0
        preds = []
        for i, d in enumerate(docs):
            r = evaluate([d], det.detect)
            hidden.append(round(r.redact_recall * r.gold_tokens))
            gold.append(r.gold_tokens)
            in_gold.append(round(r.redact_precision * r.predicted_tokens))
            predicted.append(r.predicted_tokens)
            perfect.append(r.docs_nothing_missed)
            leaks += r.leaks
            occurrences += r.known_identifier_occurrences
            # no note text in predictions: counts only
            preds.append({"id": d.get("id", i), "gold_tokens": r.gold_tokens, "hidden": hidden[-1], "predicted_tokens": r.predicted_tokens, "leaks": r.leaks})
            if progress:
                progress(i + 1, len(docs))
        metrics = {
            "redact_recall": ratio_bootstrap(hidden, gold, seed=config.seed),
            "redact_precision": ratio_bootstrap(in_gold, predicted, seed=config.seed),
            **bootstrap({"docs_nothing_missed": perfect}, seed=config.seed),
        }
        return TaskResult(
            task=self.name,
            mode=config.mode,
            split=config.split,
            shots=0,
            n_items=len(docs),
            metrics=metrics,
            predictions=preds,
            details={
                "leaks": leaks,
                "known_identifier_occurrences": occurrences,
                "targets": {"redact_recall": 0.99, "redact_precision": 0.95, "leaks": 0},
                "scorer": "partages.deid.evaluation.evaluate (per document)",
            },
        )
