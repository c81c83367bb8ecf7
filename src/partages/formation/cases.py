"""Reading a cases folder: ``stays.json`` (fictitious stays), ``sources.json`` (questions for
source checking), ``notes.json`` (notes to pseudonymise), ``calibration.json`` (the model's
confidence on FrenchMedMCQA, from ``partages formation calibrate``).

Every problem is reported as a :class:`CaseError` naming the file, the line and the field, so an
author fixes a case without reading a stack trace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partages.formation.errors import CaseError

FILES = ("stays.json", "sources.json", "notes.json", "calibration.json")
SHIPPED_CASES = Path(__file__).resolve().parent / "cases"


@dataclass
class CaseFile:
    path: Path
    text: str
    data: Any

    def line_of(self, needle: str) -> int:
        """1-based line where ``needle`` first occurs (1 when absent)."""
        i = self.text.find(needle)
        return self.text.count("\n", 0, i) + 1 if i >= 0 else 1

    def error(self, record: dict[str, Any] | None, message: str) -> CaseError:
        rid = record.get("id") if isinstance(record, dict) else None
        line = self.line_of(f'"{rid}"') if rid else 1
        return CaseError(f"{self.path}:{line}: {message}")


def read_case_file(path: Path, *, list_of_records: bool = True) -> CaseFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise CaseError(f"{path}: not UTF-8 ({e.reason} at byte {e.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CaseError(f"{path}:{e.lineno}: invalid JSON ({e.msg}, column {e.colno})") from None
    cf = CaseFile(path, text, data)
    if list_of_records:
        if not isinstance(data, list) or not data:
            raise CaseError(f"{path}:1: expected a non-empty JSON list of records")
        seen: set[str] = set()
        for i, rec in enumerate(data):
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not rec["id"]:
                raise CaseError(f"{path}:{cf.line_of('{') if i == 0 else 1}: record {i + 1} has no string 'id'")
            if rec["id"] in seen:
                raise cf.error(rec, f"duplicate id '{rec['id']}'")
            seen.add(rec["id"])
    return cf


def require(cf: CaseFile, rec: dict[str, Any], field: str, kind: type | tuple[type, ...]) -> Any:
    value = rec.get(field)
    if not isinstance(value, kind) or (isinstance(value, (str, list, dict)) and not value):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise cf.error(rec, f"record '{rec.get('id')}': field '{field}' must be a non-empty {names}")
    return value


def locate(documents: list[dict[str, Any]], quote: str) -> dict[str, Any] | None:
    """Evidence ``{document, start, end}`` of the first exact occurrence of ``quote``."""
    for i, d in enumerate(documents):
        j = str(d.get("text", "")).find(quote)
        if j >= 0:
            return {"document": i, "start": j, "end": j + len(quote)}
    return None


def load_cases(cases_dir: Path) -> dict[str, CaseFile]:
    """The case files present in ``cases_dir`` (at least one of :data:`FILES`)."""
    cases_dir = Path(cases_dir)
    if not cases_dir.is_dir():
        raise CaseError(f"{cases_dir}: not a folder (expected {', '.join(FILES)})")
    out = {name: read_case_file(cases_dir / name, list_of_records=name != "calibration.json")
           for name in FILES if (cases_dir / name).exists()}
    if not out:
        raise CaseError(f"{cases_dir}: none of {', '.join(FILES)} found")
    return out
