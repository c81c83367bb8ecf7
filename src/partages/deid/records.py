"""Batch input/output for the CLI: JSONL, Parquet, or a folder of ``.txt`` files, streamed.

Each reader yields ``(where, record)`` with ``where`` = (file, line) so any error names the
place to fix; a bad record yields a :class:`BadInputError` instead of a record (the caller
decides: stop, or count and continue with ``--skip-bad``). Output follows the input kind and
is resumable: ids already present in OUT are skipped, a half-written last line is dropped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from partages.deid.errors import BadInputError

Record = dict[str, Any]


def kind_of(path: Path) -> str:
    if path.is_dir():
        return "txt"
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    if not path.exists():
        raise BadInputError(str(path), 0, "input not found")
    return "jsonl"


def _check(rec: Any, path: str, line: int) -> Record:
    if not isinstance(rec, dict):
        raise BadInputError(path, line, "expected a JSON object with 'id' and 'text'")
    if "id" not in rec:
        raise BadInputError(path, line, "missing 'id'")
    text = rec.get("text")
    if text is None:
        rec["text"] = ""
    elif not isinstance(text, str):
        raise BadInputError(path, line, "'text' must be a string")
    patient = rec.get("patient")
    if patient is not None and not isinstance(patient, dict):
        raise BadInputError(path, line, "'patient' must be an object")
    rec["id"] = str(rec["id"])
    return rec


def read_jsonl(path: Path) -> Iterator[Record | BadInputError]:
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield BadInputError(str(path), n, "not valid UTF-8")
                continue
            if not line.strip():
                continue
            try:
                yield _check(json.loads(line), str(path), n)
            except json.JSONDecodeError as e:
                yield BadInputError(str(path), n, f"invalid JSON (column {e.colno})")
            except BadInputError as e:
                yield e


def read_txt_folder(path: Path) -> Iterator[Record | BadInputError]:
    for p in sorted(path.rglob("*.txt")):
        rel = str(p.relative_to(path))
        data = p.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            yield BadInputError(str(p), line, "not valid UTF-8")
            continue
        yield {"id": rel, "text": text}


def read_parquet(path: Path, batch_size: int = 256) -> Iterator[Record | BadInputError]:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a core dependency
        raise BadInputError(str(path), 0, "reading Parquet needs pyarrow: pip install pyarrow") from None
    try:
        pf = pq.ParquetFile(path)
    except Exception:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise BadInputError(str(path), 0, "not a readable Parquet file") from None
    names = set(pf.schema_arrow.names)
    if not {"id", "text"} <= names:
        raise BadInputError(str(path), 0, "Parquet input needs 'id' and 'text' columns")
    cols = [c for c in ("id", "text", "patient") if c in names]
    row = 0
    for batch in pf.iter_batches(batch_size=batch_size, columns=cols):
        for rec in batch.to_pylist():
            row += 1
            p = rec.get("patient")
            if isinstance(p, str):
                try:
                    rec["patient"] = json.loads(p) if p else None
                except json.JSONDecodeError:
                    yield BadInputError(str(path), row, "'patient' is not valid JSON")
                    continue
            try:
                yield _check(rec, str(path), row)
            except BadInputError as e:
                yield e


def read_any(path: Path) -> Iterator[Record | BadInputError]:
    k = kind_of(path)
    if k == "txt":
        return read_txt_folder(path)
    if k == "parquet":
        return read_parquet(path)
    return read_jsonl(path)


def count_records(path: Path) -> int | None:
    k = kind_of(path)
    if k == "txt":
        return sum(1 for _ in path.rglob("*.txt"))
    if k == "parquet":
        try:
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        except Exception:  # noqa: BLE001
            return None
    n = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            n += block.count(b"\n")
    return n


# --- writers --------------------------------------------------------------------------


class JsonlWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        if path.exists():
            _drop_partial_last_line(path)
            with path.open("rb") as f:
                for raw in f:
                    try:
                        self.done.add(str(json.loads(raw)["id"]))
                    except (ValueError, KeyError, TypeError):
                        continue
        path.parent.mkdir(parents=True, exist_ok=True)
        self.f = path.open("a", encoding="utf-8")

    def write(self, rec: Record) -> None:
        self.f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()


def _drop_partial_last_line(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb+") as f:
        f.seek(max(0, size - 1))
        if f.read(1) == b"\n":
            return
        # find the last newline and cut after it
        pos = size
        step = 4096
        while pos > 0:
            start = max(0, pos - step)
            f.seek(start)
            chunk = f.read(pos - start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                f.truncate(start + i + 1)
                return
            pos = start
        f.truncate(0)


class TxtFolderWriter:
    """One ``.txt`` per input file (pseudonymised text) and/or ``.spans.json`` beside it."""

    def __init__(self, path: Path, with_text: bool) -> None:
        self.path = path
        self.with_text = with_text
        path.mkdir(parents=True, exist_ok=True)
        marker = ".txt" if with_text else ".spans.json"
        self.done = {str(p.relative_to(path))[: -len(marker)] + ".txt" for p in path.rglob("*" + marker) if not (with_text and p.name.endswith(".spans.json"))}

    def write(self, rec: Record) -> None:
        rel = rec["id"]
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        spans_path = target.with_name(target.name[:-4] + ".spans.json")
        spans_path.write_text(json.dumps({"id": rel, "spans": rec["spans"]}, ensure_ascii=False), encoding="utf-8")
        if self.with_text:
            tmp = target.with_name(target.name + ".part")
            tmp.write_text(rec["text"], encoding="utf-8")
            tmp.replace(target)  # the .txt appears only complete: it marks the record done

    def close(self) -> None:
        pass


class ParquetWriter:
    """Parquet cannot be appended to: on resume, existing rows are copied batch by batch into a
    new file, which replaces OUT at the end (constant memory)."""

    def __init__(self, path: Path, with_text: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa, self.pq = pa, pq
        self.path = path
        fields = [pa.field("id", pa.string())]
        if with_text:
            fields.append(pa.field("text", pa.string()))
        fields.append(pa.field("spans", pa.string()))  # JSON list of spans
        self.schema = pa.schema(fields)
        self.tmp = path.with_name(path.name + ".part")
        self.writer = pq.ParquetWriter(self.tmp, self.schema)
        self.done: set[str] = set()
        self.buf: list[Record] = []
        if path.exists():
            for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
                self.done.update(batch.column("id").to_pylist())
                self.writer.write_batch(batch.select(self.schema.names))

    def write(self, rec: Record) -> None:
        row = {"id": rec["id"], "spans": json.dumps(rec["spans"], ensure_ascii=False)}
        if "text" in self.schema.names:
            row["text"] = rec["text"]
        self.buf.append(row)
        if len(self.buf) >= 512:
            self._flush()

    def _flush(self) -> None:
        if self.buf:
            self.writer.write_table(self.pa.Table.from_pylist(self.buf, schema=self.schema))
            self.buf = []

    def close(self) -> None:
        self._flush()
        self.writer.close()
        self.tmp.replace(self.path)


def open_writer(in_path: Path, out_path: Path, with_text: bool):
    k = kind_of(in_path)
    if k == "txt":
        return TxtFolderWriter(out_path, with_text)
    if k == "parquet":
        return ParquetWriter(out_path, with_text)
    return JsonlWriter(out_path)
