"""One hospital's share of a round: load the base with a LoRA adapter, put the global adapter
weights in, score the held-out records, run the recipe's SFT for a few local steps with TRL,
and hand back the new adapter weights.

The model is built the way ``partages train`` builds it (same base resolution, chat template,
LoRA config and TRL config from the recipe), so a federated adapter exports and serves like
any trained one. The optimiser starts afresh each round (plain FedAvg: only weights are
averaged); the learning rate is constant unless the recipe's ``train`` says otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.federated.errors import FederatedError
from partages.training.recipe import Recipe

# Local rounds are short: a warm-up or a decay restarted every round would mostly slow learning.
LOCAL_DEFAULTS: dict[str, Any] = {"lr_scheduler_type": "constant", "warmup_steps": 0}


@dataclass
class LocalModel:
    model: Any  # peft.PeftModel
    tokenizer: Any


def require_federated_extra() -> None:
    try:
        import flwr  # noqa: F401
        import peft  # noqa: F401
        import torch  # noqa: F401
        import trl  # noqa: F401
    except ImportError as exc:
        raise FederatedError("federated training needs: pip install torch==2.13.0 && pip install 'partages[train,federated]'") from exc


def load_model(hf_dir: Path, recipe: Recipe) -> LocalModel:
    """Base model + a fresh LoRA adapter, seeded: the server's initial adapter is this one."""
    import torch
    from peft import get_peft_model

    from partages.training.trainer import load_base, lora_config

    if recipe.lora is None or recipe.full_finetune:
        raise FederatedError(f"{recipe.path}: federated training exchanges LoRA adapters: set 'lora' and not 'full_finetune'")
    if recipe.kind != "sft":
        raise FederatedError(f"{recipe.path}: federated training runs SFT recipes (kind: sft), not {recipe.kind}")
    if recipe.threads:
        torch.set_num_threads(recipe.threads)
    torch.manual_seed(recipe.seed)
    tokenizer, model = load_base(hf_dir)
    return LocalModel(get_peft_model(model, lora_config(recipe)), tokenizer)


def get_adapter(lm: LocalModel) -> dict[str, Any]:
    """The LoRA tensors only (names without the adapter name), as PEFT saves them."""
    from peft import get_peft_model_state_dict

    return {k: v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(lm.model).items()}


def set_adapter(lm: LocalModel, state: dict[str, Any]) -> None:
    import torch
    from peft import set_peft_model_state_dict

    expected = set(get_adapter(lm))
    if set(state) != expected:
        missing, extra = expected - set(state), set(state) - expected
        raise FederatedError(f"adapter mismatch: {len(missing)} tensors missing, {len(extra)} unexpected (same recipe and base on every side?)")
    set_peft_model_state_dict(lm.model, {k: torch.as_tensor(v) for k, v in state.items()})


def _trainer(lm: LocalModel, recipe: Recipe, work_dir: Path, train: list[dict], heldout: list[dict], steps: int):
    from datasets import Dataset
    from trl import SFTTrainer

    from partages.training.trainer import trl_config

    r = recipe.model_copy(update={"train": LOCAL_DEFAULTS | recipe.train | {
        "max_steps": max(1, steps), "save_strategy": "no", "logging_steps": 1, "eval_strategy": "no"}})
    args = trl_config(r, work_dir, has_eval=False)
    return SFTTrainer(model=lm.model, args=args, train_dataset=Dataset.from_list(train),
                      eval_dataset=Dataset.from_list(heldout) if heldout else None, processing_class=lm.tokenizer)


def train_round(lm: LocalModel, recipe: Recipe, work_dir: Path, train: list[dict], heldout: list[dict], steps: int) -> dict[str, float]:
    """Held-out loss of the weights received (the global model, on this hospital's records),
    then ``steps`` optimiser steps. Returns numbers only."""
    trainer = _trainer(lm, recipe, work_dir, train, heldout, steps)
    metrics: dict[str, float] = {}
    if heldout:
        metrics["heldout_loss"] = float(trainer.evaluate()["eval_loss"])
    t0 = time.time()
    out = trainer.train()
    metrics |= {"train_loss": float(out.training_loss), "steps": float(trainer.state.global_step),
                "train_seconds": round(time.time() - t0, 2)}
    return metrics


def heldout_loss(lm: LocalModel, recipe: Recipe, work_dir: Path, heldout: list[dict]) -> float:
    """Mean completion-token loss on held-out records (the recipe's max length)."""
    trainer = _trainer(lm, recipe, work_dir, heldout, heldout, 1)
    return float(trainer.evaluate()["eval_loss"])
