"""Statistical component: an averaged-perceptron tagger for names and places the rules miss.

It labels *candidate* tokens only (capitalised words not already claimed by a rule or the
protect list) as NOM, PRENOM, VILLE, HOPITAL or O, left to right, each decision seeing the
previous one. Features are word shape, membership and frequency in the name/commune lexicons,
whether the word is a frequent French common word, and the surrounding words.

Why this and not a spaCy/CamemBERT NER: on the dev set it gives higher recall on NOM/PRENOM
than ``fr_core_news_md``'s PER/LOC entities while running ~50x faster (see
``docs``/BENCHMARKS: the corpus gate runs detection on every record). Why hand-written: the
model is ~80 lines; a CRF/transformer library would add a heavy dependency for a few
thousand weights. The weights (``tagger_weights.json.gz``) hold feature weights only: the
identity of a candidate word is a feature only when it is a common French word, never a name.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
from collections import defaultdict
from pathlib import Path

from partages.deid.resources import Lexicons
from partages.deid.text import fold_key

CLASSES = ("O", "NOM", "PRENOM", "VILLE", "HOPITAL")
WEIGHTS_PATH = Path(__file__).with_name("tagger_weights.json.gz")
TOKEN = re.compile(r"(?i:jusqu|lorsqu|puisqu|qu|[dljmnstc])['’](?=[^\W\d_])|[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*\.?|\d+|[^\w\s]")
_TITLES = {"m", "m.", "mr", "mme", "mlle", "dr", "dr.", "pr", "pr.", "docteur", "professeur", "monsieur", "madame", "mademoiselle", "me", "mme.", "mlle.", "melle", "mr."}


def tokenize(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(text)]


def is_candidate(tok: str) -> bool:
    w = tok.rstrip(".")
    if not tok[:1].isupper() or len(w) < 2 or (w.isupper() and len(w) < 3):
        return False
    return fold_key(w) not in _TITLES


def _bucket(x: float) -> str:
    return str(int(max(-3, min(3, math.floor(math.log10(x)))))) if x > 0 else "z"


def features(toks: list[tuple[int, int, str]], i: int, text: str, lx: Lexicons, prev_label: str) -> list[str]:
    b, e, w = toks[i]
    w0 = w.rstrip(".")
    k = fold_key(w0)
    shape = "I" if len(w0) == 1 else ("U" if w0.isupper() else ("T" if w0[1:].islower() or "-" in w0 else "M"))
    f = ["b", "s=" + shape, "pl=" + prev_label, "l=" + str(min(len(w0), 8))]
    fn = lx.first_names.get(k) or lx.first_names.get(k.split(" ")[0])
    if fn:
        f.append("fn=" + fn[0] + _bucket(fn[1]))
    ln = lx.last_names.get(k)
    if ln is not None:
        f.append("ln=" + _bucket(ln))
    cm = lx.communes.get(k)
    if cm is not None:
        f.append("cm=" + _bucket(cm / 1000.0))
    cw = k in lx.common_words
    if cw:
        f.append("cw")
        f.append("w=" + k)
        f.append("cw" + shape)
    if not (fn or ln is not None or cm is not None or cw):
        f.append("unk" + shape)
    f.append("suf=" + k[-3:] if not (fn or ln) else "suf=name")
    line_start = text.rfind("\n", 0, b)
    if not text[line_start + 1:b].strip():
        f.append("bol")
    for off in (1, 2):
        j = i - off
        if j >= 0:
            pw = toks[j][2]
            pk = fold_key(pw.rstrip(".")) or pw
            if pw[:1].isupper() and pk not in _TITLES:
                f.append(f"p{off}cap" + ("U" if pw.isupper() else "T"))
                if off == 1 and (pk in lx.first_names):
                    f.append("p1fn")
                if off == 1 and pk in lx.last_names:
                    f.append("p1ln")
            else:
                f.append(f"p{off}=" + (pk if (pk in lx.common_words or pk in _TITLES or not pw[:1].isalpha()) else "?"))
            if pk in _TITLES:
                f.append("title" + str(off))
        else:
            f.append(f"p{off}=<s>")
    for off in (1, 2):
        j = i + off
        if j < len(toks):
            nw = toks[j][2]
            nk = fold_key(nw.rstrip(".")) or nw
            if nw[:1].isupper():
                f.append(f"n{off}cap" + ("U" if nw.isupper() else "T"))
                if off == 1 and nk in lx.first_names:
                    f.append("n1fn")
                if off == 1 and nk in lx.last_names:
                    f.append("n1ln")
            else:
                f.append(f"n{off}=" + (nk if (nk in lx.common_words or not nw[:1].isalpha()) else "?"))
        else:
            f.append(f"n{off}=</s>")
    return f


class Tagger:
    def __init__(self, weights: dict[str, dict[str, float]] | None = None) -> None:
        self.weights: dict[str, dict[str, float]] = weights or {}

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> "Tagger":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return cls(json.load(f))

    def save(self, path: Path = WEIGHTS_PATH) -> None:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            json.dump({k: {c: round(v, 3) for c, v in ws.items() if abs(v) > 1e-3} for k, ws in self.weights.items()}, f, separators=(",", ":"), sort_keys=True)

    def predict_one(self, feats: list[str]) -> str:
        scores = dict.fromkeys(CLASSES, 0.0)
        W = self.weights
        for ft in feats:
            ws = W.get(ft)
            if ws:
                for c, v in ws.items():
                    scores[c] += v
        return max(CLASSES, key=lambda c: (scores[c], c == "O"))

    def tag(self, text: str, lx: Lexicons, skip: "callable") -> list[tuple[int, int, str]]:
        """(start, end, label) for candidate tokens predicted as an identifier. ``skip(b, e, w)``
        says a token is already handled (rule span, protect list)."""
        toks = tokenize(text)
        out = []
        prev = "O"
        for i, (b, e, w) in enumerate(toks):
            if not is_candidate(w) or skip(b, e, w):
                if w.strip():
                    prev = "O" if not (w[:1].isupper() and out and out[-1][1] >= b - 1) else prev
                continue
            lab = self.predict_one(features(toks, i, text, lx, prev))
            if lab != "O":
                end = e - 1 if w.endswith(".") and len(w) > 2 else e
                out.append((b, end, lab))
            prev = lab
        return out


def train(examples: list[tuple[str, list[tuple[int, int, str]]]], lx: Lexicons, epochs: int = 6, seed: int = 0) -> Tagger:
    """Averaged perceptron. ``examples``: (text, gold spans (start, end, label)). Candidate
    tokens inside a gold span of NOM/PRENOM/VILLE/HOPITAL take its label, other candidates O.
    Rule-covered tokens are included too: the model must be right on its own."""
    W: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    totals: dict[tuple[str, str], float] = defaultdict(float)
    stamps: dict[tuple[str, str], int] = defaultdict(int)
    step = 0
    rng = random.Random(seed)
    data = []
    for text, spans in examples:
        toks = tokenize(text)
        gold = []
        for b, e, _w in toks:
            lab = "O"
            for sb, se, sl in spans:
                if sb <= b < se and sl in CLASSES:
                    lab = sl
                    break
            gold.append(lab)
        data.append((text, toks, gold))

    def upd(ft: str, c: str, v: float) -> None:
        key = (ft, c)
        totals[key] += (step - stamps[key]) * W[ft][c]
        stamps[key] = step
        W[ft][c] += v

    for _ in range(epochs):
        rng.shuffle(data)
        for text, toks, gold in data:
            prev = "O"
            for i, (b, e, w) in enumerate(toks):
                if not is_candidate(w):
                    continue
                step += 1
                feats = features(toks, i, text, lx, prev)
                scores = dict.fromkeys(CLASSES, 0.0)
                for ft in feats:
                    for c, v in W.get(ft, {}).items():
                        scores[c] += v
                guess = max(CLASSES, key=lambda c: (scores[c], c == "O"))
                if guess != gold[i]:
                    for ft in feats:
                        upd(ft, gold[i], 1.0)
                        upd(ft, guess, -1.0)
                prev = gold[i]
    avg: dict[str, dict[str, float]] = {}
    for ft, ws in W.items():
        for c, v in ws.items():
            key = (ft, c)
            total = totals[key] + (step - stamps[key]) * v
            a = total / max(step, 1)
            if abs(a) > 1e-4:
                avg.setdefault(ft, {})[c] = a
    return Tagger(avg)
