"""Exports of validated drafts: Markdown and FHIR R4 (``Composition`` + ``DocumentReference``).

FHIR resources are built as plain dicts and validated with ``fhir.resources`` (its ``R4B``
models: R4B is the 4.3 release of R4, whose ``Composition`` and ``DocumentReference`` are
unchanged from 4.0.1). Returned as a ``collection`` ``Bundle``.
"""

from __future__ import annotations

import base64
import html
import uuid
from typing import Any

from partages.assistant.drafts import Draft

TITLES = {"discharge_letter": "Lettre de liaison de sortie", "summary": "Synthèse du dossier",
          "medications": "Liste des médicaments", "codes": "Suggestions de codage CIM-10", "explanation": "Explication pour le patient"}
LOINC = {"discharge_letter": ("18842-5", "Discharge summary"), "summary": ("34133-9", "Summary of episode note"),
         "medications": ("10160-0", "History of Medication use Narrative"), "codes": ("11450-4", "Problem list - Reported"),
         "explanation": ("69730-0", "Instructions")}


def _ev(items: list[dict[str, Any]], label: str, fmt) -> list[str]:
    if not items:
        return [f"## {label}", "", "_Aucun._", ""]
    return [f"## {label}", "", *[f"- {fmt(i)}" for i in items], ""]


def patient_display(patient: dict[str, Any] | None) -> str | None:
    """"Odette PERRIN, née le 21/11/1935" from identity fields, or the request's ``display``."""
    if not patient:
        return None
    if patient.get("display"):
        return str(patient["display"])
    name = " ".join(str(patient[k]) for k in ("prenom", "nom") if patient.get(k))
    born = f"né(e) le {patient['date_naissance']}" if patient.get("date_naissance") else ""
    return ", ".join(x for x in (name, born) if x) or None


def _who(p: dict[str, Any] | None) -> str:
    return str(p["texte"]) if p else "_à compléter_"


def to_markdown(d: Draft) -> str:
    c = d.content
    g = d.generated_by
    lines = [f"# {TITLES.get(d.kind, d.kind)}", "",
             f"> Brouillon généré par IA ({g.get('model')}, {g.get('version')}, {g.get('date')}), "
             f"validé par {d.validated_by or '—'} le {d.validated_at or '—'}.", ""]
    if d.kind == "discharge_letter":
        L = c["letter"]
        P = L.get("personnes") or {}
        S = L.get("sortie") or {}
        lines += ["## Identités", "", f"- Patient : {patient_display(L.get('patient')) or '_à compléter_'}",
                  f"- Médecin traitant : {_who(P.get('medecin_traitant'))}"]
        if P.get("medecin_adresseur"):
            lines.append(f"- Adressé par : {_who(P['medecin_adresseur'])}")
        lines += [f"- Médecin de l'établissement : {_who(P.get('medecin_hospitalier'))}"
                  + (f" ({P['service']['texte']})" if P.get("service") else ""), ""]
        mode = S.get("mode")
        lines += ["## Sortie", "", f"- Date : {_who(S.get('date'))}",
                  f"- Mode : {mode['valeur'] + ' — ' + mode['texte'] if mode else '_à compléter_'}"]
        if S.get("autonomie"):
            lines.append(f"- Autonomie : {S['autonomie']['texte']}")
        lines += ["", "## Motif", "", str(L.get("motif") or "_À compléter_"), "", "## Résumé du séjour", "", str(L.get("resume") or "_À compléter_"), ""]
        lines += _ev(L.get("evenements_indesirables", []), "Événements indésirables", lambda i: i["texte"])
        yn = {True: "oui", False: "non", None: "à compléter"}
        lines += [f"- BMR/BHRe : {yn[L.get('bmr')]}", f"- Transfusion : {yn[L.get('transfusion')]}", ""]
        lines += _ev(L.get("dispositifs_implantes", []), "Dispositifs implantés", lambda i: i["texte"])
        lines += _ev(L.get("traitements_sortie", []), "Traitement de sortie", lambda i: f"{i['medicament']} — {i.get('posologie') or ''}")
        lines += _ev(L.get("traitements_arretes", []), "Traitements arrêtés", lambda i: f"{i['medicament']} — {i.get('raison') or 'raison à compléter'}")
        lines += _ev(L.get("traitements_modifies", []), "Traitements modifiés", lambda i: f"{i['medicament']} : {i.get('avant')} → {i.get('apres')} ({i.get('raison') or 'raison à compléter'})")
        lines += _ev(L.get("resultats_en_attente", []), "Résultats en attente", lambda i: i["texte"])
        lines += _ev(L.get("suivi", []), "Suivi", lambda i: i["texte"])
        if L.get("a_completer"):
            lines += _ev(L["a_completer"], "À compléter", str)
    elif d.kind == "summary":
        S = c["summary"]
        lines += ["## Résumé", "", str(S.get("resume") or ""), ""]
        lines += _ev(S.get("problemes", []), "Problèmes", lambda i: f"{i['code']} {i['label']}")
        lines += _ev(S.get("evenements", []), "Événements", lambda i: f"{i.get('date') or ''} {i['texte']}")
        lines += _ev(S.get("traitements", []), "Traitements", lambda i: f"{i['medicament']} {i.get('dose') or ''}")
    elif d.kind == "medications":
        lines += _ev(c.get("medications", []), "Médicaments", lambda i: f"{i['medicament']} {i.get('dose') or ''} {i.get('frequency') or ''}".strip())
        lines += _ev(c.get("interactions", []), "Interactions (ANSM)", lambda i: f"{i['a']} + {i['b']} : {i['level']}")
    elif d.kind == "codes":
        lines += _ev(c.get("codes", []), "Codes CIM-10", lambda i: f"{i['code']} {i['label']}" + (" (principal)" if i.get("principal") else ""))
    elif d.kind == "explanation":
        E = c["explanation"]
        lines += [str(E.get("introduction") or ""), "", str(E.get("texte") or ""), "", f"_{E.get('avertissement', '')}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def to_fhir(d: Draft, patient: dict[str, Any] | None = None) -> dict[str, Any]:
    """A validated draft as a FHIR R4 ``Bundle`` (collection) holding a ``Composition`` and a
    ``DocumentReference`` whose attachment is the Markdown export."""
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.composition import Composition
    from fhir.resources.R4B.documentreference import DocumentReference

    md = to_markdown(d)
    code, display = LOINC.get(d.kind, ("34133-9", "Summary of episode note"))
    type_ = {"coding": [{"system": "http://loinc.org", "code": code, "display": display}], "text": TITLES.get(d.kind, d.kind)}
    subject = {"display": patient_display(patient) or "Patient (identité à compléter)"}
    author_device = {"display": f"Partages {d.generated_by.get('version')} — modèle {d.generated_by.get('model')} (contenu généré par IA)"}
    validator = {"display": f"Clinicien (clé {d.validated_by})"}
    div = f'<div xmlns="http://www.w3.org/1999/xhtml"><pre>{html.escape(md)}</pre></div>'
    comp = {
        "resourceType": "Composition",
        "id": d.id,
        "status": "final",
        "type": type_,
        "subject": subject,
        "date": d.validated_at,
        "author": [author_device, validator],
        "title": TITLES.get(d.kind, d.kind),
        "attester": [{"mode": "legal", "time": d.validated_at, "party": validator}],
        "section": [{"title": TITLES.get(d.kind, d.kind), "text": {"status": "generated", "div": div}}],
    }
    docref = {
        "resourceType": "DocumentReference",
        "id": f"{d.id}-doc",
        "status": "current",
        "docStatus": "final",
        "type": type_,
        "subject": subject,
        "date": d.validated_at,
        "author": [author_device],
        "authenticator": validator,
        "description": "Document généré par IA puis validé par un clinicien (Partages).",
        "content": [{"attachment": {"contentType": "text/markdown; charset=utf-8", "language": "fr",
                                    "data": base64.b64encode(md.encode()).decode(), "title": TITLES.get(d.kind, d.kind)}}],
        "context": {"related": [{"reference": f"Composition/{d.id}"}]},
    }
    Composition.model_validate(comp)
    DocumentReference.model_validate(docref)
    bundle = {"resourceType": "Bundle", "type": "collection", "timestamp": d.validated_at,
              "entry": [{"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, comp['id'])}", "resource": comp},
                        {"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, docref['id'])}", "resource": docref}]}
    Bundle.model_validate(bundle)
    return bundle
