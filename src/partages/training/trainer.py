"""Run a recipe: TRL ``SFTTrainer`` (CPT and SFT) or ``DPOTrainer``, LoRA through PEFT,
accelerate underneath (``accelerate launch --config_file recipes/accelerate/...`` for several GPUs).

Memory on CPU: TRL patches the model with a fused LM head that projects only the positions
whose label is not ignored, in tiles, so the 262k-vocabulary logits of a whole batch are never
materialised; with ``completion_only_loss`` those positions are the answer tokens only.

Outputs in ``output_dir``: ``checkpoint-N/`` (resumable), ``adapter/`` (final LoRA adapter or
full model, tokenizer with the project's chat template), ``loss_curve.png``,
``log_history.json`` and ``training_card.json`` (recipe, base, data card, held-out loss before
and after).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.config import Settings
from partages.training.base_model import apply_chat_template, resolve_base
from partages.training.data import load_splits
from partages.training.errors import TrainingError
from partages.training.plots import save_loss_curve
from partages.training.recipe import Recipe

CARD_FILE = "training_card.json"


@dataclass
class TrainResult:
    output_dir: Path
    adapter_dir: Path
    card: dict[str, Any]


def _require_train_extra() -> None:
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
        import trl  # noqa: F401
    except ImportError as exc:
        raise TrainingError("training needs the train extra: pip install torch==2.13.0 && pip install 'partages[train]'") from exc


def _data_card(recipe: Recipe) -> dict[str, Any] | None:
    for p in recipe.data_paths:
        card = (p if p.is_dir() else p.parent) / "data_card.json"
        if card.is_file():
            return json.loads(card.read_text(encoding="utf-8"))
    return None


def trl_config(recipe: Recipe, output_dir: Path, has_eval: bool):
    from trl import DPOConfig, SFTConfig

    defaults: dict[str, Any] = {
        "output_dir": str(output_dir),
        "max_length": recipe.max_length,
        "seed": recipe.seed,
        "logging_steps": 5,
        "save_steps": 25,
        "save_total_limit": 2,
        "report_to": "none",
        "use_cpu": True,
        "dataloader_num_workers": 0,
        "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 8,
        "learning_rate": 2e-4,
        "lr_scheduler_type": "cosine",
        "warmup_steps": 5,
        "bf16": False,
        "gradient_checkpointing": False,  # TRL's default is on; on CPU compute, not memory, is the limit
    }
    if has_eval:
        defaults |= {"eval_strategy": "steps", "eval_steps": 50}
    if recipe.kind == "dpo":
        cls = DPOConfig
    else:
        cls = SFTConfig
        defaults |= {"completion_only_loss": recipe.kind == "sft", "packing": False, "dataset_num_proc": None}
        if recipe.kind == "cpt":
            defaults["dataset_text_field"] = "text"
    params = defaults | recipe.train
    try:
        return cls(**params)
    except TypeError as exc:
        raise TrainingError(f"{recipe.path}: train: {exc}") from exc


def load_base(hf_dir: Path):
    """(tokenizer with the project's chat template and a pad token, fp32 model): how every
    trainer here — ``partages train`` and the federated clients — starts from a base."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(hf_dir)
    apply_chat_template(tokenizer)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32)


def lora_config(recipe: Recipe):
    """The recipe's PEFT ``LoraConfig`` (its ``lora`` section must be set)."""
    from peft import LoraConfig

    lora = recipe.lora
    return LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, target_modules=lora.target_modules, task_type="CAUSAL_LM")


def run_recipe(recipe: Recipe, settings: Settings, *, resume: bool = False, output_dir: Path | None = None) -> TrainResult:
    _require_train_extra()
    import torch
    from transformers import TrainerCallback

    if recipe.threads:
        torch.set_num_threads(recipe.threads)
    out = Path(output_dir or recipe.output_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    base = resolve_base(settings, recipe.base)
    tokenizer, model = load_base(base.hf_dir)
    train_ds, eval_ds = load_splits(recipe)

    peft_config = None
    if not recipe.full_finetune:
        if recipe.lora is None:
            raise TrainingError(f"{recipe.path}: set 'lora' or 'full_finetune: true'")
        peft_config = lora_config(recipe)
    args = trl_config(recipe, out, eval_ds is not None)
    title = f"{recipe.name} ({recipe.kind}, base {recipe.base})"

    class PlotCallback(TrainerCallback):
        """Keep loss_curve.png current while a long run goes on (a run may be watched or killed),
        and stop cleanly (checkpoint + final evaluation) when ``max_wall_seconds`` is spent: on
        shared CPUs the step time is not predictable, a deadline is."""

        def on_save(self, args_, state, control, **kw):
            save_loss_curve(state.log_history, out, title, before.get("eval_loss"))

        def on_step_end(self, args_, state, control, **kw):
            if recipe.max_wall_seconds and time.time() - t0 > recipe.max_wall_seconds:
                control.should_training_stop = True
                control.should_save = True

    if recipe.kind == "dpo":
        from trl import DPOTrainer

        trainer = DPOTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, processing_class=tokenizer,
                             peft_config=peft_config, callbacks=[PlotCallback()])
    else:
        from trl import SFTTrainer

        trainer = SFTTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, processing_class=tokenizer,
                             peft_config=peft_config, callbacks=[PlotCallback()])

    t0 = time.time()
    has_ckpt = any(out.glob("checkpoint-*"))
    before: dict[str, float] = {}
    prior = out / CARD_FILE
    if resume and has_ckpt and prior.is_file():
        before = json.loads(prior.read_text(encoding="utf-8")).get("eval_before", {})
    elif eval_ds is not None:
        before = trainer.evaluate()
        _write_card(out, recipe, base, {"eval_before": before, "status": "running"})
    t_train = time.time()
    train_out = trainer.train(resume_from_checkpoint=True if (resume and has_ckpt) else None)
    wall = time.time() - t_train
    after = trainer.evaluate() if eval_ds is not None else {}
    adapter_dir = out / "adapter"
    shutil.rmtree(adapter_dir, ignore_errors=True)
    trainer.save_model(str(adapter_dir))
    tokenizer.save_pretrained(adapter_dir)
    save_loss_curve(trainer.state.log_history, out, title, before.get("eval_loss"))
    card = _write_card(out, recipe, base, {
        "status": "done",
        "eval_before": before,
        "eval_after": after,
        "train": {k: v for k, v in train_out.metrics.items()},
        "steps": trainer.state.global_step,
        "train_examples": len(train_ds),
        "eval_examples": len(eval_ds) if eval_ds is not None else 0,
        "wall_seconds": round(wall, 1),
        "torch_threads": torch.get_num_threads(),
    })
    return TrainResult(out, adapter_dir, card)


def _write_card(out: Path, recipe: Recipe, base, extra: dict[str, Any]) -> dict[str, Any]:
    card = {
        "recipe": recipe.model_dump(mode="json"),
        "base": {"id": base.registry_id, "hf_dir": str(base.hf_dir), "gguf": str(base.gguf_path) if base.gguf_path else None,
                 "licence": base.licence},
        "data_card": _data_card(recipe),
        "licence": "Gemma Terms of Use (https://ai.google.dev/gemma/terms) apply to the base and its derivatives"
        if (base.licence or "").lower().startswith("gemma") or "gemma" in recipe.base.lower() else base.licence,
        **extra,
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return card
