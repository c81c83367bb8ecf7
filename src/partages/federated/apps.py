"""The Flower apps: ``server_app`` (FedAvg over LoRA adapter tensors) and ``client_app`` /
``client_app_dp`` (one hospital's local SFT). The runtime (``partages federated ...``) names
them in the Flower App's ``pyproject.toml``; Flower's SuperLink and SuperNodes run them.

Run configuration (``[tool.flwr.app.config]``, written by :mod:`partages.federated.runtime`):
``recipe-yaml`` (the recipe itself, so every hospital trains the same thing), ``home`` and
``out-dir`` (server side), ``num-rounds``, ``local-steps``, ``fraction-train``,
``min-train-nodes``, ``min-available-nodes``, ``round-timeout``, ``dp-noise``/``dp-clip``/
``dp-delta`` (0 = off). Node configuration (each SuperNode's ``--node-config``): ``data-dir``,
``hospital-id``, optional ``partition-id``/``num-partitions``, ``home``, ``threads``.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from flwr.app import ArrayRecord, ConfigRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp
from flwr.clientapp.mod import fixedclipping_mod
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg

from partages.federated.errors import FederatedError
from partages.federated.messages import check_reply, message_bytes
from partages.training.recipe import Recipe

log = logging.getLogger("partages.federated")

ROUNDS_FILE = "rounds.jsonl"
SUMMARY_FILE = "federation.json"


def recipe_from_yaml(text: str) -> Recipe:
    raw = yaml.safe_load(text) or {}
    try:
        return Recipe(**raw)
    except Exception as exc:
        raise FederatedError(f"invalid recipe in the run configuration ({type(exc).__name__})") from None


# --------------------------------------------------------------------------- client side

def _local_update(context: Context, state: dict[str, Any] | list[Any], local_steps: int, uniform: bool) -> tuple[dict[str, Any], dict[str, float], int]:
    """This hospital's round: global adapter in (named tensors, or a list in exchange order),
    (new adapter, numbers, weight) out."""
    from partages.config import Settings, get_settings
    from partages.federated.data import load_hospital_data
    from partages.federated.local import get_adapter, load_model, set_adapter, train_round
    from partages.training.base_model import resolve_base

    node, run = context.node_config, context.run_config
    recipe = recipe_from_yaml(str(run["recipe-yaml"]))
    if node.get("threads"):
        recipe = recipe.model_copy(update={"threads": int(node["threads"])})
    if "data-dir" not in node:
        raise FederatedError("this SuperNode has no data-dir in its --node-config")
    data = load_hospital_data(str(node["data-dir"]), kind=recipe.kind, eval_size=recipe.eval_size, seed=recipe.seed,
                              partition=int(node.get("partition-id", 0)), num_partitions=int(node.get("num-partitions", 1)),
                              sources=recipe.sources, max_records=recipe.max_records)
    settings = Settings(home=Path(str(node["home"]))) if node.get("home") else get_settings()
    base = resolve_base(settings, recipe.base, progress=False)
    lm = load_model(base.hf_dir, recipe)
    if isinstance(state, list):
        import torch

        names = list(get_adapter(lm))
        if len(names) != len(state):
            raise FederatedError(f"adapter mismatch: {len(state)} arrays received, {len(names)} expected (same recipe and base on every side?)")
        state = {n: torch.from_numpy(a.copy()) for n, a in zip(names, state)}
    set_adapter(lm, state)
    with tempfile.TemporaryDirectory(prefix="partages-fl-") as work:
        metrics = train_round(lm, recipe, Path(work), data.train, data.heldout, local_steps)
    weight = 1 if uniform else len(data.train)
    metrics = {"train-examples": len(data.train), "heldout-examples": len(data.heldout),
               "hospital-id": int(node.get("hospital-id", node.get("partition-id", 0))), **metrics}
    return get_adapter(lm), metrics, weight


def _client_train(msg: Message, context: Context) -> Message:
    import torch  # noqa: F401  (Flower's to_torch_state_dict needs torch already imported)

    cfg = msg.content["config"]
    state, metrics, weight = _local_update(context, msg.content["arrays"].to_torch_state_dict(), int(cfg.get("local-steps", 1)),
                                           bool(cfg.get("uniform-weights")))
    content = RecordDict({"arrays": ArrayRecord(state), "metrics": MetricRecord({"num-examples": weight, **metrics})})
    check_reply(content)
    return Message(content=content, reply_to=msg)


def _safe(fn):
    """Exceptions become a short message without data: Flower sends ``str(exc)`` to the server.
    Known errors keep their text (file, line, counts); anything else only its type."""

    def wrapped(msg: Message, context: Context) -> Message:
        try:
            return fn(msg, context)
        except Exception as exc:
            raise _clean_error(exc, context) from None

    return wrapped


def _clean_error(exc: Exception, context: Context) -> FederatedError:
    from partages.training.base_model import BaseModelError
    from partages.training.errors import TrainingError

    who = f"hospital {context.node_config.get('hospital-id', '?')}"
    if isinstance(exc, (FederatedError, TrainingError, BaseModelError)):
        log.error("local training failed: %s", exc)
        return FederatedError(f"{who}: {exc}")
    log.exception("local training failed")  # the traceback stays in the hospital's own log
    return FederatedError(f"{who}: local training failed ({type(exc).__name__}; details in the client's own log)")


client_app = ClientApp()
client_app.train()(_safe(_client_train))

client_app_dp = ClientApp(mods=[fixedclipping_mod])
client_app_dp.train()(_safe(_client_train))


def _secagg_client_fn(context: Context):
    """SecAgg+ in Flower 1.42 runs on the legacy message format (``secaggplus_mod`` masks a
    ``FitRes``), so this client is a ``NumPyClient``: the adapter travels as a list of arrays in
    the order of :func:`partages.federated.local.get_adapter` (same base + recipe on every side)."""
    from flwr.client import NumPyClient

    class HospitalClient(NumPyClient):
        def fit(self, parameters, config):
            try:
                new, metrics, weight = _local_update(context, list(parameters), int(config.get("local-steps", 1)), False)
                check_reply(RecordDict({"metrics": MetricRecord(metrics)}))
            except Exception as exc:
                raise _clean_error(exc, context) from None
            return [t.numpy() for t in new.values()], weight, metrics

    return HospitalClient().to_client()


def _make_secagg_app() -> ClientApp:
    from flwr.client.mod import secaggplus_mod

    return ClientApp(client_fn=_secagg_client_fn, mods=[secaggplus_mod])


client_app_secagg = _make_secagg_app()


# --------------------------------------------------------------------------- server side

def _reason(raw: str) -> str:
    """Flower formats a ClientApp exception as ``<class 'pkg.Error'>:<'message'>``; keep
    ``Error: message``."""
    m = re.fullmatch(r"<class '(?:[\w.]+\.)?(\w+)'>:<'(.*)'>", raw.strip(), flags=re.S)
    return f"{m.group(1)}: {m.group(2)}" if m else raw


class RoundRecorder:
    """Per round: nodes sampled, bytes sent to and received from each, losses, failures and
    dropouts, wall time. One JSON line per round in ``rounds.jsonl`` (read by the CLI for
    progress and by the report)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.rounds: list[dict[str, Any]] = []
        self._open: dict[str, Any] = {}
        self._pending: dict[str, Any] | None = None
        (out / ROUNDS_FILE).unlink(missing_ok=True)

    def sent(self, server_round: int, messages: list[Message]) -> None:
        self._open = {"round": server_round, "t0": time.time(),
                      "sent": {str(m.metadata.dst_node_id): message_bytes(m) for m in messages}}
        log.info("round %d: sent the global adapter to %d clients", server_round, len(messages))

    def received(self, server_round: int, replies: list[Message]) -> None:
        o = self._open
        clients, failures = [], []
        for r in replies:
            node = str(r.metadata.src_node_id)
            if r.has_error():
                failures.append({"node": node, "reason": _reason(r.error.reason)})
                log.warning("round %d: client node %s failed: %s", server_round, node, r.error.reason)
                continue
            m = dict(r.content["metrics"]) if "metrics" in r.content else {}
            clients.append({"node": node, "hospital": int(m.get("hospital-id", -1)), "bytes_sent": o["sent"].get(node, 0),
                            "bytes_received": message_bytes(r), **{k.replace("-", "_"): v for k, v in m.items() if k != "hospital-id"}})
        answered = {c["node"] for c in clients} | {f["node"] for f in failures}
        dropouts = [n for n in o["sent"] if n not in answered]
        for n in dropouts:
            log.warning("round %d: client node %s dropped out (no reply before the round timeout)", server_round, n)
        self._pending = {
            "round": server_round, "seconds": round(time.time() - o["t0"], 2), "sampled": len(o["sent"]),
            "clients": clients, "failures": failures, "dropouts": dropouts,
            "bytes_sent": sum(o["sent"].values()), "bytes_received": sum(c["bytes_received"] for c in clients),
        }

    def aggregated(self, server_round: int, ok: bool) -> None:
        if self._pending and self._pending["round"] == server_round:
            self._pending["aggregated"] = ok

    def is_aggregated(self, server_round: int) -> bool:
        return bool(self._pending and self._pending["round"] == server_round and self._pending.get("aggregated"))

    def close(self, server_round: int, checkpoint: str | None) -> None:
        rec = self._pending
        if rec is None or rec["round"] != server_round:  # the round never reached aggregation (e.g. DP's checks)
            rec = {"round": server_round, "clients": [], "failures": [], "dropouts": [], "bytes_sent": 0, "bytes_received": 0}
        rec |= {"aggregated": bool(rec.get("aggregated")), "checkpoint": checkpoint}
        self.rounds.append(rec)
        with (self.out / ROUNDS_FILE).open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        self._pending = None


class SendRecordingFedAvg(FedAvg):
    """FedAvg (weighted by ``num-examples``) that records what each round sent. Its
    ``aggregate_train`` stays FedAvg's own: Flower's DP accounting refuses any other."""

    def __init__(self, recorder: RoundRecorder, **kw: Any) -> None:
        super().__init__(**kw)
        self.recorder = recorder

    def configure_train(self, server_round, arrays, config, grid):
        messages = list(super().configure_train(server_round, arrays, config, grid))
        self.recorder.sent(server_round, messages)
        return messages


class RecordsReplies:
    """Mixin: records what each round received and whether it aggregated, around the
    ``aggregate_train`` of the strategy it is mixed into (FedAvg, or the DP wrapper)."""

    recorder: RoundRecorder

    def aggregate_train(self, server_round, replies):
        replies = list(replies)
        self.recorder.received(server_round, replies)
        arrays, metrics = super().aggregate_train(server_round, replies)
        self.recorder.aggregated(server_round, arrays is not None)
        return arrays, metrics


class RecordingFedAvg(RecordsReplies, SendRecordingFedAvg):
    """FedAvg that records what each round sent and received."""


server_app = ServerApp()


@server_app.main()
def _server_main(grid: Grid, context: Context) -> None:
    from partages.config import Settings
    from partages.federated.local import get_adapter, load_model, set_adapter
    from partages.federated.privacy import DPOptions, privacy_spent, wrap_strategy
    from partages.training.base_model import resolve_base

    rc = context.run_config
    out = Path(str(rc["out-dir"]))
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    recipe = recipe_from_yaml(str(rc["recipe-yaml"]))
    settings = Settings(home=Path(str(rc["home"])))
    base = resolve_base(settings, recipe.base, progress=False)
    lm = load_model(base.hf_dir, recipe)
    initial = ArrayRecord(get_adapter(lm))
    rounds = int(rc["num-rounds"])
    min_train = int(rc["min-train-nodes"])
    dp = DPOptions(float(rc["dp-noise"]), float(rc["dp-clip"]), float(rc["dp-delta"]), int(rc["min-available-nodes"])) \
        if float(rc.get("dp-noise", 0)) > 0 else None
    recorder = RoundRecorder(out)
    fedavg_kw = dict(fraction_train=float(rc["fraction-train"]), fraction_evaluate=0.0, min_train_nodes=min_train,
                     min_evaluate_nodes=0, min_available_nodes=int(rc["min-available-nodes"]))
    strategy: Any = RecordingFedAvg(recorder, **fedavg_kw)
    accountant = None
    if dp is not None:
        # the DP wrapper records the replies; the FedAvg inside keeps FedAvg's aggregate_train
        strategy, accountant = wrap_strategy(SendRecordingFedAvg(recorder, **fedavg_kw), dp, num_sampled_clients=min_train,
                                             mixin=RecordsReplies)
        strategy.recorder = recorder

    def checkpoint(server_round: int, arrays: ArrayRecord) -> MetricRecord | None:
        """Called by Flower after every round with the new global adapter (and at round 0)."""
        if server_round == 0:
            return None
        from safetensors.torch import save_file

        path = None
        if recorder.is_aggregated(server_round):
            path = out / "checkpoints" / f"round-{server_round:03d}.safetensors"
            save_file(arrays.to_torch_state_dict(), str(path))
        recorder.close(server_round, str(path) if path else None)
        return None

    t0 = time.time()
    if int(rc.get("secagg", 0)):
        final = _run_secagg(grid, context, initial, recorder, out)
    else:
        train_config = ConfigRecord({"local-steps": int(rc["local-steps"]), "uniform-weights": dp is not None})
        result = strategy.start(grid=grid, initial_arrays=initial, num_rounds=rounds, timeout=float(rc["round-timeout"]),
                                train_config=train_config, evaluate_fn=checkpoint)
        final = result.arrays
    wall = time.time() - t0
    completed = sum(1 for r in recorder.rounds if r["aggregated"])
    if completed == 0 or not len(final):
        final = initial  # nothing was aggregated: keep the initial adapter, and say so
    set_adapter(lm, final.to_torch_state_dict())
    adapter_dir = out / "adapter"
    lm.model.save_pretrained(str(adapter_dir))
    lm.tokenizer.save_pretrained(str(adapter_dir))
    summary = {
        "status": "done" if completed else "failed",
        "rounds": recorder.rounds,
        "rounds_completed": completed,
        "bytes_total": sum(r["bytes_sent"] + r["bytes_received"] for r in recorder.rounds),
        "wall_seconds": round(wall, 1),
        "adapter_tensors": len(initial),
        "adapter_bytes": initial.count_bytes(),
        "privacy": privacy_spent(accountant, dp) if accountant is not None and dp is not None else None,
        "secure_aggregation": "SecAgg+ (Flower SecAggPlusWorkflow + secaggplus_mod)" if int(rc.get("secagg", 0)) else None,
        "config": {k: v for k, v in rc.items() if k != "recipe-yaml"},
    }
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    _write_training_card(out, recipe, base, summary)


class CountingGrid:
    """A Grid that counts the payload bytes of every message it sends and receives, per node;
    used where Flower's workflow (SecAgg+) drives the exchanges itself."""

    def __init__(self, grid: Grid) -> None:
        self._grid = grid
        self.sent: dict[str, int] = {}
        self.received: dict[str, int] = {}
        self.errors: list[Message] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._grid, name)

    def send_and_receive(self, messages, *, timeout=None):
        messages = list(messages)
        for m in messages:
            k = str(m.metadata.dst_node_id)
            self.sent[k] = self.sent.get(k, 0) + message_bytes(m)
        replies = list(self._grid.send_and_receive(messages, timeout=timeout))
        for r in replies:
            k = str(r.metadata.src_node_id)
            self.received[k] = self.received.get(k, 0) + message_bytes(r)
            if r.has_error():
                self.errors.append(r)
        return replies

    def take(self) -> tuple[dict[str, int], dict[str, int], list[Message]]:
        out = (self.sent, self.received, self.errors)
        self.sent, self.received, self.errors = {}, {}, []
        return out


def _run_secagg(grid: Grid, context: Context, initial: ArrayRecord, recorder: RoundRecorder, out: Path) -> ArrayRecord:
    """FedAvg with SecAgg+: the server only ever sees the sum of masked, quantised updates.
    Flower 1.42 offers SecAgg+ on its legacy workflow, so this path uses ``DefaultWorkflow`` +
    ``SecAggPlusWorkflow`` with the legacy ``FedAvg``; bytes are counted on the Grid (they include
    the key-exchange stages)."""
    from flwr.common import ndarrays_to_parameters, parameters_to_ndarrays
    from flwr.server import LegacyContext, ServerConfig
    from flwr.server.strategy import FedAvg as LegacyFedAvg
    from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow
    from safetensors.torch import save_file

    rc = context.run_config
    names = list(initial.keys())
    counting = CountingGrid(grid)
    per_round: dict[int, list[dict[str, Any]]] = {}
    t_round = [time.time()]

    def fit_config(server_round: int) -> dict[str, Any]:
        t_round[0] = time.time()
        return {"local-steps": int(rc["local-steps"])}

    def collect(results: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
        per_round[len(per_round) + 1] = [{"num_examples": n, **{k.replace("-", "_"): v for k, v in m.items()}} for n, m in results]
        return {}

    def evaluate(server_round: int, ndarrays, config):
        if server_round == 0:
            return None
        import torch

        state = {n: torch.from_numpy(a.copy()) for n, a in zip(names, ndarrays)}
        path = out / "checkpoints" / f"round-{server_round:03d}.safetensors"
        save_file(state, str(path))
        sent, received, errors = counting.take()
        clients = [{"node": "?", "hospital": int(c.pop("hospital_id", -1)), "bytes_sent": 0, "bytes_received": 0, **c}
                   for c in per_round.get(server_round, [])]
        failures = [{"node": str(e.metadata.src_node_id), "reason": _reason(e.error.reason)} for e in errors]
        for f in failures:
            log.warning("round %d: client node %s failed: %s", server_round, f["node"], f["reason"])
        rec = {"round": server_round, "seconds": round(time.time() - t_round[0], 2), "sampled": len(sent), "clients": clients,
               "failures": failures, "dropouts": [], "bytes_sent": sum(sent.values()), "bytes_received": sum(received.values()),
               "bytes_per_node": {n: {"sent": sent.get(n, 0), "received": received.get(n, 0)} for n in sent},
               "aggregated": True, "checkpoint": str(path)}
        recorder.rounds.append(rec)
        with (out / ROUNDS_FILE).open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        return None

    n_min = int(rc["min-train-nodes"])
    strategy = LegacyFedAvg(fraction_fit=float(rc["fraction-train"]), fraction_evaluate=0.0, min_fit_clients=n_min,
                            min_evaluate_clients=0, min_available_clients=int(rc["min-available-nodes"]),
                            initial_parameters=ndarrays_to_parameters([a.numpy() for a in initial.to_torch_state_dict().values()]),
                            on_fit_config_fn=fit_config, evaluate_fn=evaluate, fit_metrics_aggregation_fn=collect)
    legacy = LegacyContext(context=context, config=ServerConfig(num_rounds=int(rc["num-rounds"]), round_timeout=float(rc["round-timeout"])),
                           strategy=strategy)
    # every sampled client gets a share of every other's key; any n_min of them can unmask
    workflow = DefaultWorkflow(fit_workflow=SecAggPlusWorkflow(num_shares=1.0, reconstruction_threshold=max(2, n_min),
                                                               max_weight=1000.0, timeout=float(rc["round-timeout"])))
    workflow(counting, legacy)
    from flwr.server.workflow.constant import MAIN_PARAMS_RECORD

    final = parameters_to_ndarrays(_legacy_params(legacy.state.array_records[MAIN_PARAMS_RECORD]))
    import torch

    return ArrayRecord({n: torch.from_numpy(a.copy()) for n, a in zip(names, final)})


def _legacy_params(record: ArrayRecord):
    from flwr.compat.common import recorddict_compat

    return recorddict_compat.arrayrecord_to_parameters(record, keep_input=True)


def _write_training_card(out: Path, recipe: Recipe, base: Any, summary: dict[str, Any]) -> None:
    """A ``training_card.json`` beside the adapter, in the shape ``partages export gguf`` reads."""
    from partages.training.trainer import CARD_FILE

    rounds = summary["rounds"]
    losses = [c.get("heldout_loss") for r in rounds for c in r["clients"] if c.get("heldout_loss") is not None]
    card = {
        "recipe": recipe.model_dump(mode="json"),
        "base": {"id": base.registry_id, "hf_dir": str(base.hf_dir), "gguf": str(base.gguf_path) if base.gguf_path else None,
                 "licence": base.licence},
        "data_card": None,  # the hospitals' data cards never leave the hospitals
        "status": "done",
        "federated": {k: summary[k] for k in ("rounds_completed", "bytes_total", "wall_seconds", "privacy")},
        "eval_before": {"eval_loss": losses[0]} if losses else {},
        "eval_after": {},
        "steps": sum(int(c.get("steps", 0)) for r in rounds for c in r["clients"]),
        "wall_seconds": summary["wall_seconds"],
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
