"""What leaves a hospital: the real ClientApp, called in-process the way a SuperNode calls it,
on a corpus built by `partages corpus build`. Its reply holds only the LoRA tensors and numbers;
the serialized reply contains no text of the hospital's records. Also: Flower's DP clipping
mod bounds the update, the privacy budget is reported, and bad local data gives clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from flwr.app import ArrayRecord, ConfigRecord, Context, Message, MetricRecord, RecordDict

from partages.config import Settings
from partages.federated import FederatedError, check_reply, load_hospital_data
from partages.federated.apps import client_app, client_app_dp
from partages.federated.local import get_adapter, load_model
from partages.federated.privacy import DPOptions, make_accountant, privacy_spent, wrap_strategy
from partages.training import load_recipe, resolve_base
from tests.federated.conftest import TEXTS


def _initial(fed_home: Path, recipe_path: Path) -> ArrayRecord:
    recipe = load_recipe(recipe_path)
    lm = load_model(resolve_base(Settings(home=fed_home), recipe.base).hf_dir, recipe)
    return ArrayRecord(get_adapter(lm))


@pytest.fixture(autouse=True)
def _task_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a SuperNode's ClientApp process sets before it builds messages."""
    from flwr.supercore.task_identity import TaskIdentity

    for attr, value in (("_run_id", 1), ("_node_id", 7), ("_task_id", 1)):
        monkeypatch.setattr(TaskIdentity, attr, value)


def _call(app, fed_home: Path, recipe_path: Path, data: Path, arrays: ArrayRecord, config: dict) -> Message:
    recipe = load_recipe(recipe_path).model_dump(mode="json", exclude={"path"})
    msg = Message(content=RecordDict({"arrays": arrays, "config": ConfigRecord(config)}), dst_node_id=7, message_type="train")
    ctx = Context(run_id=1, node_id=7, node_config={"data-dir": str(data), "hospital-id": 3, "home": str(fed_home)},
                  state=RecordDict(), run_config={"recipe-yaml": json.dumps(recipe)})
    return app(msg, ctx)


def test_only_adapter_tensors_and_numbers_leave_a_client(fed_home: Path, hospitals: dict[str, Path], recipe: Path) -> None:
    initial = _initial(fed_home, recipe)
    reply = _call(client_app, fed_home, recipe, hospitals["a"], initial, {"local-steps": 2})
    assert not reply.has_error()
    content = reply.content
    assert set(content.keys()) == {"arrays", "metrics"}
    assert isinstance(content["arrays"], ArrayRecord) and isinstance(content["metrics"], MetricRecord)
    # exactly the LoRA tensors that were sent, same shapes, changed by training
    assert list(content["arrays"].keys()) == list(initial.keys()) and all("lora_" in k for k in initial.keys())
    sent, got = initial.to_numpy_ndarrays(), content["arrays"].to_numpy_ndarrays()
    assert [a.shape for a in sent] == [a.shape for a in got]
    assert any(not np.allclose(a, b) for a, b in zip(sent, got))
    metrics = dict(content["metrics"])
    assert set(metrics) == {"num-examples", "train-examples", "heldout-examples", "hospital-id", "heldout_loss", "train_loss", "steps", "train_seconds"}
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in metrics.values())
    assert metrics["num-examples"] == 5 and metrics["heldout-examples"] == 1 and metrics["steps"] == 2 and metrics["hospital-id"] == 3
    # the bytes Flower sends: no record text in them
    blob = b"".join(rec.deflate() for rec in content.values()) + b"".join(
        arr.deflate() for arr in content["arrays"].values())
    for text in TEXTS:
        assert text.encode() not in blob
    check_reply(content)  # the guard the ClientApp runs before replying


def test_the_reply_guard_refuses_text() -> None:
    with pytest.raises(FederatedError, match="only arrays and numbers"):
        check_reply(RecordDict({"config": ConfigRecord({"note": "Patient vu ce jour"})}))
    with pytest.raises(TypeError):  # and Flower's MetricRecord holds numbers only
        MetricRecord({"note": "Patient vu ce jour"})


def test_dp_clipping_bounds_the_update_and_the_budget_is_reported(fed_home: Path, hospitals: dict[str, Path], recipe: Path) -> None:
    initial = _initial(fed_home, recipe)
    reply = _call(client_app_dp, fed_home, recipe, hospitals["b"], initial, {"local-steps": 2, "clipping_norm": 0.05, "uniform-weights": True})
    assert not reply.has_error()
    delta = [b - a for a, b in zip(initial.to_numpy_ndarrays(), reply.content["arrays"].to_numpy_ndarrays())]
    norm = float(np.sqrt(sum(float((d.astype(np.float64) ** 2).sum()) for d in delta)))
    assert 0 < norm <= 0.05 + 1e-5
    assert reply.content["metrics"]["num-examples"] == 1  # uniform weights under DP (the accountant needs them)

    from flwr.serverapp.strategy import FedAvg

    strategy, accountant = wrap_strategy(FedAvg(), DPOptions(noise_multiplier=1.0, clipping_norm=0.05, population=3), num_sampled_clients=3)
    assert type(strategy).__name__ == "DifferentialPrivacyClientSideFixedClipping"
    from flwr.serverapp import GaussianPrivacyEvent

    def eps(noise: float, rounds: int) -> float:
        acc = make_accountant(DPOptions(noise, 0.05, population=3))
        acc.compose(GaussianPrivacyEvent(noise_multiplier=noise, sample_size=3, population_size=3), count=rounds)
        return privacy_spent(acc, DPOptions(noise, 0.05, population=3))["epsilon"]

    assert 0 < eps(2.0, 3) < eps(1.0, 3) < eps(1.0, 10)
    assert privacy_spent(accountant, DPOptions(1.0, 0.05))["releases"] == 0


def test_bad_local_data_gives_clear_errors(tmp_path: Path, hospitals: dict[str, Path]) -> None:
    with pytest.raises(FederatedError, match="no such data folder"):
        load_hospital_data(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FederatedError, match=r"empty: no \.parquet or \.jsonl shards"):
        load_hospital_data(empty)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "notes.jsonl").write_text('{"id": 1, "text": "Mme Durand, née le 3 mars"}\n{broken\n', encoding="utf-8")
    with pytest.raises(FederatedError) as exc:
        load_hospital_data(bad)
    assert str(exc.value).endswith("notes.jsonl:2: invalid JSON (Expecting property name enclosed in double quotes)")
    (bad / "notes.jsonl").write_text('{"id": 1, "text": "Mme Durand, née le 3 mars"}\n', encoding="utf-8")
    with pytest.raises(FederatedError) as exc:
        load_hospital_data(bad)
    assert "0 usable sft examples in 1 records" in str(exc.value) and "Durand" not in str(exc.value)
    d = load_hospital_data(hospitals["a"], eval_size=2, partition=1, num_partitions=2)
    assert len(d.train) + len(d.heldout) == 3
