"""Train the name/place tagger on the *train* split of the synthetic notes and save its weights.

    python -m partages.deid.train_tagger [--data-dir DIR]

Deterministic (fixed seeds): the same data gives the same weights file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from partages.deid.resources import load_lexicons
from partages.deid.synth import correct_gold, fill, read_templates, split_of
from partages.deid.tagger import WEIGHTS_PATH, train


def training_examples(data_dir: Path, refills: int = 12) -> list[tuple[str, list[tuple[int, int, str]]]]:
    import random

    lx = load_lexicons(str(data_dir))
    templates = [correct_gold(t) for i, t in enumerate(read_templates(data_dir)) if split_of(i, t) == "train"]
    rng = random.Random("tagger-train")
    out = []
    for _ in range(refills):
        for t in templates:
            text, spans = fill(t, rng, lx)
            out.append((text, [(s["start"], s["end"], s["label"]) for s in spans]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    a = ap.parse_args()
    data_dir = a.data_dir
    if data_dir is None:
        from partages.config import get_settings

        data_dir = get_settings().data_dir
    lx = load_lexicons(str(data_dir))
    tagger = train(training_examples(Path(data_dir)), lx)
    tagger.save(a.out)
    print(f"saved {len(tagger.weights)} features to {a.out}")


if __name__ == "__main__":
    main()
