"""Training throughput (tokens/s) and MFU for the Gemma 3 270M architecture and a ~1B config,
randomly initialised (throughput does not depend on the weights).

    python benchmarks/train_throughput.py                 # GPU if present, else CPU (small)
    python benchmarks/train_throughput.py --configs 270m 1b --steps 20 --batch 8 --seq 1024

Full fine-tuning steps (forward + backward + AdamW) with bf16 autocast on GPU, fp32 on CPU.
MFU = achieved model FLOPs / peak: model FLOPs per token = 6 × N_non-embedding + 6 × d × V
(LM head) + 12 × L × d_attn × seq (attention scores), after PaLM's appendix B. The peak is
``--peak-tflops`` (e.g. 989 for H100/H200 bf16 dense) or a small table keyed by device name.
Prints a table and writes benchmarks/results/train_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

CONFIGS = {
    # Gemma 3 270M (google/gemma-3-270m config)
    "270m": dict(hidden_size=640, intermediate_size=2048, num_hidden_layers=18, num_attention_heads=4, num_key_value_heads=1, head_dim=256),
    # a ~1B Gemma 3 (google/gemma-3-1b-pt shape)
    "1b": dict(hidden_size=1152, intermediate_size=6912, num_hidden_layers=26, num_attention_heads=4, num_key_value_heads=1, head_dim=256),
    # CPU smoke size
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=32),
}
PEAK_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10": 125.0}


def model_flops_per_token(cfg, n_params_non_emb: int, seq: int) -> float:
    d, v, layers = cfg.hidden_size, cfg.vocab_size, cfg.num_hidden_layers
    attn = cfg.num_attention_heads * cfg.head_dim
    return 6 * n_params_non_emb + 6 * d * v + 12 * layers * attn * seq


def run(name: str, steps: int, batch: int, seq: int, device: str, vocab: int) -> dict:
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    cfg = Gemma3TextConfig(vocab_size=vocab, max_position_embeddings=max(seq, 2048), **CONFIGS[name])
    torch.manual_seed(0)
    model = Gemma3ForCausalLM(cfg).to(device)
    model.train()
    n_total = sum(p.numel() for p in model.parameters())
    n_emb = model.get_input_embeddings().weight.numel()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=device == "cuda")
    ids = torch.randint(0, vocab, (batch, seq), device=device)
    amp = torch.autocast("cuda", dtype=torch.bfloat16) if device == "cuda" else torch.autocast("cpu", enabled=False)

    def step():
        with amp:
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()  # warm-up (allocations, kernels)
    if device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    tokens_s = steps * batch * seq / dt
    achieved = tokens_s * model_flops_per_token(cfg, n_total - n_emb, seq)
    out = {"config": name, "params": n_total, "non_embedding_params": n_total - n_emb, "batch": batch, "seq": seq,
           "steps": steps, "seconds": round(dt, 2), "tokens_per_s": round(tokens_s, 1), "achieved_tflops": round(achieved / 1e12, 3)}
    if device == "cuda":
        out["peak_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", nargs="+", default=None, choices=sorted(CONFIGS))
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--seq", type=int, default=None)
    ap.add_argument("--vocab", type=int, default=262_144)
    ap.add_argument("--peak-tflops", type=float, default=None)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "train_throughput.json")
    a = ap.parse_args()
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name() if device == "cuda" else platform.processor() or "cpu"
    configs = a.configs or (["270m", "1b"] if device == "cuda" else ["tiny"])
    batch = a.batch or (8 if device == "cuda" else 2)
    seq = a.seq or (1024 if device == "cuda" else 128)
    peak = a.peak_tflops or next((v for k, v in PEAK_TFLOPS.items() if k in name), None)
    rows = []
    for c in configs:
        r = run(c, a.steps, batch, seq, device, a.vocab)
        if peak and device == "cuda":
            r["mfu"] = round(r["achieved_tflops"] / peak, 4)
        rows.append(r)
        print(f"{c:>5} | {r['params'] / 1e6:7.1f} M params | {r['tokens_per_s']:10.1f} tok/s | {r['achieved_tflops']:8.3f} TFLOP/s | MFU {r.get('mfu', '-')}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({"device": name, "torch": torch.__version__, "peak_tflops": peak, "results": rows}, indent=2))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
