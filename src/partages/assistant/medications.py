"""Medication lines -> drug, dose, route, frequency, duration; BDPM normalisation; ANSM checks.

Hand-written rules rather than a statistical model: prescription lines follow a small set of
conventions ("Kardégic 75 mg, 1 sachet le matin, per os, pendant 3 mois") and every field must
carry an exact character span for evidence. Drug names are normalised with the knowledge layer
(``KnowledgeBase.lookup_drug``: BDPM CIS + ANSM substances); interactions come from
``KnowledgeBase.interactions`` in its own shape, sorted by ANSM level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from partages.assistant.text import Document, Span, fold, sections

DOSE = re.compile(r"\b(\d+(?:[.,]\d+)?(?:\s*000)?)\s*(mg|g|µg|mcg|microgrammes?|milligrammes?|grammes?|ui|u|ml|mmol|meq|%)(?:\s*/\s*(?:j|jour|24 ?h|kg|ml|h))?(?![a-z])", re.I)
ROUTES: list[tuple[str, str]] = [
    (r"\bper os\b|\bp\.?o\b|\bvoie orale\b|\bpar voie orale\b|\ba avaler\b", "orale"),
    (r"\bi\.?v\.?\b|\bintraveineu\w*|\bivse\b|\bivl\b", "intraveineuse"),
    (r"\bs\.?c\.?\b|\bsous[- ]cutane\w*", "sous-cutanée"),
    (r"\bi\.?m\.?\b|\bintramusculaire\w*", "intramusculaire"),
    (r"\binhal\w*|\bbouffees?\b|\ben aerosol\b|\bnebulis\w*", "inhalée"),
    (r"\btransdermique\b|\bpatch\b", "transdermique"),
    (r"\bcollyre\b|\bgouttes? (?:dans l'|oculaire)", "ophtalmique"),
    (r"\bsublingual\w*", "sublinguale"),
]
FREQUENCY = re.compile(
    r"(?:\d+(?:[.,]\d+)?|un|une|deux|trois|1/2|½)\s*(?:cp|comprimes?|gel(?:ule)?s?|sachets?|bouffees?|gouttes?|injections?|ampoules?|unites?|prises?)?"
    r"\s*(?:x\s*)?(?:fois\s*)?(?:par|/)\s*(?:jour|j|24\s*h|semaine|sem|mois)\b"
    r"|\b(?:le |au )?(?:matin(?:,? midi)?(?: et (?:le )?soir)?|midi et soir|soir|coucher)\b"
    r"|\btoutes les \d+\s*(?:h|heures)\b|\bsi besoin\b|\ben continu\b|\b\d\s*x\s*/\s*j\b|\bx\s*\d\s*/\s*j\b",
    re.I,
)
DURATION = re.compile(
    r"\b(?:pendant|pour|durant|sur|duree\s*:?)\s+(?:\d+|un|une|deux|trois|quatre|six|huit|dix)\s*(?:jours?|j|semaines?|sem|mois|ans?)\b"
    r"|\bjusqu'(?:au|a|à)\s+[^,;.\n]+|\bau long cours\b|\ba vie\b|\bj\d+\s*(?:a|-)\s*j\d+\b",
    re.I,
)
_BULLET = re.compile(r"^[\s\-•*·\d.)]*")
_NAME_END = re.compile(r"[\d(:,;]|\b(?:per os|po|iv|sc|im|matin|soir|midi|si besoin|pendant)\b")
# words that start a line but are not drug names
_NOT_DRUG = {"patient", "patiente", "pas", "aucun", "aucune", "arret", "poursuite", "sortie", "traitement", "le", "la", "les", "un", "une", "et"}
# folded cues that the drug on this line was stopped (line-level, in lists)
STOP_CUES = re.compile(r"\b(arret\w*|arrete\w*|stop\w*|suspendu\w*|interrompu\w*|non repris\w*|retire\w*|supprime\w*|remplace\w*|relaye\w*|switch\w*|contre-indique\w*)\b")


@dataclass
class Medication:
    text: str
    medicament: str
    cis: str | None
    substances: list[str]
    dose: str | None
    route: str | None
    frequency: str | None
    duration: str | None
    evidence: list[dict[str, int]]
    confidence: float = 0.0
    stopped_here: bool = False  # the line itself says the drug was stopped
    fields: dict[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        """Identity used to compare lists: the ANSM substances, else the folded name."""
        if self.substances:
            return "+".join(sorted(fold(x) for x in self.substances))
        return fold(self.medicament).strip()

    def posologie(self) -> str:
        return ", ".join(x for x in (self.dose, self.frequency, self.route, self.duration) if x)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "medicament": self.medicament, "cis": self.cis, "substances": self.substances,
            "dose": self.dose, "route": self.route, "frequency": self.frequency, "duration": self.duration,
            "evidence": self.evidence, "confidence": round(self.confidence, 3),
        }


def _first(pattern: re.Pattern[str], folded: str, original: str) -> str | None:
    m = pattern.search(folded)
    return original[m.start():m.end()].strip() if m else None


def parse_line(span: Span, doc: Document, kb: Any | None) -> Medication | None:
    """One prescription line -> Medication, or None when the line names no drug."""
    text = span.text
    folded = doc.folded[span.start:span.end]
    lead = len(_BULLET.match(text).group(0))
    m = _NAME_END.search(folded, lead)
    name_end = m.start() if m else len(text)
    name = text[lead:name_end].strip(" -:,")
    if not name or fold(name).split()[0] in _NOT_DRUG:
        return None
    name = " ".join(name.split()[:4])
    dose_m = DOSE.search(folded)
    dose = text[dose_m.start():dose_m.end()] if dose_m else None
    route = next((label for pat, label in ROUTES if re.search(pat, folded)), None)
    freq = _first(FREQUENCY, folded, text)
    dur = _first(DURATION, folded, text)
    cis, substances, conf, medicament = None, [], 0.0, name
    if kb is not None:
        look = kb.lookup_drug(f"{name} {dose}" if dose else name)
        if look.confidence < 0.8 and dose:
            look = kb.lookup_drug(name)  # a strength the BDPM does not list still names the drug
        conf = look.confidence
        if look.resolved and conf >= 0.8:
            substances = list(look.substances) or (look.matches[0].substances if look.matches else [])
            cis = look.matches[0].cis if look.matches else None
        elif dose is None:
            return None  # neither a known drug nor a dose: not a prescription line
    elif dose is None and freq is None:
        return None
    ev = doc.span(span.start + lead, span.end)
    return Medication(text, medicament, cis, substances, dose, route, freq, dur, [ev.evidence()], conf,
                      bool(STOP_CUES.search(folded)))


_INLINE = re.compile(r"\b([a-z][a-z\-]{3,}(?:\s+[a-z][a-z\-]{2,})?)\s+\d+(?:[.,]\d+)?\s*(?:mg|g|µg|ui|ml|microgrammes?|milligrammes?)\b")
# running text that introduces a list: "Son traitement actuel comporte du Levothyrox 50 µg, du ..."
_PROSE_LIST = [(re.compile(r"\b(?:traitements?|ttt) (?:habituel|actuel|en cours|personnel|a domicile|d'entree)"), "admission_meds"),
               (re.compile(r"\b(?:traitements?|ttt) (?:de|a la|a) sortie|ordonnance de sortie"), "discharge_meds")]
# one line holding several prescriptions: "Levothyrox 50 µg le matin, Seresta 5 mg le soir, ..."
_LIST_SPLIT = re.compile(r"[,;]\s+(?=(?:du |de la |de l'|des )?[A-ZÀ-Ý][\w\-]+(?:\s+[\w\-]+)?\s+\d)")


def split_items(doc: Document, line: Span) -> list[Span]:
    """A line cut where a comma or semicolon is followed by a capitalised drug name and a number."""
    cuts = [line.start] + [line.start + m.start() + 1 for m in _LIST_SPLIT.finditer(line.text)] + [line.end]
    if len(cuts) == 2:
        return [line]
    return [s for a, b in zip(cuts, cuts[1:]) if (s := doc.span(a, b)).text]


def extract(docs: list[Document], kb: Any | None, kinds: set[str] | None = None) -> list[tuple[str, Medication]]:
    """Medications with the section kind they came from (``admission_meds``, ``discharge_meds``,
    ``meds`` or ``text`` for a drug + dose mentioned in running text). ``kinds`` filters."""
    out: list[tuple[str, Medication]] = []
    for doc in docs:
        seen: set[tuple[int, int]] = set()
        secs = sections(doc)
        is_prescription = "ordonnance" in fold(doc.type) and not any(s.kind.endswith("meds") for s in secs)
        if is_prescription:
            for line in doc.lines():
                med = parse_line(line, doc, kb)
                if med:
                    out.append(("discharge_meds", med))
                    seen.add((line.start, line.end))
        for sec in secs:
            if not sec.kind.endswith("meds"):
                continue
            for whole in sec.body:
                for line in split_items(doc, whole):
                    if (line.start, line.end) in seen:
                        continue
                    med = parse_line(line, doc, kb)
                    if med:
                        out.append((sec.kind, med))
                        seen.add((line.start, line.end))
                seen.add((whole.start, whole.end))
        if kb is None:
            continue
        for line in doc.lines():  # a line of running text that starts with a drug and its dose
            if (line.start, line.end) in seen or any(s.heading.start <= line.start <= (s.body[-1].end if s.body else s.heading.end) for s in secs if s.kind.endswith("meds")):
                continue
            med = parse_line(line, doc, kb)
            if med and med.cis and med.dose:
                out.append(("text", med))
                seen.add((line.start, line.end))
        covered = list(seen)
        for m in _INLINE.finditer(doc.folded):
            if any(a <= m.start() < b for a, b in covered):
                continue
            s = doc.span(m.start(), m.end())
            med = parse_line(s, doc, kb)
            if med and med.cis:
                # the sentence may be hard-wrapped: go back to the last sentence end, not the line start
                sent_start = max(doc.folded.rfind(c, 0, m.start()) + len(c) for c in (". ", ".\n", ":\n", "\n\n"))
                intro = doc.folded[sent_start:m.start()]
                kind = next((k for pat, k in _PROSE_LIST if pat.search(intro)), "text")
                if kind != "text":  # widen to the clause for frequency / duration
                    end = min([i for i in (doc.folded.find(c, m.end()) for c in ",;.\n") if i >= 0] + [len(doc.text)])
                    wide = parse_line(doc.span(m.start(), end), doc, kb)
                    med = wide if wide and wide.cis else med
                out.append((kind, med))
    if kinds is not None:
        out = [(k, m) for k, m in out if k in kinds]
    return out


def sort_interactions(interactions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from partages.knowledge import LEVELS

    def rank(i: dict[str, Any]) -> int:
        return LEVELS.index(i["level"]) if i.get("level") in LEVELS else len(LEVELS)

    return sorted(interactions, key=rank)


def medications_report(docs: list[Document], kb: Any) -> dict[str, Any]:
    """The ``/medications`` content: every medication found, deduplicated, and ANSM alerts."""
    meds = [m for _, m in extract(docs, kb)]
    unique: dict[str, Medication] = {}
    for m in meds:
        k = f"{m.key()}|{m.dose}"
        if k in unique:
            unique[k].evidence.extend(e for e in m.evidence if e not in unique[k].evidence)
        else:
            unique[k] = m
    meds = list(unique.values())
    names = list(dict.fromkeys(m.medicament for m in meds))
    report = kb.interactions(names).to_dict() if len(names) >= 2 else {"interactions": [], "unresolved": []}
    return {
        "medications": [m.to_dict() for m in meds],
        "interactions": sort_interactions(report["interactions"]),
        "unresolved": report.get("unresolved", []),
    }
