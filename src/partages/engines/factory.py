"""Build the engine a setting asks for: llama.cpp on a registered model, or an upstream."""

from __future__ import annotations

from partages.config import Settings
from partages.engines.base import Engine, ModelInfo
from partages.engines.errors import ModelNotFound
from partages.engines.llama_logs import quiet_llama_logs
from partages.models.registry import Registry, RegistryError


def load_engine(settings: Settings, model_id: str | None = None) -> Engine:
    if settings.upstream_base_url:
        from partages.engines.openai_upstream import OpenAIUpstreamEngine

        return OpenAIUpstreamEngine.discover(
            settings.upstream_base_url,
            api_key=settings.upstream_api_key,
            model=model_id if model_id and model_id != settings.default_model else None,
            timeout_s=settings.upstream_timeout_s,
            max_queue=settings.max_queue,
            retry_after=settings.retry_after_s,
        )
    from partages.engines.llamacpp import LlamaCppEngine

    model_id = model_id or settings.default_model
    try:
        entry = Registry(settings).get(model_id)
    except RegistryError as exc:
        raise ModelNotFound(str(exc)) from None
    quiet_llama_logs()
    info = ModelInfo(
        id=entry.id,
        context_length=entry.context_length,
        architecture=entry.architecture,
        licence=entry.licence,
        sha256=entry.sha256,
        chat_template=entry.chat_template,
        extra={"path": entry.path, "lora_path": entry.lora_path},
    )
    return LlamaCppEngine(
        entry.path,
        info,
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        n_batch=settings.n_batch,
        max_queue=settings.max_queue,
        retry_after=settings.retry_after_s,
        lora_path=entry.lora_path,
    )
