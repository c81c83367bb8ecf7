"""A hospital drops out mid-round (its SuperNode and ClientApp are killed while it trains): the
round completes with the others (minimum met), the dropout is logged, and the hospital rejoins
and takes part in the next round. Real Flower processes over loopback with TLS (certificates
from ``partages federated certs``' code), tiny Gemma 3."""

from __future__ import annotations

import time
from pathlib import Path

from partages.federated.certs import make_certificates
from partages.federated.runtime import Federation, FederationConfig, read_rounds
from partages.training import load_recipe


def _wait_for(path: Path, text: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.is_file() and text in path.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"{path.name}: '{text}' not seen within {timeout} s")


def test_dropout_mid_round_then_rejoin(fed_home: Path, hospitals: dict[str, Path], recipe: Path, tmp_path: Path) -> None:
    cfg = FederationConfig(recipe=load_recipe(recipe), home=fed_home, out=tmp_path / "run", rounds=2, local_steps=1,
                           min_clients=2, min_available=3, round_timeout=45)
    node = lambda name: {"data-dir": str(hospitals[name]), "home": str(fed_home)}  # noqa: E731
    tls = make_certificates(tmp_path / "certs", ["127.0.0.1"])
    with Federation(cfg.out, tls=tls) as fed:
        fed.start_superlink()
        fed.start_node(0, node("a"))
        fed.start_node(1, node("b"))
        fed.start_node(2, node("a"))
        fed.submit(cfg)
        # hospital 2 receives round 1's adapter, then its machine goes away mid-round
        _wait_for(fed.logs / "client-2.log", "Receiving: train message", 120)
        fed.stop_node(2)
        fed.start_node(2, node("a"))  # ... and comes back
        summary = fed.wait(cfg, timeout=400)
    r1, r2 = read_rounds(cfg.out)
    assert r1["aggregated"] and r2["aggregated"] and summary["rounds_completed"] == 2
    assert r1["sampled"] == 3 and sorted(c["hospital"] for c in r1["clients"]) == [0, 1]
    lost = r1["dropouts"] + [f["node"] for f in r1["failures"]]
    assert len(lost) == 1
    # the rejoined hospital trains in round 2 (with a new node id)
    assert 2 in [c["hospital"] for c in r2["clients"]] and len(r2["clients"]) == 3
    assert "Uvicorn running on https://" in (cfg.out / "logs" / "superlink.log").read_text(encoding="utf-8", errors="replace")
    log = (cfg.out / "logs" / "server.log").read_text(encoding="utf-8", errors="replace")
    assert f"client node {lost[0]} " in log  # "dropped out" or "failed", logged by the server
