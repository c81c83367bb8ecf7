"""Gateway overhead: the same prompts, 128 new tokens greedy, through
(a) direct llama-cpp-python, (b) the Partages gateway streaming over HTTP, (c) llama_cpp.server
(llama-cpp-python's own OpenAI server). Then 16 concurrent clients x 4 requests through the gateway.

Runs are interleaved (a, b, c for each prompt and repetition) so background load hits all three
alike. Prints a table and writes benchmarks/results/serve_overhead.json.

    .venv/bin/python benchmarks/serve_overhead.py [--reps 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = [
    "Compte rendu d'hospitalisation. Motif : douleur thoracique. Histoire de la maladie :",
    "Le paracétamol est un antalgique de palier 1. Ses principales contre-indications sont",
    "Lettre de liaison. Traitement de sortie : amoxicilline 1 g trois fois par jour pendant",
    "Question : quels examens demander devant une anémie microcytaire ? Réponse :",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {url}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready: {url}")


def direct_run(llm, prompt: str, max_tokens: int) -> tuple[int, float]:
    t0 = time.perf_counter()
    r = llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0)
    return r["usage"]["completion_tokens"], time.perf_counter() - t0


def http_run(client: httpx.Client, base_url: str, key: str, model: str, prompt: str, max_tokens: int) -> tuple[int, float]:
    """Stream over HTTP with a light client (raw SSE lines, one JSON parse per event): on two
    cores, a heavy client's parsing would steal CPU from the server it measures."""
    t0 = time.perf_counter()
    usage_tokens = None
    events = 0
    body = {"model": model, "prompt": prompt, "max_tokens": max_tokens, "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    with client.stream("POST", base_url + "/completions", json=body, headers={"Authorization": f"Bearer {key}"}) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if not line.startswith("data: {"):
                continue
            if '"usage"' in line:
                usage = json.loads(line[6:]).get("usage")
                if usage:
                    usage_tokens = usage["completion_tokens"]
                    continue
            if '"text":""' not in line and '"text": ""' not in line:
                events += 1  # servers that send no usage: one event per token
    return (usage_tokens if usage_tokens is not None else events), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--per-client", type=int, default=4)
    ap.add_argument("--concurrent-max-tokens", type=int, default=64)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "serve_overhead.json")
    args = ap.parse_args()

    from llama_cpp import Llama

    from partages.auth.keys import KeyStore
    from partages.config import Settings
    from partages.engines.llama_logs import quiet_llama_logs
    from partages.models.registry import Registry

    quiet_llama_logs()
    home = Path(tempfile.mkdtemp(prefix="partages-bench-"))
    entry = Registry(Settings(home=home)).pull("gemma3-270m")
    key = KeyStore(home / "partages.db").create("bench", "integrator")[1]
    n_ctx = 2048

    # (b) the gateway
    gw_port = free_port()
    env = {**os.environ, "PARTAGES_HOME": str(home), "PARTAGES_N_THREADS": str(args.threads), "PARTAGES_N_CTX": str(n_ctx), "PARTAGES_MAX_QUEUE": "128"}
    gw = subprocess.Popen([sys.executable, "-m", "partages", "serve", "--port", str(gw_port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # (c) llama_cpp.server
    lc_port = free_port()
    lc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", entry.path, "--n_threads", str(args.threads), "--n_ctx", str(n_ctx), "--port", str(lc_port), "--model_alias", "gemma3-270m"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{gw_port}/healthz", gw)
        wait_ready(f"http://127.0.0.1:{lc_port}/v1/models", lc)
        http = httpx.Client(timeout=600)
        gw_url, lc_url = f"http://127.0.0.1:{gw_port}/v1", f"http://127.0.0.1:{lc_port}/v1"
        # (a) direct, in this process (servers idle meanwhile)
        llm = Llama(model_path=entry.path, n_ctx=n_ctx, n_threads=args.threads, n_threads_batch=args.threads, verbose=False)

        modes = {
            "a_direct_llama_cpp_python": lambda p: direct_run(llm, p, args.max_tokens),
            "b_partages_gateway_http_stream": lambda p: http_run(http, gw_url, key, "gemma3-270m", p, args.max_tokens),
            "c_llama_cpp_server_http_stream": lambda p: http_run(http, lc_url, "none", "gemma3-270m", p, args.max_tokens),
        }
        for f in modes.values():  # warm-up
            f(PROMPTS[0])
        totals = {m: [0, 0.0] for m in modes}
        for _ in range(args.reps):
            for p in PROMPTS:
                for m, f in modes.items():
                    n, dt = f(p)
                    totals[m][0] += n
                    totals[m][1] += dt
        tps = {m: n / dt for m, (n, dt) in totals.items()}
        llm.close()

        # concurrency through the gateway
        def client_job(i: int) -> list[tuple[int, float]]:
            out = []
            c = httpx.Client(timeout=600)
            for j in range(args.per_client):
                t0 = time.perf_counter()
                r = c.post(
                    f"http://127.0.0.1:{gw_port}/v1/completions",
                    headers={"Authorization": f"Bearer {key}"},
                    json={"model": "gemma3-270m", "prompt": PROMPTS[(i + j) % len(PROMPTS)], "max_tokens": args.concurrent_max_tokens, "temperature": 0},
                )
                out.append((r.status_code, time.perf_counter() - t0))
            return out

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = [x for xs in pool.map(client_job, range(args.clients)) for x in xs]
        wall = time.perf_counter() - t0
        lat = sorted(dt for _, dt in results)
        statuses = [s for s, _ in results]
        conc = {
            "clients": args.clients,
            "requests": len(results),
            "ok": statuses.count(200),
            "lost": len(results) - statuses.count(200),
            "status_counts": {str(s): statuses.count(s) for s in set(statuses)},
            "p50_s": statistics.median(lat),
            "p95_s": lat[max(0, int(round(0.95 * len(lat))) - 1)],
            "wall_s": wall,
            "max_tokens": args.concurrent_max_tokens,
        }
    finally:
        for p in (gw, lc):
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()

    a, b, c = (tps[m] for m in modes)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(), "threads": args.threads},
        "model": entry.id,
        "max_tokens": args.max_tokens,
        "reps": args.reps,
        "prompts": len(PROMPTS),
        "tokens_per_s": tps,
        "ratio_gateway_over_direct": b / a,
        "ratio_llama_server_over_direct": c / a,
        "target_gateway_over_direct": 0.95,
        "concurrency": conc,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"{'mode':36} {'tokens/s':>9} {'vs direct':>9}")
    for m, v in tps.items():
        print(f"{m:36} {v:9.1f} {v / a:9.3f}")
    print(f"\n{conc['clients']} clients x {args.per_client} requests ({conc['max_tokens']} tokens): "
          f"ok {conc['ok']}/{conc['requests']}, lost {conc['lost']}, p50 {conc['p50_s']:.1f} s, p95 {conc['p95_s']:.1f} s, wall {conc['wall_s']:.0f} s")
    print(f"(b)/(a) = {b / a:.3f} (target >= 0.95)  ->  {args.out}")


if __name__ == "__main__":
    main()
