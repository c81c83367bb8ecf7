"""The patient's known identifiers, when the caller gives them: every occurrence is redacted,
whatever its case, accents, spacing or (for numbers) separators.

``patient`` keys: ``nom``, ``prenom``, ``date_naissance``, ``ipp``, ``nda``, ``adresse``,
``tel`` (others are ignored). Values are strings; a list of strings is accepted for each key.
"""

from __future__ import annotations

import datetime as dt
import re

from partages.deid.spans import Span
from partages.deid.text import fold

#: Name particles: identifying only as part of the full name, or written upper-case.
_PARTICLES = {"le", "la", "les", "de", "du", "des", "di", "da", "del", "della", "van", "von", "der", "den", "el", "al", "ben", "bou", "dos", "das", "do", "st", "ste", "saint", "sainte"}
_KEY_LABEL = {"nom": "NOM", "prenom": "PRENOM", "ipp": "IPP", "nda": "NDA", "tel": "TEL", "adresse": "ADRESSE"}


def _values(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return [str(x) for x in v if x]
    return [str(v)] if str(v).strip() else []


def parse_birth_date(value: str) -> tuple[int, int, int] | None:
    v = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", v) or None
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2,4})", v)
        if not m:
            return None
        d, mo, y = map(int, m.groups())
        if y < 100:
            y += 1900 if y > 30 else 2000
    try:
        dt.date(y, mo, d)
    except ValueError:
        return None
    return d, mo, y


def _word_pattern(value: str) -> str:
    parts = [re.escape(p) for p in re.split(r"[\s\-'’]+", fold(value).strip()) if p]
    return r"[\s\-'’]+".join(parts)


def find_patient(text: str, folded: str, patient: dict) -> list[Span]:
    spans: list[Span] = []
    for key, label in _KEY_LABEL.items():
        for value in _values(patient.get(key)):
            if key in ("nom", "prenom"):
                pats = {_word_pattern(value)}
                # each part of a compound name is identifying on its own ("Marie" of "Marie-Hélène")
                parts = [p for p in re.split(r"[\s\-'’]+", fold(value)) if len(p) >= 2]
                pats |= {re.escape(p) for p in parts if p not in _PARTICLES}
                # a particle alone ("le" of "LE GUERN") is only the name when written upper-case
                particles = {re.escape(p) for p in parts if p in _PARTICLES and len(parts) > 1}
                for p in pats | particles:
                    for m in re.finditer(rf"(?<![\w])({p})(?![\w])", folded):
                        if p in particles and p not in pats and not text[m.start(1):m.end(1)].isupper():
                            continue
                        spans.append(Span(m.start(1), m.end(1), label, text[m.start(1):m.end(1)], "patient"))
            elif key in ("ipp", "nda", "tel"):
                digits = re.sub(r"\D", "", value)
                if len(digits) < 4:
                    continue
                if key == "tel" and digits.startswith("33") and len(digits) == 11:
                    digits = "0" + digits[2:]
                body = r"[\s.\-]?".join(digits[1:] if (key == "tel" and digits.startswith("0")) else digits)
                pat = rf"(?:(?:\+33|0033)\s?(?:\(0\)\s?)?|0){body}" if key == "tel" and digits.startswith("0") else body
                for m in re.finditer(rf"(?<![\d])({pat})(?![\d])", folded):
                    spans.append(Span(m.start(1), m.end(1), label, text[m.start(1):m.end(1)], "patient"))
            else:  # adresse: each comma/line part, flexible spacing
                for part in re.split(r"[,\n;]+", value):
                    part = part.strip()
                    if len(part) < 4:
                        continue
                    zm = re.fullmatch(r"(\d{5})\s+(.+)", part)
                    items = [(zm.group(1), "ZIP"), (zm.group(2), "VILLE")] if zm else [(part, "ADRESSE")]
                    for val, lab in items:
                        for m in re.finditer(rf"(?<![\w])({_word_pattern(val)})(?![\w])", folded):
                            spans.append(Span(m.start(1), m.end(1), lab, text[m.start(1):m.end(1)], "patient"))
    return spans
