"""Evaluation speed: FrenchMedMCQA test in log-likelihood mode, with and without prefix reuse.

    .venv/bin/python benchmarks/eval_speed.py [--threads 2] [--limit N] [--no-reuse-limit N]

Embedded Gemma 3 270M, in-process llama.cpp engine, 0-shot, the five continuations " A".." E"
per question (what ``partages eval run frenchmedmcqa`` does).

  reuse      the task's own code path: one ``Engine.score`` call per question with its five
             options; the engine sorts them, evaluates the shared prompt once (KV cache) and
             then only each option's token. The instruction is also shared between questions.
  no-reuse   the same requests one at a time, each preceded by a 2-token unrelated request that
             evicts the cache, so every option re-evaluates the whole prompt (what an engine
             without prefix caching does). Its predictions must equal the reuse run's.

Target (PRODUCT.md): the 622 test questions in ≤ 10 min on 2 CPU cores. Wall time depends on
what else runs on the machine, so CPU seconds (user + sys of this process) and the load average
are recorded too. Prints a table and writes ``benchmarks/results/eval_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from partages.config import Settings  # noqa: E402
from partages.engines.base import ScoreRequest  # noqa: E402
from partages.engines.factory import load_engine  # noqa: E402
from partages.evaluation import RunConfig, get_task  # noqa: E402
from partages.evaluation.answer_sets import decide_from_logprobs  # noqa: E402
from partages.evaluation.tasks import frenchmedmcqa as fmq  # noqa: E402
from partages.models.registry import Registry  # noqa: E402

EVICT = ScoreRequest("Bonjour", " docteur")


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(label: str, fn, n: int) -> dict:
    load0 = os.getloadavg()[0]
    c0, t0 = cpu_s(), time.perf_counter()
    preds = fn()
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    return {
        "mode": label,
        "items": n,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "items_per_s": round(n / wall, 3),
        "full_test_wall_min_extrapolated": round(622 * wall / n / 60, 2),
        "load_avg_start": round(load0, 2),
        "load_avg_end": round(os.getloadavg()[0], 2),
        "_preds": preds,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="questions for the reuse run (default: all 622)")
    ap.add_argument("--no-reuse-limit", type=int, default=None, help="questions for the no-reuse run (default: same as --limit)")
    ap.add_argument("--home", type=Path, default=None, help="PARTAGES_HOME with the embedded model (pulled if missing)")
    args = ap.parse_args()

    settings = Settings(n_threads=args.threads, n_ctx=2048, **({"home": args.home} if args.home else {}))
    reg = Registry(settings)
    try:
        reg.get("gemma3-270m")
    except Exception:  # noqa: BLE001 - not pulled yet
        reg.pull("gemma3-270m")
    engine = load_engine(settings, "gemma3-270m")
    items = fmq.load_split(settings.data_dir, "test")
    n_reuse = min(args.limit or len(items), len(items))
    n_plain = min(args.no_reuse_limit or n_reuse, n_reuse)
    prefix = fmq.build_prefix([])

    def with_reuse():
        res = get_task("frenchmedmcqa").run(engine, RunConfig(data_dir=settings.data_dir, split="test", limit=n_reuse))
        return [tuple(p["prediction"]) for p in res.predictions]

    def without_reuse():
        preds = []
        for item in items[:n_plain]:
            prompt = fmq.build_prompt(prefix, item)
            lls = []
            for c in fmq.CHOICES:
                engine.score([EVICT])
                lls.append(engine.score([ScoreRequest(prompt, c)])[0].logprob)
            preds.append(decide_from_logprobs(lls))
        return preds

    rows = [measure("reuse", with_reuse, n_reuse), measure("no-reuse", without_reuse, n_plain)]
    same = rows[0]["_preds"][:n_plain] == rows[1]["_preds"]
    for r in rows:
        r.pop("_preds")
    speedup = rows[1]["wall_s"] / rows[1]["items"] / (rows[0]["wall_s"] / rows[0]["items"])
    cpu_speedup = rows[1]["cpu_s"] / rows[1]["items"] / (rows[0]["cpu_s"] / rows[0]["items"])

    print(f"FrenchMedMCQA test, log-likelihood, 0-shot, gemma3-270m, {args.threads} threads, {os.cpu_count()} CPUs")
    print(f"{'mode':<10} {'items':>5} {'wall s':>8} {'cpu s':>8} {'items/s':>8} {'622 q. (min)':>12} {'load':>11}")
    for r in rows:
        print(f"{r['mode']:<10} {r['items']:>5} {r['wall_s']:>8} {r['cpu_s']:>8} {r['items_per_s']:>8} {r['full_test_wall_min_extrapolated']:>12} {r['load_avg_start']:>5}->{r['load_avg_end']:<5}")
    print(f"prefix reuse speed-up: {speedup:.2f}x wall, {cpu_speedup:.2f}x CPU; same predictions: {same}")
    target_ok = rows[0]["full_test_wall_min_extrapolated"] <= 10
    print(f"target (622 q. <= 10 min on 2 cores): {'met' if target_ok else 'MISSED'} (wall, under the load shown)")

    out = ROOT / "benchmarks" / "results" / "eval_speed.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "benchmark": "eval_speed",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "threads": args.threads},
        "model": "gemma3-270m",
        "rows": rows,
        "speedup_wall": round(speedup, 2),
        "speedup_cpu": round(cpu_speedup, 2),
        "same_predictions": same,
        "target_met": target_ok,
    }, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    engine.close()


if __name__ == "__main__":
    main()
