"""Errors on *unseen templates* without touching the test split: template cross-validation
inside the train split.

    .venv/bin/python benchmarks/deid_unseen.py [--folds 5] [--docs 120] [--label DATE] [--top 15] [--seed 0]

Why: dev2 (train templates, other refill) under-states the errors of a held-out layout, since the
tagger learned those very templates. Here the train templates are cut into folds by a stable
hash; for each fold the tagger is retrained on the other folds only (same recipe as
``partages.deid.train_tagger``) and notes are generated from the fold's templates, so each note's
layouts were never seen by the tagger. (The rules were written looking at dev/train notes, so
this still flatters the rules a little.) Prints the pooled scores and the error shapes of
``deid_errors.py`` and writes ``benchmarks/results/deid_unseen.json``. Never used on test splits.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from deid_errors import print_errors  # noqa: E402


def fold_of(index: int, template: str, folds: int) -> int:
    return int(hashlib.sha256(f"fold:{index}:{template}".encode()).hexdigest()[:8], 16) % folds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--docs", type=int, default=120, help="notes generated per fold")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--label", default=None)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--ctx", type=int, default=30)
    ap.add_argument("--all-templates", action="store_true",
                    help="folds over every EDS-Pseudo template (+ the hand-written training notes), the recipe since the third test split")
    ap.add_argument("--no-notes", action="store_true", help="with --all-templates: train without the hand-written notes")
    ap.add_argument("--no-ipp-bare", action="store_true", help="do not redact unlabelled long numbers (IPP policy experiment)")
    a = ap.parse_args()

    from partages.config import get_settings
    from partages.deid import evaluate
    from partages.deid.detector import Detector, DetectorConfig
    from partages.deid.numbers import IdPatterns
    from partages.deid.resources import load_lexicons
    from partages.deid.synth import make_documents, read_templates, split_of
    from partages.deid.tagger import train
    from partages.deid.train_tagger import training_examples

    data_dir = Path(get_settings().data_dir)
    lx = load_lexicons(str(data_dir))
    all_templates = list(enumerate(read_templates(data_dir)))
    templates = all_templates if a.all_templates else [(i, t) for i, t in all_templates if split_of(i, t) == "train"]
    docs_all: list[dict] = []
    preds: dict[str, list] = {}
    per_fold = []
    for k in range(a.folds):
        def keep(i, t, k=k):
            return fold_of(i, t, a.folds) != k and (a.all_templates or split_of(i, t) == "train")

        examples = training_examples(data_dir, keep=keep, notes=a.all_templates and not a.no_notes)  # the train_tagger recipe, other folds only
        pats = IdPatterns.from_settings()
        if a.no_ipp_bare:
            pats.bare_label = None
        det = Detector(DetectorConfig(data_dir=data_dir, id_patterns=pats))
        det.tagger = train(examples, lx)
        docs = make_documents(data_dir, "dev-all" if a.all_templates else "dev2", a.docs, seed=1000 + 17 * a.seed + k,
                              keep=lambda i, t, k=k: fold_of(i, t, a.folds) == k and (a.all_templates or split_of(i, t) == "train"))
        for d in docs:
            d["id"] = f"fold{k}-{d['id']}"
            preds[d["id"]] = det.detect(d["text"], d.get("patient"))
        by_id = {d["text"]: preds[d["id"]] for d in docs}
        r = evaluate(docs, lambda t, p: by_id[t])
        n_t = sum(1 for i, t in templates if fold_of(i, t, a.folds) == k)
        per_fold.append({"fold": k, "templates": n_t, "docs": len(docs), "redact_recall": r.redact_recall, "redact_precision": r.redact_precision,
                         "docs_nothing_missed": r.docs_nothing_missed})
        print(f"fold {k}: {n_t} templates · recall {r.redact_recall:.4f} · precision {r.redact_precision:.4f}", flush=True)
        docs_all += docs
    print()
    print_errors(docs_all, preds, f"unseen-template folds ({a.folds})", label=a.label, top=a.top, ctx=a.ctx)
    by_text = {d["text"]: preds[d["id"]] for d in docs_all}
    r = evaluate(docs_all, lambda t, p: by_text[t])
    out = Path(__file__).parent / "results" / ("deid_unseen_no_ipp_bare.json" if a.no_ipp_bare else ("deid_unseen_all.json" if a.all_templates else "deid_unseen.json"))
    out.write_text(json.dumps({"note": "template cross-validation inside the train split: tagger retrained without the fold, notes from the fold's templates",
                               "folds": per_fold, "pooled": {k: v for k, v in r.to_dict().items()}}, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
