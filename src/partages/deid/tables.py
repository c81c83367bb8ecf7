"""Identifiers in tables: a header row names its columns ("NOM | PRENOM | DDN | IPP"), and
each cell below it takes its column's label.

Exports from hospital systems often come as pipe- or tab-separated grids where the cells hold
bare values ("SEGUY | Éléna | 01/01/1950"): nothing around a name says it is one, but the header
does. Written by hand because no library reads a free-text note's ad-hoc tables.
"""

from __future__ import annotations

import re

from partages.deid.spans import Span
from partages.deid.text import fold_key

# header cell (folded) → label of the values below it
_COLUMNS = {
    "nom": "NOM", "nom de naissance": "NOM", "nom d usage": "NOM", "nom marital": "NOM", "patient": "NOM",
    "prenom": "PRENOM", "prenoms": "PRENOM",
    "ddn": "DATE_NAISSANCE", "date de naissance": "DATE_NAISSANCE", "ne e le": "DATE_NAISSANCE", "ne le": "DATE_NAISSANCE", "nee le": "DATE_NAISSANCE",
    "ipp": "IPP", "nda": "NDA", "n sejour": "NDA", "sejour": "NDA",
    "ville": "VILLE", "commune": "VILLE", "lieu de naissance": "VILLE",
    "adresse": "ADRESSE", "tel": "TEL", "telephone": "TEL", "portable": "TEL",
    "medecin": "NOM", "medecin traitant": "NOM",
}
# row labels of a two-column "field | value" grid (the value cell takes the label)
_ROW_KEYS = {k: v for k, v in _COLUMNS.items() if k not in ("medecin", "medecin traitant", "patient")} | {
    "n venue": "NDA", "venue": "NDA", "n de venue": "NDA", "n de sejour": "NDA", "n dossier": "NDA", "domicile": "ADRESSE",
    "date de naissance": "DATE_NAISSANCE", "ne e a": "VILLE", "ne a": "VILLE", "nee a": "VILLE", "nom de jeune fille": "NOM", "nom d epouse": "NOM",
}
_TRAILING_AREA = re.compile(r"[ \t]*(?:\([^()]*\)|\d{5})[ \t]*$")
_SEP = re.compile(r"[ \t]*(?:\||│|\t)[ \t]*")
_LINE = re.compile(r"[^\n]+")


def _cells(line: str, offset: int) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for m in list(_SEP.finditer(line)) + [None]:
        end = m.start() if m else len(line)
        raw = line[pos:end]
        lead = len(raw) - len(raw.lstrip())
        val = raw.strip()
        out.append((offset + pos + lead, offset + pos + lead + len(val), val))
        pos = m.end() if m else len(line)
    return out


def _row_values(text: str) -> list[Span]:
    """"| Adresse | La Pinède |", "│ Lieu de naissance │ Porto (Portugal) │": a known field label
    in one cell, its value in the next."""
    spans = []
    for m in _LINE.finditer(text):
        line = m.group(0)
        if "|" not in line and "│" not in line:
            continue
        cells = _cells(line, m.start())
        for (_, _, key), (b, e, val) in zip(cells, cells[1:]):
            lab = _ROW_KEYS.get(fold_key(key).strip())
            if not lab or not val or not any(ch.isalnum() for ch in val) or _ROW_KEYS.get(fold_key(val).strip()) or _COLUMNS.get(fold_key(val).strip()):
                continue
            if lab == "VILLE":  # "Porto (Portugal)", "Lyon 69003": the town only
                cut = _TRAILING_AREA.search(val)
                val = val[:cut.start()] if cut else val
                e = b + len(val)
            if lab in ("NOM", "PRENOM") and len(val.split()) > 3:
                continue
            if val:
                spans.append(Span(b, e, lab, val, "context"))
    return spans


def find_table_cells(text: str) -> list[Span]:
    """Spans for the cells under a recognised header row (at least two known columns, one of
    them a name column), until a line with another number of cells."""
    if "|" not in text and "\t" not in text and "│" not in text:
        return []
    spans: list[Span] = _row_values(text)
    lines = [(m.start(), m.group(0)) for m in _LINE.finditer(text)]
    i = 0
    while i < len(lines):
        start, line = lines[i]
        cells = _cells(line, start)
        labels = [_COLUMNS.get(fold_key(c[2]).strip()) for c in cells]
        # a "Nom | DUPONT | Prénom | Yacine" grid holds values next to its labels: no header row
        grid = any(lab and nxt[2] and not _COLUMNS.get(fold_key(nxt[2]).strip()) and (nxt[2].isupper() and len(nxt[2]) > 1 or any(ch.isdigit() for ch in nxt[2]))
                   for lab, nxt in zip(labels, cells[1:]))
        if len(cells) >= 3 and sum(lab is not None for lab in labels) >= 2 and ("NOM" in labels or "PRENOM" in labels) and not grid:
            j = i + 1
            while j < len(lines):
                row = _cells(lines[j][1], lines[j][0])
                if len(row) != len(cells) or set(lines[j][1].strip()) <= set("-=+|│─ "):
                    if set(lines[j][1].strip()) <= set("-=+|│─ ") and j == i + 1:
                        j += 1
                        continue  # a rule under the header
                    break
                for (b, e, val), lab in zip(row, labels):
                    if lab and val and any(ch.isalnum() for ch in val):
                        spans.append(Span(b, e, lab, val, "context"))
                j += 1
            i = j
            continue
        i += 1
    return spans
