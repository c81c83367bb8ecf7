"""Evaluation data: hand-written tricky notes (committed, ours) + synthetic notes generated at
run time from the shared EDS-Pseudo templates (never committed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from partages.deid.synth import make_documents

TRICKY_PATH = Path(__file__).with_name("tricky_notes.txt")
_MARK = re.compile(r"\[([^\[\]]+?)\]\(([A-Z_]+)\)|\{\{(.+?)\}\}")


def parse_note(raw: str) -> dict:
    patient = None
    lines = []
    for line in raw.strip("\n").split("\n"):
        if line.startswith("#patient "):
            patient = json.loads(line[len("#patient "):])
        elif not line.startswith("#"):
            lines.append(line)
    src = "\n".join(lines)
    text, spans, protect, pos = [], [], [], 0
    length = 0
    for m in _MARK.finditer(src):
        before = src[pos:m.start()]
        text.append(before)
        length += len(before)
        surface = m.group(1) if m.group(1) is not None else m.group(3)
        if m.group(1) is not None:
            spans.append({"start": length, "end": length + len(surface), "label": m.group(2)})
        else:
            protect.append({"start": length, "end": length + len(surface)})
        text.append(surface)
        length += len(surface)
        pos = m.end()
    text.append(src[pos:])
    doc = {"text": "".join(text), "spans": spans, "protect": protect}
    if patient:
        doc["patient"] = patient
    return doc


# (split, file, id prefix) of the other hand-written note sets, in output order; the ids are
# stable across sessions (they name the notes in earlier results)
NOTE_SETS = (
    ("test-v2", "tricky_notes_v2.txt", "tricky-v2-"),
    ("test-v3", "tricky_notes_v3.txt", "tricky-v3-"),
    *((f"test-v{v}", f"test_v{v}_notes.txt", f"test-v{v}-note-") for v in range(4, 9)),
    ("test-v9", "test_v9_notes.txt", "test-v9-note-"),
    ("test", "test_v10_notes.txt", "test-v10-note-"),
    ("test", "test_v11_notes.txt", "test-v11-note-"),
    ("dev-v3", "dev_notes_v3.txt", "dev-v3-note-"),
    ("dev-v4", "dev_notes_v4.txt", "dev-v4-note-"),
    *((f"dev-v{v}", f"dev_notes_v{v}.txt", f"dev-v{v}-note-") for v in range(5, 13)),
)


def _notes(path: Path) -> list[str]:
    return [n for n in re.split(r"\n---\n", path.read_text(encoding="utf-8")) if n.strip()
            and any(ln.strip() and not ln.startswith("#") or ln.startswith("#patient ") for ln in n.split("\n"))]


def tricky_notes(split: str | None = None) -> list[dict]:
    """Hand-written notes of one split: ``dev`` (even notes of the first set), ``test-v1`` (odd
    notes of the first set), ``test-v2`` (the second set), ``test-v3`` to ``test-v9`` (written
    blind) — all spent —, ``test`` (the tenth and eleventh sets, written blind, held out),
    ``dev-v3`` to ``dev-v10`` (blind development notes). ``None`` gives all of them."""
    out = []
    for i, n in enumerate(_notes(TRICKY_PATH)):
        s = "dev" if i % 2 == 0 else "test-v1"
        if split and s != split:
            continue
        out.append({"id": f"tricky-{i:03d}", **parse_note(n)})
    for name, fname, prefix in NOTE_SETS:
        path = Path(__file__).with_name(fname)
        if split in (None, name) and path.exists():
            out += [{"id": f"{prefix}{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(path))]
    return out


def build_gold(data_dir: Path, split: str, n_docs: int = 200, *, tricky: bool = True, seed: int = 0, corrected: bool = True) -> list[dict]:
    docs = make_documents(Path(data_dir), split, n_docs, seed=seed, corrected=corrected)
    if tricky:
        docs += tricky_notes(split)
    return docs
