"""Error analysis for the pseudonymisation detector on a development split.

    .venv/bin/python benchmarks/deid_errors.py --split dev2 [--docs 200] [--label DATE] [--top 25]

Prints, per label, the missed gold spans (false negatives) and the predicted spans that cover no
gold token (false positives), grouped by *surface shape* (digits → 9, upper → A, lower → a) with a
count, one example and a short context window — never whole notes. Use only on dev/dev2: the test
split is scored, never inspected (test-v1 to test-v9 are spent: inspected like dev since they were scored).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path


def shape(s: str) -> str:
    s = re.sub(r"\d", "9", s)
    s = re.sub(r"[A-ZÀ-Ý]", "A", s)
    s = re.sub(r"[a-zß-ÿ]", "a", s)
    return re.sub(r"(.)\1{2,}", r"\1\1+", s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev2", choices=["dev", "dev2", "dev-all", *(f"dev-v{v}" for v in range(3, 13)), *(f"test-v{v}" for v in range(1, 10))])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--label", default=None)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--ctx", type=int, default=30)
    a = ap.parse_args()

    from partages.config import get_settings
    from partages.deid.detector import default_detector
    from partages.deid.eval_data import build_gold

    docs = build_gold(Path(get_settings().data_dir), a.split, a.docs, seed=a.seed)
    det = default_detector()
    preds = {d["id"]: det.detect(d["text"], d.get("patient")) for d in docs}
    print_errors(docs, preds, f"split {a.split}", label=a.label, top=a.top, ctx=a.ctx)


def print_errors(docs: list[dict], preds: dict, title: str, *, label: str | None = None, top: int = 20, ctx: int = 30) -> None:
    """Scores, per-label table, then missed gold spans and false positives grouped by shape."""
    from partages.deid import evaluate

    fn: dict[str, Counter] = defaultdict(Counter)
    fp: dict[str, Counter] = defaultdict(Counter)
    ex: dict[tuple, str] = {}
    for d in docs:
        text = d["text"]
        spans = preds[d["id"]]
        gold = d["spans"]
        for g in gold:
            part = [s for s in spans if s.start < g["end"] and g["start"] < s.end]
            full = bool(part) and min(s.start for s in part) <= g["start"] and max(s.end for s in part) >= g["end"]
            if not full:
                kind = "missed" if not part else "partial"
                key = (g["label"], kind, shape(text[g["start"]:g["end"]]))
                fn[g["label"]][key] += 1
                ex.setdefault(key, _ctx(text, g["start"], g["end"], ctx))
        for s in spans:
            if not any(g["start"] < s.end and s.start < g["end"] for g in gold):
                key = (s.label, s.source, shape(s.text))
                fp[s.label][key] += 1
                ex.setdefault(key, _ctx(text, s.start, s.end, ctx))
    by_text = {d["text"]: preds[d["id"]] for d in docs}
    r = evaluate(docs, lambda t, p: by_text[t])
    print(f"{title}: {len(docs)} docs · redact recall {r.redact_recall:.4f} · precision {r.redact_precision:.4f} · "
          f"leaks {r.leaks} · over-redaction {r.over_redacted}/{r.protect_items}")
    print(f"{'label':16} {'P':>6} {'R':>6} {'F1':>6} {'tokens':>7}")
    for lab, m in sorted(r.per_label.items()):
        print(f"{lab:16} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {int(m.get('support', 0)):7d}")
    missed = Counter()  # gold tokens left visible (labels ignored), by gold label
    for d in docs:
        spans = preds[d["id"]]
        for g in d["spans"]:
            for m in re.finditer(r"\w+", d["text"][g["start"]:g["end"]]):
                b, e = g["start"] + m.start(), g["start"] + m.end()
                if not any(s.start < e and b < s.end for s in spans):
                    missed[g["label"]] += 1
    print("tokens left visible (redact misses) by gold label: " + ", ".join(f"{k} {v}" for k, v in missed.most_common()))
    for head, table in (("FALSE NEGATIVES (gold spans not fully covered)", fn), ("FALSE POSITIVES (predicted, no gold overlap)", fp)):
        print(f"\n== {head}")
        for lab in sorted(table, key=lambda k: -sum(table[k].values())):
            if label and lab != label:
                continue
            print(f"-- {lab}: {sum(table[lab].values())}")
            for key, n in table[lab].most_common(top):
                print(f"   {n:4d}  {key[1]:8} {key[2][:30]!s:32} {ex[key]}")


def _ctx(text: str, b: int, e: int, w: int) -> str:
    left = text[max(0, b - w):b].replace("\n", "⏎")
    right = text[e:e + w].replace("\n", "⏎")
    return f"…{left}[{text[b:e]}]{right}…"


if __name__ == "__main__":
    main()
