"""Recipes: small YAML files mapped onto TRL configs.

```yaml
kind: sft                     # cpt | sft | dpo
base: gemma3-270m             # registry id (GGUF converted once) or a transformers directory
data: corpora/sft             # output of `partages corpus build` (or Parquet/JSONL files)
sources: [frenchmedmcqa, bdpm]  # optional: keep only these corpus sources
eval_size: 64                 # held-out records (seeded), evaluated before and after training
max_length: 256
lora: {r: 16, alpha: 32, dropout: 0.05, target_modules: all-linear}
full_finetune: false
threads: 2
output_dir: runs/sft-gemma3-270m
train:                        # passed as-is to trl.SFTConfig / trl.DPOConfig
  learning_rate: 2.0e-4
  max_steps: 150
  per_device_train_batch_size: 4
```
Unknown top-level keys are errors; unknown ``train`` keys are reported by TRL itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from partages.training.errors import TrainingError


class LoraConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] | str = "all-linear"


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    kind: Literal["cpt", "sft", "dpo"]
    base: str = "gemma3-270m"
    data: list[str] | str
    sources: list[str] | None = None
    max_records: int | None = None
    eval_size: int = 64
    max_length: int = 256
    lora: LoraConfig | None = Field(default_factory=LoraConfig)
    full_finetune: bool = False
    threads: int | None = None
    max_wall_seconds: float | None = Field(None, description="Stop (checkpoint + final eval) after this long, from start.")
    seed: int = 0
    output_dir: str = "runs/train"
    train: dict[str, Any] = Field(default_factory=dict)
    path: str | None = Field(None, description="Where the recipe was read from (set by load_recipe).")

    @property
    def data_paths(self) -> list[Path]:
        items = [self.data] if isinstance(self.data, str) else self.data
        return [Path(p).expanduser() for p in items]


def load_recipe(path: Path, **overrides: Any) -> Recipe:
    path = Path(path)
    if not path.is_file():
        raise TrainingError(f"{path}: no such recipe")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise TrainingError(f"{path}:{mark.line + 1 if mark else '?'}: invalid YAML") from exc
    if not isinstance(raw, dict):
        raise TrainingError(f"{path}: expected a mapping")
    raw.update({k: v for k, v in overrides.items() if v is not None})
    raw.setdefault("name", path.stem)
    raw["path"] = str(path)
    try:
        return Recipe(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise TrainingError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
