"""Readers for generic formats: JSONL, Parquet, folders of ``.txt``, FHIR R4 resources.

A reader is a :class:`PipelineStep` that ignores its input stream and yields documents from
files. Malformed records are counted (``bad_records``) and their file:line kept in
``errors`` (never their content); with ``strict=True`` the first one stops the build.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from partages.corpus.base import PipelineStep
from partages.corpus.document import Document
from partages.corpus.errors import BadRecord, CorpusError

MAX_ERRORS_KEPT = 20


class Reader(PipelineStep):
    """Common reader behaviour: sharding by rank, ``limit``, bad-record accounting."""

    name = "reader"

    def __init__(self, source: str, licence: str, *, limit: int | None = None, strict: bool = False, clinical: bool = False) -> None:
        super().__init__()
        self.clinical = clinical
        if not licence:
            raise CorpusError(f"source '{source}' has no licence: every record must carry one")
        self.source, self.licence, self.limit, self.strict = source, licence, limit, strict
        self.errors: list[str] = []

    def read(self) -> Iterator[Document]:  # pragma: no cover - abstract
        raise NotImplementedError

    def bad(self, path: Path | str, line: int | None, reason: str) -> None:
        err = BadRecord(str(path), line, reason)
        if self.strict:
            raise err
        self.stats["bad_records"] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(str(err))

    def run(self, docs: Iterable[Document] = (), rank: int = 0, world_size: int = 1) -> Iterator[Document]:
        yield from docs  # readers can be chained: earlier sources pass through
        n = 0
        for i, doc in enumerate(self.read()):
            if i % world_size != rank:
                continue
            if self.limit is not None and n >= self.limit:
                break
            n += 1
            self.stats["out"] += 1
            if self.clinical:  # clinical text: the pseudonymisation gate checks it
                doc.metadata["clinical"] = True
            yield doc

    def make(self, id: str, text: str, **metadata: Any) -> Document:
        return Document(id=f"{self.source}:{id}", text=text, source=self.source, licence=self.licence, metadata=metadata)

    def make_chat(self, id: str, messages: list[dict[str, str]], **metadata: Any) -> Document:
        return Document.chat(f"{self.source}:{id}", messages, self.source, self.licence, **metadata)


def _expand(paths: str | Path | list[str | Path], pattern: str) -> list[Path]:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out: list[Path] = []
    for p in map(Path, items):
        if p.is_dir():
            out.extend(sorted(p.rglob(pattern)))
        elif p.exists():
            out.append(p)
        else:
            raise CorpusError(f"{p}: no such file or directory")
    return out


def _record_to_doc(reader: Reader, rec: Any, path: Path, line: int | None, text_key: str, id_key: str) -> Document | None:
    if not isinstance(rec, dict):
        reader.bad(path, line, "record is not an object")
        return None
    rid = str(rec.get(id_key) or f"{path.name}:{line}")
    licence = rec.get("licence") or rec.get("license") or reader.licence
    source = rec.get("source") or reader.source
    messages = rec.get("messages")
    if messages is not None:
        if not (isinstance(messages, list) and messages and all(isinstance(m, dict) and {"role", "content"} <= m.keys() for m in messages)):
            reader.bad(path, line, "'messages' must be a list of {role, content}")
            return None
        msgs = [{"role": str(m["role"]), "content": str(m["content"])} for m in messages]
        return Document.chat(f"{source}:{rid}", msgs, str(source), str(licence))
    text = rec.get(text_key)
    if not isinstance(text, str) or not text.strip():
        reader.bad(path, line, f"missing or empty '{text_key}'")
        return None
    return Document(id=f"{source}:{rid}", text=text, source=str(source), licence=str(licence))


class JsonlReader(Reader):
    """JSON Lines: one object per line with ``text`` (or ``messages``); optional per-record
    ``source``/``licence`` override the reader's. ``.jsonl.xz``/``.gz`` are read transparently."""

    name = "jsonl"

    def __init__(self, paths: str | Path | list, source: str, licence: str, *, text_key: str = "text", id_key: str = "id", **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        self.paths = _expand(paths, "*.jsonl*")
        self.text_key, self.id_key = text_key, id_key

    def read(self) -> Iterator[Document]:
        for path in self.paths:
            for lineno, line in enumerate(_open_text(path), 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    self.bad(path, lineno, f"invalid JSON ({exc.msg})")
                    continue
                doc = _record_to_doc(self, rec, path, lineno, self.text_key, self.id_key)
                if doc is not None:
                    yield doc


def _open_text(path: Path):
    if path.suffix == ".xz":
        import lzma

        return lzma.open(path, "rt", encoding="utf-8")
    if path.suffix == ".gz":
        import gzip

        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


class ParquetReader(Reader):
    """Parquet files (row groups streamed with pyarrow), same columns as :class:`JsonlReader`."""

    name = "parquet"
    requires = (("pyarrow", "pyarrow"),)

    def __init__(self, paths: str | Path | list, source: str, licence: str, *, text_key: str = "text", id_key: str = "id", **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        self.paths = _expand(paths, "*.parquet")
        self.text_key, self.id_key = text_key, id_key

    def read(self) -> Iterator[Document]:
        import pyarrow.parquet as pq

        for path in self.paths:
            try:
                pf = pq.ParquetFile(path)
            except Exception as exc:  # pyarrow raises ArrowInvalid and friends
                raise CorpusError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from exc
            row = 0
            for batch in pf.iter_batches(batch_size=1024):
                for rec in batch.to_pylist():
                    row += 1
                    doc = _record_to_doc(self, rec, path, row, self.text_key, self.id_key)
                    if doc is not None:
                        yield doc


class TextFolderReader(Reader):
    """A folder of UTF-8 ``.txt`` files, one document per file."""

    name = "txt"

    def __init__(self, paths: str | Path | list, source: str, licence: str, **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        self.paths = _expand(paths, "*.txt")

    def read(self) -> Iterator[Document]:
        for path in self.paths:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                self.bad(path, None, f"not UTF-8 (byte {exc.start})")
                continue
            if not text.strip():
                self.bad(path, None, "empty file")
                continue
            yield self.make(path.stem, text)


class FhirReader(Reader):
    """FHIR R4 ``Bundle`` (entries) or single ``DocumentReference`` resources, JSON or NDJSON.

    Text comes from ``content[].attachment`` with ``contentType`` ``text/plain`` (or any
    ``text/*``), base64 in ``data``. Other resources and non-text attachments are counted and
    skipped. The patient reference is kept in metadata so the pseudonymisation gate can use
    the patient's known identifiers when a detector accepts them. Parsed by hand: a
    DocumentReference is a few fields, and fhir.resources would add pydantic-v1-era weight.
    """

    name = "fhir"

    def __init__(self, paths: str | Path | list, source: str, licence: str, **kw: Any) -> None:
        super().__init__(source, licence, **kw)
        self.paths = _expand(paths, "*.*json")

    def read(self) -> Iterator[Document]:
        for path in self.paths:
            try:
                raw = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                self.bad(path, None, "not UTF-8")
                continue
            if path.suffix == ".ndjson":
                items = []
                for lineno, line in enumerate(raw.splitlines(), 1):
                    if line.strip():
                        try:
                            items.append((lineno, json.loads(line)))
                        except json.JSONDecodeError as exc:
                            self.bad(path, lineno, f"invalid JSON ({exc.msg})")
            else:
                try:
                    items = [(None, json.loads(raw))]
                except json.JSONDecodeError as exc:
                    self.bad(path, exc.lineno, f"invalid JSON ({exc.msg})")
                    continue
            for lineno, res in items:
                yield from self._resource(path, lineno, res)

    def _resource(self, path: Path, lineno: int | None, res: Any) -> Iterator[Document]:
        rtype = res.get("resourceType") if isinstance(res, dict) else None
        if rtype == "Bundle":
            for i, entry in enumerate(res.get("entry") or []):
                inner = entry.get("resource") if isinstance(entry, dict) else None
                yield from self._resource(path, lineno, inner or {})
        elif rtype == "DocumentReference":
            yield from self._document_reference(path, lineno, res)
        else:
            self.stats["skipped_other_resources"] += 1

    def _document_reference(self, path: Path, lineno: int | None, res: dict) -> Iterator[Document]:
        rid = res.get("id") or f"{path.stem}:{lineno or 0}"
        patient = ((res.get("subject") or {}).get("reference")) or None
        for j, content in enumerate(res.get("content") or []):
            att = (content or {}).get("attachment") or {}
            ctype = (att.get("contentType") or "").split(";")[0].strip()
            if not ctype.startswith("text/"):
                self.stats["skipped_non_text_attachments"] += 1
                continue
            data = att.get("data")
            if not data:
                self.bad(path, lineno, f"DocumentReference {rid}: attachment without inline data")
                continue
            try:
                text = base64.b64decode(data, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                self.bad(path, lineno, f"DocumentReference {rid}: attachment is not base64 UTF-8 text")
                continue
            suffix = f"#{j}" if j else ""
            yield self.make(f"{rid}{suffix}", text, patient_ref=patient, clinical=True)
