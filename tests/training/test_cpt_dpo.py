"""Continued pretraining and preference tuning run from recipes on a tiny random Gemma 3 given as
a transformers directory (the other base kind a recipe accepts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from partages.cli.app import app
from tests.training.tiny_model import build_tiny_gemma3

runner = CliRunner()
TEXTS = [
    "La pneumopathie communautaire se traite en première intention par amoxicilline.",
    "Le rein filtre le sang et produit l'urine.",
    "L'insuline fait baisser la glycémie.",
    "La vitamine K intervient dans la coagulation.",
] * 3


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_gemma3(tmp_path_factory.mktemp("tiny") / "hf", TEXTS * 20, vocab_size=400)


def _recipe(tmp: Path, kind: str, base: Path, data: Path) -> Path:
    r = tmp / f"{kind}.yaml"
    r.write_text(yaml.safe_dump({
        "kind": kind, "base": str(base), "data": str(data), "eval_size": 2, "max_length": 48, "threads": 2,
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0}, "output_dir": str(tmp / kind),
        "train": {"max_steps": 2, "per_device_train_batch_size": 2, "learning_rate": 1e-3, "save_steps": 2, "logging_steps": 1},
    }), encoding="utf-8")
    return r


def test_cpt_on_text_records(tiny_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "text.jsonl"
    data.write_text("\n".join(json.dumps({"text": t, "source": "t", "licence": "CC0"}, ensure_ascii=False) for t in TEXTS) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["train", "cpt", "--recipe", str(_recipe(tmp_path, "cpt", tiny_dir, data)), "--home", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    card = json.loads((tmp_path / "cpt" / "training_card.json").read_text(encoding="utf-8"))
    assert card["steps"] == 2 and card["train_examples"] == 10 and card["base"]["id"] is None
    assert (tmp_path / "cpt" / "adapter" / "adapter_model.safetensors").is_file()


def test_dpo_on_preference_pairs(tiny_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "prefs.jsonl"
    rows = [{"prompt": [{"role": "user", "content": f"Question {i} : quel organe filtre le sang ?"}],
             "chosen": [{"role": "assistant", "content": "Le rein."}],
             "rejected": [{"role": "assistant", "content": "Le poumon, sans aucun doute."}]} for i in range(12)]
    data.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in rows) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["train", "dpo", "--recipe", str(_recipe(tmp_path, "dpo", tiny_dir, data)), "--home", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    card = json.loads((tmp_path / "dpo" / "training_card.json").read_text(encoding="utf-8"))
    assert card["steps"] == 2 and card["eval_examples"] == 2
    assert "eval_rewards/margins" in card["eval_after"]
