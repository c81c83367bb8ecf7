"""Discharge conditions of the letter (art. R.1112-1-2 CSP: "modalités de sortie"), each with
evidence: the mode (domicile, SSR, EHPAD, transfert, décès), the date and the patient's autonomy.

The mode is read only from sentences about leaving the hospital ("Sortie le ... vers un SSR",
"RAD le ...", "Mode de sortie : domicile", "elle sort ... vers l'EHPAD") so that a follow-up item
("réadaptation cardiaque à programmer") is not taken for a discharge to rehabilitation.
"""

from __future__ import annotations

import re
from typing import Any

from partages.assistant.text import DATE, Document, prose_sentences

LEAVING = re.compile(r"\b(sortie|sort|sortant\w*|rad|retour (?:a|au) domicile|transfere\w*|transfert (?:en|vers|au|a|dans)|mutation|mute\w*|dece\w*|retourne\w* (?:a|au|en))\b")
# (pattern, mode): the first that matches a leaving sentence wins (most specific first)
MODES: list[tuple[str, str]] = [
    (r"\bdece\w*|\bdeces\b|\bexitus\b", "décès"),
    (r"\behpa\w*|\bmaison de retraite\b|\busld\b|\bresidence (?:medicalisee|senior)\b", "EHPAD"),
    (r"\bssr\b|\bsmr\b|\bsoins de suite\b|\bcentre de (?:reeducation|readaptation)\b|\breeducation\b|\breadaptation\b|\bconvalescence\b", "SSR"),
    (r"\btransfere\w*|\btransfert (?:en|vers|au|a|dans)\b|\bmutation\b|\bmute\w*\b|\bchu\b|\breanimation\b", "transfert"),
    (r"\bdomicile\b|\brad\b|\bmaison\b|\bhad\b|\bchez (?:lui|elle|sa|son)\b", "domicile"),
]
DATE_AFTER = re.compile(r"\b(?:sortie|sort\w*|rad|retour (?:a|au) domicile|date de sortie|transfere\w*|transfert|mute\w*|mutation|decede\w*|deces)\b[^.\n]{0,30}?\b(?:le|du|:)?\s*" + DATE)
STAY_RANGE = re.compile(r"\bhospitalise\w* du\s+" + DATE + r"\s+au\s+" + DATE)
AUTONOMY = re.compile(r"\b(autonom\w*|perte d'autonomie|dependan\w*|grabataire|aide (?:pour|a) (?:la toilette|l'habillage|la marche|les transferts|la prise)\w*|deambul\w*|marche (?:avec|sans)\b|canne|fauteuil roulant|gir ?\d)")
_HEADING_ONLY = re.compile(r"^[^:]{0,60}:\s*$")


def _clause(doc: Document, start: int, end: int, m_start: int, m_end: int) -> tuple[int, int]:
    """The clause of [start, end) around a match, cut at commas, semicolons and brackets."""
    text = doc.text
    a = max(text.rfind(c, start, m_start) for c in ",;(") + 1
    a = max(a, start)
    ends = [i for i in (text.find(c, m_end, end) for c in ",;)") if i >= 0]
    b = min(ends) if ends else end
    return a, b


def discharge_conditions(docs: list[Document]) -> dict[str, Any]:
    """``{"mode": {"valeur", "texte", "evidence"}|None, "date": {"texte", "evidence"}|None,
    "autonomie": {"texte", "evidence"}|None}``; later documents first (the discharge report)."""
    mode = date = autonomy = None
    for doc in sorted(docs, key=lambda d: -d.index):
        for s in prose_sentences(doc):
            folded = doc.folded[s.start:s.end]
            if _HEADING_ONLY.match(folded):
                continue
            labelled = re.match(r"^\s*(mode de sortie|destination|orientation|devenir)\s*:\s*", folded)
            if mode is None and (labelled or LEAVING.search(folded)):
                for pat, value in MODES:
                    m = re.search(pat, folded)
                    if m:
                        a = s.start + (labelled.end() if labelled else 0)
                        span = doc.span(a, s.end)
                        mode = {"valeur": value, "texte": span.text, "evidence": [span.evidence()]}
                        break
            if date is None:
                m = DATE_AFTER.search(folded) or None
                r = STAY_RANGE.search(folded)
                if m:
                    span = doc.span(s.start + m.start(1), s.start + m.end(1))
                    date = {"texte": span.text, "evidence": [span.evidence()]}
                elif r:
                    span = doc.span(s.start + r.start(2), s.start + r.end(2))
                    date = {"texte": span.text, "evidence": [span.evidence()]}
            if autonomy is None:
                lab = re.match(r"^\s*autonomie\s*:\s*", folded)
                m = AUTONOMY.search(folded)
                if lab and s.end > s.start + lab.end():
                    span = doc.span(s.start + lab.end(), s.end)
                    autonomy = {"texte": span.text, "evidence": [span.evidence()]}
                elif m:
                    a, b = _clause(doc, s.start, s.end, s.start + m.start(), s.start + m.end())
                    span = doc.span(a, b)
                    autonomy = {"texte": span.text, "evidence": [span.evidence()]}
    return {"mode": mode, "date": date, "autonomie": autonomy}
