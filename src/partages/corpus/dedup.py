"""Near-duplicate removal with MinHash LSH (``datasketch``).

The first document of a near-duplicate cluster is kept (stream order = source order in the
config, so put preferred sources first). Word 5-gram shingles over casefolded text; Jaccard
threshold 0.8 by default (typical for web-scale pipelines; exact copies always collide).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from partages.corpus.base import PipelineStep
from partages.corpus.document import Document

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int) -> set[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < n:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)}


class MinHashDedup(PipelineStep):
    name = "dedup"
    requires = (("datasketch", "datasketch"),)

    def __init__(self, threshold: float = 0.8, num_perm: int = 128, ngram: int = 5, seed: int = 1) -> None:
        super().__init__()
        from datasketch import MinHash, MinHashLSH

        self._MinHash = MinHash
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.num_perm, self.ngram, self.seed = num_perm, ngram, seed

    def run(self, docs: Iterable[Document], rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        for i, doc in enumerate(docs):
            self.stats["in"] += 1
            mh = self._MinHash(num_perm=self.num_perm, seed=self.seed)
            mh.update_batch(list(shingles(doc.text, self.ngram)))
            if self.lsh.query(mh):
                self.drop("near_duplicate")
                continue
            self.lsh.insert(f"{i}", mh)
            self.stats["out"] += 1
            yield doc
