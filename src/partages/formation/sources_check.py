"""« Vérifier les sources »: a grounded answer whose claims cite knowledge-layer records, some of
them deliberately unsupported by the record they cite.

Built without the model, from the official records themselves (ANSM thesaurus entry for the
drug pair, BDPM record of the product), so the exercise is deterministic for a seed and every
verdict can be explained by pointing at the record. Unsupported claims are the failure modes of
real grounded chat: a wrong severity level, a mechanism from another entry, a wrong strength,
and a claim attributed to a record that says nothing about it.
"""

from __future__ import annotations

import random
import re
from typing import Any

from partages.formation.cases import CaseFile, require
from partages.formation.errors import AnswerError, CaseError
from partages.knowledge.text import fold

LEVELS = ("contre-indication", "association déconseillée", "précaution d'emploi", "à prendre en compte")
DECOY_MECHANISMS = (
    "Diminution de l'absorption digestive du second médicament.",
    "Risque majoré de troubles du rythme ventriculaire, notamment de torsades de pointes.",
    "Risque d'hyperkaliémie, potentiellement létale.",
    "Augmentation des concentrations plasmatiques par inhibition du métabolisme hépatique.",
)


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return (m.group(1) if m else text.strip()).strip()


def _num(dosage: str) -> tuple[str, str]:
    m = re.match(r"\s*(\d+(?:,\d+)?)\s*(.*)", dosage)
    return (m.group(1), m.group(2)) if m else (dosage, "")


def _de(word: str) -> str:
    """French elision: « de apixaban » → « d'apixaban »."""
    return f"d'{word}" if fold(word[:1]) in "aeiouyh" else f"de {word}"


def _double(number: str) -> str:
    value = float(number.replace(",", ".")) * 2
    return (f"{value:g}").replace(".", ",")


def _specificity(inter: dict[str, Any]) -> int:
    """How many sides of the ANSM entry name the drugs' own substances (not a class): the entry
    "IEC + SPIRONOLACTONE" (précaution d'emploi) is the one that applies to ramipril +
    spironolactone, not the class-wide "épargneurs de potassium + IEC" (association déconseillée)."""
    subs = {fold(x) for x in inter.get("substances", [])}
    return sum(fold(e).split(" (")[0] in subs for e in inter.get("source", {}).get("entry", []))


def validate(cf: CaseFile, rec: dict[str, Any]) -> None:
    require(cf, rec, "question", str)
    drugs = require(cf, rec, "drugs", list)
    if len(drugs) != 2 or not all(isinstance(d, str) and d for d in drugs):
        raise cf.error(rec, f"record '{rec['id']}': 'drugs' must name exactly two drugs")
    require(cf, rec, "product", str)


def build(cf: CaseFile, rec: dict[str, Any], kb: Any, rng: random.Random) -> dict[str, Any]:
    report = kb.interactions(rec["drugs"])
    if report.unresolved:
        raise cf.error(rec, f"record '{rec['id']}': drug(s) not found in the knowledge base: {', '.join(report.unresolved)}")
    if not report.interactions:
        raise cf.error(rec, f"record '{rec['id']}': the ANSM thesaurus lists no interaction for this pair; choose another pair")
    inter = min(report.interactions, key=lambda i: (-_specificity(i), LEVELS.index(i["level"]) if i["level"] in LEVELS else 9))
    lk = kb.lookup_drug(rec["product"])
    if not lk.matches:
        raise cf.error(rec, f"record '{rec['id']}': product '{rec['product']}' not found in the BDPM")
    drug = kb.drug(lk.matches[0].cis)
    comp = next((c for c in drug["composition"] if c.get("nature") == "SA"), drug["composition"][0])
    src = inter["source"]
    mechanism = _first_sentence(inter.get("mechanism") or "")
    conduct = (inter.get("conduct") or "").strip()
    citations = [
        {"index": 1, "id": src["id"], "source": "ansm", "title": src["title"], "licence": src["licence"], "version": src["version"],
         "snippet": f"Niveau : {inter['level']}. Mécanisme : {inter.get('mechanism') or '—'} Conduite à tenir : "
                    f"{conduct[:400] + ('…' if len(conduct) > 400 else '') or '—'}"},
        {"index": 2, "id": drug["id"], "source": "bdpm", "title": drug["denomination"], "licence": drug["licence"], "version": drug["version"],
         "snippet": f"{drug['denomination']}. Substance active : {comp['substance']} {comp['dosage']} pour {comp['reference']}. "
                    f"Forme : {drug['form']}. Voie d'administration : {drug['routes']}. {drug['commercialisation']}."},
    ]
    a, b = (s.lower() for s in inter["substances"])
    wrong_level = rng.choice([lv for lv in LEVELS if lv != inter["level"]])
    decoy = rng.choice([m for m in DECOY_MECHANISMS if fold(m)[:30] != fold(mechanism)[:30]])
    number, unit = _num(comp["dosage"])
    variants = [
        ({"text": f"L'ANSM classe l'association {a} + {b} au niveau « {inter['level']} ».", "cites": 1,
          "explanation": f"La fiche ANSM [1] indique bien le niveau « {inter['level']} »."},
         {"text": f"L'ANSM classe l'association {a} + {b} au niveau « {wrong_level} ».", "cites": 1,
          "explanation": f"La fiche ANSM [1] indique le niveau « {inter['level']} », pas « {wrong_level} »."}),
        ({"text": f"Le mécanisme en cause : {mechanism}", "cites": 1,
          "explanation": "C'est le mécanisme écrit dans la fiche ANSM [1]."},
         {"text": f"Le mécanisme en cause : {decoy}", "cites": 1,
          "explanation": f"La fiche ANSM [1] décrit un autre mécanisme : « {mechanism} »."}),
        ({"text": f"{drug['denomination']} contient {comp['dosage']} {_de(comp['substance'].lower())} pour {comp['reference']}.", "cites": 2,
          "explanation": f"La fiche BDPM [2] donne bien {comp['dosage']} pour {comp['reference']}."},
         {"text": f"{drug['denomination']} contient {_double(number)} {unit} {_de(comp['substance'].lower())} pour {comp['reference']}.", "cites": 2,
          "explanation": f"La fiche BDPM [2] donne {comp['dosage']}, pas {_double(number)} {unit} : le dosage a été doublé."}),
        ({"text": f"{drug['denomination']} s'administre par voie {drug['routes']}.", "cites": 2,
          "explanation": f"La fiche BDPM [2] indique la voie {drug['routes']}."},
         {"text": f"La fiche du médicament recommande d'éviter cette association avec {b if fold(a) in fold(comp['substance']) else a}.", "cites": 2,
          "explanation": "La fiche BDPM [2] ne parle d'aucune interaction : l'affirmation est attribuée à une source qui ne la contient pas "
                         "(l'information, si elle existe, est dans la fiche ANSM [1])."}),
    ]
    picks = [rng.random() < 0.5 for _ in variants]  # True: unsupported
    if all(picks) or not any(picks):
        picks[rng.randrange(len(picks))] ^= True
    claims = []
    for n, ((good, bad), unsupported) in enumerate(zip(variants, picks, strict=True), 1):
        c = bad if unsupported else good
        claims.append({"id": f"c{n}", "text": c["text"], "cites": c["cites"], "supported": not unsupported, "explanation": c["explanation"]})
    if not claims:
        raise CaseError(f"{cf.path}: no claim built for '{rec['id']}'")
    return {
        "type": "verifier_sources",
        "case": rec["id"],
        "title": f"Vérifier les sources — {rec['question']}",
        "question": rec["question"],
        "answer": " ".join(f"{c['text']} [{c['cites']}]" for c in claims),
        "claims": [{"id": c["id"], "text": c["text"], "cites": c["cites"]} for c in claims],
        "citations": citations,
        "solution": {"claims": [{"id": c["id"], "supported": c["supported"], "explanation": c["explanation"]} for c in claims]},
    }


def score(exercise: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    verdicts = answer.get("verdicts")
    sol = {c["id"]: c for c in exercise["solution"]["claims"]}
    if not isinstance(verdicts, dict) or set(verdicts) != set(sol) or not all(isinstance(v, bool) for v in verdicts.values()):
        raise AnswerError(f"'verdicts' must give true (supported) or false for each claim: {', '.join(sorted(sol))}")
    details = [{"id": cid, "your_verdict": verdicts[cid], "supported": c["supported"], "correct": verdicts[cid] == c["supported"],
                "explanation": c["explanation"]} for cid, c in sol.items()]
    right = sum(d["correct"] for d in details)
    missed = [d for d in details if not d["supported"] and d["your_verdict"]]
    return {"score": round(right / len(details), 4), "claims": details,
            "counts": {"claims": len(details), "correct": right, "unsupported_accepted": len(missed)}}
