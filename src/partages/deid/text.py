"""Offset-preserving text folding and tokenisation.

Lexicon and identifier matching must ignore case and accents ("Hélène" = "HELENE") without
losing character offsets. ``str.translate`` with a one-character-to-one-character table does
that in C, so the folded text has exactly the same length as the original.
"""

from __future__ import annotations

import re
import unicodedata


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x00C0, 0x0250):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if len(base) == 1 and base.isascii():
            table[cp] = base
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    # typographic apostrophes and dashes fold to ASCII so patterns stay simple
    table.update({0x2019: "'", 0x2018: "'", 0x02BC: "'", 0x2010: "-", 0x2011: "-", 0x2013: "-", 0x2014: "-", 0x00A0: " ", 0x202F: " "})
    return table


FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case, accent-free copy of ``text`` with identical length and offsets."""
    return text.translate(FOLD_TABLE)


_SEPS = re.compile(r"[\s'\-]+")


def fold_key(text: str) -> str:
    """Folded key for lexicon lookups: hyphens/apostrophes/spaces collapse to one space."""
    f = text.translate(FOLD_TABLE)
    if f.isalpha():
        return f
    return _SEPS.sub(" ", f).strip()


# A word: letters (any script), with inner hyphens/apostrophes ("Jean-Pierre", "d'Arc").
WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")
TOKEN_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*|\d+|\S")


def is_title_case(w: str) -> bool:
    return w[:1].isupper() and not w.isupper()


def is_capitalised(w: str) -> bool:
    return w[:1].isupper()


# OCR of a fax reads 0 as O and 1 as l or I: a token of digits and those letters (with at least
# one digit), or a lone "O"/"OO" group among digit groups, is read as digits by the finders
_OCR_TOKEN = re.compile(r"(?<![^\W\d_])[0-9OolI]*[0-9][0-9OolI]*(?![^\W\d_])")
_OCR_GROUP = re.compile(r"(?<=\d[ ./-])[Oo]{1,2}(?=[ ./-]\d|\b)|(?<![^\W\d_])[Oo]{1,2}(?=[ ./-]\d)|(?<![^\W\d_])[OolI]{1,2}(?=(?:[ ./-]\d+){2})")
_OCR_MAP = str.maketrans("OolI", "0011")
_OCR_HINT = re.compile(r"\d[OolI]|[OolI]\d|\d[ ./-][OolI]{1,2}(?![^\W\d_])")


def ocr_digits(text: str) -> str:
    if not _OCR_HINT.search(text):
        return text
    out = _OCR_TOKEN.sub(lambda m: m.group(0).translate(_OCR_MAP) if not m.group(0).isdigit() else m.group(0), text)
    return _OCR_GROUP.sub(lambda m: m.group(0).translate(_OCR_MAP), out)
