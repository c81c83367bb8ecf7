"""Explanation for the patient, in plain French, from a document a clinician validated.

The plain-language text is assembled from the validated content (what the clinician signed),
with everyday words; the model only adds an optional introductory sentence, labelled as such.
"""

from __future__ import annotations

from typing import Any

from partages.assistant import prose

DISCLAIMER = ("Ce texte a été préparé avec l'aide d'un outil d'intelligence artificielle à partir d'un document "
              "validé par votre médecin. En cas de doute, posez vos questions à votre médecin ou à votre pharmacien.")


def _names(items: list[dict[str, Any]], key: str = "medicament") -> list[str]:
    return [str(i.get(key) or i.get("texte") or "") for i in items if i.get(key) or i.get("texte")]


def explain(kind: str, content: dict[str, Any], engine: Any | None, model: str | None) -> dict[str, Any]:
    parts: list[str] = []
    if kind == "discharge_letter":
        L = content.get("letter", {})
        if L.get("motif"):
            parts.append(f"Vous avez été hospitalisé(e) pour : {L['motif']}.")
        if L.get("resume"):
            parts.append(f"Ce qui s'est passé : {L['resume']}")
        sortie = L.get("traitements_sortie") or []
        if sortie:
            parts.append("Les médicaments à prendre après votre sortie : " + "; ".join(
                f"{t['medicament']}" + (f" ({t['posologie']})" if t.get("posologie") else "") for t in sortie) + ".")
        arretes = L.get("traitements_arretes") or []
        if arretes:
            parts.append("Les médicaments à ne plus prendre : " + "; ".join(
                t["medicament"] + (f", car {t['raison']}" if t.get("raison") else "") for t in arretes) + ".")
        modifies = L.get("traitements_modifies") or []
        if modifies:
            parts.append("Les médicaments dont la dose change : " + "; ".join(
                f"{t['medicament']} (maintenant : {t.get('apres') or 'voir ordonnance'})" for t in modifies) + ".")
        if L.get("resultats_en_attente"):
            parts.append("Des résultats ne sont pas encore arrivés ; ils seront transmis à votre médecin : " + "; ".join(_names(L["resultats_en_attente"], "texte")) + ".")
        if L.get("suivi"):
            parts.append("La suite : " + "; ".join(_names(L["suivi"], "texte")) + ".")
    elif kind == "summary":
        S = content.get("summary", {})
        if S.get("resume"):
            parts.append(S["resume"])
        probs = [p["label"] for p in S.get("problemes", [])][:5]
        if probs:
            parts.append("Vos problèmes de santé suivis : " + "; ".join(probs) + ".")
    elif kind == "medications":
        meds = content.get("medications", [])
        if meds:
            parts.append("Vos médicaments : " + "; ".join(
                m["medicament"] + (f" {m['dose']}" if m.get("dose") else "") + (f", {m['frequency']}" if m.get("frequency") else "") for m in meds) + ".")
        if content.get("interactions"):
            parts.append("Certains de vos médicaments peuvent interagir entre eux : votre médecin ou votre pharmacien en a été informé.")
    elif kind == "codes":
        labels = [c["label"] for c in content.get("codes", [])][:5]
        if labels:
            parts.append("Les diagnostics notés dans votre dossier : " + "; ".join(labels) + ".")
    body = "\n\n".join(parts)
    intro = prose.write(engine, "Écris une phrase d'introduction simple et rassurante pour un patient, sans aucun fait médical nouveau.",
                        body[:1200], "", max_chars=200, max_tokens=60)
    return {
        "introduction": intro.text or None,
        "texte": body,
        "avertissement": DISCLAIMER,
        "provenance": {"introduction": intro.provenance(model), "texte": {"source": "document validé", "note": "reformulation par règles du contenu validé"}},
    }
