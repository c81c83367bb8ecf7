"""Record summary: problems, events and treatments in date order, each with evidence."""

from __future__ import annotations

import re
from typing import Any

from partages.assistant import codes as codes_mod
from partages.assistant import prose
from partages.assistant.medications import extract
from partages.assistant.text import Document, sections

EVENT = re.compile(r"\b(hospitalis\w*|admis\w*|opere\w*|intervention|chirurgie|pose|transfer\w*|sortie|diagnostic|decouverte|instauration|introduction|arret\w*|complication\w*|chute|decompensation|episode|scanner|irm|echographie|coronarographie|biopsie|transfusion)\b")


def summarise(docs: list[Document], kb: Any | None, engine: Any | None, data_dir: str | None, model: str | None) -> dict[str, Any]:
    order = sorted(docs, key=lambda d: (d.date or "", d.index))
    events = []
    for doc in order:
        for s in doc.sentences():
            if EVENT.search(doc.folded[s.start:s.end]) and len(s.text) > 12:
                events.append({"date": doc.date, "document_type": doc.type, "texte": s.text, "evidence": [s.evidence()]})
    sug = codes_mod.suggest(docs, data_dir, k=10)
    problems = [{"code": c["code"], "label": c["label"], "principal": c["principal"], "evidence": c["evidence"]} for c in sug["codes"]]
    treatments = []
    for kind, m in extract(docs, kb):
        d = m.to_dict()
        doc = docs[m.evidence[0]["document"]]
        d.update({"date": doc.date, "liste": kind})
        treatments.append(d)
    treatments.sort(key=lambda t: (t["date"] or "", t["evidence"][0]["document"]))
    facts = "\n".join(["Problèmes : " + "; ".join(p["label"] for p in problems[:6])] + [f"{e['date'] or ''} {e['texte']}" for e in events[:8]])
    fallback = " ".join(e["texte"] for e in events[:3])
    res = prose.write(engine, "Résume en 2 ou 3 phrases ce dossier pour un médecin.", facts, fallback)
    conclusions = [line.text for d in docs for s in sections(d) if s.kind == "conclusion" for line in s.body]
    return {
        "problemes": problems,
        "evenements": events,
        "traitements": treatments,
        "resume": res.text or None,
        "conclusions": conclusions,
        "provenance": {"resume": res.provenance(model)},
    }
