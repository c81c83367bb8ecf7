"""The adapter `make run` serves: it registers on top of the embedded model and answers in turns."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from partages.cli.app import app
from partages.config import Settings
from partages.engines.base import ChatMessage, SamplingParams
from partages.engines.factory import load_engine
from partages.models.registry import Registry

ADAPTER = Path(__file__).resolve().parents[2] / "adapters" / "gemma3-270m-fr-med"


def test_shipped_adapter_registers_and_stops_on_its_own(model_home, tmp_path):
    base = Registry(Settings(home=model_home)).get("gemma3-270m")
    home = tmp_path / "home"
    Registry(Settings(home=home)).import_gguf(Path(base.path), "gemma3-270m", chat_template="gemma")
    r = CliRunner().invoke(app, ["export", "register", str(ADAPTER), "--home", str(home)])
    assert r.exit_code == 0, r.output
    entry = Registry(Settings(home=home)).get("gemma3-270m-fr-med")
    assert entry.lora_path and Path(entry.lora_path).stat().st_size < 20_000_000
    assert entry.card  # model card travels with the model
    engine = load_engine(Settings(home=home, n_ctx=1024, n_threads=2), "gemma3-270m-fr-med")
    try:
        out = engine.chat([ChatMessage("user", "Qu'est-ce que le paracétamol ?")], SamplingParams(max_tokens=96, temperature=0))
    finally:
        engine.close()
    assert out.text.strip()
    assert out.finish_reason == "stop"  # the tuned model ends its turn; the base model runs to max_tokens
