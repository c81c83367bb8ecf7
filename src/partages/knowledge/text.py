"""Text folding and tokenising shared by the drug lookup, the interaction matcher and the index.

Prescribers write "kardegic 75mg", "PREVISCAN 20 mg cp", "amoxiciline", "acide acetylsalicylique":
every comparison here is done on a *folded* form (lower case, no accents, punctuation as spaces)
so that accents, case and spacing never decide a match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z%]+")
_NUM_UNIT = re.compile(r"(\d)([a-z%µ])")


def fold(text: str) -> str:
    """Lower case, accents removed, ``œ``/``æ`` expanded, punctuation collapsed to single spaces."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("µ", "u").replace("’", "'")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


def slug(text: str) -> str:
    """Folded text joined by dashes: the readable part of a stable id (``anticoagulants-oraux``)."""
    return fold(text).replace(" ", "-")


# --- dosages ----------------------------------------------------------------------------------
# unit (folded spelling) -> (canonical unit, factor to it)
_UNITS: dict[str, tuple[str, float]] = {
    "g": ("mg", 1000.0),
    "gr": ("mg", 1000.0),
    "gramme": ("mg", 1000.0),
    "grammes": ("mg", 1000.0),
    "mg": ("mg", 1.0),
    "milligramme": ("mg", 1.0),
    "milligrammes": ("mg", 1.0),
    "ug": ("mg", 0.001),
    "mcg": ("mg", 0.001),
    "microgramme": ("mg", 0.001),
    "microgrammes": ("mg", 0.001),
    "ui": ("ui", 1.0),
    "u": ("ui", 1.0),
    "ml": ("ml", 1.0),
    "%": ("%", 1.0),
}
_DOSE = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(" + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True)) + r")(?![a-z])")


@dataclass(frozen=True)
class Dose:
    value: float
    unit: str  # canonical: mg, ui, ml, %

    def __str__(self) -> str:
        v = int(self.value) if float(self.value).is_integer() else round(self.value, 4)
        return f"{v} {self.unit}"


def doses(text: str) -> list[Dose]:
    """Every strength written in ``text``, in canonical units (``1g`` -> 1000 mg)."""
    t = text.lower().replace("µ", "u").replace("μ", "u")
    t = _NUM_UNIT.sub(r"\1 \2", t)
    t = re.sub(r"(\d) (\d{3})\b", r"\1\2", t)  # "200 000 UI" -> "200000 UI"
    out = []
    for m in _DOSE.finditer(t):
        unit, factor = _UNITS[m.group(2)]
        out.append(Dose(float(m.group(1).replace(",", ".")) * factor, unit))
    return out


def strip_doses(folded: str) -> str:
    """The folded text without its strengths (and bare numbers)."""
    t = _NUM_UNIT.sub(r"\1 \2", folded)
    t = _DOSE.sub(" ", t)
    t = re.sub(r"\b\d+(?:[.,]\d+)?\b", " ", t)
    return " ".join(t.split())


# --- tokens for BM25 --------------------------------------------------------------------------
_TOKEN = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: Snowball's French stemmer, C speed

    return Stemmer.Stemmer("french")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_FRENCH

    return frozenset(fold(w) for w in STOPWORDS_FRENCH) | {"l", "d", "s", "n", "qu", "c", "j", "m", "t"}


def tokens(text: str) -> list[str]:
    """Folded, stop-word-free, Snowball-stemmed French tokens (numbers kept: doses, codes)."""
    toks = [t for t in _TOKEN.findall(fold(text)) if t not in _stopwords()]
    return _stemmer().stemWords(toks)
