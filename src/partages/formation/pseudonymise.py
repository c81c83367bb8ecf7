"""« Pseudonymiser avant de demander »: the learner edits a note to remove identifiers before
sending it to an assistant; :func:`partages.deid.detect` then shows what would have leaked.

Scoring uses the case's hand-listed identifiers (the gold), not the detector, so a detector miss
never costs the learner points; the detector's findings on the edited text are shown beside it,
as the safety net a hospital would run. Removing clinical content to "be safe" is penalised:
score = identifiers removed / identifiers × clinical facts kept / facts to keep.
"""

from __future__ import annotations

import re
from typing import Any

from partages.formation.cases import CaseFile, require
from partages.formation.errors import AnswerError
from partages.knowledge.text import fold

MAX_NOTE_CHARS = 5000


def _present(needle: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fold(needle))}(?!\w)", fold(text)) is not None


def validate(cf: CaseFile, rec: dict[str, Any]) -> None:
    text = require(cf, rec, "text", str)
    require(cf, rec, "title", str)
    for field in ("identifiers", "keep"):
        require(cf, rec, field, list)
    for ident in rec["identifiers"]:
        if not isinstance(ident, dict) or not isinstance(ident.get("text"), str) or not isinstance(ident.get("label"), str):
            raise cf.error(rec, f"note '{rec['id']}': each identifier needs 'text' and 'label'")
        if ident["text"] not in text:
            raise cf.error(rec, f"note '{rec['id']}': an identifier labelled {ident['label']} is not in the note text")
    for k in rec["keep"]:
        if not isinstance(k, str) or not _present(k, text):
            raise cf.error(rec, f"note '{rec['id']}': a 'keep' term is not in the note text")


def build(rec: dict[str, Any]) -> dict[str, Any]:
    from partages.deid import detect

    spans = detect(rec["text"], patient=rec.get("patient"))
    return {
        "type": "pseudonymiser",
        "case": rec["id"],
        "title": f"Pseudonymiser avant de demander — {rec['title']}",
        "note": rec["text"],
        "solution": {
            "identifiers": [{"text": i["text"], "label": i["label"]} for i in rec["identifiers"]],
            "keep": list(rec["keep"]),
            # what the pseudonymisation component finds in the original note (shown after answering)
            "detected_in_original": [{"label": s.label, "start": s.start, "end": s.end} for s in spans],
        },
    }


def score(exercise: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    from partages.deid import detect

    text = answer.get("text")
    if not isinstance(text, str) or not text.strip():
        raise AnswerError("'text' must be the edited note (a non-empty string)")
    if len(text) > MAX_NOTE_CHARS:
        raise AnswerError(f"'text' holds {len(text)} characters; the limit is {MAX_NOTE_CHARS}")
    sol = exercise["solution"]
    leaked = [i for i in sol["identifiers"] if _present(i["text"], text)]
    removed = len(sol["identifiers"]) - len(leaked)
    lost = [k for k in sol["keep"] if not _present(k, text)]
    kept = len(sol["keep"]) - len(lost)
    spans = detect(text)
    residual = [{"label": s.label, "text": text[s.start:s.end], "start": s.start, "end": s.end} for s in spans]
    frac_removed = removed / len(sol["identifiers"])
    frac_kept = kept / len(sol["keep"]) if sol["keep"] else 1.0
    return {
        "score": round(frac_removed * frac_kept, 4),
        "leaked": leaked,
        "clinical_lost": lost,
        "detected_after_edit": residual,
        "counts": {"identifiers": len(sol["identifiers"]), "removed": removed, "leaked": len(leaked), "keep": len(sol["keep"]), "kept": kept,
                   "detected_after_edit": len(residual)},
        "explanation": ("Aucun identifiant ne reste : la note peut être envoyée." if not leaked else
                        f"{len(leaked)} identifiant(s) auraient été transmis à l'assistant.")
                       + (f" {len(lost)} élément(s) clinique(s) utile(s) ont été retirés : la question perd son sens." if lost else ""),
    }
