"""Train the name/place tagger on synthetic notes and save its weights.

    python -m partages.deid.train_tagger [--data-dir DIR]

Training data: every EDS-Pseudo template (train, dev and the two spent test splits' templates)
refilled 12 times, plus the first two sets of hand-written notes (``tricky_notes.txt``,
``tricky_notes_v2.txt``), also refilled; then (since 2026-11-29, session 4) the template snippets
and notes of every *blind-written* split that is spent or for development (``test-v3`` …
``test-v9``, ``dev-v3`` … ``dev-v12``), refilled 4 times. The held-out ``test`` split is never
used. Measured on two blind development pairs the tagger had not seen (dev-v5, dev-v6), adding the
blind sets of that time raised redact recall from 0.9811 / 0.9876 to 0.9811 / 0.9908 (template
refills + notes; the notes alone 0.970 → 0.977 and 0.953 → 0.962); see BENCHMARKS.md.
``benchmarks/deid_unseen.py`` cross-validates the EDS-Pseudo part of this recipe over template
folds. Deterministic (fixed seeds): the same data gives the same weights.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from partages.deid.resources import load_lexicons
from partages.deid.synth import EVAL_DATA, blind_template_files, correct_gold, fill, read_blind_templates, read_templates
from partages.deid.tagger import WEIGHTS_PATH, train

TRAINING_NOTE_FILES = ("tricky_notes.txt", "tricky_notes_v2.txt")
# blind-written splits the tagger learns from: all spent test splits and development splits,
# never the held-out ``test``
BLIND_TRAINING_SPLITS = (*(f"test-v{v}" for v in range(3, 10)), *(f"dev-v{v}" for v in range(3, 13)))


def training_note_templates(files: tuple[str, ...] = TRAINING_NOTE_FILES) -> list[str]:
    """Hand-written notes used for training, as refillable templates (comments and
    ``#patient`` lines dropped; ``{{protect}}`` marks stay for :func:`fill` to keep)."""
    import re

    out = []
    for name in files:
        path = EVAL_DATA / name
        if not path.exists():
            continue
        for note in re.split(r"\n---\n", path.read_text(encoding="utf-8")):
            body = "\n".join(ln for ln in note.split("\n") if not ln.startswith("#")).strip("\n")
            if body.strip():
                out.append(body)
    return out


def blind_training_templates(splits: tuple[str, ...] = BLIND_TRAINING_SPLITS) -> list[str]:
    """Template snippets and notes (as templates) of the blind-written training splits."""
    from partages.deid.eval_data import NOTE_SETS

    assert "test" not in splits, "the held-out split is never trained on"
    out = []
    for split in splits:
        out += [t for path in blind_template_files(split) if path.exists() for t in read_blind_templates(path)]
        out += training_note_templates(tuple(f for name, f, _ in NOTE_SETS if name == split))
    return out


def training_examples(data_dir: Path, refills: int = 12, keep=None, notes: bool = True, blind: tuple[str, ...] = BLIND_TRAINING_SPLITS,
                      blind_refills: int = 4) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, [(start, end, label)]) examples; ``keep(index, template)`` restricts the EDS-Pseudo
    templates (the cross-validation folds), ``notes`` adds the hand-written notes, ``blind`` the
    blind-written splits (refilled ``blind_refills`` times)."""
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
    extra = blind_training_templates(blind) if blind else []
    rng = random.Random("tagger-train-blind")
    for _ in range(blind_refills):
        for t in extra:
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
