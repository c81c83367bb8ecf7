"""Loader for the official BDPM download files (ANSM public drug database).

Column layouts follow ANSM's "Contenu et format des fichiers téléchargeables dans la BDM".
Files are Windows-1252, tab-separated, without header; whichever of them are present are loaded
(``CIS_bdpm.txt`` is required: it defines the specialities the others refer to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from partages.knowledge.errors import SourceMissing
from partages.knowledge.loaded import LoadedSource, file_date
from partages.knowledge.sources import BDPM, version_from_name
from partages.knowledge.tabular import FileReport, read_tsv

_CIS = re.compile(r"^\d{8}$")


def _cis_at(i: int):
    def check(fields: list[str]) -> str | None:
        return None if _CIS.match(fields[i]) else f"field {i + 1} is not an 8-digit CIS code"

    return check


@dataclass(frozen=True)
class BdpmFile:
    filename: str
    table: str
    min_cols: int
    columns: tuple[str, ...]
    cis_field: int = 0


FILES: tuple[BdpmFile, ...] = (
    BdpmFile("CIS_bdpm.txt", "specialities", 11, (
        "cis", "denomination", "form", "routes", "amm_status", "amm_procedure", "commercialisation",
        "amm_date", "bdm_status", "eu_number", "holders", "reinforced_monitoring")),
    BdpmFile("CIS_CIP_bdpm.txt", "presentations", 7, (
        "cis", "cip7", "label", "status", "commercialisation", "commercialisation_date", "cip13",
        "collectivities", "reimbursement_rate", "price")),
    BdpmFile("CIS_COMPO_bdpm.txt", "compositions", 8, (
        "cis", "element", "substance_code", "substance", "dosage", "reference", "nature", "link")),
    BdpmFile("CIS_GENER_bdpm.txt", "generic_groups", 4, ("group_id", "label", "cis", "type", "sort"), cis_field=2),
    BdpmFile("CIS_CPD_bdpm.txt", "prescription_conditions", 2, ("cis", "condition")),
    BdpmFile("CIS_HAS_SMR_bdpm.txt", "has_smr", 6, ("cis", "dossier", "motif", "date", "value", "label")),
    BdpmFile("CIS_HAS_ASMR_bdpm.txt", "has_asmr", 6, ("cis", "dossier", "motif", "date", "value", "label")),
)

GENERIC_TYPES = {"0": "princeps", "1": "générique", "2": "générique par complémentarité posologique", "4": "générique substituable"}


def find_files(directory: Path) -> dict[str, Path]:
    """Official file name -> path, case-insensitively (``CIS_bdpm.txt`` or ``cis_bdpm.txt``)."""
    by_lower = {p.name.lower(): p for p in directory.glob("*.txt")} if directory.is_dir() else {}
    return {f.filename: by_lower[f.filename.lower()] for f in FILES if f.filename.lower() in by_lower}


def load(directory: Path) -> LoadedSource:
    found = find_files(directory)
    if "CIS_bdpm.txt" not in found:
        raise SourceMissing(f"BDPM: CIS_bdpm.txt not found in {directory}; {BDPM.obtain}")
    files = list(found.values())
    src = LoadedSource("bdpm", version_from_name(directory) or file_date(files), file_date(files), files)
    for spec in FILES:
        path = found.get(spec.filename)
        if path is None:
            src.notes.append(f"{spec.filename} absent (optional): {spec.table} left empty")
            src.tables[spec.table] = []
            continue
        report = FileReport(spec.filename)
        ncols = len(spec.columns)
        rows = []
        for fields in read_tsv(path, spec.min_cols, report, check=_cis_at(spec.cis_field)):
            fields = (fields + [""] * ncols)[:ncols]
            rows.append(tuple(fields))
        src.tables[spec.table] = rows
        src.reports.append(report)
    return src
