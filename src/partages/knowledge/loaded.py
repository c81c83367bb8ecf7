"""What a loader hands to the store: rows per table, file reports, version and file date."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from partages.knowledge.tabular import FileReport


@dataclass
class LoadedSource:
    name: str
    version: str
    file_date: str  # ISO date of the newest file
    files: list[Path]
    tables: dict[str, list[tuple]] = field(default_factory=dict)
    reports: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. optional files absent

    @property
    def malformed(self) -> int:
        return sum(r.malformed for r in self.reports)

    @property
    def records(self) -> int:
        return sum(len(v) for v in self.tables.values())


def file_date(files: list[Path]) -> str:
    ts = max((f.stat().st_mtime for f in files), default=0.0)
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).date().isoformat()


def fingerprint(files: list[Path]) -> str:
    """SHA-256 over names and contents: a rebuild is skipped only when no byte changed."""
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode())
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()
