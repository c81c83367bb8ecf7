"""Lettre de liaison de sortie (art. R.1112-1-2 CSP) from a stay's documents.

Facts are extracted by rules, each with its evidence span: treatments (admission list against
discharge list: stopped, changed, started, with the sentence that gives the reason), pending
results, follow-up, BMR/BHRe carriage, transfusions, implanted devices, adverse events, dates.
A mandatory item the documents do not contain goes to ``a_completer``; nothing is guessed.
The language model only writes the ``resume`` prose from those facts (see :mod:`prose`).
"""

from __future__ import annotations

import re
from typing import Any

from partages.assistant import codes as codes_mod
from partages.assistant import prose
from partages.assistant.discharge import discharge_conditions
from partages.assistant.identities import patient_identity, people
from partages.assistant.medications import STOP_CUES, Medication, extract
from partages.assistant.text import DATE, Document, Span, fold, sections

CHANGE_CUES = re.compile(r"\b(diminu\w*|augment\w*|major\w*|reduit\w*|reduction|adapt\w*|modifi\w*|passe\w* (?:de|a)|decroissance|titr\w*|ajust\w*|espac\w*)\b")
REASON_CUE = re.compile(r"\b(en raison d[e'u]\w*|en raison|a cause d[e'u]\w*|car|pour|suite a|devant|dans le contexte d[e'u]\w*|du fait d[e'u]\w*|compte tenu d[e'u]\w*|sur)\b")
PENDING = re.compile(r"\ben attente\b|\b(?:cr|compte[- ]rendu|resultats?|conclusions?)\b[^.\n]{0,20}\b(?:a venir|attendu\w*)|\ben cours\b.{0,40}\b(resultat|culture|anapath|histolog|biopsie|serolog|analyse|prelevement|examen)|\ba recuperer\b|\bnon (?:encore )?(?:disponible|rendu)s?\b|\bsera (?:transmis|communique|adresse)\w*|\bseront (?:transmis|communiques|adresses)\b|\bresultats? (?:a venir|definitif\w* a venir)")
# a heading line without its colon ("Examens en attente" above a list) is not itself a pending result
BARE_PENDING_HEADING = re.compile(r"^(?:examens?|resultats?|bilans?|analyses?|prelevements?)(?: \w+)? en attente\s*:?$")
# "contrôle" is follow-up only as a check to do ("radio de contrôle", "contrôle de la kaliémie dans
# 8 jours"), not as a treatment goal ("pour le contrôle du rythme", "contrôle de la douleur")
FOLLOWUP = re.compile(r"\b(rendez-vous|rdv|consultation|(?:de|en) controle|controles? (?:a|au|dans|le|biologique|radiologique|echographique|clinique|de l'inr|de la (?:nfs|natremie|kaliemie|creatinin\w*|fonction renale)|du bilan|inr|nfs)|a revoir|revu\w* en|reevaluation|suivi (?:par|en|chez|a)|bilan (?:a|dans|de controle)|a programmer|a prevoir|prise de sang|ide a domicile|kinesitherap\w*|dans (?:\d+|un|une|deux|trois|six) (?:jours?|semaines?|mois))\b")
BMR = re.compile(r"\b(bmr|bhre|sarm|blse|eblse|ebls|epc|erv|bacterie multi-?resistante\w*|bacteries multi-?resistantes|enterobacterie\w* (?:productrice|secretrice)\w*|hautement resistante\w*)\b")
TRANSFUSION = re.compile(r"\b(transfus\w*|transfu\b|culots? globulaires?|cgr|concentres? (?:de )?(?:globules rouges|plaquettaires|plaquettes)|pfc|plasma frais)\b")
DEVICE = re.compile(r"\b(stent\w*|pacemaker|stimulateur cardiaque|defibrillateur|dai|prothese\w*|endoprothese\w*|chambre implantable|port-a-cath|pac|sonde (?:jj|double j)|valve|clip\w*|implant\w*|picc-?line|materiel d'osteosynthese|osteosynthese|vis|clou)\b")
DEVICE_ACT = re.compile(r"\b(pose|mise en place|implant\w*|pose d[e']|posee?s?|mis en place|insertion)\b")
ADVERSE = re.compile(r"\b(complication\w*|effet\w* indesirable\w*|evenement\w* indesirable\w*|eig|chute\w*|escarre\w*|infection nosocomiale|infection (?:de|sur) (?:cathe|site)\w*|hemorragie\w*|saignement\w*|reaction allergique|allergie|surdosage|hypoglycemie\w*|toxidermie|confusion|thrombose sur)\b")
NEGATED = re.compile(r"\b(pas d[e']|pas|absence d[e']|absence|sans|aucun\w*|ni|non|negati\w*|indemne\w*|rien a signaler|ras)\b")
ADMISSION_DATE = re.compile(r"\b(?:entre\w*|admission|admis\w*|hospitalise\w*|arrive\w*)\b[^.\n]{0,30}?\b(?:le|du)\s+" + DATE)
DISCHARGE_DATE = re.compile(r"\bsortie\b[^.\n]{0,30}?\b(?:le|du)?\s*" + DATE)
GP = re.compile(r"\b(?:medecin traitant|mt)\s*:?\s*((?:dr|docteur|pr)\.?\s+[^\n,;.]+)")


_UNITS = [(r"microgrammes?|mcg|µg|ug", "µg"), (r"milligrammes?", "mg"), (r"grammes?", "g")]


def _unit(dose: str | None) -> str:
    """A dose in one spelling, so "50 microgrammes" and "50 µg" compare equal."""
    d = fold(dose or "").replace(",", ".")
    for pat, unit in _UNITS:
        d = re.sub(rf"\b(?:{pat})\b|(?<=\d)(?:{pat})\b", unit, d)
    return re.sub(r"\s+", "", d)


def _item(span: Span, **extra: Any) -> dict[str, Any]:
    return {"texte": span.text, **extra, "evidence": [span.evidence()]}


def _dedup(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Same text, or a span overlapping one already kept (a section line and its sentence)."""
    seen, spans, out = set(), [], []
    for it in items:
        k = fold(it["texte"])
        ev = it["evidence"][0]
        if k in seen or any(d == ev["document"] and a < ev["end"] and ev["start"] < b for d, a, b in spans):
            continue
        seen.add(k)
        spans.append((ev["document"], ev["start"], ev["end"]))
        out.append(it)
    return out


def _mentions(doc: Document, med: Medication) -> list[re.Match[str]]:
    names = {fold(med.medicament).split()[0]} if med.medicament else set()
    names |= {fold(s).split()[0] for s in med.substances if s}
    names = {n for n in names if len(n) >= 4}
    if not names:
        return []
    pat = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\w*")
    return list(pat.finditer(doc.folded))


def _reason(docs: list[Document], med: Medication, cues: re.Pattern[str], skip: set[tuple[int, int, int]]) -> tuple[str | None, list[dict[str, int]]]:
    """The sentence naming ``med`` with a stop/change cue; the reason is its clause after
    "en raison de", "car", "devant"... (else the whole sentence)."""
    for doc in docs:
        for m in _mentions(doc, med):
            for sent in doc.sentences():
                if not (sent.start <= m.start() < sent.end) or (doc.index, sent.start, sent.end) in skip:
                    continue
                folded = doc.folded[sent.start:sent.end]
                if not cues.search(folded):
                    continue
                r = REASON_CUE.search(folded)
                if r and r.end() < len(folded) - 3:
                    span = doc.span(sent.start + r.start(), sent.end)
                    return span.text, [sent.evidence()]  # the whole sentence: drug and reason
                return sent.text, [sent.evidence()]
    return None, []


def _sentences_matching(docs: list[Document], pat: re.Pattern[str]) -> list[tuple[Document, Span, re.Match[str]]]:
    out = []
    for doc in docs:
        for s in doc.sentences():
            if s.text.rstrip().endswith(":") or doc.text[s.start:s.end + 2].rstrip().endswith(":"):
                continue  # a heading, not a fact
            m = pat.search(doc.folded[s.start:s.end])
            if m:
                out.append((doc, s, m))
    return out


def _negated(doc: Document, sent: Span, m: re.Match[str]) -> bool:
    before = doc.folded[sent.start:sent.start + m.start()]
    after = doc.folded[sent.start + m.end():sent.end]
    return bool(NEGATED.search(before[-40:]) or re.match(r"^\s*:?\s*(non|negati\w*|neg\b|absent\w*|aucun\w*|0\b)", after))


def _flag(docs: list[Document], pat: re.Pattern[str]) -> tuple[bool | None, list[dict[str, int]]]:
    """True (a positive mention), False (only negated mentions), None (never mentioned)."""
    pos, neg = [], []
    for doc, s, m in _sentences_matching(docs, pat):
        (neg if _negated(doc, s, m) else pos).append(s.evidence())
    if pos:
        return True, pos
    if neg:
        return False, neg
    return None, []


def _section_lines(docs: list[Document], kind: str) -> list[Span]:
    return [line for d in docs for s in sections(d) if s.kind == kind for line in s.body]


def extract_letter(docs: list[Document], kb: Any | None, data_dir: str | None) -> dict[str, Any]:
    """Every fact of the letter except the prose, and the list of what is missing."""
    a_completer: list[str] = []
    warnings: list[str] = []
    if kb is None:
        warnings.append("Base de connaissances absente : médicaments non normalisés (BDPM) ; lancer `partages kb build`.")

    # --- treatments -------------------------------------------------------------------
    meds = extract(docs, kb, {"admission_meds", "discharge_meds"})
    admission: dict[str, Medication] = {}
    for kind, m in meds:
        if kind == "admission_meds":
            admission.setdefault(m.key(), m)
    discharge_docs = [m for kind, m in meds if kind == "discharge_meds"]
    last_doc = max((m.evidence[0]["document"] for m in discharge_docs), default=None)
    discharge: dict[str, Medication] = {}
    stopped_lines: dict[str, Medication] = {}
    for m in discharge_docs:
        if m.evidence[0]["document"] != last_doc:
            continue  # the latest discharge list is the one that counts
        (stopped_lines if m.stopped_here else discharge).setdefault(m.key(), m)
    used: set[tuple[int, int, int]] = set()
    sortie = [{"medicament": m.medicament, "posologie": m.posologie() or None, "cis": m.cis, "substances": m.substances,
               "evidence": m.evidence} for m in discharge.values()]
    arretes, modifies, introduits = [], [], []
    for key, m in admission.items():
        if key in discharge and key not in stopped_lines:
            d = discharge[key]
            before, after = (_unit(m.dose), fold(m.frequency or "")), (_unit(d.dose), fold(d.frequency or ""))
            if before != after and any(after):
                raison, ev = _reason(docs, m, CHANGE_CUES, used)
                if raison is None:
                    a_completer.append(f"Raison de la modification de {m.medicament}")
                modifies.append({"medicament": m.medicament, "avant": m.posologie() or None, "apres": d.posologie() or None,
                                 "raison": raison, "evidence": m.evidence + d.evidence + ev})
            continue
        raison, ev = _reason(docs, m, STOP_CUES, used)
        if not discharge_docs and raison is None:
            continue  # no discharge list (death, transfer letter...): only explicit stops count
        if raison is None:
            a_completer.append(f"Raison de l'arrêt de {m.medicament}")
        arretes.append({"medicament": m.medicament, "raison": raison, "evidence": m.evidence + ev})
    for key, m in stopped_lines.items():
        if key not in admission:
            raison, ev = _reason(docs, m, STOP_CUES, used)
            arretes.append({"medicament": m.medicament, "raison": raison, "evidence": m.evidence + ev})
    for key, m in discharge.items():
        if key not in admission and admission:
            introduits.append({"medicament": m.medicament, "posologie": m.posologie() or None, "evidence": m.evidence})
    if not discharge_docs:
        a_completer.append("Traitement de sortie")
    if not admission:
        a_completer.append("Traitement habituel à l'entrée (pour comparer avec la sortie)")

    # --- pending results, follow-up ----------------------------------------------------
    pending = [_item(line) for line in _section_lines(docs, "pending")]
    pending += [_item(s) for _, s, _ in _sentences_matching(docs, PENDING) if not BARE_PENDING_HEADING.match(fold(s.text).strip())]
    pending = _dedup(pending)
    suivi = [_item(line) for line in _section_lines(docs, "followup")]
    suivi += [_item(s) for _, s, _ in _sentences_matching(docs, FOLLOWUP) if not PENDING.search(fold(s.text))]
    suivi = _dedup(suivi)
    if not suivi:
        a_completer.append("Suivi après la sortie (rendez-vous, surveillance)")

    # --- BMR, transfusion, devices, adverse events -------------------------------------
    bmr, bmr_ev = _flag(docs, BMR)
    if bmr is None:
        a_completer.append("Portage de BMR/BHRe (non mentionné)")
    transfusion, tr_ev = _flag(docs, TRANSFUSION)
    if transfusion is None:
        a_completer.append("Administration de produits sanguins (non mentionnée)")
    devices = []
    dev_negative = False
    for doc, s, m in _sentences_matching(docs, DEVICE):
        if _negated(doc, s, m):
            dev_negative = True
        elif DEVICE_ACT.search(doc.folded[s.start:s.end]):
            devices.append(_item(s))
    devices = _dedup(devices)
    if not devices and not dev_negative:
        a_completer.append("Dispositifs médicaux implantés (non mentionnés)")
    events = []
    ev_negative = False
    for doc, s, m in _sentences_matching(docs, ADVERSE):
        if _negated(doc, s, m):
            ev_negative = True
        else:
            events.append(_item(s))
    events = _dedup(events)
    if not events and not ev_negative:
        a_completer.append("Événements indésirables pendant le séjour (non mentionnés)")

    # --- motif, dates, identities ------------------------------------------------------
    motif_lines = _section_lines(docs, "motif")
    motif_ev: list[dict[str, int]] = []
    motif = None
    if motif_lines:
        motif, motif_ev = motif_lines[0].text, [motif_lines[0].evidence()]
    else:
        for doc in docs:
            m = re.search(r"\b(?:hospitalise\w*|admis\w*|adresse\w*)\b[^.\n]{0,30}?\b(?:pour|pr|dans un contexte d[e'])\s+([^.\n]+)", doc.folded)
            if m:
                s = doc.span(m.start(1), m.end(1))
                motif, motif_ev = s.text, [s.evidence()]
                break
    if motif is None:
        a_completer.append("Motif d'hospitalisation")
    dates: dict[str, Any] = {"entree": None, "sortie": None, "evidence": []}
    for doc in docs:
        for key, pat in (("entree", ADMISSION_DATE), ("sortie", DISCHARGE_DATE)):
            m = pat.search(doc.folded)
            if m and dates[key] is None:
                s = doc.span(m.start(1), m.end(1))
                dates[key] = s.text
                dates["evidence"].append(s.evidence())
    if dates["entree"] is None:
        a_completer.append("Date d'entrée")
    if dates["sortie"] is None:
        a_completer.append("Date de sortie")
    persons = people(docs)
    gp = persons["medecin_traitant"]
    for doc in docs if gp is None else []:
        m = GP.search(doc.folded)
        if m:
            s = doc.span(m.start(1), m.end(1))
            gp = persons["medecin_traitant"] = {"texte": s.text, "evidence": [s.evidence()]}
            break
    if gp is None:
        a_completer.append("Médecin traitant")
    if persons["medecin_hospitalier"] is None:
        a_completer.append("Médecin de l'établissement ayant pris en charge le patient (signataire)")
    conditions = discharge_conditions(docs)
    if dates["sortie"] is None and conditions["date"] is not None:
        dates["sortie"] = conditions["date"]["texte"]
        dates["evidence"] += conditions["date"]["evidence"]
        a_completer.remove("Date de sortie")
    elif conditions["date"] is None and dates["sortie"] is not None:
        conditions["date"] = {"texte": dates["sortie"], "evidence": dates["evidence"][-1:]}
    if conditions["mode"] is None:
        a_completer.append("Mode de sortie (domicile, SSR, EHPAD, transfert, décès)")

    diagnoses = codes_mod.suggest(docs, data_dir, k=5)["codes"]
    conclusion = _section_lines(docs, "conclusion") or _section_lines(docs, "course")
    return {
        "motif": motif,
        "motif_evidence": motif_ev,
        "conclusion": [s.text for s in conclusion[:4]],
        "conclusion_evidence": [s.evidence() for s in conclusion[:4]],
        "diagnostics": [{"code": c["code"], "label": c["label"], "evidence": c["evidence"][:3]} for c in diagnoses],
        "evenements_indesirables": events,
        "bmr": bmr,
        "bmr_evidence": bmr_ev,
        "transfusion": transfusion,
        "transfusion_evidence": tr_ev,
        "dispositifs_implantes": devices,
        "traitements_sortie": sortie,
        "traitements_arretes": arretes,
        "traitements_modifies": modifies,
        "traitements_introduits": introduits,
        "resultats_en_attente": pending,
        "suivi": suivi,
        "sejour": {"entree": dates["entree"], "sortie": dates["sortie"], "medecin_traitant": gp, "evidence": dates["evidence"]},
        "personnes": persons,
        "sortie": conditions,
        "patient_documents": patient_identity(docs),
        "a_completer": list(dict.fromkeys(a_completer)),
        "avertissements": warnings,
    }


def facts_text(f: dict[str, Any]) -> str:
    lines = []
    if f["motif"]:
        lines.append(f"Motif : {f['motif']}")
    if f["diagnostics"]:
        lines.append("Diagnostics : " + "; ".join(d["label"] for d in f["diagnostics"]))
    lines += [f"Évolution : {c}" for c in f["conclusion"]]
    if f["evenements_indesirables"]:
        lines.append("Événements : " + "; ".join(e["texte"] for e in f["evenements_indesirables"]))
    return "\n".join(lines)


def draft_letter(docs: list[Document], kb: Any | None, engine: Any | None, data_dir: str | None, model: str | None,
                 patient: dict[str, Any] | None = None) -> dict[str, Any]:
    """The complete ``letter`` object of the response (facts + bounded prose + provenance).

    ``patient``: identity fields from the request, printed as given; without them the identity
    found in the documents is used (``"source": "documents"``, with evidence), else it goes to
    ``a_completer``. ``engine=None`` (the default configuration) keeps the extracted text."""
    f = extract_letter(docs, kb, data_dir)
    identity = patient or f["patient_documents"]
    if not identity:
        f["a_completer"].insert(0, "Identité du patient")
    fallback = " ".join(c if c.endswith(".") else c + "." for c in f["conclusion"]) or (f"Hospitalisation pour {f['motif']}." if f["motif"] else "")
    facts = facts_text(f)
    res = prose.write(engine, "Rédige en 2 ou 3 phrases le résumé du séjour hospitalier pour le médecin traitant.", facts, fallback)
    if not res.text:
        f["a_completer"].append("Résumé du séjour")
    letter = {
        "motif": f["motif"],
        "resume": res.text or None,
        "evenements_indesirables": f["evenements_indesirables"],
        "bmr": f["bmr"],
        "transfusion": f["transfusion"],
        "dispositifs_implantes": f["dispositifs_implantes"],
        "traitements_sortie": f["traitements_sortie"],
        "traitements_arretes": f["traitements_arretes"],
        "traitements_modifies": f["traitements_modifies"],
        "traitements_introduits": f["traitements_introduits"],
        "resultats_en_attente": f["resultats_en_attente"],
        "suivi": f["suivi"],
        "a_completer": f["a_completer"],
        "sejour": f["sejour"],
        "personnes": f["personnes"],
        "sortie": f["sortie"],
        "diagnostics": f["diagnostics"],
        "provenance": {
            "motif": {"source": "extraction", "evidence": f["motif_evidence"]},
            "resume": {**res.provenance(model), "evidence": f["conclusion_evidence"] + f["motif_evidence"]},
            "bmr": {"source": "extraction", "evidence": f["bmr_evidence"]},
            "transfusion": {"source": "extraction", "evidence": f["transfusion_evidence"]},
        },
        "avertissements": f["avertissements"],
    }
    if identity:
        letter["patient"] = identity
    return letter
