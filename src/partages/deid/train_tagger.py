"""Train the name/place tagger on synthetic notes and save its weights.

    python -m partages.deid.train_tagger [--data-dir DIR]

Training data: every EDS-Pseudo template (train, dev and the two spent test splits' templates)
refilled 12 times, plus the first two sets of hand-written notes (``tricky_notes.txt``,
``tricky_notes_v2.txt``), also refilled. The held-out test split (blind templates and
``tricky_notes_v3.txt``) is never used. ``benchmarks/deid_unseen.py`` cross-validates this
recipe over template folds. Deterministic (fixed seeds): the same data gives the same weights.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from partages.deid.resources import load_lexicons
from partages.deid.synth import correct_gold, fill, read_templates
from partages.deid.tagger import WEIGHTS_PATH, train

TRAINING_NOTE_FILES = ("tricky_notes.txt", "tricky_notes_v2.txt")


def training_note_templates() -> list[str]:
    """The hand-written notes used for training, as refillable templates (comments and
    ``#patient`` lines dropped; ``{{protect}}`` marks stay for :func:`fill` to keep)."""
    import re

    folder = Path(__file__).with_name("eval_data")
    out = []
    for name in TRAINING_NOTE_FILES:
        for note in re.split(r"\n---\n", (folder / name).read_text(encoding="utf-8")):
            body = "\n".join(ln for ln in note.split("\n") if not ln.startswith("#")).strip("\n")
            if body.strip():
                out.append(body)
    return out


def training_examples(data_dir: Path, refills: int = 12, keep=None, notes: bool = True) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, [(start, end, label)]) examples; ``keep(index, template)`` restricts the EDS-Pseudo
    templates (the cross-validation folds), ``notes`` adds the hand-written notes."""
    lx = load_lexicons(str(data_dir))
    templates = [correct_gold(t) for i, t in enumerate(read_templates(data_dir)) if keep is None or keep(i, t)]
    if notes:
        templates += training_note_templates()
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
