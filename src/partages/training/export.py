"""``partages export gguf``: a trained adapter → a GGUF the gateway serves, registered with a card.

Two outputs, chosen by what the base is:
- base from the registry (a GGUF, e.g. the embedded Gemma 3 270M): a **GGUF LoRA adapter**
  (``convert_lora_to_gguf.py``) served on top of the unchanged base GGUF through the registry's
  ``lora_path``. Small (a few MB), and the base keeps its quantisation.
- ``--merge`` or a transformers-directory base: LoRA merged into the weights (PEFT
  ``merge_and_unload``) and the whole model converted (``convert_hf_to_gguf.py``). The base
  directory must carry a SentencePiece ``tokenizer.model`` for llama.cpp's converter.

The model card gathers base, data card summary, recipe, held-out loss, optional evaluation
results and the licence (Gemma Terms of Use for Gemma derivatives).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.config import Settings
from partages.models.registry import ModelEntry, Registry, RegistryError
from partages.training.base_model import BaseModelError, resolve_base
from partages.training.errors import TrainingError
from partages.training.llamacpp_tools import run_script, scripts_dir
from partages.training.trainer import CARD_FILE

GEMMA_TERMS = "Gemma Terms of Use (https://ai.google.dev/gemma/terms)"


@dataclass
class ExportResult:
    entry: ModelEntry
    gguf: Path
    lora: Path | None
    card: dict[str, Any]


def _training_card(adapter: Path) -> dict[str, Any]:
    for p in (adapter / CARD_FILE, adapter.parent / CARD_FILE):
        if p.is_file():
            return json.loads(p.read_text(encoding="utf-8"))
    raise TrainingError(f"{adapter}: no {CARD_FILE} beside the adapter (was it written by `partages train`?)")


def model_card(name: str, training: dict[str, Any], artefact: str, evals: dict[str, Any] | None) -> dict[str, Any]:
    data = training.get("data_card") or {}
    base = training.get("base") or {}
    recipe = training.get("recipe") or {}
    is_gemma = "gemma" in str(base.get("id") or recipe.get("base") or "").lower() or str(base.get("licence") or "").lower().startswith("gemma")
    return {
        "name": name,
        "base": base.get("id") or recipe.get("base"),
        "base_licence": base.get("licence"),
        "licence": f"{GEMMA_TERMS}: the terms apply to this derivative" if is_gemma else (base.get("licence") or "see base"),
        "artefact": artefact,
        "recipe": {k: recipe.get(k) for k in ("name", "kind", "max_length", "lora", "full_finetune", "train", "seed", "path")},
        "data": {
            "name": data.get("name"),
            "totals": data.get("totals"),
            "sources": [{k: s.get(k) for k in ("name", "licence", "kept_documents", "kept_tokens")} for s in data.get("sources", [])],
            "config_fingerprint": data.get("config_fingerprint"),
        } if data else None,
        "training": {
            "steps": training.get("steps"),
            "held_out_loss_before": (training.get("eval_before") or {}).get("eval_loss"),
            "held_out_loss_after": (training.get("eval_after") or {}).get("eval_loss"),
            "wall_seconds": training.get("wall_seconds"),
        },
        "evaluation": evals or {},
        "chat_template": "gemma (Partages turn format, taught by SFT)",
        "intended_use": "Research and development of French medical assistants; outputs must be checked by a clinician.",
    }


def render_card_markdown(card: dict[str, Any]) -> str:
    lines = [f"# Model card: {card['name']}", "", f"- Base: `{card['base']}`", f"- Licence: {card['licence']}",
             f"- Artefact: {card['artefact']}", f"- Chat template: {card['chat_template']}", ""]
    t = card["training"]
    lines += ["## Training", "", f"- Recipe: `{card['recipe'].get('path')}` ({card['recipe'].get('kind')}, LoRA {card['recipe'].get('lora')})",
              f"- Steps: {t['steps']}, wall time {t['wall_seconds']} s",
              f"- Held-out loss: {t['held_out_loss_before']} → {t['held_out_loss_after']}", ""]
    if card.get("data"):
        lines += ["## Data", "", "| source | licence | documents | tokens |", "|---|---|---:|---:|"]
        lines += [f"| {s['name']} | {s['licence']} | {s['kept_documents']} | {s['kept_tokens']} |" for s in card["data"]["sources"]]
        lines.append("")
    if card.get("evaluation"):
        lines += ["## Evaluation", "", "```json", json.dumps(card["evaluation"], indent=2, ensure_ascii=False), "```", ""]
    lines += ["## Intended use", "", card["intended_use"], ""]
    return "\n".join(lines)


def export_gguf(settings: Settings, adapter: Path, name: str, *, merge: bool = False, out_dir: Path | None = None,
                evals: dict[str, Any] | None = None, outtype: str = "f16") -> ExportResult:
    adapter = Path(adapter).expanduser().resolve()
    if not (adapter / "adapter_config.json").is_file() and not (adapter / "config.json").is_file():
        raise TrainingError(f"{adapter}: not a PEFT adapter or model directory")
    training = _training_card(adapter)
    base_spec = (training.get("recipe") or {}).get("base")
    try:
        base = resolve_base(settings, base_spec)
    except BaseModelError as exc:
        raise TrainingError(str(exc)) from exc
    out = Path(out_dir or settings.models_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    scripts = scripts_dir(settings.home / "cache")
    is_lora = (adapter / "adapter_config.json").is_file()
    reg = Registry(settings)
    if is_lora and not merge and base.gguf_path is not None:
        lora = out / f"{name}.lora.gguf"
        run_script(scripts, "convert_lora_to_gguf.py",
                   ["--base", str(base.hf_dir), "--outfile", str(lora), "--outtype", outtype, str(adapter)], out / f"{name}.export.log")
        card = model_card(name, training, f"GGUF LoRA adapter {lora.name} on top of {base.gguf_path.name}", evals)
        (out / f"{name}.MODEL_CARD.md").write_text(render_card_markdown(card), encoding="utf-8")
        try:
            entry = reg.import_gguf(base.gguf_path, name, licence=card["licence"], chat_template="gemma", lora_path=lora, card=card, source="partages export")
        except RegistryError as exc:
            raise TrainingError(str(exc)) from exc
        return ExportResult(entry, base.gguf_path, lora, card)
    # merged (or full fine-tune) → whole GGUF
    if not (base.hf_dir / "tokenizer.model").is_file():
        raise TrainingError(f"merging needs a SentencePiece tokenizer.model in {base.hf_dir}; export as a LoRA adapter instead (drop --merge)")
    with tempfile.TemporaryDirectory(dir=out, prefix=".merge-") as d:
        merged = Path(d)
        _merge(adapter, base.hf_dir, merged, is_lora)
        gguf = out / f"{name}.gguf"
        run_script(scripts, "convert_hf_to_gguf.py", ["--outfile", str(gguf), "--outtype", outtype, str(merged)], out / f"{name}.export.log")
    card = model_card(name, training, f"merged GGUF {gguf.name}", evals)
    (out / f"{name}.MODEL_CARD.md").write_text(render_card_markdown(card), encoding="utf-8")
    try:
        entry = reg.import_gguf(gguf, name, licence=card["licence"], chat_template="gemma", card=card, source="partages export")
    except RegistryError as exc:
        raise TrainingError(str(exc)) from exc
    return ExportResult(entry, gguf, None, card)


def _merge(adapter: Path, base_dir: Path, target: Path, is_lora: bool) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if is_lora:
        from peft import PeftModel

        model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    else:
        model = AutoModelForCausalLM.from_pretrained(adapter, dtype=torch.float32)
    model.save_pretrained(target, safe_serialization=True)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(target)
    for f in ("tokenizer.model",):
        if (base_dir / f).is_file():
            shutil.copyfile(base_dir / f, target / f)


def package_adapter(result: ExportResult, target: Path, extra_files: dict[str, Path] | None = None, reproduce: str = "") -> Path:
    """Copy an exported GGUF LoRA and its card into a self-contained folder (``adapters/NAME/``)
    that :func:`register_adapter_dir` installs on another machine."""
    if result.lora is None:
        raise TrainingError("only a GGUF LoRA export can be packaged (a merged GGUF is too large to ship)")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(result.lora, target / result.lora.name)
    card = dict(result.card)
    card["lora_file"] = result.lora.name
    card["lora_sha256"] = hashlib.sha256(result.lora.read_bytes()).hexdigest()
    (target / "model_card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    md = render_card_markdown(card)
    if reproduce:
        md += "\n## Reproduce\n\n```bash\n" + reproduce.strip() + "\n```\n"
    (target / "MODEL_CARD.md").write_text(md, encoding="utf-8")
    for name, path in (extra_files or {}).items():
        if path.is_file():
            shutil.copyfile(path, target / name)
    return target


def register_adapter_dir(settings: Settings, folder: Path, name: str | None = None) -> ModelEntry:
    """Register a packaged adapter (``model_card.json`` + GGUF LoRA) on top of its registry base."""
    folder = Path(folder)
    card_path = folder / "model_card.json"
    if not card_path.is_file():
        raise TrainingError(f"{folder}: no model_card.json (not a packaged adapter)")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    lora = folder / card.get("lora_file", "")
    if not lora.is_file():
        raise TrainingError(f"{folder}: the GGUF LoRA named in model_card.json is missing")
    if card.get("lora_sha256"):
        if hashlib.sha256(lora.read_bytes()).hexdigest() != card["lora_sha256"]:
            raise TrainingError(f"{lora}: sha256 does not match model_card.json")
    reg = Registry(settings)
    try:
        base = reg.get(card["base"])
        return reg.import_gguf(Path(base.path), name or card["name"], licence=card.get("licence"), chat_template="gemma",
                               lora_path=lora, card=card, source=f"adapter:{folder.name}")
    except RegistryError as exc:
        raise TrainingError(str(exc)) from exc
