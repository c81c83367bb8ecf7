"""The protect list: text that looks like a name or a place but must never be redacted.

- drug names: BDPM brand words and substances + edsnlp's ATC drug names (see resources), minus
  words that are also common first names, surnames or communes (those stay redactable);
- eponymous diseases, signs, scores and manoeuvres ("maladie de Parkinson", "signe de
  Babinski", "syndrome de Gougerot-Sjögren", "score de Glasgow") and bare eponyms;
- common clinical abbreviations written in capitals (HTA, AVC, IRM...), which the name
  detectors would otherwise take for upper-case surnames.
"""

from __future__ import annotations

import re

from partages.deid.resources import Lexicons

EPONYMS = [  # bare eponyms that are (almost) never a person named in a note
    "Parkinson", "Alzheimer", "Crohn", "Rinne", "Hodgkin", "Basedow", "Hashimoto", "Cushing", "Babinski", "Lasègue", "Glasgow", "Apgar",
    "Gougerot", "Sjögren", "Gougerot-Sjögren", "Guillain-Barré", "Horton", "Kaposi", "Raynaud", "Willebrand", "Marfan",
    "Klinefelter", "Huntington", "Creutzfeldt-Jakob", "Creutzfeldt", "Kawasaki", "Behçet", "Wernicke", "Korsakoff", "Dupuytren",
    "Burkitt", "Hirschsprung", "Kahler", "Waldenström", "Biermer", "Whipple", "Trendelenburg", "Valsalva", "Heimlich", "Romberg",
    "Kernig", "Brudzinski", "Kussmaul", "Cheyne-Stokes", "Child-Pugh", "Breslow", "Gleason", "Karnofsky", "Killip", "Folstein",
    "Lisfranc", "Chopart", "Volkmann", "Scheuermann", "Takayasu", "Wegener", "Goodpasture", "Zollinger-Ellison", "Boerhaave",
    "Zenker", "Meckel", "Recklinghausen", "Bourneville", "Lennox-Gastaut", "Dravet", "Ménière", "Stevens-Johnson", "Lyell",
    "Quincke", "Rendu-Osler", "Virchow", "Troisier", "Krukenberg", "Pancoast", "Mallampati", "Papanicolaou", "Ziehl",
    "Westergren", "Doppler", "Holter", "Swan-Ganz", "Seldinger", "Pfannenstiel", "Fallot", "Barlow", "Gilles de la Tourette",
    "Bouveret", "Wolff-Parkinson-White", "Brown-Séquard", "Charcot", "Addison", "Hartmann", "Nissen", "Tinel", "Phalen",
    "Lachman", "McBurney", "Mac Burney", "Chvostek", "Dressler", "Ranson", "Rockall", "Blatchford", "Tanner", "Rankin",
    "Cormack", "Lehane", "Aldrete", "Silverman", "Kleihauer", "Coombs", "Gram", "Giemsa", "Widal", "Bentall", "Carpentier",
    "Milligan-Morgan", "Osgood-Schlatter", "Legg-Perthes-Calvé", "Pott", "Zollinger", "Sydenham", "Bartter", "Gitelman",
    "Barthel",
]
_HEADS = (
    r"maladies?|syndromes?|signes?|scores?|tests?|man[œo]e?uvres?|classification|stades?|[ée]chelle|crit[èe]res?|tumeur|sarcome|"
    r"lymphome|fracture|aphasie|aire|triade|t[ée]tralogie|chor[ée]e|paralysie|diverticule|kyste|r[ée]flexe|purpura|scl[ée]rose|an[ée]vrisme|"
    r"ost[ée]ochondrite|angor|ataxie|ulc[èe]re|abc[èe]s|cellules?|index|indice|d[ée]formation|luxation|op[ée]ration|intervention|"
    r"technique|m[ée]thode|position|anomalie|phénomène|ph[ée]nom[èe]ne|loi|r[èe]gle|formule|classe|grade|type|stadification|"
    # anatomy and devices named after people ("tendon d'Achille", "drain de Redon", "membrane de Bruch")
    r"drains?|lames?|membranes?|tendons?|angle|voie|incision|ligaments?|canal|sonde|trou|espace|fosse|plexus|ampoule|glandes?|"
    r"corps|anse|protocole|clou|proth[èe]se|valve|spirale|cercle|polygone|circuit|appareil|[ée]preuve|r[ée]action|crit[èe]res?"
)
# Words that are never a person or a place however they are written: pronouns, articles and
# sentence-initial function words ("Il présentait", "Le traitement", "Devant ce tableau"), and
# measurement units ("70 Gy", "15 000 E/mm³", "30 000 UI/L").
FUNCTION_WORDS = frozenset("""
il elle ils elles on le la les un une des du de au aux ce cet cette ces son sa ses leur leurs notre votre nous vous je tu
en dans sur sous par pour avec sans chez devant derriere apres avant pendant depuis lors selon vers entre contre
et ou ni mais donc or car si puis alors ainsi enfin cependant toutefois neanmoins
""".split())
UNIT_WORDS = frozenset("""
gy cgy mgy ui mg µg ug ng pg kg ml dl cl mm cm mmhg mmol µmol umol meq mosm gb gr pnn cp mcg kcal min sec
""".split())  # two letters or more: one-letter words are initials ("M.", "J.") far more often
EPONYM_PHRASE = re.compile(
    rf"(?i)(?<![\w])(?:{_HEADS})(?:\s+[A-Z0-9]{{1,3}})?\s*(?:de|d'|d’|du|des)\s*"  # "stade E de Balthazar" (not "à": "sonde à Bichat" is a place)
    r"((?-i:[A-ZÉÈÀÂÄÖÜ][\w'’]*)(?:(?:\s*-\s*|\s+et\s+|[ \t]+(?=[A-ZÉÈ][a-zéèëïö]))(?-i:[A-ZÉÈÀÂÄÖÜ][\w'’]*)){0,2})"
)
# the drug compendium: "signalée par le Vidal", "cf. Vidal 2024"
REFERENCE_BOOK = re.compile(r"(?:(?<![\w])(?:le|du|au|dans\s+le|selon\s+le|cf\.?)\s+)(Vidal)(?![\w])")
EPONYM_WORDS = re.compile(r"(?<![\w-])(" + "|".join(sorted((re.escape(e) for e in EPONYMS), key=len, reverse=True)) + r")(?![\w-])")

ABBREVIATIONS = """
ELSA EMSP EMG HDJ HDS UHCD USLD UCC UHR SSIAD CMP CATTP CSAPA CeGIDD CEGIDD RDC
HTA AVC AIT IDM SCA ACFA FA TVP EP BPCO IRC IRA DT DT1 DT2 DID DNID IMC ECG EEG EMG IRM TDM TEP RX ETT ETO NFS CRP VS PCT BNP
TSH T3 T4 HBA1C INR TCA TP ASAT ALAT GGT PAL LDH CPK DFG MDRD CKD EPI ECBU LCR PL PBH PBR BU BK VIH VHB VHC HPV CMV EBV HSV
VZV SARM BLSE BMR BHRE EPC ERV ATCD ATB IV IM SC PO VO PEC CR CRH CRO RAS NAD SAU SAMU SMUR UHCD USIC USC REA SSPI SSR HAD EHPAD
USLD MCO HDJ HDS CS IDE AS ASH ARS HAS ANSM CNIL RGPD DPI DMP INS NIR IPP NDA RPPS FINESS CHU CHR CH GHU APHP AP-HP CPAM MDPH
ALD AAH APA CMU AME PMI ASE SSIAD TA FC FR SAT SPO2 EVA EN GCS OMS ECOG NYHA KPS AEG OMI MI MS ATB CTC TT TTT CI AINS IPP IEC ARA2
AVK AOD HBPM HNF NACO ISRS IRSNA BZD AAP AAS CPAP PPC VNI OHD O2 VVP VVC PICC KTC PAC SNG SAD SU UI MG DCI QSP QID BID TID LP LI
""".split()


_DRUG_CACHE: dict[int, frozenset[str]] = {}


def drug_words(lx: Lexicons) -> frozenset[str]:
    got = _DRUG_CACHE.get(id(lx))
    if got is None:
        names = lx.first_names.keys() | lx.last_names.keys()
        got = frozenset(d for d in lx.drugs if d not in names and lx.communes.get(d, 0) == 0 and d not in lx.common_words)
        _DRUG_CACHE[id(lx)] = got
    return got


def abbreviation_keys() -> frozenset[str]:
    return frozenset(a.lower() for a in ABBREVIATIONS)


def find_protected(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Character ranges of eponym phrases ("maladie de X": always protected) and of bare
    eponyms ("Parkinson": protected unless a title names a person, "Dr Carpentier"). Drug
    words and abbreviations are checked per token by the detector (a set lookup is cheaper
    than a regex of 16k names)."""
    phrases = [(m.start(1), m.end(1)) for m in EPONYM_PHRASE.finditer(text)]
    phrases += [(m.start(1), m.end(1)) for m in REFERENCE_BOOK.finditer(text)]
    words = [(m.start(1), m.end(1)) for m in EPONYM_WORDS.finditer(text)]
    return phrases, words
