"""Loaders for the coding terminologies: CIM-10 FR (ATIH, as shipped by ``edsnlp``) and CCAM.

CIM-10 codes are stored in their usual dotted form (``E11.9``; ``edsnlp`` ships ``E119``).
The CCAM export is CNAM's hierarchical CSV: chapter rows, note rows and act rows (``AHQP001``);
an act row may repeat for each activity, with the chapter it sits under kept as context.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

from partages.knowledge.errors import SourceFormatError, SourceMissing
from partages.knowledge.loaded import LoadedSource, file_date
from partages.knowledge.sources import CCAM, CIM10, version_from_name
from partages.knowledge.tabular import FileReport

_CIM = re.compile(r"^[A-Z]\d{2}[0-9A-Z+]*$")
_CCAM = re.compile(r"^[A-Z]{4}\d{3}$")
_CHAPTER = re.compile(r"^\d{2}(\.\d{2})*$|^\d{1,2}$")


def dotted(code: str) -> str:
    code = code.replace(".", "").strip().upper()
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _open_text(path: Path) -> io.TextIOBase:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return io.StringIO(raw.decode(enc), newline="")
        except UnicodeDecodeError:
            continue
    raise SourceFormatError(f"{path}: neither UTF-8 nor Windows-1252 text")


def load_cim10(path: Path | None) -> LoadedSource:
    if path is None or not Path(path).is_file():
        raise SourceMissing(f"CIM-10: file not found ({path or 'no path'}); {CIM10.obtain}")
    path = Path(path)
    src = LoadedSource("cim10", _cim_version(path), file_date([path]), [path])
    rep = FileReport(path.name)
    reader = csv.reader(_open_text(path))
    header = [h.strip().lower() for h in next(reader, [])]
    if "code" not in header:
        raise SourceFormatError(f"{path}: line 1 must be a header with a 'code' column (and 'long' or 'label')")
    ci = header.index("code")
    li = next((header.index(h) for h in ("long", "label", "libelle", "libellé") if h in header), None)
    si = header.index("short") if "short" in header else None
    if li is None:
        raise SourceFormatError(f"{path}: line 1 has no 'long' or 'label' column")
    rows = []
    for rec in reader:
        lineno = rep.lines = reader.line_num
        if not rec or not any(rec):
            continue
        if len(rec) <= max(ci, li):
            rep.bad(lineno, "missing columns")
            continue
        code = rec[ci].strip().upper()
        label = rec[li].strip()
        if not _CIM.match(code.replace(".", "")) or not label:
            rep.bad(lineno, "not a CIM-10 code with a label")
            continue
        rows.append((dotted(code), code.replace(".", ""), label, rec[si].strip() if si is not None and si < len(rec) else ""))
        rep.rows += 1
    src.reports.append(rep)
    src.tables["cim10"] = rows
    return src


def _cim_version(path: Path) -> str:
    if "edsnlp" in path.parts:
        try:
            from importlib.metadata import version

            return f"edsnlp {version('edsnlp')}"
        except Exception:  # noqa: BLE001 - version is informative only
            pass
    return version_from_name(path) or file_date([path])


def load_ccam(path: Path | None) -> LoadedSource:
    if path is None or not Path(path).is_file():
        raise SourceMissing(f"CCAM: file not found ({path or 'no path'}); {CCAM.obtain}")
    path = Path(path)
    text = _open_text(path)
    reader = csv.reader(text)
    first = next(reader, [])
    version = None
    m = re.search(r"version\s+(\d+)", " ".join(first), re.I)
    if m:
        version = f"v{m.group(1)}"
    src = LoadedSource("ccam", version or version_from_name(path) or file_date([path]), file_date([path]), [path])
    rep = FileReport(path.name)
    acts: dict[str, list] = {}
    chapter = ""
    for rec in reader:
        lineno = rep.lines = reader.line_num  # physical line (quoted notes span several)
        if not rec or not any(c.strip() for c in rec):
            continue
        code = rec[0].strip()
        label = rec[2].strip() if len(rec) > 2 else ""
        if _CHAPTER.match(code) and label:
            chapter = " ".join(label.split())
            continue
        if not code or code.startswith("[") or re.fullmatch(r"[A-Z0-9]", code):
            continue  # note rows, modifier rows ("[F, P, S, U]") and modifier definitions ("U")
        if not _CCAM.match(code):
            if code.lower() != "code":
                rep.bad(lineno, "first column is neither a chapter number nor a CCAM code")
            continue
        if not label:
            rep.bad(lineno, "CCAM code without a label")
            continue
        rep.rows += 1
        activity = rec[3].strip() if len(rec) > 3 else ""
        tariff = rec[5].strip() if len(rec) > 5 else ""
        if code in acts:
            if activity and activity not in acts[code][2]:
                acts[code][2].append(activity)
            continue
        acts[code] = [code, " ".join(label.split()), [activity] if activity else [], tariff, chapter]
    src.reports.append(rep)
    src.tables["ccam"] = [(c, lab, ",".join(act), tariff, chap) for c, lab, act, tariff, chap in acts.values()]
    return src
