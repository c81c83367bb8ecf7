"""Reproducible evaluation: a registry of named tasks, a runner that writes results.json +
predictions.jsonl with full provenance, markdown reports with plots, and lm-evaluation-harness
export. Talks to models only through :class:`partages.engines.base.Engine`."""

from partages.evaluation.answer_sets import decide_from_logprobs, exact_match, hamming_score, parse_letter_set
from partages.evaluation.engines import ENGINE_BUILDERS, EngineSpec, model_metadata, open_engine
from partages.evaluation.errors import DataError, EvalError, RunDirError, UnknownTask
from partages.evaluation.lm_eval_export import export_lm_eval_tasks
from partages.evaluation.metrics import Estimate, bootstrap, breakdown
from partages.evaluation.registry import RunConfig, Task, TaskResult, available_tasks, get_task, register, unavailable_tasks
from partages.evaluation.report import write_report
from partages.evaluation.runner import Job, load_run, plan, run_jobs

__all__ = [
    "ENGINE_BUILDERS",
    "DataError",
    "EngineSpec",
    "Estimate",
    "EvalError",
    "Job",
    "RunConfig",
    "RunDirError",
    "Task",
    "TaskResult",
    "UnknownTask",
    "available_tasks",
    "bootstrap",
    "breakdown",
    "decide_from_logprobs",
    "exact_match",
    "export_lm_eval_tasks",
    "get_task",
    "hamming_score",
    "load_run",
    "model_metadata",
    "open_engine",
    "parse_letter_set",
    "plan",
    "register",
    "run_jobs",
    "unavailable_tasks",
    "write_report",
]
