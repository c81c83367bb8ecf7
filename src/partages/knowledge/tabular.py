"""Reading official tab-separated files line by line, counting (not raising on) malformed lines.

The BDPM files are Windows-1252, tab-separated, without a header. One bad line in a 20,000-line
official file must not stop a build, but it must be visible: each reader keeps a
:class:`FileReport` with the number of malformed lines and the first line numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileReport:
    file: str
    lines: int = 0
    rows: int = 0
    malformed: int = 0
    malformed_lines: list[int] = field(default_factory=list)  # first few line numbers
    reasons: dict[str, int] = field(default_factory=dict)

    def bad(self, lineno: int, reason: str) -> None:
        self.malformed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.malformed_lines) < 10:
            self.malformed_lines.append(lineno)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "lines": self.lines,
            "rows": self.rows,
            "malformed": self.malformed,
            "malformed_lines": self.malformed_lines,
            "reasons": self.reasons,
        }


def read_tsv(
    path: Path,
    min_cols: int,
    report: FileReport,
    *,
    encoding: str = "cp1252",
    check: Callable[[list[str]], str | None] | None = None,
) -> Iterator[list[str]]:
    """Yield the stripped fields of each well-formed line of ``path``.

    A line is malformed when it has fewer than ``min_cols`` fields, cannot be decoded, or
    ``check(fields)`` returns a reason. Blank lines are skipped silently.
    """
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            report.lines = lineno
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError:
                report.bad(lineno, "encoding")
                continue
            fields = [f.strip() for f in line.split("\t")]
            if len(fields) < min_cols:
                report.bad(lineno, f"expected at least {min_cols} tab-separated fields, got {len(fields)}")
                continue
            if check is not None:
                reason = check(fields)
                if reason:
                    report.bad(lineno, reason)
                    continue
            report.rows += 1
            yield fields
