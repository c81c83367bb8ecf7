"""Is federation worth it? Three non-identical "hospitals" cut from the open French SFT corpus,
compared on the same evaluation: each hospital trained alone, the federation (Flower, FedAvg
over LoRA adapters, separate processes over loopback), and centralised training on the union.

Hospitals (disjoint): FrenchMedMCQA train questions split by their number of correct answers
(1 | 2-3 | 4-5: the dataset has a single subject, pharmacy, so this label skew is the
non-identical split), plus BDPM drug Q/A in hospital 0 and LabForSims2 consultation dialogues
in hospital 1. Every hospital keeps ``--eval-size`` held-out records.

Budget: every hospital does ``rounds × local_steps`` optimiser steps in the federation; alone,
each hospital does the same number of steps on its own data; centralised does the total
(``3 × rounds × local_steps``) on the union. Same recipe, batch, learning rate and seed.

Measured: held-out loss of each model on each hospital's held-out records (transformers, fp32),
FrenchMedMCQA dev with ``partages eval run`` (0-shot log-likelihood, ``--limit`` first
questions), bytes exchanged, wall time. Writes ``benchmarks/results/federated_compare.json``
after every arm (a long run can be read while it goes) and prints a table.

    nice -n 10 .venv/bin/python benchmarks/federated_compare.py --corpus corpora/sft --home /tmp/fedbench/home
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "benchmarks" / "results" / "federated_compare.json"


def split_hospitals(corpus: Path, data_dir: Path, out: Path) -> dict[str, dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from partages.training.data import read_records

    rows = read_records([corpus])
    # FrenchMedMCQA has one subject (pharmacie): split by number of correct answers instead,
    # a label-distribution skew (1 | 2-3 | 4-5 correct letters).
    n_correct = {q["id"]: int(q.get("nbr_correct_answers") or 0) for q in json.loads((data_dir / "frenchmedmcqa" / "train.json").read_text(encoding="utf-8"))}
    group = {1: 0, 2: 1, 3: 1, 4: 2, 5: 2}
    parts: dict[int, list] = defaultdict(list)
    for r in rows:
        if r["source"] == "frenchmedmcqa":
            parts[group.get(n_correct.get(r["id"].split(":", 1)[1], 1), 0)].append(r)
        elif r["source"] == "bdpm":
            parts[0].append(r)
        elif r["source"] == "labforsims2":
            parts[1].append(r)
    card = json.loads((corpus / "data_card.json").read_text(encoding="utf-8")) if (corpus / "data_card.json").is_file() else {}
    info = {}
    for h in range(3):
        d = out / f"hospital-{h}"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(parts[h]), d / "shard-00000.parquet")
        (d / "data_card.json").write_text(json.dumps(card | {"split": f"hospital {h} of benchmarks/federated_compare.py"}), encoding="utf-8")
        info[f"hospital-{h}"] = {"records": len(parts[h]), "sources": dict(Counter(r["source"] for r in parts[h])),
                                 "frenchmedmcqa_correct_letters": sorted(n for n, g in group.items() if g == h)}
    return info


def save(doc: dict) -> None:
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")


def heldout_losses(settings, recipe, adapter_state, hospitals: dict[str, object]) -> dict[str, float]:
    from partages.federated.local import heldout_loss, load_model, set_adapter
    from partages.training.base_model import resolve_base

    lm = load_model(resolve_base(settings, recipe.base).hf_dir, recipe)
    if adapter_state is not None:
        set_adapter(lm, adapter_state)
    with tempfile.TemporaryDirectory() as work:
        return {h: round(heldout_loss(lm, recipe, Path(work), data.heldout), 4) for h, data in hospitals.items()}


def train_alone(settings, recipe, train: list, steps: int, out: Path):
    """Same code path as a federated client: fresh seeded LoRA, ``steps`` SFT steps."""
    from partages.federated.apps import _write_training_card
    from partages.federated.local import get_adapter, load_model, train_round
    from partages.training.base_model import resolve_base

    base = resolve_base(settings, recipe.base)
    lm = load_model(base.hf_dir, recipe)
    t0 = time.time()
    m = train_round(lm, recipe, out / "work", train, [], steps)
    wall = time.time() - t0
    lm.model.save_pretrained(str(out / "adapter"))
    lm.tokenizer.save_pretrained(str(out / "adapter"))
    _write_training_card(out, recipe, base, {"rounds": [], "rounds_completed": 0, "bytes_total": 0, "wall_seconds": round(wall, 1), "privacy": None})
    return get_adapter(lm), m | {"wall_seconds": round(wall, 1)}


def export_and_eval(settings, home: Path, adapter_dir: Path, name: str, limit: int | None, threads: int) -> dict:
    from partages.training.export import export_gguf

    try:
        from partages.models.registry import Registry

        Registry(settings).remove(name)
    except Exception:
        pass
    export_gguf(settings, adapter_dir, name)
    return run_eval(home, name, limit, threads)


def run_eval(home: Path, model: str, limit: int | None, threads: int) -> dict:
    out = home.parent / "evals" / model
    cmd = [sys.executable, "-m", "partages.cli.app", "eval", "run", "frenchmedmcqa", "--model", model, "--split", "dev",
           "--threads", str(threads), "--home", str(home), "--out", str(out), "--json"]
    if limit:
        cmd += ["--limit", str(limit)]
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": r.stderr[-500:]}
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    res = doc["results"][0]
    return {"n": res["n_items"], "emr": res["metrics"]["emr"], "hamming": res["metrics"]["hamming"], "seconds": round(time.time() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "sft", help="output of `partages corpus build --config recipes/corpus-sft.yaml`")
    ap.add_argument("--home", type=Path, default=Path("/tmp/fedbench/home"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--local-steps", type=int, default=4)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--eval-size", type=int, default=16)
    ap.add_argument("--limit", type=int, default=150, help="FrenchMedMCQA dev questions (first N; 0 = all 312)")
    ap.add_argument("--arms", default="base,federated,alone,central")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tag", default="", help="Extra federated arm named federated-TAG (other rounds/steps), added to an existing result file")
    args = ap.parse_args()

    from partages.config import Settings
    from partages.federated.data import load_hospital_data
    from partages.federated.runtime import FederationConfig, simulate
    from partages.models.registry import Registry
    from partages.training.recipe import Recipe

    home = args.home
    home.mkdir(parents=True, exist_ok=True)
    settings = Settings(home=home)
    reg = Registry(settings)
    try:
        reg.get("gemma3-270m")
    except Exception:
        reg.pull("gemma3-270m")
    work = home.parent
    doc = json.loads(RESULT.read_text(encoding="utf-8")) if RESULT.is_file() else {}
    doc.setdefault("arms", {})
    info = split_hospitals(args.corpus, settings.data_dir, work / "hospitals")
    recipe = Recipe(kind="sft", base="gemma3-270m", data=str(work / "hospitals"), eval_size=args.eval_size, max_length=args.max_length,
                    lora={"r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"}, threads=args.threads, seed=0,
                    train={"learning_rate": 2e-4, "per_device_train_batch_size": args.batch, "per_device_eval_batch_size": 4,
                           "gradient_checkpointing": False})
    hospitals = {h: load_hospital_data(work / "hospitals" / h, eval_size=args.eval_size, seed=0) for h in info}
    steps = args.rounds * args.local_steps
    conditions = {
        "model": "gemma3-270m (embedded GGUF, dequantised to fp32 for training)", "hospitals": info,
        "rounds": args.rounds, "local_steps": args.local_steps, "batch": args.batch, "max_length": args.max_length,
        "steps_per_hospital": steps, "central_steps": 3 * steps, "heldout_per_hospital": args.eval_size,
        "eval": f"FrenchMedMCQA dev, 0-shot log-likelihood, first {args.limit or 312} questions", "threads": args.threads,
        "cpu": f"{os.cpu_count()} shared cores, other jobs running (nice 10)", "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    if not args.tag:
        doc["conditions"] = conditions
    save(doc)
    arms = args.arms.split(",")
    fed_arm = f"federated-{args.tag}" if args.tag else "federated"
    limit = args.limit or None

    def record(name: str, **kw) -> None:
        doc["arms"].setdefault(name, {}).update(kw)
        save(doc)
        print(f"[{time.strftime('%H:%M:%S')}] {name}: {json.dumps(kw)[:300]}", flush=True)

    if "base" in arms:
        record("base", heldout_loss=heldout_losses(settings, recipe, None, hospitals))
        record("base", frenchmedmcqa_dev=run_eval(home, "gemma3-270m", limit, args.threads))
    if "federated" in arms:
        out = work / fed_arm
        shutil.rmtree(out, ignore_errors=True)
        fed_recipe = recipe.model_copy(update={"threads": 1})  # three clients share the cores
        cfg = FederationConfig(recipe=fed_recipe, home=home, out=out, rounds=args.rounds, local_steps=args.local_steps,
                               min_clients=3, round_timeout=3600)
        t0 = time.time()
        summary = simulate(cfg, [{"data-dir": str(work / "hospitals" / h)} for h in info],
                           on_round=lambda r: print(f"  round {r['round']}: {r['seconds']} s, {len(r['clients'])} clients, "
                                                    f"{r['bytes_sent'] + r['bytes_received']} B", flush=True))
        from safetensors.torch import load_file

        state = load_file(str(sorted((out / "checkpoints").glob("round-*.safetensors"))[-1]))
        record(fed_arm, rounds_config=args.rounds, local_steps=args.local_steps, wall_seconds=round(time.time() - t0, 1), bytes_total=summary["bytes_total"],
               adapter_bytes=summary["adapter_bytes"],
               rounds=[{k: r[k] for k in ("round", "seconds", "bytes_sent", "bytes_received")} |
                       {"clients": [{k: c.get(k) for k in ("hospital", "heldout_loss", "train_loss", "num_examples", "train_seconds")} for c in r["clients"]]}
                       for r in summary["rounds"]])
        record(fed_arm, heldout_loss=heldout_losses(settings, recipe, state, hospitals))
        record(fed_arm, frenchmedmcqa_dev=export_and_eval(settings, home, out / "adapter", f"fedbench-{fed_arm}", limit, args.threads))
    if "alone" in arms:
        for h, data in hospitals.items():
            out = work / f"alone-{h}"
            shutil.rmtree(out, ignore_errors=True)
            state, m = train_alone(settings, recipe, data.train, steps, out)
            record(f"alone-{h}", train=m, heldout_loss=heldout_losses(settings, recipe, state, hospitals))
            record(f"alone-{h}", frenchmedmcqa_dev=export_and_eval(settings, home, out / "adapter", f"fedbench-alone-{h}", limit, args.threads))
    if "central" in arms:
        out = work / "central"
        shutil.rmtree(out, ignore_errors=True)
        import random

        union = [ex for d in hospitals.values() for ex in d.train]
        random.Random(0).shuffle(union)
        state, m = train_alone(settings, recipe, union, 3 * steps, out)
        record("central", train=m, heldout_loss=heldout_losses(settings, recipe, state, hospitals))
        record("central", frenchmedmcqa_dev=export_and_eval(settings, home, out / "adapter", "fedbench-central", limit, args.threads))
    doc["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    save(doc)
    print_table(doc)


def print_table(doc: dict) -> None:
    print("| arm | " + " | ".join(f"held-out loss {h}" for h in doc["conditions"]["hospitals"]) + " | mean | dev EMR | dev Hamming |")
    for name, a in doc["arms"].items():
        hl = a.get("heldout_loss", {})
        ev = a.get("frenchmedmcqa_dev", {})
        mean = sum(hl.values()) / len(hl) if hl else float("nan")
        emr = f"{100 * ev['emr']['value']:.1f}" if "emr" in ev else "-"
        ham = f"{100 * ev['hamming']['value']:.1f}" if "hamming" in ev else "-"
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in hl.values()) + f" | {mean:.3f} | {emr} | {ham} |")


if __name__ == "__main__":
    main()
