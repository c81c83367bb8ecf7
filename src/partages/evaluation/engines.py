"""Open the engine an evaluation asks for, by kind.

Each kind is one builder in :data:`ENGINE_BUILDERS`; evaluation code only ever sees the
:class:`~partages.engines.base.Engine` interface. A transformers engine (training issue) is
added by writing ``partages.engines.transformers`` and one builder line here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.config import Settings
from partages.engines.base import Engine
from partages.engines.errors import EngineError
from partages.evaluation.errors import EvalError


@dataclass
class EngineSpec:
    kind: str  # "llamacpp" | "openai" (| "transformers" later)
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None


def _llamacpp(spec: EngineSpec, settings: Settings) -> Engine:
    from partages.engines.factory import load_engine

    s = settings.model_copy(update={"upstream_base_url": None})  # in-process, whatever the config says
    return load_engine(s, spec.model)


def _openai(spec: EngineSpec, settings: Settings) -> Engine:
    from partages.engines.openai_upstream import OpenAIUpstreamEngine

    if not spec.base_url:
        raise EvalError("--engine openai needs --base-url (e.g. http://127.0.0.1:8080/v1)")
    key = spec.api_key or os.environ.get("PARTAGES_EVAL_API_KEY") or os.environ.get("OPENAI_API_KEY")
    return OpenAIUpstreamEngine.discover(spec.base_url, api_key=key, model=spec.model, timeout_s=settings.upstream_timeout_s)


ENGINE_BUILDERS: dict[str, Callable[[EngineSpec, Settings], Engine]] = {
    "llamacpp": _llamacpp,
    "openai": _openai,
}


def open_engine(spec: EngineSpec, settings: Settings) -> Engine:
    builder = ENGINE_BUILDERS.get(spec.kind)
    if builder is None:
        raise EvalError(f"unknown engine '{spec.kind}' (engines: {', '.join(ENGINE_BUILDERS)})")
    try:
        return builder(spec, settings)
    except EngineError as exc:
        raise EvalError(str(exc)) from None


def model_metadata(engine: Engine, spec: EngineSpec) -> dict[str, Any]:
    """Identity of the model evaluated: id, engine, and the sha256 of the weights file (hashed
    now, not trusted from the registry) when the engine runs a local file."""
    info = engine.info
    meta: dict[str, Any] = {
        "id": info.id,
        "engine": spec.kind,
        "architecture": info.architecture,
        "context_length": info.context_length,
        "licence": info.licence,
        "sha256": None,
    }
    path = info.extra.get("path") if info.extra else None
    if path and Path(path).is_file():
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        meta["sha256"] = h.hexdigest()
        meta["file"] = Path(path).name
        meta["registry_sha256_matches"] = (info.sha256 == meta["sha256"]) if info.sha256 else None
        if info.extra.get("lora_path"):
            meta["lora"] = Path(info.extra["lora_path"]).name
    if spec.kind == "openai":
        meta["base_url"] = spec.base_url
        meta["sha256_note"] = "remote model: weights not visible to the evaluator"
    return meta
