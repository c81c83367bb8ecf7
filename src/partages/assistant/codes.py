"""CIM-10 suggestions with evidence, and the qualifiers that keep wrong codes out.

A hand-written lexicon of frequent hospital diagnoses (French wordings, abbreviations) maps
mentions to CIM-10 codes; labels come from the official CIM-10 file in the shared data
(``edsnlp_terminologies/cim10.csv.gz``). Each mention is qualified from its clause: negated
("pas de", "absence de", "éliminé") and hypothetical ("suspicion de", "probable", "?") mentions
are never coded; a family history ("père", "mère", "antécédents familiaux") becomes the matching
Z80–Z84 code instead of the patient's diagnosis. Rules rather than a model: qualifiers must be
explainable to the clinician who validates, and every code must cite its span.
"""

from __future__ import annotations

import csv
import functools
import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partages.assistant.text import Document, sections

# code -> folded regex alternatives (word boundaries added)
LEXICON: dict[str, list[str]] = {
    "I10": [r"hypertension arterielle", r"hta", r"hypertendu\w*"],
    "E11.9": [r"diabete (?:de )?type 2", r"diabete non insulino-?dependant", r"dt2", r"diabete sucre de type 2", r"dnid", r"diabetique (?:de )?type 2"],
    "E10.9": [r"diabete (?:de )?type 1", r"dt1", r"diabete insulino-?dependant", r"diabetique (?:de )?type 1"],
    "E14.9": [r"diabete", r"diabetique"],
    "E78.0": [r"hypercholesterolemie"],
    "E78.5": [r"dyslipidemie\w*", r"dyslip"],
    "E66.9": [r"obesite"],
    "E03.9": [r"hypothyroidie"],
    "E87.1": [r"hyponatremie"],
    "E87.6": [r"hypokaliemie"],
    "E87.5": [r"hyperkaliemie"],
    "E86": [r"deshydratation"],
    "I21.9": [r"infarctus (?:aigu )?du myocarde", r"infarctus", r"idm", r"sca st\+", r"syndrome coronarien aigu avec sus-decalage", r"stemi", r"nstemi"],
    "I20.0": [r"angor instable", r"sca non st"],
    "I25.1": [r"cardiopathie ischemique", r"coronaropathie", r"maladie coronarienne"],
    "I48": [r"fibrillation (?:atriale|auriculaire)", r"acfa", r"fa paroxystique", r"flutter"],
    "I50.9": [r"insuffisance cardiaque", r"icc", r"decompensation cardiaque", r"oap", r"oedeme aigu (?:du|pulmonaire)\w*"],
    "I26.9": [r"embolie pulmonaire", r"ep bilaterale"],
    "I80.2": [r"thrombose veineuse profonde", r"tvp", r"phlebite"],
    "I63.9": [r"infarctus cerebral", r"avc ischemique", r"accident vasculaire cerebral ischemique"],
    "I64": [r"accident vasculaire cerebral", r"avc"],
    "I61.9": [r"hemorragie (?:intra)?cerebrale", r"avc hemorragique"],
    "G45.9": [r"accident ischemique transitoire", r"ait"],
    "I70.2": [r"arteriopathie (?:oblitérante|obliterante)? ?des membres inferieurs", r"aomi"],
    "J18.9": [r"pneumopathie", r"pneumonie"],
    "J44.9": [r"bpco", r"bronchopneumopathie chronique obstructive"],
    "J44.1": [r"exacerbation (?:de |d'une )?bpco", r"decompensation (?:de |d'une )?bpco"],
    "J45.9": [r"asthme"],
    "J96.0": [r"insuffisance respiratoire aigue", r"detresse respiratoire"],
    "U07.1": [r"covid-?19", r"sars-cov-2"],
    "J10.1": [r"grippe"],
    "N39.0": [r"infection urinaire", r"pyelonephrite", r"cystite"],
    "N17.9": [r"insuffisance renale aigue", r"ira", r"insuffisance renale fonctionnelle"],
    "N18.9": [r"insuffisance renale chronique", r"irc", r"maladie renale chronique"],
    # "sepsis de paroi" is a wound infection after surgery (T81.4), not a sepsis
    "A41.9": [r"sepsis(?! (?:de|sur) (?:la )?(?:paroi|cicatrice))", r"septicemie", r"choc septique"],
    "T81.4": [r"sepsis (?:de|sur) (?:la )?(?:paroi|cicatrice)", r"infection (?:de|du) (?:la )?(?:paroi|site operatoire|cicatrice)", r"abces de (?:la )?paroi"],
    "K35.8": [r"appendicite"],
    "K80.2": [r"lithiase vesiculaire", r"cholelithiase"],
    "K80.0": [r"cholecystite (?:aigue )?lithiasique"],
    "K81.0": [r"cholecystite"],
    "K85.9": [r"pancreatite aigue", r"pancreatite"],
    "K92.2": [r"hemorragie digestive", r"melena", r"hematemese"],
    "K25.9": [r"ulcere gastrique"],
    "K57.3": [r"diverticulite sigmoidienne", r"diverticulite", r"sigmoidite(?: diverticulaire)?"],
    "K74.6": [r"cirrhose"],
    "C50.9": [r"cancer du sein", r"carcinome mammaire", r"neoplasie mammaire", r"adenocarcinome mammaire"],
    "C34.9": [r"cancer (?:du |bronchique|pulmonaire)(?:poumon)?", r"cancer bronchique", r"cancer du poumon", r"adenocarcinome pulmonaire", r"carcinome bronchique"],
    "C18.9": [r"cancer (?:du )?colo[n]?\w*", r"cancer colorectal", r"adenocarcinome colique", r"cancer du colon"],
    "C61": [r"cancer de la prostate", r"adenocarcinome prostatique"],
    "C25.9": [r"cancer du pancreas", r"adenocarcinome pancreatique"],
    "F32.9": [r"episode depressif", r"syndrome depressif", r"depression"],
    "F10.2": [r"alcoolisme", r"ethylisme chronique", r"dependance a l'alcool", r"ethylisme", r"ethylique\w* chronique\w*", r"alcoolique\w* chronique\w*"],
    "F03": [r"demence", r"troubles neurocognitifs majeurs"],
    "G30.9": [r"maladie d'alzheimer", r"alzheimer"],
    "G20": [r"maladie de parkinson", r"parkinson"],
    "G40.9": [r"epilepsie"],
    "M81.9": [r"osteoporose"],
    "S72.0": [r"fracture du col (?:du )?femur", r"fracture du col femoral", r"fracture cervicale vraie"],
    "W19": [r"chute"],
    "D50.9": [r"anemie ferriprive", r"carence martiale"],
    "D64.9": [r"anemie"],
    "E11.6": [r"pied diabetique"],
    "L89.9": [r"escarre"],
    "R50.9": [r"fievre", r"hyperthermie"],
    "R07.4": [r"douleur thoracique"],
    "R55": [r"syncope", r"malaise"],
    "T78.4": [r"allergie"],
    "Z95.0": [r"porteur d'un pacemaker", r"stimulateur cardiaque"],
}

# family history: condition code prefix -> Z code (most specific first)
FAMILY_MAP: list[tuple[str, str]] = [
    ("C18", "Z80.0"), ("C19", "Z80.0"), ("C20", "Z80.0"), ("C25", "Z80.0"), ("C34", "Z80.1"),
    ("C50", "Z80.3"), ("C61", "Z80.4"), ("C56", "Z80.4"), ("C53", "Z80.4"), ("C9", "Z80.6"), ("C", "Z80.9"),
    ("F10", "Z81.1"), ("F", "Z81.8"), ("G30", "Z82.0"), ("G40", "Z82.0"), ("G", "Z82.0"), ("F03", "Z81.8"),
    ("I6", "Z82.3"), ("G45", "Z82.3"), ("I", "Z82.4"), ("J45", "Z82.5"), ("J44", "Z82.5"), ("M", "Z82.6"),
    ("E1", "Z83.3"), ("E", "Z83.4"), ("N", "Z84.1"),
]
FAMILY_FALLBACK = "Z84.8"

NEG_BEFORE = re.compile(r"\b(pas d[e']|pas|absence d[e']|absence|sans|aucun\w*|ni|non|negati\w*|elimine\w*|exclu\w*|ecarte\w*|indemne d[e'])\b")
NEG_AFTER = re.compile(r"^\W{0,3}(?:a ete |est |a été )?(?:elimine\w*|ecarte\w*|exclu\w*|infirme\w*|negati\w*|non retenu\w*|absent\w*)")
HYP_BEFORE = re.compile(r"\b(suspicion d[e']|suspicion|suspect\w*|probable\w*|possible\w*|evoqu\w*|hypothese d[e']|hypothese|eventuel\w*|a eliminer|a confirmer|doute|risque d[e']|en faveur d[e']|pas exclu\w*|rechercher)\b")
HYP_AFTER = re.compile(r"^\s*(?:\?|(?:est |a ete )?(?:evoque\w*|suspecte\w*|probable|possible|a confirmer|a eliminer|non exclu\w*))")
FAMILY = re.compile(r"\b(pere|mere|frere\w*|soeur\w*|s.ur|parents?|oncle|tante|grand-pere|grand-mere|grands-parents|cousin\w*|fils|fille|familia\w*|famille|jumeau|jumelle)\b")
HISTORY = re.compile(r"\b(antecedents? d[e']|antecedents?|atcd|ancien\w*|histoire d[e'])\b")
_CLAUSE_CUT = re.compile(r"[,;:()]|\bmais\b|\bcependant\b|\bpar contre\b|\ben revanche\b")


@functools.lru_cache(maxsize=4)
def cim10_labels(data_dir: str | None) -> dict[str, str]:
    """code without dot -> French label, from the official CIM-10 file (empty if absent)."""
    if not data_dir:
        return {}
    path = Path(data_dir) / "edsnlp_terminologies" / "cim10.csv.gz"
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {row["code"]: row["long"] for row in csv.DictReader(f)}


@functools.lru_cache(maxsize=4)
def label_index(data_dir: str | None) -> dict[str, str]:
    """folded CIM-10 label -> code, for short unambiguous labels ("Constipation" -> K59.0): the
    lexicon's fallback, so a diagnosis written exactly as the classification names it is found
    even when nobody listed it. Labels of one word under 6 letters, and labels shared by several
    codes, are left out (too generic)."""
    from partages.assistant.text import fold

    seen: dict[str, set[str]] = {}
    for code, label in cim10_labels(data_dir).items():
        f = fold(label).strip()
        if len(code) < 3 or any(c in f for c in ",()[]") or len(f.split()) > 4 or (len(f.split()) == 1 and len(f) < 6):
            continue
        seen.setdefault(f, set()).add(code)
    return {f: (codes.pop() if len(codes) == 1 else "") for f, codes in seen.items() if len(codes) == 1}


def _dotted(code: str) -> str:
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


@functools.lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for code, pats in LEXICON.items():
        alts = "|".join(sorted(pats, key=len, reverse=True))
        out.append((code, re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")))
    return out


@dataclass
class Mention:
    code: str
    document: int
    start: int
    end: int
    qualifier: str  # affirmed | negated | hypothetical | family | history
    section: str | None
    cue: str | None = None


@dataclass
class CodeSuggestion:
    code: str
    label: str
    score: float
    principal: bool
    evidence: list[dict[str, int]] = field(default_factory=list)
    family_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"code": self.code, "label": self.label, "score": round(self.score, 3), "principal": self.principal, "evidence": self.evidence}
        if self.family_of:
            d["family_history_of"] = self.family_of
        return d


def _qualify(doc: Document, start: int, end: int, section: str | None) -> tuple[str, str | None]:
    line_start = doc.folded.rfind("\n", 0, start) + 1
    sent_start = max(line_start, max((doc.folded.rfind(c, 0, start) for c in ".!?"), default=-1) + 1)
    before_sentence = doc.folded[sent_start:start]
    cuts = list(_CLAUSE_CUT.finditer(before_sentence))
    clause = before_sentence[cuts[-1].end():] if cuts else before_sentence
    line_end = doc.folded.find("\n", end)
    after = doc.folded[end:line_end if line_end != -1 else len(doc.folded)][:40]
    after_clause = _CLAUSE_CUT.split(after)[0] if after else ""
    # "Mère et tante maternelle : cancer du sein": family members named before a colon
    head = before_sentence.rsplit(":", 1)[0] if ":" in before_sentence else ""
    if head and len(head) <= 50 and FAMILY.search(head) and not HISTORY.search(head.replace("familia", "")):
        return "family", FAMILY.search(head).group(0)
    if section == "family_history" or FAMILY.search(clause) or re.search(r"\b(dans la famille|chez (?:le |la |son |sa |ses )?(?:pere|mere|frere|soeur|parents|oncle|tante))\b|familia", after_clause) or (FAMILY.search(before_sentence) and HISTORY.search(before_sentence)):
        cue = FAMILY.search(clause) or FAMILY.search(before_sentence)
        return "family", cue.group(0) if cue else "antecedents familiaux"
    m = NEG_BEFORE.search(clause) or NEG_AFTER.search(after_clause)
    if m:
        return "negated", m.group(0)
    # a negation earlier in the sentence still covers lists joined by "ni" / "ou"
    if re.search(r"\bni\b", doc.folded[start - 4:start]):
        return "negated", "ni"
    m = HYP_BEFORE.search(clause) or HYP_AFTER.search(after)
    if m:
        return "hypothetical", m.group(0)
    if section == "history" or HISTORY.search(clause):
        return "history", "antecedent"
    return "affirmed", None


def find_mentions(docs: list[Document], data_dir: str | None = None) -> list[Mention]:
    out: list[Mention] = []
    for doc in docs:
        secs = sections(doc)
        ranges = []
        for s in secs:
            if s.body:
                ranges.append((s.heading.start, s.body[-1].end, s.kind))
        taken: list[tuple[int, int]] = []
        hits = []
        for code, pat in _compiled():
            for m in pat.finditer(doc.folded):
                hits.append((m.start(), m.end(), code))
        index = label_index(data_dir)
        if index:  # official labels, 1-4 words, where the lexicon found nothing
            words = list(re.finditer(r"[\w'-]+", doc.folded))
            for i in range(len(words)):
                for n in (4, 3, 2, 1):
                    if i + n > len(words):
                        continue
                    a, b = words[i].start(), words[i + n - 1].end()
                    code = index.get(doc.folded[a:b])
                    if code and not any(x < b and a < y for x, y, _ in hits):
                        hits.append((a, b, _dotted(code)))
                        break
        # longest match wins where two entries overlap ("avc ischemique" over "avc")
        for start, end, code in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
            if any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            section = next((k for a, b, k in ranges if a <= start < b), None)
            qual, cue = _qualify(doc, start, end, section)
            out.append(Mention(code, doc.index, start, end, qual, section, cue))
    return sorted(out, key=lambda m: (m.document, m.start))


def family_code(code: str) -> str:
    return next((z for prefix, z in FAMILY_MAP if code.startswith(prefix)), FAMILY_FALLBACK)


def suggest(docs: list[Document], data_dir: str | None, k: int = 10) -> dict[str, Any]:
    """Ranked CIM-10 suggestions, a suggested principal diagnosis, and the mentions left out."""
    labels = cim10_labels(data_dir)
    mentions = find_mentions(docs, data_dir)
    agg: dict[str, CodeSuggestion] = {}
    raw: dict[str, float] = {}
    excluded = []
    principal_weight: dict[str, float] = {}
    for m in mentions:
        ev = {"document": m.document, "start": m.start, "end": m.end}
        if m.qualifier in ("negated", "hypothetical"):
            excluded.append({"code": m.code, "reason": m.qualifier, "cue": m.cue, "evidence": [ev]})
            continue
        code, fam = m.code, None
        if m.qualifier == "family":
            code, fam = family_code(m.code), m.code
        weight = {"affirmed": 1.0, "history": 0.6, "family": 0.4}[m.qualifier]
        if m.section in ("motif", "conclusion"):
            weight += 1.0
        s = agg.get(code)
        if s is None:
            label = labels.get(code.replace(".", "")) or labels.get(code[:3]) or code
            s = agg[code] = CodeSuggestion(code, label, 0.0, False, [], fam)
            raw[code] = 0.0
        raw[code] += weight
        s.evidence.append(ev)
        if m.qualifier == "affirmed":
            principal_weight[code] = principal_weight.get(code, 0.0) + weight + (0.5 if m.section in ("motif", "conclusion") else 0.0)
    # W19 (chute) is an external cause: never principal; Z codes neither
    for code, s in agg.items():
        s.score = 1.0 - 1.0 / (1.0 + raw[code])
    ranked = sorted(agg.values(), key=lambda s: (-s.score, s.code))[:k]
    candidates = [c for c in principal_weight if not c.startswith(("Z", "W", "R"))] or list(principal_weight)
    if candidates:
        best = max(candidates, key=lambda c: (principal_weight[c], -min(e["document"] * 10**7 + e["start"] for e in agg[c].evidence)))
        for s in ranked:
            s.principal = s.code == best
    return {"codes": [s.to_dict() for s in ranked], "excluded": excluded}
