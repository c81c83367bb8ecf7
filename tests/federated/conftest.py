"""Fixtures for the federated tests: a tiny Gemma 3 registered as a GGUF (as tests/training
does), and hospital corpora built with the real `partages corpus build` (deid gate on)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from partages.cli.app import app
from partages.config import Settings
from partages.models.registry import Registry
from partages.training.llamacpp_tools import run_script, scripts_dir
from tests.training.tiny_model import build_tiny_gemma3

runner = CliRunner()

# Two hospitals with different questions (non-identical data).
HOSPITALS = {
    "a": [("Quelle est la voie d'administration du paracétamol en comprimé ?", "La voie orale."),
          ("Quel organe filtre le sang pour produire l'urine ?", "Le rein."),
          ("Quelle hormone fait baisser la glycémie ?", "L'insuline."),
          ("Quel antibiotique appartient aux pénicillines ?", "L'amoxicilline."),
          ("Quel examen mesure l'activité électrique du cœur ?", "L'électrocardiogramme."),
          ("Quelle vitamine est liée à la coagulation ?", "La vitamine K.")],
    "b": [("Quel vaisseau ramène le sang au cœur ?", "La veine cave."),
          ("Quel est le principal signe d'une hypoglycémie ?", "Des sueurs et une faiblesse."),
          ("Quelle glande produit la thyroxine ?", "La thyroïde."),
          ("Quel muscle sépare le thorax de l'abdomen ?", "Le diaphragme."),
          ("Quel os forme la cuisse ?", "Le fémur."),
          ("Quel organe produit la bile ?", "Le foie.")],
}

TEXTS = [a for qa in HOSPITALS.values() for q, a in qa] + [q for qa in HOSPITALS.values() for q, a in qa]


@pytest.fixture(scope="session")
def fed_home(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    home = tmp_path_factory.mktemp("fed-home")
    texts = [q["question"] for q in json.loads((settings.data_dir / "frenchmedmcqa" / "train.json").read_text(encoding="utf-8"))]
    texts += [f"{q} {a}" for qa in HOSPITALS.values() for q, a in qa] * 5
    hf = build_tiny_gemma3(home / "tiny-hf", texts)
    gguf = home / "tiny-base.gguf"
    run_script(scripts_dir(home / "cache"), "convert_hf_to_gguf.py", ["--outfile", str(gguf), "--outtype", "f32", str(hf)], home / "convert.log")
    Registry(Settings(home=home)).import_gguf(gguf, "tiny-gemma3", chat_template="gemma", licence="Apache-2.0 (random test weights)",
                                              card={"hf_dir": str(hf)})
    return home


@pytest.fixture(scope="session")
def hospitals(tmp_path_factory: pytest.TempPathFactory, fed_home: Path) -> dict[str, Path]:
    """name → corpus folder built by `partages corpus build` from the hospital's JSONL notes."""
    root = tmp_path_factory.mktemp("hospitals")
    out = {}
    for name, qa in HOSPITALS.items():
        src = root / f"{name}.jsonl"
        src.write_text("\n".join(json.dumps({"id": f"{name}{i}", "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]},
                                            ensure_ascii=False) for i, (q, a) in enumerate(qa)) + "\n", encoding="utf-8")
        cfg = root / f"{name}.yaml"
        cfg.write_text(yaml.safe_dump({"name": f"hospital-{name}", "sources": [{"type": "jsonl", "path": src.name, "name": f"notes-{name}", "licence": "CC0 1.0"}],
                                       "quality": {"min_words": 2}, "dedup": {"threshold": 0.95}, "gate": {"detector": "rules", "scope": "all"},
                                       "tokenizer": "tiny-gemma3"}), encoding="utf-8")
        r = runner.invoke(app, ["corpus", "build", "--config", str(cfg), "--out", str(root / name), "--home", str(fed_home), "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads((root / name / "data_card.json").read_text(encoding="utf-8"))["totals"]["documents"] == len(qa)
        out[name] = root / name
    return out


@pytest.fixture()
def recipe(tmp_path: Path) -> Path:
    p = tmp_path / "fed-tiny.yaml"
    p.write_text(yaml.safe_dump({
        "kind": "sft", "base": "tiny-gemma3", "data": "unused", "eval_size": 2, "max_length": 64, "threads": 1, "seed": 0,
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": "all-linear"},
        "train": {"learning_rate": 5e-3, "per_device_train_batch_size": 2, "per_device_eval_batch_size": 4},
    }), encoding="utf-8")
    return p
