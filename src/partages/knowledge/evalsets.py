"""Dev sets of the knowledge layer and their scores, for ``partages eval`` and the benchmarks.

* ``drug_questions.json``: 70 drug names as prescribers write them, each with every correct BDPM
  speciality (CIS). Score: recall@5 of :meth:`KnowledgeBase.lookup_drug` (target >= 0.9).
  The same questions also score :meth:`KnowledgeBase.search` (recall@5 of the BDPM documents).
* ``interaction_pairs.json``: 32 drug pairs with the most severe ANSM level (or none). Score:
  exact level of :meth:`KnowledgeBase.interactions` (target >= 0.95).

Both sets were written by hand from the official files (see each file's ``description``); the
expected answers do not come from the code they score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from partages.knowledge.base import KnowledgeBase
from partages.knowledge.thesaurus import severity

TARGETS = {"drug_recall_at_5": 0.9, "interaction_level_exact": 0.95}


def load_devset(name: str) -> dict[str, Any]:
    """``drug_questions`` or ``interaction_pairs`` (shipped with the package)."""
    path = resources.files("partages.knowledge") / "devsets" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class EvalResult:
    task: str
    score: float
    target: float
    n: int
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.score >= self.target

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "score": round(self.score, 4), "target": self.target, "passed": self.passed,
                "n": self.n, "failures": self.failures}


def score_drug_questions(kb: KnowledgeBase, k: int = 5) -> EvalResult:
    data = load_devset("drug_questions")
    hits, failures = 0, []
    for item in data["items"]:
        got = [m.cis for m in kb.lookup_drug(item["query"], limit=k).matches[:k]]
        if set(got) & set(item["expected"]):
            hits += 1
        else:
            failures.append({"query": item["query"], "got": got})
    n = len(data["items"])
    return EvalResult(f"kb-drug-recall@{k}", hits / n if n else 0.0, TARGETS["drug_recall_at_5"], n, failures)


def score_search_drug_questions(kb: KnowledgeBase, k: int = 5, hybrid: bool = True) -> EvalResult:
    """Recall@k of :meth:`KnowledgeBase.search` on the drug questions (expected BDPM documents)."""
    data = load_devset("drug_questions")
    hits, failures = 0, []
    for item in data["items"]:
        got = [h.id for h in kb.search(item["query"], k=k, sources=["bdpm"], hybrid=hybrid)]
        if {f"bdpm:cis:{c}" for c in item["expected"]} & set(got):
            hits += 1
        else:
            failures.append({"query": item["query"], "got": got})
    n = len(data["items"])
    name = f"kb-search-drug-recall@{k}" + ("" if hybrid else "-bm25")
    return EvalResult(name, hits / n if n else 0.0, TARGETS["drug_recall_at_5"], n, failures)


def score_interaction_pairs(kb: KnowledgeBase) -> EvalResult:
    data = load_devset("interaction_pairs")
    ok, failures = 0, []
    for item in data["items"]:
        rep = kb.interactions([item["a"], item["b"]])
        levels = [i["level"] for i in rep.interactions]
        got = min(levels, key=severity) if levels else None
        if got == item["expected_level"] and not rep.unresolved:
            ok += 1
        else:
            failures.append({"a": item["a"], "b": item["b"], "expected": item["expected_level"], "got": got, "unresolved": rep.unresolved})
    n = len(data["items"])
    return EvalResult("kb-interaction-level-exact", ok / n if n else 0.0, TARGETS["interaction_level_exact"], n, failures)


def score_all(kb: KnowledgeBase) -> list[EvalResult]:
    return [score_drug_questions(kb), score_search_drug_questions(kb), score_interaction_pairs(kb)]
