"""Lexical retrieval over the knowledge documents: BM25 (``bm25s``) with French stemming.

Tokens are folded (no accents), stop words removed (bm25s' French list) and stemmed with
PyStemmer's Snowball French stemmer, so "hémorragies" finds "hémorragie" and "hemorragique".
The index is saved next to the store (``kb/index/``) and memory-mapped on load.

No dense retriever is fused in: the only embedding model a package bundles here,
``all-MiniLM-L6-v2``, is English-centric (see BENCHMARKS.md); the fusion point is
:func:`reciprocal_rank_fusion`, ready for a multilingual model with a checked licence.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from partages.knowledge.store import KnowledgeStore
from partages.knowledge.text import fold, tokens

INDEX_DIRNAME = "index"


@dataclass
class Hit:
    id: str
    source: str
    title: str
    snippet: str
    score: float
    licence: str
    version: str

    def to_dict(self) -> dict:
        return asdict(self)


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60, weights: list[float] | None = None) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(d) = sum w / (k + rank). Cormack et al. 2009 (weights: 1)."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = weights[i] if weights else 1.0
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda t: -t[1])


def build_index(store: KnowledgeStore, directory: Path, show_progress: bool = False) -> int:
    import bm25s

    rows = store.rows("documents")
    corpus = [tokens(f"{r['title']} {r['title']} {r['text']}") for r in rows]  # title counted twice
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index(corpus, show_progress=show_progress)
    directory.mkdir(parents=True, exist_ok=True)
    retriever.save(str(directory), show_progress=False)
    (directory / "sources.json").write_text(json.dumps([r["source"] for r in rows]))
    (directory / "ids.json").write_text(json.dumps([r["id"] for r in rows]))
    return len(rows)


def _snippet(text: str, qtoks: set[str], width: int = 240) -> str:
    """A window of ``text`` around the first word whose folded form starts with a query stem."""
    words = text.split()
    start = 0
    for i, w in enumerate(words):
        f = fold(w)
        if f and any(f.startswith(q) for q in qtoks if len(q) >= 3):
            start = max(0, i - 8)
            break
    out = " ".join(words[start:])
    if len(out) > width:
        out = out[:width].rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + out


class Retriever:
    def __init__(self, store: KnowledgeStore, directory: Path) -> None:
        import bm25s

        if not (directory / "params.index.json").is_file():
            raise FileNotFoundError(f"No search index in {directory}: run `partages kb build`.")
        self.store = store
        self.bm25 = bm25s.BM25.load(str(directory), mmap=True, show_progress=False)
        self.vocab = self.bm25.vocab_dict
        self.sources = np.array(json.loads((directory / "sources.json").read_text()))
        ids_file = directory / "ids.json"
        if ids_file.is_file():
            self.ids: list[str] = json.loads(ids_file.read_text())
        else:  # index built before ids.json existed: the documents table has the same order
            self.ids = [r["id"] for r in store.conn.execute("SELECT id FROM documents ORDER BY rowid")]
        self.row_of = {d: i for i, d in enumerate(self.ids)}
        self.n_docs = len(self.sources)

    def _top_k(self, qtoks: list[str], k: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """Top-k over the documents that match at least one term.

        bm25s' own ``retrieve`` partitions the whole score array (9 ms for 68k documents on a
        busy core); most documents score 0, so partitioning only the non-zero ones is ~50x faster.
        """
        scores = np.asarray(self.bm25.get_scores(qtoks), dtype=np.float32)
        if mask is not None:
            scores = scores * mask
        nz = np.flatnonzero(scores > 0)
        if nz.size == 0:
            return []
        if nz.size > k:
            part = np.argpartition(-scores[nz], k - 1)[:k]
            nz = nz[part]
        order = nz[np.lexsort((nz, -scores[nz]))]  # by score, then by document order (stable)
        return [(int(i), float(scores[i])) for i in order]

    def rank(self, query: str, k: int = 5, sources: list[str] | None = None) -> list[tuple[int, float]]:
        """(document row, BM25 score) of the top ``k`` documents, best first."""
        qtoks = [t for t in tokens(query) if t in self.vocab]
        if not qtoks or k <= 0 or self.n_docs == 0:
            return []
        mask = None
        if sources:
            mask = np.isin(self.sources, sources).astype(np.float32)
            if not mask.any():
                return []
        return self._top_k(qtoks, min(k, self.n_docs), mask)

    def hits(self, ranked: list[tuple[int, float]], query: str) -> list[Hit]:
        """Hits (with snippets around the query's words) for ranked document rows."""
        docs = self.store.documents_by_rowid([i for i, _ in ranked])
        stems = set(tokens(query)) | {re.sub(r"[^0-9a-z]", "", fold(w)) for w in query.split()}
        out = []
        for i, s in ranked:
            d = docs.get(i)
            if d is not None:
                out.append(Hit(d["id"], d["source"], d["title"], _snippet(d["text"], stems), round(s, 6), d["licence"], d["version"]))
        return out

    def search(self, query: str, k: int = 5, sources: list[str] | None = None, snippet_query: str | None = None) -> list[Hit]:
        """BM25 alone."""
        return self.hits(self.rank(query, k, sources), snippet_query or query)
