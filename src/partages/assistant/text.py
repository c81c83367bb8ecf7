"""Offset-preserving text helpers: documents, folding, lines, sentences and sections.

Every extracted item must point back to its source (document index + character span), so all
matching runs on a *folded* copy of each text that has exactly the same length as the original
(one character in, one character out): spans found in the folded text are valid in the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


def fold(text: str) -> str:
    """Lower-case, accents removed, same length as ``text`` (so offsets carry over)."""
    out = []
    for c in text:
        base = unicodedata.normalize("NFD", c)[:1] or c
        low = base.lower()
        out.append(low if len(low) == 1 else base)
    return "".join(out)


@dataclass(frozen=True)
class Span:
    """A piece of a document: ``text[start:end]`` of document ``document``."""

    document: int
    start: int
    end: int
    text: str

    def evidence(self) -> dict[str, int]:
        return {"document": self.document, "start": self.start, "end": self.end}


@dataclass
class Document:
    index: int
    type: str
    date: str | None
    text: str
    folded: str = field(init=False)

    def __post_init__(self) -> None:
        self.folded = fold(self.text)

    def span(self, start: int, end: int) -> Span:
        # trim surrounding blanks and bullets so evidence covers the words only
        while start < end and self.text[start] in " \t\r\n-•*·":
            start += 1
        while end > start and self.text[end - 1] in " \t\r\n;,.":
            end -= 1
        return Span(self.index, start, end, self.text[start:end])

    def lines(self) -> list[Span]:
        out, pos = [], 0
        for raw in self.text.split("\n"):
            s = self.span(pos, pos + len(raw))
            if s.text:
                out.append(s)
            pos += len(raw) + 1
        return out

    def sentences(self) -> list[Span]:
        """Sentences, also cut at line breaks (clinical notes are written in lines)."""
        out = []
        for line in self.lines():
            pos = line.start
            # a dot followed by a digit (2.5 mg) does not end a sentence
            for m in re.finditer(r"(?:[^.!?]|\.(?=\d))+(?:[.!?]+|$)", line.text):
                s = self.span(pos + m.start(), pos + m.end())
                if s.text:
                    out.append(s)
        return out


def prose_sentences(doc: Document) -> list[Span]:
    """Sentences where a line that does not end a sentence and is followed by a line starting in
    lower case is joined to it: free prose is often hard-wrapped ("..., elle\nsort le 12/05 ...")."""
    out: list[Span] = []
    for s in doc.sentences():
        prev = out[-1] if out else None
        if (prev is not None and prev.text[-1:] not in ".!?:" and doc.text[prev.end:s.start].count("\n") == 1
                and doc.text[prev.end:s.start].strip() == "" and s.text[:1].islower()):
            out[-1] = doc.span(prev.start, s.end)
        else:
            out.append(s)
    return out


def parse_documents(raw: list[dict[str, Any]]) -> list[Document]:
    return [Document(i, str(d.get("type") or ""), d.get("date"), str(d.get("text") or "")) for i, d in enumerate(raw)]


# a date as written in French notes (folded): 09/03/2024, 12.02.25, 1er mars 2024
DATE = r"(\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}(?:er)? (?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre) \d{4})"


# --- sections ---------------------------------------------------------------------------------
# heading (folded) -> section kind. Order matters: the first pattern that matches wins.
SECTION_PATTERNS: list[tuple[str, str]] = [
    (r"(traitements?|ttt) (en cours )?(de|a la|a|au|lors du) (sortie|transfert|depart)|(ordonnance|ordo) de sortie|traitement a poursuivre|prescriptions? de sortie", "discharge_meds"),
    (r"(traitements?|ttt) (habituel|d'entree|a l'entree|personnel|a domicile|a l'admission|anterieur|en cours|actuel)|traitement en cours a l'admission|traitement a l'admission", "admission_meds"),
    (r"antecedents? familia|atcd familia", "family_history"),
    (r"antecedents?|atcd", "history"),
    (r"motif", "motif"),
    (r"(examens?|resultats?|bilans?) en attente|en attente", "pending"),
    (r"suivi|rendez-vous|rdv|consignes|surveillance|a prevoir|a faire|projet", "followup"),
    (r"conclusion|synthese|diagnostics?( retenus?| de sortie| principal)?$|diagnostic", "conclusion"),
    (r"evolution|histoire|deroulement|au total", "course"),
    (r"traitements?|ttt|prescriptions?|ordonnance|ordo", "meds"),
]
_HEADING = re.compile(r"^\s*([a-z][a-z' /\-]{1,60}?)\s*:\s*(.*)$")


@dataclass
class Section:
    kind: str
    heading: Span
    body: list[Span]  # lines of the section (text after the colon on the heading line included)


def section_kind(heading_folded: str) -> str | None:
    h = heading_folded.strip()
    for pat, kind in SECTION_PATTERNS:
        if re.search(pat, h):
            return kind
    return None


def sections(doc: Document) -> list[Section]:
    """Sections introduced by a ``Heading :`` line; a section ends at the next heading or at a
    blank line once it has content. Unknown headings (no digits, colon at the end) also end one."""
    out: list[Section] = []
    current: Section | None = None
    pos = 0
    for raw in doc.text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        folded = doc.folded[start:end]
        m = _HEADING.match(folded)
        kind = section_kind(m.group(1)) if m else None
        if m and kind:
            rest_start = start + m.start(2)
            current = Section(kind, doc.span(start, start + m.end(1)), [])
            out.append(current)
            if end > rest_start and doc.text[rest_start:end].strip():
                current.body.append(doc.span(rest_start, end))
            continue
        if m and not m.group(2).strip() and not re.search(r"\d", m.group(1)):
            current = None  # another heading we do not use
            continue
        if not raw.strip():
            if current is not None and current.body:
                current = None
            continue
        if current is not None:
            current.body.append(doc.span(start, end))
    return out


def sentence_of(doc: Document, start: int, end: int) -> Span:
    for s in doc.sentences():
        if s.start <= start and end <= s.end + 1:
            return s
    return doc.span(start, end)
