"""``KnowledgeBase``: the one object other components use (assistant, RAG, evaluation, server).

Opening is cheap; the drug tables and the BM25 index are loaded on first use and kept, so a
gateway pays for them once. Thread-safe: lazy loading is guarded by a lock, reads are read-only.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from partages.knowledge.drugs import DrugIndex, DrugLookup
from partages.knowledge.index import INDEX_DIRNAME, Hit, Retriever, reciprocal_rank_fusion
from partages.knowledge.interactions import InteractionChecker, InteractionReport
from partages.knowledge.store import KnowledgeStore, db_path, kb_dir


class KnowledgeBase:
    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.store = KnowledgeStore(db_path(self.home))
        self._lock = threading.Lock()
        self._drugs: DrugIndex | None = None
        self._checker: InteractionChecker | None = None
        self._retriever: Retriever | None = None
        self.built_at = self.store.meta("index_built_at")

    def stale(self) -> bool:
        """True when ``kb build`` rebuilt the base since this object was opened."""
        return self.store.meta("index_built_at") != self.built_at

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def drugs(self) -> DrugIndex:
        with self._lock:
            if self._drugs is None:
                self._drugs = DrugIndex(self.store)
            return self._drugs

    @property
    def checker(self) -> InteractionChecker:
        idx = self.drugs
        with self._lock:
            if self._checker is None:
                self._checker = InteractionChecker(idx)
            return self._checker

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever(self.store, kb_dir(self.home) / INDEX_DIRNAME)
            return self._retriever

    # --- the public operations -----------------------------------------------------------
    def lookup_drug(self, text: str, limit: int = 10) -> DrugLookup:
        """Free-text drug name -> BDPM specialities (CIS) and ANSM substances, with confidence."""
        return self.drugs.lookup(text, limit=limit)

    def interactions(self, drugs: list[str]) -> InteractionReport:
        """Every ANSM interaction between each pair of ``drugs`` (free text), class-level included."""
        return self.checker.check(drugs)

    def search(self, query: str, k: int = 5, sources: list[str] | None = None, hybrid: bool = True) -> list[Hit]:
        """Search every document (specialities, interactions, CIM-10, CCAM).

        BM25 alone with ``hybrid=False``. Otherwise (default) two more signals:

        * brand names and class abbreviations in the query are expanded with their ANSM names
          ("kardegic" + "acide acetylsalicylique", "AINS"), since the thesaurus never names brands;
        * when the query names a drug (:meth:`lookup_drug` confidence >= 0.8: brand, typo,
          strength), its specialities are fused with the BM25 ranking by reciprocal rank fusion
          (lookup weighted x2).
          Hits then carry the RRF score instead of the BM25 score.
        """
        if not hybrid:
            return self.retriever.search(query, k=k, sources=sources)
        extra = self.drugs.expansion(query)
        q = f"{query} {' '.join(extra)}" if extra else query
        drug_ids: list[str] = []
        # a drug as prescribers write it is short ("doliprane 1g", "PREVISCAN 20 mg cp"): longer
        # questions skip the lookup (its fuzzy matching is the costly part)
        if (sources is None or "bdpm" in sources) and len(query.split()) <= 4:
            drug_ids = [m.id for m in self.drugs.lookup(query, limit=k).matches if m.confidence >= 0.8]
        r = self.retriever
        if not drug_ids:
            return r.hits(r.rank(q, k, sources), query)
        ranked = r.rank(q, max(k, 20), sources)
        # the lookup only speaks when confident (>= 0.8) and is then precise: it weighs double
        fused = reciprocal_rank_fusion([[r.ids[i] for i, _ in ranked], drug_ids], weights=[1.0, 2.0])[:k]
        return r.hits([(r.row_of[d], s) for d, s in fused if d in r.row_of], query)

    def drug(self, cis: str) -> dict[str, Any] | None:
        """Everything the BDPM holds on one speciality."""
        return self.store.speciality(cis)

    def sources(self) -> dict[str, dict[str, Any]]:
        return self.store.sources()


def open_kb(home: Path) -> KnowledgeBase:
    """Open the knowledge base built in ``home`` (raises ``KnowledgeBaseMissing`` if none)."""
    return KnowledgeBase(home)
