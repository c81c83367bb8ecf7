"""« Repérer l'erreur »: an assistant draft with errors injected from the typed catalogue.

The draft comes from the assistant's deterministic pipeline (:func:`partages.assistant.draft_letter`
with no model: rules + the knowledge layer, every fact with its evidence span), flattened into
numbered lines. Errors are then injected by a seeded :class:`random.Random`, each carrying its
type, the wrong and the right text, an explanation and its source span in the stay documents, so
every injected error can be scored and explained. Scoring: found / missed / false alarms;
score = found / (errors + false alarms), so marking every line does not pay.
"""

from __future__ import annotations

import random
import re
from typing import Any

from partages.assistant import draft_letter, parse_documents
from partages.formation.cases import CaseFile, locate, require
from partages.formation.catalogue import ERROR_TYPES
from partages.formation.errors import AnswerError

ERRORS_PER_DRAFT = 3
ALLERGENS = ("aux pénicillines (urticaire)", "à l'iode (choc anaphylactique)", "aux sulfamides (éruption cutanée)", "à la codéine (œdème de Quincke)")
LEVEL_ORDER = ("contre-indication", "association déconseillée", "précaution d'emploi", "à prendre en compte")
_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def _line(section: str, text: str, evidence: list[dict[str, int]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"section": section, "text": text, "evidence": list(evidence or []), **extra}


def draft_lines(stay: dict[str, Any], kb: Any, data_dir: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The assistant's letter for ``stay`` as display lines, and the letter itself."""
    docs = stay["documents"]
    letter = draft_letter(parse_documents(docs), kb, None, data_dir, None)
    lines: list[dict[str, Any]] = []
    sej = letter["sejour"]
    ev = sej.get("evidence") or []
    lines.append(_line("Séjour", f"Entrée le {sej.get('entree') or '?'} ; sortie le {sej.get('sortie') or '?'}.", ev, role="dates"))
    if letter.get("motif"):
        lines.append(_line("Motif", letter["motif"], letter["provenance"]["motif"]["evidence"], role="motif"))
    if letter.get("resume"):
        lines.append(_line("Résumé du séjour", letter["resume"], letter["provenance"]["resume"]["evidence"], role="resume"))
    allergy_ev = locate(docs, stay["allergies"])
    lines.append(_line("Allergies", stay["allergies"].split(":", 1)[-1].strip().rstrip(".").capitalize() + ".", [allergy_ev], role="allergies"))
    for r in stay.get("results", []):
        lines.append(_line("Résultats biologiques", f"{r['label']} : {r['value']} ({r['status']}).", [locate(docs, r["quote"])], role="result", result=r))
    for m in letter["traitements_sortie"]:
        lines.append(_line("Traitements de sortie", f"{m['medicament']} {m['posologie'] or ''}".strip(), m["evidence"], role="discharge_med", med=m["medicament"]))
    for m in letter["traitements_arretes"]:
        lines.append(_line("Traitements arrêtés", f"{m['medicament']} — {m['raison'] or 'raison à compléter'}", m["evidence"], role="stopped", med=m["medicament"]))
    for m in letter["traitements_modifies"]:
        lines.append(_line("Traitements modifiés", f"{m['medicament']} : {m['avant']} → {m['apres']}" + (f" ({m['raison']})" if m.get("raison") else ""), m["evidence"], role="changed"))
    pairs = _interactions(letter, kb)
    if pairs:
        for p in pairs:
            lines.append(_line("Interactions médicamenteuses", f"{p['a']} + {p['b']} : {p['label']} (thésaurus ANSM).", p["evidence"], role="interaction", interaction=p))
    else:
        lines.append(_line("Interactions médicamenteuses", "Aucune interaction répertoriée entre les traitements de sortie.", [], role="no_interaction"))
    for it in letter["resultats_en_attente"]:
        if not it["texte"].rstrip().endswith(":"):  # a heading the assistant kept
            lines.append(_line("Résultats en attente", it["texte"], it["evidence"], role="pending"))
    for it in letter["suivi"]:
        lines.append(_line("Suivi", it["texte"], it["evidence"], role="followup"))
    return lines, letter


def _interactions(letter: dict[str, Any], kb: Any) -> list[dict[str, Any]]:
    """The most severe ANSM interaction per pair of discharge drugs."""
    if kb is None:
        return []
    meds = letter["traitements_sortie"]
    texts = [f"{m['medicament']} {m['posologie'] or ''}".strip() for m in meds]
    by_text = dict(zip(texts, meds, strict=True))
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for it in kb.interactions(texts).interactions:
        key = tuple(sorted((by_text[it["a"]]["medicament"], by_text[it["b"]]["medicament"])))
        rank = LEVEL_ORDER.index(it["level"]) if it["level"] in LEVEL_ORDER else len(LEVEL_ORDER)
        levels = best[key]["levels"] if key in best else set()
        levels.add(it["level"])
        if key not in best or rank < best[key]["rank"]:
            best[key] = {"a": key[0], "b": key[1], "level": it["level"], "rank": rank, "record": it["source"]["id"],
                         "record_title": it["source"]["title"], "licence": it["source"]["licence"],
                         "evidence": by_text[it["a"]]["evidence"] + by_text[it["b"]]["evidence"]}
        best[key]["levels"] = levels
    out = []
    for p in sorted(best.values(), key=lambda p: (p["rank"], p["a"], p["b"])):
        # several ANSM entries (dose, age, class) can apply: name every level, never pick one silently
        lv = sorted(p.pop("levels"), key=lambda x: LEVEL_ORDER.index(x) if x in LEVEL_ORDER else len(LEVEL_ORDER))
        p["label"] = lv[0] if len(lv) == 1 else " ou ".join(lv) + " selon la situation (dose, âge)"
        out.append(p)
    return out


# --- injectors: each returns the error or None when the stay does not lend itself to it ---------
def _wrong_dose(lines, stay, rng):
    cands = [i for i, ln in enumerate(lines) if ln["role"] == "discharge_med" and not ln.get("error") and not ln.get("injected") and re.search(r"\d+(?:,\d+)?\s*(mg|µg|g|UI)\b", ln["text"])]
    if not cands:
        return None
    i = rng.choice(cands)
    ln = lines[i]
    m = re.search(r"(\d+(?:,\d+)?)\s*(mg|µg|g|UI)\b", ln["text"])
    number, unit = m.group(1), m.group(2)
    if unit in ("mg", "µg") and rng.random() < 0.5:
        wrong = f"{number} {'g' if unit == 'mg' else 'mg'}"
    else:
        wrong = f"{number.replace(',', '')}0 {unit}" if "," not in number else f"{number.replace(',', '')} {unit}"
    right = ln["text"]
    ln["text"] = ln["text"][:m.start()] + wrong + ln["text"][m.end():]
    return i, right, f"L'ordonnance de sortie prescrit {ln['med']} {m.group(0)}, pas {wrong}."


def _stopped_still_listed(lines, stay, rng):
    stopped = [ln for ln in lines if ln["role"] == "stopped" and ln["evidence"]]
    if not stopped:
        return None
    s = rng.choice(stopped)
    ev0 = s["evidence"][0]
    doc = stay["documents"][ev0["document"]]["text"]
    admission_line = doc[ev0["start"]:ev0["end"]].lstrip("- ").strip()
    positions = [i for i, ln in enumerate(lines) if ln["role"] == "discharge_med"]
    at = rng.choice(positions) + 1 if positions else len(lines)
    reason = s["evidence"][1:] or s["evidence"]
    lines.insert(at, _line("Traitements de sortie", admission_line, reason, role="discharge_med", med=s["med"], injected=True))
    return at, None, f"{s['med']} a été arrêté pendant le séjour ({s['text'].split(' — ', 1)[-1]}) : il ne doit pas figurer dans le traitement de sortie."


def _invented_allergy(lines, stay, rng):
    i = next((i for i, ln in enumerate(lines) if ln["role"] == "allergies"), None)
    if i is None or not re.search(r"\baucune\b", stay["allergies"], re.I):
        return None
    right = lines[i]["text"]
    lines[i]["text"] = f"Allergie {rng.choice(ALLERGENS)}."
    return i, right, "Le dossier indique qu'aucune allergie n'est connue : cette allergie n'apparaît dans aucun document du séjour."


def _wrong_side(lines, stay, rng):
    if "wrong_side" not in stay:
        return None
    right_word, wrong_word = stay["wrong_side"]
    pat = re.compile(rf"\b{re.escape(right_word)}\b")
    cands = [i for i, ln in enumerate(lines) if ln["role"] in ("motif", "resume") and pat.search(ln["text"])]
    if not cands:
        return None
    i = rng.choice(cands)
    right = lines[i]["text"]
    lines[i]["text"] = pat.sub(wrong_word, right, count=1)
    return i, right, f"Le côté est « {right_word} » dans les documents du séjour, pas « {wrong_word} »."


def _wrong_date(lines, stay, rng):
    i = next((i for i, ln in enumerate(lines) if ln["role"] == "dates"), None)
    if i is None:
        return None
    dates = list(_DATE.finditer(lines[i]["text"]))
    if len(dates) < 2:
        return None
    m = dates[1]
    day = int(m.group(1)) + rng.choice((-3, -2, 2, 3))
    day = day if 1 <= day <= 28 else int(m.group(1)) - 4
    wrong = f"{day:02d}/{m.group(2)}/{m.group(3)}"
    right = lines[i]["text"]
    lines[i]["text"] = right[:m.start()] + wrong + right[m.end():]
    lines[i]["evidence"] = lines[i]["evidence"][-1:]  # the discharge date's span
    return i, right, f"La date de sortie est le {m.group(0)} dans le compte rendu d'hospitalisation, pas le {wrong}."


def _interaction_not_flagged(lines, stay, rng):
    idx = [i for i, ln in enumerate(lines) if ln["role"] == "interaction"]
    if not idx:
        return None
    inter = [lines[i]["interaction"] for i in idx]
    right = " ".join(lines[i]["text"] for i in idx)
    ev = [e for i in idx for e in lines[i]["evidence"]]
    for i in reversed(idx[1:]):
        del lines[i]
    i = idx[0]
    lines[i] = _line("Interactions médicamenteuses", "Aucune interaction répertoriée entre les traitements de sortie.", ev, role="no_interaction", injected=True)
    first = inter[0]
    return i, right, (f"Le thésaurus ANSM répertorie {first['a']} + {first['b']} ({first['label']}, fiche « {first['record_title']} ») : "
                      "l'interaction doit être signalée.")


def _abnormal_as_normal(lines, stay, rng):
    cands = [i for i, ln in enumerate(lines) if ln["role"] == "result"]
    if not cands:
        return None
    i = rng.choice(cands)
    r = lines[i]["result"]
    right = lines[i]["text"]
    lines[i]["text"] = f"{r['label']} : {r['value']}, dans les normes."
    return i, right, f"Le résultat est anormal dans le compte rendu de biologie ({r['status']}) : il ne peut pas être présenté comme normal."


INJECTORS = {
    "wrong_dose": _wrong_dose, "stopped_still_listed": _stopped_still_listed, "invented_allergy": _invented_allergy,
    "wrong_side": _wrong_side, "wrong_date": _wrong_date, "interaction_not_flagged": _interaction_not_flagged,
    "abnormal_as_normal": _abnormal_as_normal,
}
assert set(INJECTORS) == set(ERROR_TYPES)


def validate_stay(cf: CaseFile, stay: dict[str, Any]) -> None:
    docs = require(cf, stay, "documents", list)
    for j, d in enumerate(docs):
        if not isinstance(d, dict) or not isinstance(d.get("text"), str) or not d["text"].strip():
            raise cf.error(stay, f"stay '{stay['id']}': document {j + 1} needs a non-empty 'text'")
    require(cf, stay, "title", str)
    if locate(docs, require(cf, stay, "allergies", str)) is None:
        raise cf.error(stay, f"stay '{stay['id']}': 'allergies' is not quoted exactly from a document")
    for r in stay.get("results", []):
        for k in ("quote", "label", "value", "status"):
            if not isinstance(r.get(k), str) or not r[k]:
                raise cf.error(stay, f"stay '{stay['id']}': each result needs a non-empty '{k}'")
        if locate(docs, r["quote"]) is None:
            raise cf.error(stay, f"stay '{stay['id']}': result quote for '{r['label']}' is not found in the documents")
    side = stay.get("wrong_side")
    if side is not None and (not isinstance(side, list) or len(side) != 2 or not all(isinstance(s, str) and s for s in side)):
        raise cf.error(stay, f"stay '{stay['id']}': 'wrong_side' must be [right word, wrong word]")


def build(stay: dict[str, Any], kb: Any, data_dir: str | None, rng: random.Random, n_errors: int = ERRORS_PER_DRAFT) -> dict[str, Any]:
    """One exercise: the stay, the draft lines with injected errors, and the solution."""
    lines, _ = draft_lines(stay, kb, data_dir)
    types = list(INJECTORS)
    rng.shuffle(types)
    injected: list[tuple[dict[str, Any], str, str | None, str]] = []
    for t in types:
        if len(injected) == n_errors:
            break
        res = INJECTORS[t](lines, stay, rng)
        if res is None:
            continue
        i, right, why = res
        lines[i]["error"] = t
        injected.append((lines[i], t, right, why))
    for n, ln in enumerate(lines, 1):
        ln["id"] = f"l{n}"
    docs = stay["documents"]
    errors = []
    for ln, t, right, why in injected:
        sources = []
        for ev in ln["evidence"]:
            if ev is None:
                continue
            d = docs[ev["document"]]
            sources.append({**ev, "type": d.get("type", ""), "date": d.get("date"), "quote": d["text"][ev["start"]:ev["end"]]})
        errors.append({"line": ln["id"], "type": t, "label": ERROR_TYPES[t].label, "why": ERROR_TYPES[t].why, "shown": ln["text"],
                       "correct": right, "explanation": why, "sources": sources})
    return {
        "type": "reperer_erreur",
        "case": stay["id"],
        "title": f"Repérer l'erreur — {stay['title']}",
        "documents": [{"type": d.get("type", ""), "date": d.get("date"), "text": d["text"]} for d in docs],
        "draft": [{"id": ln["id"], "section": ln["section"], "text": ln["text"]} for ln in lines],
        "solution": {"errors": sorted(errors, key=lambda e: int(e["line"][1:]))},
    }


def score(exercise: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    marked = answer.get("marked")
    if not isinstance(marked, list) or not all(isinstance(m, str) for m in marked):
        raise AnswerError("'marked' must be a list of line ids, e.g. [\"l3\", \"l7\"]")
    ids = {ln["id"] for ln in exercise["draft"]}
    unknown = sorted(set(marked) - ids)
    if unknown:
        raise AnswerError(f"unknown line id '{unknown[0]}'")
    marked_set = set(marked)
    errors = exercise["solution"]["errors"]
    wrong_lines = {e["line"] for e in errors}
    found = [e for e in errors if e["line"] in marked_set]
    missed = [e for e in errors if e["line"] not in marked_set]
    false_alarms = sorted(marked_set - wrong_lines, key=lambda x: int(x[1:]))
    denom = len(errors) + len(false_alarms)
    return {
        "score": round(len(found) / denom, 4) if denom else 1.0,
        "found": found,
        "missed": missed,
        "false_alarms": [{"line": i, "text": next(ln["text"] for ln in exercise["draft"] if ln["id"] == i),
                          "explanation": "Cette ligne est conforme au dossier source."} for i in false_alarms],
        "counts": {"errors": len(errors), "found": len(found), "missed": len(missed), "false_alarms": len(false_alarms)},
    }
