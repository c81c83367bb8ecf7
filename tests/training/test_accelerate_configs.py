"""The documented accelerate configurations parse with accelerate's own config loader (they are
untested on GPU: no GPU on the development machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "recipes" / "accelerate").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_accelerate_config_parses(path: Path) -> None:
    from accelerate.commands.config.config_args import load_config_from_file

    cfg = load_config_from_file(str(path))
    assert cfg.num_processes == 8 and cfg.mixed_precision == "bf16"
    assert cfg.distributed_type.value in ("MULTI_GPU", "FSDP", "DEEPSPEED")
    if cfg.distributed_type.value == "FSDP":
        assert cfg.fsdp_config["fsdp_transformer_layer_cls_to_wrap"] == "Gemma3DecoderLayer"
    if cfg.distributed_type.value == "DEEPSPEED":
        assert cfg.deepspeed_config["zero_stage"] in (2, 3)


def test_recipes_parse() -> None:
    from partages.training import load_recipe

    for name in ("sft-gemma3-270m", "cpt-gemma3-270m"):
        r = load_recipe(ROOT / "recipes" / f"{name}.yaml")
        assert r.base == "gemma3-270m" and r.lora is not None
    from partages.corpus import load_config

    for name in ("corpus-sft", "corpus-cpt"):
        assert load_config(ROOT / "recipes" / f"{name}.yaml").sources
