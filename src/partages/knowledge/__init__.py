"""Trusted French medical knowledge: BDPM drugs, ANSM interactions, CIM-10 and CCAM.

Build once with ``partages kb build`` (or :func:`build`), then::

    from partages.knowledge import open_kb
    kb = open_kb(settings.home)
    kb.lookup_drug("kardegic 75mg")          # -> DrugLookup (CIS, substances, confidence)
    kb.interactions(["kardegic", "previscan"]).interactions
    kb.search("surdosage antivitamine K", k=5)

The module-level :func:`lookup_drug`, :func:`interactions` and :func:`search` use the knowledge
base of ``home`` (default: the configured ``$PARTAGES_HOME``), opened once and cached.
"""

from __future__ import annotations

import threading
from pathlib import Path

from partages.knowledge.base import KnowledgeBase, open_kb
from partages.knowledge.build import BuildReport, build
from partages.knowledge.drugs import DrugLookup, DrugMatch
from partages.knowledge.errors import KnowledgeBaseMissing, KnowledgeError, SourceFormatError, SourceMissing
from partages.knowledge.index import Hit, reciprocal_rank_fusion
from partages.knowledge.interactions import InteractionReport
from partages.knowledge.sources import SOURCES, SourceInfo, SourcePaths
from partages.knowledge.store import db_path, kb_dir
from partages.knowledge.thesaurus import LEVELS

__all__ = [
    "LEVELS", "SOURCES", "BuildReport", "DrugLookup", "DrugMatch", "Hit", "InteractionReport", "KnowledgeBase",
    "KnowledgeBaseMissing", "KnowledgeError", "SourceFormatError", "SourceInfo", "SourceMissing", "SourcePaths",
    "build", "db_path", "get_kb", "interactions", "kb_dir", "lookup_drug", "open_kb", "reciprocal_rank_fusion", "search",
]

_cache: dict[Path, KnowledgeBase] = {}
_cache_lock = threading.Lock()


def get_kb(home: Path | None = None) -> KnowledgeBase:
    """The cached knowledge base of ``home`` (default: the configured home)."""
    if home is None:
        from partages.config import get_settings

        home = get_settings().home
    home = Path(home).resolve()
    with _cache_lock:
        kb = _cache.get(home)
        if kb is not None and kb.stale():
            kb = None  # rebuilt underneath us: reopen (the old object stays valid for its users)
        if kb is None:
            kb = _cache[home] = open_kb(home)
        return kb


def lookup_drug(text: str, home: Path | None = None) -> DrugLookup:
    return get_kb(home).lookup_drug(text)


def interactions(drugs: list[str], home: Path | None = None) -> InteractionReport:
    return get_kb(home).interactions(drugs)


def search(query: str, k: int = 5, home: Path | None = None, sources: list[str] | None = None) -> list[Hit]:
    return get_kb(home).search(query, k=k, sources=sources)
