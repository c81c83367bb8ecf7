"""Decontamination: drop training documents that overlap an evaluation split.

Method (after GPT-3 / Brown et al. 2020, with an item-coverage threshold as in the Llama 2
contamination analysis): word n-grams of every evaluation item (an MCQ is its question plus its
options) are indexed; a training document covering at least ``min_overlap`` of an item's
n-grams is removed. Boilerplate shared by many evaluation items
("Parmi les propositions suivantes, laquelle est exacte") is not evidence of leakage, so n-grams
seen in more than ``max_item_frequency`` items are not indexed, and coverage (not one shared n-gram) decides. Items shorter than ``n`` words
are indexed whole. Written by hand: it is a set lookup, and the index must know our splits.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from partages.corpus.base import PipelineStep
from partages.corpus.document import Document
from partages.corpus.errors import CorpusError

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_WORDS = 4


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def ngrams(ws: list[str], n: int) -> Iterator[tuple[str, ...]]:
    for i in range(len(ws) - n + 1):
        yield tuple(ws[i : i + n])


def frenchmedmcqa_items(data_dir: Path, splits: tuple[str, ...] = ("dev", "test")) -> Iterator[tuple[str, str]]:
    for split in splits:
        path = Path(data_dir) / "frenchmedmcqa" / f"{split}.json"
        if not path.exists():
            raise CorpusError(f"{path}: evaluation split not found (needed for decontamination)")
        for row in json.loads(path.read_text(encoding="utf-8")):
            options = " ".join(str(v) for _, v in sorted((row.get("answers") or {}).items()))
            yield f"frenchmedmcqa/{split}", f"{row['question']} {options}"


def morfitt_items(data_dir: Path, splits: tuple[str, ...] = ("dev", "test")) -> Iterator[tuple[str, str]]:
    for split in splits:
        path = Path(data_dir) / "morfitt" / f"{split}.tsv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                yield f"morfitt/{split}", row.get("abstract") or ""


_MARKUP = re.compile(r"\[([^\]]+)\]\([A-Z_]+\)|\{\{(.+?)\}\}")


def deid_eval_items() -> Iterator[tuple[str, str]]:
    """The pseudonymisation evaluation's hand-written notes (``partages.deid.eval_data``), markup
    removed, when that component is installed."""
    from importlib.resources import files

    try:
        folder = files("partages.deid.eval_data")
        stems = sorted(f.name[:-4] for f in folder.iterdir() if f.name.endswith(".txt"))
    except ModuleNotFoundError:
        return
    first = [n for n in ("tricky_notes", "tricky_notes_v2") if n in stems]  # stable order for the stats
    for name in first + [n for n in stems if n not in first]:
        raw = (folder / f"{name}.txt").read_text(encoding="utf-8")
        for note in raw.split("\n---"):
            lines = [ln for ln in note.splitlines() if ln.strip() and not ln.startswith("#")]
            if lines:
                yield f"deid/{name}", _MARKUP.sub(lambda m: m.group(1) or m.group(2), " ".join(lines))


def file_items(path: Path, name: str | None = None, text_key: str = "text") -> Iterator[tuple[str, str]]:
    """Extra evaluation data: JSONL (``text_key``) or plain text (one item per line)."""
    label = name or path.name
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            if path.suffix == ".jsonl":
                try:
                    yield label, str(json.loads(line)[text_key])
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise CorpusError(f"{path}:{lineno}: evaluation item unreadable ({type(exc).__name__})") from exc
            else:
                yield label, line


class Decontaminate(PipelineStep):
    """Index eval items' n-grams; drop a document that covers at least ``min_overlap`` of one
    item's n-grams (or contains a short item whole)."""

    name = "decontaminate"

    def __init__(self, items: Iterable[tuple[str, str]], n: int = 8, min_overlap: float = 0.3, max_item_frequency: int = 3) -> None:
        super().__init__()
        self.n, self.min_overlap = n, min_overlap
        self.index: dict[tuple[str, ...], list[int]] = {}
        self.item_split: list[str] = []
        self.item_size: list[int] = []
        short: dict[tuple[str, ...], list[int]] = {}
        for split, text in items:
            ws = words(text)
            if len(ws) < MIN_WORDS:
                continue
            item = len(self.item_split)
            self.item_split.append(split)
            if len(ws) < n:
                short.setdefault(tuple(ws), []).append(item)
                self.item_size.append(1)
                continue
            grams = set(ngrams(ws, n))
            self.item_size.append(len(grams))
            for g in grams:
                self.index.setdefault(g, []).append(item)
        # boilerplate shared by many items is not evidence of leakage
        self.index = {g: ids for g, ids in self.index.items() if len(ids) <= max_item_frequency}
        self.short = {g: ids for g, ids in short.items() if len(ids) <= max_item_frequency}
        self.short_lengths = sorted({len(k) for k in self.short})
        self.stats["eval_items_indexed"] = len(self.item_split)
        self.stats["eval_ngrams_indexed"] = len(self.index)

    def hit(self, text: str) -> str | None:
        """The evaluation split a text leaks from, or ``None``."""
        ws = words(text)
        matched: Counter[int] = Counter()
        for g in set(ngrams(ws, self.n)):
            for item in self.index.get(g, ()):
                matched[item] += 1
        for item, m in matched.most_common():
            if m / self.item_size[item] >= self.min_overlap:
                return self.item_split[item]
            break
        for k in self.short_lengths:
            for g in ngrams(ws, k):
                if g in self.short:
                    return self.item_split[self.short[g][0]]
        return None

    def process(self, doc: Document) -> Document | None:
        split = self.hit(doc.text)
        if split is not None:
            self.drop("contaminated")
            self.stats[f"contaminated_{split}"] += 1
            return None
        return doc
