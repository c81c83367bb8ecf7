"""Retrieval documents assembled from the store, each with a stable id, source, licence, version.

Ids: ``bdpm:cis:<CIS>``, ``ansm:interaction:<a>+<b>`` (folded names, sorted), ``cim10:<code>``
(dotted: ``cim10:E11.9``), ``ccam:<code>``. They depend only on the official identifiers, so a
rebuild from a newer release keeps citations of unchanged records valid.
"""

from __future__ import annotations

from collections import defaultdict

from partages.knowledge.bdpm import GENERIC_TYPES
from partages.knowledge.store import KnowledgeStore

Doc = tuple[str, str, str, str, str, str]  # id, source, title, text, licence, version


def _short(text: str, n: int = 400) -> str:
    text = " ".join(text.replace("<br>", " ").split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def assemble(store: KnowledgeStore) -> list[Doc]:
    sources = store.sources()
    docs: list[Doc] = []
    if "bdpm" in sources:
        docs += _bdpm(store, sources["bdpm"])
    if "ansm" in sources:
        docs += _ansm(store, sources["ansm"])
    if "cim10" in sources:
        s = sources["cim10"]
        for r in store.rows("cim10"):
            docs.append((f"cim10:{r['code']}", "cim10", f"{r['code']} {r['label']}", f"CIM-10 {r['code']} : {r['label']}.", s["licence"], s["version"]))
    if "ccam" in sources:
        s = sources["ccam"]
        for r in store.rows("ccam"):
            text = f"CCAM {r['code']} : {r['label']}."
            if r["chapter"]:
                text += f" Chapitre : {r['chapter']}."
            if r["tariff"]:
                text += f" Tarif secteur 1 : {r['tariff']} €."
            docs.append((f"ccam:{r['code']}", "ccam", f"{r['code']} {r['label']}", text, s["licence"], s["version"]))
    return docs


def _group(store: KnowledgeStore, table: str) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for r in store.rows(table):
        out[r["cis"]].append(r)
    return out


def _bdpm(store: KnowledgeStore, src: dict) -> list[Doc]:
    comp, gen, cpd = _group(store, "compositions"), _group(store, "generic_groups"), _group(store, "prescription_conditions")
    smr, asmr = _group(store, "has_smr"), _group(store, "has_asmr")
    docs = []
    for r in store.rows("specialities"):
        cis = r["cis"]
        parts = [f"{r['denomination']}."]
        subs = [f"{c['substance']} {c['dosage']}".strip() for c in comp.get(cis, []) if c["nature"] == "SA"]
        if subs:
            parts.append("Substances actives : " + ", ".join(subs) + ".")
        # the holder is left out: "SANOFI FRANCE" would make every question about France match
        parts.append(f"Forme : {r['form']}. Voie : {r['routes']}. {r['commercialisation']}.")
        for g in gen.get(cis, [])[:2]:
            parts.append(f"Groupe générique : {g['label']} ({GENERIC_TYPES.get(g['type'], g['type'])}).")
        conds = [c["condition"] for c in cpd.get(cis, [])]
        if conds:
            parts.append("Conditions de prescription : " + "; ".join(conds) + ".")
        if smr.get(cis):
            s = max(smr[cis], key=lambda x: x["date"])
            parts.append(f"SMR {s['value']} ({s['date'][:4]}) : {_short(s['label'], 300)}")
        if asmr.get(cis):
            s = max(asmr[cis], key=lambda x: x["date"])
            parts.append(f"ASMR {s['value']} ({s['date'][:4]}) : {_short(s['label'], 300)}")
        docs.append((f"bdpm:cis:{cis}", "bdpm", r["denomination"], " ".join(parts), src["licence"], src["version"]))
    return docs


def _ansm(store: KnowledgeStore, src: dict) -> list[Doc]:
    members: dict[str, list[str]] = defaultdict(list)
    for r in store.rows("ansm_class_members"):
        members[r["class_norm"]].append(r["substance"])
    docs = []
    for r in store.rows("ansm_interactions"):
        title = f"{r['a']} + {r['b']} : {r['level']}"
        parts = [f"Interaction médicamenteuse {r['a']} et {r['b']} (thésaurus ANSM) : {r['level']}.",
                 f"Mécanisme : {r['mechanism']}" if r["mechanism"] else "",
                 f"Conduite à tenir : {r['conduct']}" if r["conduct"] else ""]
        for side in ("a", "b"):
            m = members.get(r[f"{side}_norm"])
            if m:
                parts.append(f"{r[side]} comprend : " + ", ".join(sorted(m)[:40]) + ".")
        docs.append((r["id"], "ansm", title, " ".join(p for p in parts if p), src["licence"], src["version"]))
    return docs
