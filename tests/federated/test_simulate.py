"""A whole federation through `partages federated simulate`: two hospitals plus one whose data
is malformed, real Flower SuperLink/SuperNodes over loopback, the tiny Gemma 3. The broken
client's round fails with a clear message in the server's log and report while the others
carry on; the global adapter is checkpointed each round, exported, registered and loaded by
the real llama.cpp engine."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from partages.cli.app import app
from partages.config import Settings
from partages.models.registry import Registry
from tests.federated.conftest import TEXTS

runner = CliRunner()


def test_simulate_two_hospitals_and_a_broken_one(fed_home: Path, hospitals: dict[str, Path], recipe: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "shard-00000.parquet").write_bytes(b"PAR1 this is not parquet")
    out = tmp_path / "run"
    r = runner.invoke(app, ["federated", "simulate", "--recipe", str(recipe), "--data", str(hospitals["a"]), "--data", str(hospitals["b"]),
                            "--data", str(broken), "--min-clients", "2", "--rounds", "2", "--local-steps", "2", "--out", str(out),
                            "--name", "tiny-federated", "--home", str(fed_home), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["rounds_completed"] == 2 and doc["model"] == "tiny-federated"

    rounds = [json.loads(line) for line in (out / "rounds.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["round"] for x in rounds] == [1, 2]
    for rnd in rounds:
        assert rnd["sampled"] == 3 and rnd["aggregated"] and not rnd["dropouts"]
        assert sorted(c["hospital"] for c in rnd["clients"]) == [0, 1]
        # the broken hospital's failure: a clear message naming the file, no stack trace
        (fail,) = rnd["failures"]
        assert "hospital 2:" in fail["reason"] and "shard-00000.parquet: unreadable shard" in fail["reason"]
        assert "Traceback" not in fail["reason"]
        adapter_bytes = doc["adapter_bytes"]
        for c in rnd["clients"]:
            # the adapter goes out and comes back, plus a few metric bytes
            assert adapter_bytes <= c["bytes_sent"] < adapter_bytes + 200
            assert adapter_bytes <= c["bytes_received"] < adapter_bytes + 500
            assert c["num_examples"] == c["train_examples"] == 5 and c["heldout_examples"] == 1 and c["steps"] == 2
            assert c["heldout_loss"] > 0 and c["train_loss"] > 0
        assert rnd["bytes_sent"] >= 3 * adapter_bytes  # the broken hospital was sent the adapter too
        assert rnd["bytes_received"] == sum(c["bytes_received"] for c in rnd["clients"])
        assert Path(rnd["checkpoint"]).is_file()
    # the global model improves on the hospitals' held-out records between rounds
    mean = [sum(c["heldout_loss"] for c in x["clients"]) / 2 for x in rounds]
    assert mean[1] < mean[0]
    assert doc["bytes_total"] == sum(x["bytes_sent"] + x["bytes_received"] for x in rounds)

    log = (out / "logs" / "server.log").read_text(encoding="utf-8", errors="replace")
    assert "failed: " in log and "unreadable shard" in log
    report = (out / "REPORT.md").read_text(encoding="utf-8")
    assert "| 1 | 2 | 1 | 0 |" in report and "unreadable shard" in report and "tiny-federated" in report
    assert (out / "loss_per_client.png").stat().st_size > 5000 and (out / "communication_per_round.png").stat().st_size > 5000

    # nothing a hospital holds reached the server: not in its logs, state, checkpoints or run folder
    for f in out.rglob("*"):
        if f.is_file() and f.suffix not in (".gguf",):
            blob = f.read_bytes()
            for text in TEXTS:
                assert text.encode() not in blob, f"{f.name} holds hospital text"

    # registered like any trained model and loadable by the real engine
    r = runner.invoke(app, ["models", "list", "--home", str(fed_home), "--json"])
    assert r.exit_code == 0 and "tiny-federated" in r.output
    entry = Registry(Settings(home=fed_home)).get("tiny-federated")
    assert entry.lora_path and Path(entry.lora_path).read_bytes()[:4] == b"GGUF"
    assert entry.card["training"]["steps"] == 8  # 2 rounds × 2 clients × 2 local steps
    from partages.engines.factory import load_engine

    eng = load_engine(Settings(home=fed_home, n_threads=1, n_ctx=512), "tiny-federated")
    try:
        from partages.engines.base import ChatMessage, SamplingParams

        res = eng.chat([ChatMessage(role="user", content="Quel organe filtre le sang ?")], SamplingParams(max_tokens=4, temperature=0))
        assert 0 < res.completion_tokens <= 4
    finally:
        eng.close()
