"""Where the weights to train come from.

The registry serves GGUF files; training needs full-precision tensors. transformers can read a
GGUF (``gguf_file=``, the ``gguf`` package), de-quantising it; that takes about 1.5 minutes on 2
cores for Gemma 3 270M, so it is done once and cached as safetensors under
``$PARTAGES_HOME/cache/hf/<model>-<sha12>/`` (keyed by the GGUF's sha256, so a changed file is
converted again). The project's chat template is written into the cached tokenizer, so
training and serving use the same turn format.

A recipe's ``base`` is either a registry id (``gemma3-270m``) or a directory holding a
transformers model (``config.json`` + weights + tokenizer).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from partages.config import Settings
from partages.engines.chat_template import GEMMA_TEMPLATE
from partages.models.registry import Registry, RegistryError


class BaseModelError(Exception):
    """The base model cannot be resolved or converted."""


@dataclass(frozen=True)
class BaseModel:
    """A resolved base: the transformers directory to load, and the registry entry it came
    from (``None`` for a plain directory)."""

    hf_dir: Path
    registry_id: str | None = None
    gguf_path: Path | None = None
    licence: str | None = None


def cache_dir(settings: Settings) -> Path:
    return settings.home / "cache" / "hf"


def resolve_base(settings: Settings, base: str, *, progress: bool = True) -> BaseModel:
    """A registry id or a directory → a transformers directory (converting a GGUF once)."""
    p = Path(base).expanduser()
    if p.is_dir():
        if not (p / "config.json").is_file():
            raise BaseModelError(f"{p}: not a transformers model directory (no config.json)")
        return BaseModel(hf_dir=p.resolve())
    reg = Registry(settings)
    try:
        entry = reg.get(base)
    except RegistryError as exc:
        raise BaseModelError(str(exc)) from exc
    if entry.format != "gguf":
        raise BaseModelError(f"model '{base}' is {entry.format}, expected a GGUF")
    hf = entry.card.get("hf_dir")  # a registered model may name its own transformers source
    if hf and (Path(hf) / "config.json").is_file():
        target = Path(hf)
    else:
        target = cache_dir(settings) / f"{entry.id}-{entry.sha256[:12]}"
        if not (target / "model.safetensors").is_file():
            convert_gguf(Path(entry.path), target)
    return BaseModel(hf_dir=target, registry_id=entry.id, gguf_path=Path(entry.path), licence=entry.licence)


def convert_gguf(gguf: Path, target: Path) -> Path:
    """De-quantise a GGUF into a safetensors directory (model + tokenizer + chat template)."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise BaseModelError("training needs the train extra: pip install torch==2.13.0 && pip install 'partages[train]'") from exc
    try:
        import gguf as _gguf_pkg  # noqa: F401
    except ImportError as exc:
        raise BaseModelError("reading a GGUF with transformers needs: pip install gguf") from exc
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # The de-quantised weights are plain float tensors; drop the GGUF "quantizer" marker so
    # save_pretrained accepts them.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    apply_chat_template(tok)
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    (tmp / "partages_source.json").write_text(json.dumps({"gguf": str(gguf), "name": gguf.name}), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def apply_chat_template(tokenizer) -> None:
    """Set the project's Gemma turn template (the base model has none)."""
    tokenizer.chat_template = GEMMA_TEMPLATE
