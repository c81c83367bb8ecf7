"""Deterministic interaction checking against the ANSM thesaurus (no language model).

Each drug (free text) is resolved to ANSM substances, then expanded to every class those
substances belong to ("warfarine" -> "anticoagulants oraux", "antivitamines K"...). Every
thesaurus entry whose two sides name one drug and the other (as a substance or a class) is an
interaction of that pair. Entries are reported most severe first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from partages.knowledge.drugs import DrugIndex, DrugLookup
from partages.knowledge.text import fold
from partages.knowledge.thesaurus import severity


@dataclass
class ResolvedDrug:
    text: str
    lookup: DrugLookup
    names: dict[str, str] = field(default_factory=dict)  # folded substance/class -> the substance it comes from


@dataclass
class InteractionReport:
    interactions: list[dict[str, Any]]
    drugs: list[dict[str, Any]]
    unresolved: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"interactions": self.interactions, "drugs": self.drugs, "unresolved": self.unresolved}


class InteractionChecker:
    def __init__(self, index: DrugIndex) -> None:
        self.index = index
        store = index.store
        self.by_name: dict[str, list[dict[str, Any]]] = {}
        for r in store.rows("ansm_interactions"):
            entry = dict(r)
            entry["levels"] = json.loads(entry["levels"])
            self.by_name.setdefault(r["a_norm"], []).append(entry)
            if r["b_norm"] != r["a_norm"]:
                self.by_name.setdefault(r["b_norm"], []).append(entry)
        src = store.source("ansm") or {}
        self.version, self.licence = src.get("version"), src.get("licence")

    def resolve(self, text: str) -> ResolvedDrug:
        lk = self.index.lookup(text)
        rd = ResolvedDrug(text, lk)
        for s in lk.substances:
            n = fold(s)
            rd.names.setdefault(n, s)
            for c in self.index.class_of.get(n, ()):
                rd.names.setdefault(c, s)
        for c in lk.classes:
            rd.names.setdefault(fold(c), c)
        return rd

    def check(self, drugs: list[str]) -> InteractionReport:
        resolved = [self.resolve(d) for d in drugs]
        out: list[dict[str, Any]] = []
        for x, y in combinations(resolved, 2):
            seen: set[str] = set()
            for name_x, sub_x in x.names.items():
                for entry in self.by_name.get(name_x, ()):
                    other = entry["b_norm"] if entry["a_norm"] == name_x else entry["a_norm"]
                    if other not in y.names or entry["id"] in seen:
                        continue
                    sub_y = y.names[other]
                    if fold(sub_x) == fold(sub_y):
                        continue  # the same substance on both sides is not an interaction
                    seen.add(entry["id"])
                    out.append(self._render(x.text, y.text, sub_x, sub_y, entry))
        out.sort(key=lambda e: (severity(e["level"]), e["a"], e["b"], e["source"]["id"]))
        drugs_out = [
            {"text": r.text, "substances": r.lookup.substances, "classes": r.lookup.classes,
             "cis": r.lookup.matches[0].cis if r.lookup.matches else None,
             "denomination": r.lookup.matches[0].denomination if r.lookup.matches else None,
             "confidence": r.lookup.confidence}
            for r in resolved
        ]
        unresolved = [r.text for r in resolved if not r.names]
        return InteractionReport(out, drugs_out, unresolved)

    def _render(self, a: str, b: str, sub_a: str, sub_b: str, entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "a": a,
            "b": b,
            "substances": [sub_a, sub_b],
            "level": entry["level"],
            "mechanism": entry["mechanism"],
            "conduct": entry["conduct"],
            "source": {
                "id": entry["id"],
                "name": "ansm",
                "title": f"Thésaurus ANSM des interactions médicamenteuses ({self.version}) : {entry['a']} + {entry['b']}",
                "entry": [entry["a"], entry["b"]],
                "version": self.version,
                "licence": self.licence,
            },
        }
