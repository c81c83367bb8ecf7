"""End to end on a tiny randomly initialised Gemma 3: corpus build → SFT a few steps (and resume)
→ export to a GGUF LoRA with llama.cpp's converter → registry → chat completion through a real
`partages serve` with the official openai client."""

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
from tests.conftest import start_gateway, stop_gateway
from tests.training.tiny_model import build_tiny_gemma3

runner = CliRunner()

QUESTIONS = [
    ("Quelle est la voie d'administration du paracétamol en comprimé ?", "La voie orale."),
    ("Quel organe filtre le sang pour produire l'urine ?", "Le rein."),
    ("Quel est le principal signe d'une hypoglycémie ?", "Des sueurs et une faiblesse."),
    ("Quelle vitamine est liée à la coagulation ?", "La vitamine K."),
    ("Quel examen mesure l'activité électrique du cœur ?", "L'électrocardiogramme."),
    ("Quelle hormone fait baisser la glycémie ?", "L'insuline."),
    ("Quel antibiotique appartient aux pénicillines ?", "L'amoxicilline."),
    ("Quel vaisseau ramène le sang au cœur ?", "La veine cave."),
]


@pytest.fixture(scope="module")
def tiny_home(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    """A PARTAGES_HOME whose registry holds the tiny model as a GGUF (converted by llama.cpp's
    own script) with its transformers source named in the card."""
    home = tmp_path_factory.mktemp("tiny-home")
    texts = [q["question"] for q in json.loads((settings.data_dir / "frenchmedmcqa" / "train.json").read_text(encoding="utf-8"))]
    texts += [f"{q} {a}" for q, a in QUESTIONS] * 5
    hf = build_tiny_gemma3(home / "tiny-hf", texts)
    gguf = home / "tiny-base.gguf"
    run_script(scripts_dir(home / "cache"), "convert_hf_to_gguf.py", ["--outfile", str(gguf), "--outtype", "f32", str(hf)], home / "convert.log")
    Registry(Settings(home=home)).import_gguf(gguf, "tiny-gemma3", chat_template="gemma", licence="Apache-2.0 (random test weights)",
                                              card={"hf_dir": str(hf)})
    return home


def test_corpus_train_export_serve(tiny_home: Path, tmp_path: Path) -> None:
    home = str(tiny_home)
    # 1. corpus: chat records with a duplicate, a bad line and a record carrying a phone number
    src = tmp_path / "qa.jsonl"
    lines = [json.dumps({"id": f"q{i}", "messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}, ensure_ascii=False)
             for i, (q, a) in enumerate(QUESTIONS * 2)]  # each question twice: 8 near-duplicates
    lines.append("{broken")
    lines.append(json.dumps({"id": "phi", "messages": [{"role": "user", "content": "Rappeler la patiente au 06 12 34 56 78 demain."},
                                                       {"role": "assistant", "content": "D'accord, je note le rappel."}]}, ensure_ascii=False))
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = tmp_path / "corpus.yaml"
    cfg.write_text(yaml.safe_dump({
        "name": "tiny", "sources": [{"type": "jsonl", "path": "qa.jsonl", "name": "qa", "licence": "CC0 1.0"}],
        "quality": {"min_words": 2}, "gate": {"detector": "deid", "scope": "all"}, "tokenizer": "tiny-gemma3",
    }), encoding="utf-8")
    corpus = tmp_path / "corpus"
    r = runner.invoke(app, ["corpus", "build", "--config", str(cfg), "--out", str(corpus), "--home", home, "--json"])
    assert r.exit_code == 0, r.output
    card = json.loads((corpus / "data_card.json").read_text(encoding="utf-8"))
    assert card["totals"]["documents"] == 8
    assert card["sources"][0]["bad_records"] == 1 and card["sources"][0]["errors"][0].endswith("qa.jsonl:17: invalid JSON (Expecting property name enclosed in double quotes)")
    stages = {s["name"]: s for s in card["stages"]}
    assert stages["gate"]["dropped_identifier"] == 1 and stages["gate"]["rejected_label_TEL"] == 1
    assert stages["dedup"]["dropped_near_duplicate"] == 8
    assert card["token_unit"] == "tiny-gemma3 tokenizer"

    # 2. SFT a few steps, then resume to more steps from the checkpoint
    recipe = tmp_path / "sft-tiny.yaml"
    recipe.write_text(yaml.safe_dump({
        "kind": "sft", "base": "tiny-gemma3", "data": str(corpus), "eval_size": 2, "max_length": 64, "threads": 2,
        "lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": "all-linear"}, "output_dir": str(tmp_path / "run"),
        "train": {"max_steps": 4, "learning_rate": 5e-3, "per_device_train_batch_size": 2, "save_steps": 2, "logging_steps": 1,
                  "warmup_steps": 0, "lr_scheduler_type": "constant"},
    }), encoding="utf-8")
    r = runner.invoke(app, ["train", "sft", "--recipe", str(recipe), "--home", home, "--json"])
    assert r.exit_code == 0, r.output
    tc = json.loads((tmp_path / "run" / "training_card.json").read_text(encoding="utf-8"))
    assert tc["steps"] == 4 and tc["train_examples"] == 6 and tc["eval_examples"] == 2
    assert tc["eval_after"]["eval_loss"] < tc["eval_before"]["eval_loss"]
    assert (tmp_path / "run" / "loss_curve.png").stat().st_size > 1000
    assert (tmp_path / "run" / "checkpoint-4").is_dir()
    r = runner.invoke(app, ["train", "sft", "--recipe", str(recipe), "--home", home, "--resume", "--max-steps", "6", "--json"])
    assert r.exit_code == 0, r.output
    tc2 = json.loads((tmp_path / "run" / "training_card.json").read_text(encoding="utf-8"))
    assert tc2["steps"] == 6 and tc2["eval_before"] == tc["eval_before"]
    adapter = tmp_path / "run" / "adapter"
    assert (adapter / "adapter_model.safetensors").is_file()

    # 3. export as a GGUF LoRA on top of the registered base, with a model card
    pkg = tmp_path / "adapters" / "tiny-sft"
    r = runner.invoke(app, ["export", "gguf", "--adapter", str(adapter), "--name", "tiny-sft", "--package", str(pkg), "--home", home, "--json"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in pkg.iterdir()) == ["MODEL_CARD.md", "loss_curve.png", "model_card.json", "tiny-sft.lora.gguf", "training_card.json"]
    r = runner.invoke(app, ["export", "register", str(pkg), "--name", "tiny-sft-shipped", "--home", home, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["lora_path"] == str(pkg / "tiny-sft.lora.gguf")
    entry = Registry(Settings(home=tiny_home)).get("tiny-sft")
    assert entry.lora_path and Path(entry.lora_path).read_bytes()[:4] == b"GGUF"
    assert entry.path == Registry(Settings(home=tiny_home)).get("tiny-gemma3").path
    assert entry.card["base"] == "tiny-gemma3" and entry.card["training"]["steps"] == 6
    assert entry.card["data"]["sources"][0] == {"name": "qa", "licence": "CC0 1.0", "kept_documents": 8, "kept_tokens": card["sources"][0]["kept_tokens"]}

    # 4. llama.cpp serves base + LoRA through the gateway
    gw = start_gateway(tiny_home, args=["--model", "tiny-sft"])
    try:
        resp = gw.client("clinician").chat.completions.create(
            model="tiny-sft", messages=[{"role": "user", "content": QUESTIONS[0][0]}], max_tokens=8, temperature=0)
        assert resp.choices[0].finish_reason in ("stop", "length")
        assert isinstance(resp.choices[0].message.content, str)
        assert 0 < resp.usage.completion_tokens <= 8
    finally:
        stop_gateway(gw)


def test_bad_recipe_and_missing_adapter_fail_cleanly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: sft\nbase: gemma3-270m\ndata: x\nlr: 3\n", encoding="utf-8")
    def run(*args: str) -> tuple[int, str]:
        r = runner.invoke(app, [*args, "--home", str(tmp_path)])
        return r.exit_code, " ".join(r.output.split())  # rich wraps long lines

    code, text = run("train", "sft", "--recipe", str(bad))
    assert code == 1 and "bad.yaml: lr: Extra inputs are not permitted" in text
    code, text = run("train", "cpt", "--recipe", str(Path(__file__).parents[2] / "recipes" / "sft-gemma3-270m.yaml"))
    assert code == 1 and "is a 'sft' recipe" in text
    code, text = run("export", "gguf", "--adapter", str(tmp_path), "--name", "x")
    assert code == 1 and "not a PEFT adapter" in text
