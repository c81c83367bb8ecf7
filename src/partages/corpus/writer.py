"""Parquet shards, written atomically, with a state file that makes a build resumable.

Columns: ``id, source, licence, kind, text, messages, tokens``. ``messages`` is a list of
``{role, content}`` structs (null for plain text), the layout TRL and ``datasets`` read as a
conversation. A shard is written to a temporary name and renamed when complete; the state file
(``_state.json``) lists finished shards, so an interrupted build keeps them and a resumed build
replays the deterministic stream without rewriting them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from partages.corpus.base import PipelineStep, require
from partages.corpus.document import Document

STATE_FILE = "_state.json"


def schema():
    pa = require("pyarrow")
    msg = pa.struct([("role", pa.string()), ("content", pa.string())])
    return pa.schema([
        ("id", pa.string()), ("source", pa.string()), ("licence", pa.string()), ("kind", pa.string()),
        ("text", pa.string()), ("messages", pa.list_(msg)), ("tokens", pa.int64()),
    ])


class ParquetShardWriter(PipelineStep):
    name = "writer"
    requires = (("pyarrow", "pyarrow"),)

    def __init__(self, out_dir: Path, shard_size: int = 5000, fingerprint: str = "", resume: bool = True, token_counter=None) -> None:
        super().__init__()
        self.out = Path(out_dir)
        self.shard_size, self.fingerprint = shard_size, fingerprint
        self.count_tokens = token_counter or (lambda text: len(text.split()))
        self.state = self._load_state() if resume else None
        self.skip = self.state["records"] if self.state else 0
        self.shards: list[dict[str, Any]] = list(self.state["shards"]) if self.state else []
        self.per_source: dict[str, dict[str, Any]] = {}

    def _load_state(self) -> dict | None:
        path = self.out / STATE_FILE
        if not path.exists():
            return None
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("fingerprint") != self.fingerprint or state.get("done"):
            return None  # another configuration, or a finished build: start over
        if not all((self.out / s["file"]).exists() for s in state["shards"]):
            return None
        return state

    def _save_state(self, records: int, done: bool = False) -> None:
        state = {"fingerprint": self.fingerprint, "records": records, "shards": self.shards, "done": done}
        tmp = self.out / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, self.out / STATE_FILE)

    def _flush(self, rows: list[dict]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        name = f"shard-{len(self.shards):05d}.parquet"
        tmp = self.out / (name + ".partial")
        pq.write_table(pa.Table.from_pylist(rows, schema=schema()), tmp, compression="zstd")
        os.replace(tmp, self.out / name)
        self.shards.append({"file": name, "records": len(rows)})

    def run(self, docs: Iterable[Document], rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        self.out.mkdir(parents=True, exist_ok=True)
        if not self.state:
            for old in self.out.glob("shard-*.parquet"):
                old.unlink()
        rows: list[dict] = []
        seen = 0
        for doc in docs:
            seen += 1
            tokens = self.count_tokens(doc.text)
            src = self.per_source.setdefault(doc.source, {"licences": set(), "documents": 0, "tokens": 0})
            src["licences"].add(doc.licence)
            src["documents"] += 1
            src["tokens"] += tokens
            self.stats["documents"] += 1
            self.stats["tokens"] += tokens
            if seen <= self.skip:
                self.stats["resumed_skipped"] += 1
                yield doc
                continue
            rows.append({"id": doc.id, "source": doc.source, "licence": doc.licence, "kind": doc.kind,
                         "text": doc.text, "messages": doc.messages, "tokens": tokens})
            if len(rows) >= self.shard_size:
                self._flush(rows)
                rows = []
                self._save_state(seen)
            yield doc
        if rows:
            self._flush(rows)
        self._save_state(seen, done=True)
