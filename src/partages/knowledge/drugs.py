"""Drug-name normalisation: free text as prescribers write it -> BDPM specialities and substances.

"kardegic 75mg", "PREVISCAN 20 mg cp", "doliprane 1g", "amoxiciline" (typo), "acide
acetylsalicylique" (no accents). No library knows French drug names, so this is a small,
deterministic matcher over the BDPM itself, in three steps:

1. split the text into a *name*, strengths (``1g`` -> 1000 mg) and a galenic form (``cp``);
2. find candidate names: exact brand, brand prefix, substance (BDPM composition and ANSM
   thesaurus), then fuzzy matching with ``rapidfuzz`` for misspellings;
3. rank specialities by name score, strength and form agreement, commercialisation, and report a
   confidence in [0, 1].

Substances are mapped to the ANSM thesaurus names (``DL-LYSINE (ACÉTYLSALICYLATE DE)`` ->
``acide acetylsalicylique``) so that interaction checking can start from any drug text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from partages.knowledge.store import KnowledgeStore
from partages.knowledge.text import Dose, doses, fold, strip_doses

_DOSE_WITH_UNIT = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|g|ug|mcg|ui|ml|microgrammes?|milligrammes?|grammes?|%)(?![a-z])")

# abbreviations prescribers use for forms -> folded words found in BDPM denominations
FORMS: dict[str, tuple[str, ...]] = {
    "cp": ("comprime",), "cpr": ("comprime",), "cps": ("comprime",), "comp": ("comprime",), "comprime": ("comprime",),
    "comprimes": ("comprime",), "gel": ("gelule",), "gelule": ("gelule",), "gelules": ("gelule",), "gell": ("gelule",),
    "sachet": ("sachet", "poudre"), "sach": ("sachet", "poudre"), "sachets": ("sachet", "poudre"), "poudre": ("poudre",),
    "inj": ("injectable",), "injectable": ("injectable",), "amp": ("ampoule", "injectable"), "ampoule": ("ampoule",),
    "sirop": ("sirop",), "sol": ("solution",), "buv": ("buvable",), "buvable": ("buvable",), "suppo": ("suppositoire",),
    "suppositoire": ("suppositoire",), "patch": ("transdermique", "dispositif"), "collyre": ("collyre",),
    "creme": ("creme",), "pommade": ("pommade",), "gel cutane": ("gel",), "eff": ("effervescent",),
    "effervescent": ("effervescent",), "lp": ("liberation prolongee",), "orodispersible": ("orodispersible",),
    "lyoc": ("lyophilisat",), "spray": ("pulverisation",), "inhal": ("inhalation",), "perf": ("perfusion",),
}
# words that are never part of a drug name
_NOISE = {"le", "la", "les", "de", "du", "des", "en", "par", "jour", "j", "x", "fois", "matin", "soir", "midi", "prise",
          "prendre", "boite", "bte", "b", "unite", "unites", "dose", "doses", "si", "besoin", "cure", "mois", "semaine",
          "et", "a", "au", "ou"}
# salt / hydrate words stripped to reach the active moiety ("warfarine sodique" -> "warfarine")
_SALTS = {
    "chlorhydrate", "dichlorhydrate", "hydrochlorure", "bromhydrate", "sodique", "disodique", "potassique", "calcique",
    "magnesique", "maleate", "fumarate", "hemifumarate", "succinate", "tartrate", "bitartrate", "besilate", "besylate",
    "mesilate", "mesylate", "citrate", "sulfate", "phosphate", "acetate", "monohydrate", "dihydrate", "trihydrate",
    "sesquihydrate", "hemihydrate", "anhydre", "base", "sel", "de", "d", "lysine", "dl", "hyclate", "trometamol",
    "arginine", "pivoxil", "axetil", "propionate", "dipropionate", "furoate", "valerate", "benzoate", "nitrate",
    "oxalate", "lactate", "gluconate", "tosilate", "hydrogenotartrate", "erbumine", "medoxomil", "cilexetil",
}
# cations of salts: "valproate de sodium" is valproate
_COUNTER_IONS = {"sodium", "potassium", "calcium", "magnesium", "meglumine", "lysine", "dl", "monosodique", "disodique",
                 "trisodique", "ferreux", "zinc", "aluminium", "lithium", "acide", "hydrate"} | _SALTS
# common class abbreviations prescribers and pharmacists use
CLASS_ALIASES = {
    "ains": "anti inflammatoires non steroidiens",
    "avk": "antivitamines k",
    "aod": "anticoagulants oraux",
    "iec": "inhibiteurs de l enzyme de conversion",
    "ipp": "inhibiteurs de la pompe a protons",
    "isrs": "inhibiteurs selectifs de la recapture de la serotonine",
    "imao": "imao non selectifs",
    "statines": "inhibiteurs de l hmg coa reductase",
}


@dataclass
class DrugMatch:
    cis: str
    denomination: str
    substances: list[str]
    commercialised: bool
    confidence: float
    match: str  # brand | brand-prefix | substance | fuzzy-brand | fuzzy-substance
    id: str = ""

    def __post_init__(self) -> None:
        self.id = f"bdpm:cis:{self.cis}"


@dataclass
class DrugLookup:
    text: str
    name: str
    doses: list[str]
    form: str | None
    matches: list[DrugMatch] = field(default_factory=list)
    substances: list[str] = field(default_factory=list)  # ANSM thesaurus substance names
    classes: list[str] = field(default_factory=list)  # ANSM classes named directly (e.g. "AINS")
    confidence: float = 0.0
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def resolved(self) -> bool:
        return bool(self.matches or self.substances or self.classes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["resolved"] = self.resolved
        return d


_SALT_FORM = re.compile(r"^(.*?)\s*\(([^()]*?)\s+(?:de|d')\s*\)\s*$", re.I)


def _anion_candidates(name: str) -> list[str]:
    """For "SODIUM (VALPROATE DE)" / "DL-LYSINE (ACÉTYLSALICYLATE DE)": the parenthesised part
    is the active ion when it is not a salt word; "valproate" is written "acide valproique" in
    the thesaurus."""
    m = _SALT_FORM.match(name.strip())
    if not m:
        return []
    inner = fold(m.group(2))
    if not inner or all(w in _SALTS for w in inner.split()):
        return []
    out = [inner]
    last = inner.split()[-1]
    if last.endswith("ate"):
        out.append("acide " + last[:-3] + "ique")
    return out


def _moiety(name: str) -> str:
    """Folded active moiety of a BDPM substance name (parenthesised salts and salt words removed)."""
    raw = re.sub(r"\((?:[^)]*\b(?:de|d')\s*\)|[^)]*\))", " ", name.lower())
    words = [w for w in fold(raw).split() if w not in _SALTS]
    return " ".join(words)


@dataclass
class _Spec:
    cis: str
    denomination: str
    folded: str
    brand: str  # folded name part before strengths and comma
    doses: frozenset[Dose]
    commercialised: bool
    substances: list[str]  # display names (FT preferred over SA)
    moieties: list[str]


class DrugIndex:
    """In-memory lookup tables built once from the store (about 0.5 s for the full BDPM)."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        comp: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)  # cis -> link -> (nature, name, dosage)
        for r in store.rows("compositions"):
            link = r["link"] or r["substance_code"]
            prev = comp[r["cis"]].get(link)
            if prev is None or (r["nature"] == "FT" and prev[0] != "FT"):
                comp[r["cis"]][link] = (r["nature"], r["substance"], r["dosage"])
        self.specs: dict[str, _Spec] = {}
        self.by_brand: dict[str, list[str]] = defaultdict(list)
        self.by_moiety: dict[str, list[str]] = defaultdict(list)
        for r in store.rows("specialities"):
            den = r["denomination"]
            head = den.split(",")[0]
            brand = strip_doses(fold(head))
            subs = [v[1] for v in comp.get(r["cis"], {}).values()]
            moieties = sorted(({_moiety(s) for s in subs} | {c for s in subs for c in _anion_candidates(s)}) - {""})
            ds = set(doses(head)) | {d for v in comp.get(r["cis"], {}).values() for d in doses(v[2])}
            spec = _Spec(r["cis"], den, fold(den), brand, frozenset(ds), r["commercialisation"] == "Commercialisée", subs, moieties)
            self.specs[r["cis"]] = spec
            if brand:
                self.by_brand[brand].append(r["cis"])
            for m in moieties:
                self.by_moiety[m].append(r["cis"])
        self.brand_first: dict[str, set[str]] = defaultdict(set)
        for b in self.by_brand:
            self.brand_first[b.split()[0]].add(b)
        # ANSM substances and classes
        self.ansm_subs: dict[str, str] = {}  # folded name or alias -> display name
        for r in store.rows("ansm_substances"):
            self.ansm_subs[r["norm"]] = r["name"]
        for r in store.rows("ansm_substances"):
            # "abciximab (c 7e3b fab)" is also "abciximab"; but "sodium (bicarbonate de)" is not "sodium"
            if r["alias"] and not _SALT_FORM.match(r["name"]):
                self.ansm_subs.setdefault(r["alias"], r["name"])
        self.classes: dict[str, str] = {}
        self.class_of: dict[str, set[str]] = defaultdict(set)  # substance norm -> class norms
        for r in store.rows("ansm_class_members"):
            self.classes[r["class_norm"]] = r["class_name"]
            self.class_of[r["substance_norm"]].add(r["class_norm"])
        self._vocab = sorted(set(self.brand_first) | set(self.by_moiety) | set(self.ansm_subs))
        self._moiety_to_ansm: dict[str, str | None] = {}
        src = store.source("bdpm") or {}
        self.source = {"name": "bdpm", "version": src.get("version"), "licence": src.get("licence")}

    # --- substances -> ANSM --------------------------------------------------------------
    def ansm_substance(self, moiety: str) -> str | None:
        """The ANSM thesaurus name of a folded moiety, trying shorter word prefixes and typos."""
        if moiety in self._moiety_to_ansm:
            return self._moiety_to_ansm[moiety]
        found = None
        words = moiety.split()
        for n in range(len(words), 0, -1):
            cand = " ".join(words[:n])
            if any(w.endswith("ique") for w in words[n:]):
                continue  # "alcool benzylique" is not "alcool": a chemical adjective changes the substance
            if cand in self.ansm_subs:
                found = self.ansm_subs[cand]
                break
        if found is None and words:
            for n in range(1, len(words)):
                cand = " ".join(words[n:])
                if cand in self.ansm_subs:
                    found = self.ansm_subs[cand]
                    break
        if found is None:  # "valproate (de sodium)" -> "acide valproique"; not esters ("nicotinate de benzyle")
            for i, w in enumerate(words):
                rest = words[:i] + words[i + 1:]
                if w.endswith("ate") and f"acide {w[:-3]}ique" in self.ansm_subs and all(r in _COUNTER_IONS for r in rest):
                    found = self.ansm_subs[f"acide {w[:-3]}ique"]
                    break
        if found is None and len(moiety) >= 5:
            best = process.extractOne(moiety, list(self.ansm_subs), scorer=fuzz.ratio, score_cutoff=93)  # prednisolone != prednisone (90.9)
            if best:
                found = self.ansm_subs[best[0]]
        self._moiety_to_ansm[moiety] = found
        return found

    def expansion(self, text: str) -> list[str]:
        """ANSM substance names for the brand or substance words of a search query, so that
        "kardegic et previscan" also finds the entries written "acide acétylsalicylique" and
        "fluindione" / "anticoagulants oraux". Exact words only (no fuzzy matching): cheap."""
        out: list[str] = []
        for w in fold(text).split():
            alias = CLASS_ALIASES.get(w)
            if alias and alias in self.classes:  # "AINS" -> "anti-inflammatoires non stéroïdiens"
                out.append(self.classes[alias])
                continue
            if len(w) < 4 or w in _NOISE:
                continue
            moieties: set[str] = set()
            if w in self.by_brand:
                for cis in self.by_brand[w][:5]:
                    moieties.update(self.specs[cis].moieties)
            elif w in self.brand_first:
                for b in sorted(self.brand_first[w])[:3]:
                    for cis in self.by_brand[b][:3]:
                        moieties.update(self.specs[cis].moieties)
            for m in sorted(moieties):
                a = self.ansm_substance(m)
                if a and fold(a) != w and a not in out:
                    out.append(a)
        return out

    def ansm_for_bdpm(self, name: str) -> str | None:
        """The ANSM substance of a BDPM composition name ("SODIUM (VALPROATE DE)" -> acide valproique)."""
        for cand in _anion_candidates(name):
            if cand in self.ansm_subs:
                return self.ansm_subs[cand]
        return self.ansm_substance(_moiety(name))

    # --- parsing -------------------------------------------------------------------------
    @staticmethod
    def bare_numbers(text: str) -> list[float]:
        """Numbers written without a unit ("eliquis 5", "ibuprofene 400")."""
        t = _DOSE_WITH_UNIT.sub(" ", text.lower())
        return [float(n.replace(",", ".")) for n in re.findall(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w.,])", t)]

    @staticmethod
    def parse(text: str) -> tuple[str, list[Dose], str | None]:
        folded = fold(text)
        ds = doses(text)
        words = [w for w in strip_doses(folded).split() if w not in _NOISE]
        forms = [w for w in words if w in FORMS]
        name_words = [w for w in words if w not in FORMS] or words  # a name may be a form word
        form = forms[0] if forms and name_words is not words else None
        return " ".join(name_words), ds, form

    # --- lookup --------------------------------------------------------------------------
    def _candidates(self, name: str) -> dict[str, tuple[float, str]]:
        """cis -> (name score, how) for the name part of a query."""
        out: dict[str, tuple[float, str]] = {}

        def add(cis_list, score, how):
            for cis in cis_list:
                if cis not in out or out[cis][0] < score:
                    out[cis] = (score, how)

        if not name:
            return out
        words = name.split()
        add(self.by_brand.get(name, []), 1.0, "brand")
        if name in self.by_moiety:
            add(self.by_moiety[name], 0.95, "substance")
        moiety = _moiety(name)
        if moiety and moiety != name and moiety in self.by_moiety:
            add(self.by_moiety[moiety], 0.93, "substance")
        # brands whose name starts with the query words ("doliprane" -> "doliprane", "dolipraneorodoz")
        for b in self.brand_first.get(words[0], ()):
            if b != name and b.startswith(name):
                add(self.by_brand[b], 0.9, "brand-prefix")
            elif len(words) > 1 and b != name and name.startswith(b + " "):
                add(self.by_brand[b], 0.85, "brand-prefix")
        if out:
            return out
        # misspellings: fuzzy match on brand first words, substance moieties, ANSM names
        for key in (name, words[0]):
            for cand, score, _ in process.extract(key, self._vocab, scorer=fuzz.ratio, limit=5, score_cutoff=80):
                s = score / 100 * 0.9
                if cand in self.brand_first:
                    for b in self.brand_first[cand]:
                        add(self.by_brand[b], s * (1.0 if b == cand else 0.97), "fuzzy-brand")
                if cand in self.by_moiety:
                    add(self.by_moiety[cand], s * 0.98, "fuzzy-substance")
            if out:
                break
        return out

    def lookup(self, text: str, limit: int = 10) -> DrugLookup:
        name, ds, form = self.parse(text)
        bare = [] if ds else self.bare_numbers(text)
        res = DrugLookup(text=text, name=name, doses=[str(d) for d in ds], form=form, source=self.source)
        # a class named directly ("AINS", "anticoagulants oraux")
        cls = CLASS_ALIASES.get(name, name)
        if cls in self.classes:
            res.classes = [self.classes[cls]]
            res.confidence = 1.0
            return res
        cands = self._candidates(name)
        form_words = FORMS.get(form or "", ())
        scored = []
        for cis, (score, how) in cands.items():
            spec = self.specs[cis]
            conf = score
            if ds:
                conf *= 1.0 if set(ds) <= spec.doses else 0.7
            elif bare:  # no unit: the number may be mg, micrograms or units
                values = {d.value for d in spec.doses} | {round(d.value * 1000, 6) for d in spec.doses if d.unit == "mg"}
                conf *= 1.0 if all(n in values for n in bare) else 0.7
            if form_words:
                conf *= 1.0 if any(fw in spec.folded for fw in form_words) else 0.9
            if not spec.commercialised:
                conf *= 0.9
            if how.endswith("substance") and len(spec.moieties) > 1:
                conf *= 0.9  # "amoxicilline" means amoxicilline alone, not amoxicilline + clavulanate
            scored.append((round(conf, 4), -len(spec.denomination), spec.denomination, cis, how))
        scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
        for conf, _, _, cis, how in scored[:limit]:
            spec = self.specs[cis]
            res.matches.append(DrugMatch(cis, spec.denomination, spec.substances, spec.commercialised, conf, how))
        # substances: those of the best match, or the name itself when it is a thesaurus substance
        subs: list[str] = []
        if res.matches:
            for s in self.specs[res.matches[0].cis].substances:
                a = self.ansm_for_bdpm(s)
                if a and a not in subs:
                    subs.append(a)
        elif name:
            a = self.ansm_substance(_moiety(name) or name)
            if a:
                subs.append(a)
                res.confidence = 0.8
        res.substances = subs
        if res.matches:
            res.confidence = res.matches[0].confidence
        return res
