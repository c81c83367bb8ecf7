"""Training: recipes (YAML → TRL configs), LoRA/full fine-tuning with TRL + PEFT + accelerate,
base models converted once from the registry's GGUF, and export back to GGUF for serving."""

from partages.training.base_model import BaseModel, BaseModelError, apply_chat_template, convert_gguf, resolve_base
from partages.training.errors import TrainingError
from partages.training.recipe import LoraConfig, Recipe, load_recipe
from partages.training.trainer import TrainResult, run_recipe

__all__ = [
    "BaseModel", "BaseModelError", "LoraConfig", "Recipe", "TrainResult", "TrainingError", "apply_chat_template",
    "convert_gguf", "load_recipe", "resolve_base", "run_recipe",
]
