"""Secure aggregation: `partages federated simulate --secagg` runs Flower's SecAgg+ (legacy
workflow + secaggplus_mod). The masked, quantised sum unmasks to a real average: the global
model's held-out loss moves between rounds, and the key-exchange stages show in the bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partages.cli.app import app

runner = CliRunner()


@pytest.mark.slow
def test_secagg_federation(fed_home: Path, hospitals: dict[str, Path], recipe: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    r = runner.invoke(app, ["federated", "simulate", "--recipe", str(recipe), "--data", str(hospitals["a"]), "--data", str(hospitals["b"]),
                            "--rounds", "2", "--local-steps", "2", "--secagg", "--no-export", "--out", str(out), "--home", str(fed_home), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    summary = json.loads((out / "federation.json").read_text(encoding="utf-8"))
    assert doc["rounds_completed"] == 2 and summary["secure_aggregation"].startswith("SecAgg+")
    r1, r2 = doc["rounds"]
    assert sorted(c["hospital"] for c in r1["clients"]) == [0, 1] and not r1["failures"]
    # more than the adapter both ways: the SecAgg+ stages (keys, shares, masked vectors) travel too
    assert r1["bytes_sent"] > 2 * summary["adapter_bytes"] and r1["bytes_received"] > 2 * summary["adapter_bytes"] * 0.9
    assert set(r1["bytes_per_node"]) and all(v["sent"] > 0 and v["received"] > 0 for v in r1["bytes_per_node"].values())
    before = sum(c["heldout_loss"] for c in r1["clients"]) / 2
    after = sum(c["heldout_loss"] for c in r2["clients"]) / 2
    assert after < before  # the unmasked aggregate is a useful update, not noise
    assert (out / "checkpoints" / "round-002.safetensors").is_file() and (out / "adapter" / "adapter_model.safetensors").is_file()


@pytest.mark.slow
def test_dp_federation_reports_its_privacy_budget(fed_home: Path, hospitals: dict[str, Path], recipe: Path, tmp_path: Path) -> None:
    """Differential privacy end to end: clients clip with Flower's fixedclipping_mod, the server
    adds Gaussian noise to the average, and the run reports ε at the requested δ."""
    out = tmp_path / "run"
    r = runner.invoke(app, ["federated", "simulate", "--recipe", str(recipe), "--data", str(hospitals["a"]), "--data", str(hospitals["b"]),
                            "--rounds", "2", "--local-steps", "1", "--dp-noise", "1.0", "--dp-clip", "0.5", "--dp-delta", "1e-5",
                            "--no-export", "--out", str(out), "--home", str(fed_home), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["rounds_completed"] == 2 and all(not x["failures"] for x in doc["rounds"])
    p = doc["privacy"]
    assert p["delta"] == 1e-5 and 0 < p["epsilon"] < float("inf")
    # more rounds spend more budget: the accountant composes them
    assert "epsilon_per_round" not in p or p["epsilon_per_round"][0] < p["epsilon"]
    assert (out / "checkpoints" / "round-002.safetensors").is_file()
    assert "ε" in (out / "REPORT.md").read_text(encoding="utf-8")
