"""Bounded queue (429 + Retry-After), concurrency without loss, and cancellation on disconnect."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import start_gateway, stop_gateway

MODEL = "gemma3-270m"
COUNTING = {"model": MODEL, "prompt": "1, 2, 3, 4, 5,", "max_tokens": 1500, "temperature": 0, "stream": True}


def _queue_depth(gw) -> int:
    return httpx.get(gw.root + "/healthz", timeout=30).json()["queue_depth"]


def _wait_depth(gw, value: int, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _queue_depth(gw) == value:
            return True
        time.sleep(0.1)
    return False


def test_client_disconnect_stops_generation(gateway):
    with httpx.Client(timeout=60) as client:
        with client.stream("POST", gateway.url + "/completions", json=COUNTING, headers=gateway.headers("integrator")) as resp:
            assert resp.status_code == 200
            lines = resp.iter_lines()  # keep the iterator: dropping it closes the stream
            data = [line for line, _ in zip(lines, range(10)) if line.startswith("data:")]
            assert len(data) >= 4
            assert _queue_depth(gateway) == 1  # still generating (1500 tokens ≈ 30 s)
    # leaving the block closed the connection: the engine must be free again within seconds
    assert _wait_depth(gateway, 0, timeout=15.0), "generation did not stop after the client left"


def test_sixteen_concurrent_clients_lose_nothing(gateway):
    def one(i: int) -> int:
        r = httpx.post(
            gateway.url + "/chat/completions",
            headers=gateway.headers("clinician"),
            json={"model": MODEL, "messages": [{"role": "user", "content": f"Patient {i} : bilan ?"}], "max_tokens": 6, "temperature": 0},
            timeout=120,
        )
        return r.status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(one, range(16)))
    assert statuses == [200] * 16


@pytest.fixture(scope="module")
def tiny_queue_gateway(model_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("queue1")
    from partages.config import Settings
    from partages.models.registry import Registry

    entry = Registry(Settings(home=model_home)).get(MODEL)
    Registry(Settings(home=home)).import_gguf(entry.path, MODEL, chat_template="gemma")
    gw = start_gateway(home, extra_env={"PARTAGES_MAX_QUEUE": "1", "PARTAGES_RETRY_AFTER_S": "3"})
    yield gw
    stop_gateway(gw)


def test_full_queue_is_429_with_retry_after(tiny_queue_gateway):
    gw = tiny_queue_gateway
    with httpx.Client(timeout=60) as client:
        with client.stream("POST", gw.url + "/completions", json=COUNTING, headers=gw.headers("integrator")) as resp:
            assert resp.status_code == 200
            lines = resp.iter_lines()  # keep the iterator: dropping it closes the stream
            next(lines)
            assert _queue_depth(gw) == 1
            busy = httpx.post(gw.url + "/chat/completions", headers=gw.headers("clinician"), json={"model": MODEL, "messages": [{"role": "user", "content": "bonjour"}], "max_tokens": 2}, timeout=120)
            assert busy.status_code == 429
            assert busy.headers["retry-after"] == "3"
            assert busy.json()["error"]["code"] == "engine_overloaded"
    assert _wait_depth(gw, 0, timeout=15.0)
    ok = httpx.post(gw.url + "/chat/completions", headers=gw.headers("clinician"), json={"model": MODEL, "messages": [{"role": "user", "content": "bonjour"}], "max_tokens": 2}, timeout=120)
    assert ok.status_code == 200
