"""``kb build``: load each source that is present, skip those unchanged since the last build.

A source is reloaded only when the SHA-256 of its files changed (or ``force``); documents and the
BM25 index are rebuilt only when some source was reloaded or the index is missing. A missing
source is reported with where to obtain it; it never stops the others.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from partages.knowledge import bdpm, terminologies, thesaurus
from partages.knowledge.documents import assemble
from partages.knowledge.errors import KnowledgeError
from partages.knowledge.index import INDEX_DIRNAME, build_index
from partages.knowledge.loaded import LoadedSource, fingerprint
from partages.knowledge.sources import SOURCES, SourcePaths, discover
from partages.knowledge.store import KnowledgeStore, db_path, kb_dir

# bump when a loader or the document assembly changes, so existing bases are reloaded
LOADER_VERSION = "4"

Progress = Callable[[str, str], None]  # (step, message)


@dataclass
class SourceOutcome:
    name: str
    status: str  # loaded | unchanged | missing | error
    message: str = ""
    version: str | None = None
    file_date: str | None = None
    licence: str | None = None
    records: int = 0
    malformed: int = 0
    files: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class BuildReport:
    path: str
    sources: list[SourceOutcome]
    documents: int
    index_rebuilt: bool

    @property
    def changed(self) -> bool:
        return any(s.status == "loaded" for s in self.sources)

    def to_dict(self) -> dict:
        return {"path": self.path, "documents": self.documents, "index_rebuilt": self.index_rebuilt,
                "sources": [s.to_dict() for s in self.sources]}


def _files_of(name: str, path: Path) -> list[Path]:
    if name == "bdpm":
        return sorted(bdpm.find_files(path).values())
    if name == "ansm":
        return sorted(p for p in path.glob("*.json"))
    return [path]


def _load(name: str, path: Path) -> LoadedSource:
    if name == "bdpm":
        return bdpm.load(path)
    if name == "ansm":
        return thesaurus.load(path)
    if name == "cim10":
        return terminologies.load_cim10(path)
    return terminologies.load_ccam(path)


def build(
    home: Path,
    data_dir: Path | None = None,
    *,
    paths: SourcePaths | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Build or refresh the knowledge base under ``home/kb``."""
    say = progress or (lambda step, msg: None)
    found = discover(data_dir)
    if paths is not None:  # explicit paths override discovery
        for name in SOURCES:
            if paths.get(name) is not None:
                setattr(found, name, Path(paths.get(name)))
    kb_dir(home).mkdir(parents=True, exist_ok=True)
    store = KnowledgeStore(db_path(home), create=True)
    try:
        previous = store.sources()
        outcomes = []
        for name, info in SOURCES.items():
            path = found.get(name)
            if path is None or not path.exists():
                where = f" ({path} does not exist)" if path is not None else ""
                outcomes.append(SourceOutcome(name, "missing", f"{info.title}: not found{where}; to obtain it, {info.obtain}", licence=info.licence))
                say(name, "missing")
                continue
            files = _files_of(name, path)
            if not files:
                outcomes.append(SourceOutcome(name, "missing", f"{info.title}: no source file in {path}; to obtain it, {info.obtain}", licence=info.licence))
                say(name, "missing")
                continue
            fp = f"{fingerprint(files)}:{LOADER_VERSION}"
            prev = previous.get(name)
            if prev and prev["fingerprint"] == fp and not force:
                outcomes.append(SourceOutcome(name, "unchanged", "", prev["version"], prev["file_date"], prev["licence"], prev["records"], prev["malformed"], prev["report"].get("files", [])))
                say(name, "unchanged")
                continue
            say(name, "loading")
            try:
                src = _load(name, path)
            except KnowledgeError as exc:
                outcomes.append(SourceOutcome(name, "error", str(exc), licence=info.licence))
                say(name, "error")
                continue
            store.replace_source(src, fp, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
            msg = "; ".join(src.notes)
            outcomes.append(SourceOutcome(name, "loaded", msg, src.version, src.file_date, info.licence, src.records, src.malformed, [r.as_dict() for r in src.reports]))
            say(name, "loaded")
        index_dir = kb_dir(home) / INDEX_DIRNAME
        rebuild = force or any(o.status == "loaded" for o in outcomes) or not (index_dir / "params.index.json").is_file()
        if rebuild:
            say("documents", "assembling")
            docs = assemble(store)
            store.replace_documents(docs)
            say("index", "indexing")
            tmp = index_dir.with_name(INDEX_DIRNAME + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            build_index(store, tmp)
            shutil.rmtree(index_dir, ignore_errors=True)
            tmp.rename(index_dir)
            store.set_meta("index_built_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        n_docs = store.count("documents")
        say("done", "done")
        return BuildReport(str(store.path), outcomes, n_docs, rebuild)
    finally:
        store.close()
