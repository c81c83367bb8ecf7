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


TRICKY_V2_PATH = Path(__file__).with_name("tricky_notes_v2.txt")
TRICKY_V3_PATH = Path(__file__).with_name("tricky_notes_v3.txt")
TEST_V4_PATH = Path(__file__).with_name("test_v4_notes.txt")
TEST_V5_PATH = Path(__file__).with_name("test_v5_notes.txt")
TEST_V6_PATH = Path(__file__).with_name("test_v6_notes.txt")
TEST_V7_PATH = Path(__file__).with_name("test_v7_notes.txt")
TEST_V8_PATH = Path(__file__).with_name("test_v8_notes.txt")
TEST_V9_PATH = Path(__file__).with_name("test_v9_notes.txt")
DEV_NOTES = {"dev-v3": Path(__file__).with_name("dev_notes_v3.txt"), "dev-v4": Path(__file__).with_name("dev_notes_v4.txt")}


def _notes(path: Path) -> list[str]:
    return [n for n in re.split(r"\n---\n", path.read_text(encoding="utf-8")) if n.strip()
            and any(ln.strip() and not ln.startswith("#") or ln.startswith("#patient ") for ln in n.split("\n"))]


def tricky_notes(split: str | None = None) -> list[dict]:
    """Hand-written notes of one split: ``dev`` (even notes of the first set), ``test-v1`` (odd
    notes of the first set), ``test-v2`` (the second set), ``test-v3`` to ``test-v8`` (written
    blind) — all spent —, ``test`` (the ninth, written blind, held out), ``dev-v3`` and
    ``dev-v4`` (blind development notes). ``None`` gives all of them."""
    out = []
    for i, n in enumerate(_notes(TRICKY_PATH)):
        s = "dev" if i % 2 == 0 else "test-v1"
        if split and s != split:
            continue
        out.append({"id": f"tricky-{i:03d}", **parse_note(n)})
    if split in (None, "test-v2"):
        out += [{"id": f"tricky-v2-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TRICKY_V2_PATH))]
    if split in (None, "test-v3"):
        out += [{"id": f"tricky-v3-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TRICKY_V3_PATH))]
    if split in (None, "test-v4"):
        out += [{"id": f"test-v4-note-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TEST_V4_PATH))]
    if split in (None, "test-v5"):
        out += [{"id": f"test-v5-note-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TEST_V5_PATH))]
    if split in (None, "test-v6"):
        out += [{"id": f"test-v6-note-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TEST_V6_PATH))]
    if split in (None, "test-v7"):
        out += [{"id": f"test-v7-note-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TEST_V7_PATH))]
    if split in (None, "test-v8"):
        out += [{"id": f"test-v8-note-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TEST_V8_PATH))]
    if split in (None, "test") and TEST_V9_PATH.exists():
        out += [{"id": f"test-v9-note-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(TEST_V9_PATH))]
    for name, path in DEV_NOTES.items():
        if split in (None, name) and path.exists():
            out += [{"id": f"{name}-note-{i:03d}", **parse_note(n)} for i, n in enumerate(_notes(path))]
    return out


def build_gold(data_dir: Path, split: str, n_docs: int = 200, *, tricky: bool = True, seed: int = 0, corrected: bool = True) -> list[dict]:
    docs = make_documents(Path(data_dir), split, n_docs, seed=seed, corrected=corrected)
    if tricky:
        docs += tricky_notes(split)
    return docs
