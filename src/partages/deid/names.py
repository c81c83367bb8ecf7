"""Person names found by context: titles (M., Mme, Dr, Pr...), role labels (Interne, IDE,
"signé par"), form fields (Nom :, Prénom :, née), and first-name + SURNAME pairs.

Titles are never part of a span. Order rules for two-word names: "DUPONT Jean" (upper then
title case) is NOM PRENOM; "Jean Dupont" is PRENOM NOM; an initial ("J.") is a PRENOM.
"""

from __future__ import annotations

import re

from partages.deid.protect import FUNCTION_WORDS
from partages.deid.resources import Lexicons
from partages.deid.spans import Span
from partages.deid.text import fold_key

# letters of every Latin script (names of many origins: "Aydın", "Stanisław", "TRẦN Thị Mai"),
# as character-class bodies: Python's re has no \p{Lu}
_LATIN = [chr(c) for r in (range(0xC0, 0x250), range(0x1E00, 0x1F00)) for c in r]
_UP = "A-Z" + "".join(c for c in _LATIN if c.isupper() and c.lower() != c)
_LOW = "a-z" + "".join(c for c in _LATIN if c.islower() and c.upper() != c) + "ßı"
NAME_TOKEN = rf"(?:[DLNO]['’][{_UP}]{{2,}}(?:[-'’][{_UP}]+)*|[DLNO]['’][{_UP}][{_LOW}]+|[{_UP}](?=[ \t]+[{_UP}])(?![\w.])|[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*|[{_UP}]{{2,}}(?:[-'’][{_UP}]+)*|[{_UP}]-[{_UP}]\.|[{_UP}]\.(?:-?[{_UP}]\.)?|(?:[Dd]e|[Dd]u|[Ll]e|[Ll]a|[Vv]an|[Vv]on|[Dd]'|[Dd]’|[Dd]os|[Dd]a)\s?(?=[{_UP}]))"
_NAME_TOKEN_RE = re.compile(NAME_TOKEN)
NAMES = rf"({NAME_TOKEN}(?: {{1,2}}{NAME_TOKEN}|(?<='|’| ){NAME_TOKEN}){{0,3}})"  # "(?<= )": after a particle that took its space ("de La Fontaine")
TITLE = (
    r"(?:M\.|Mr\.?|MM\.|Mme\.?|Mmes|Mlle\.?|Monsieur|Madame|Mademoiselle|Dr\.?|Dre\.?|Drs\.?|Docteur|Docteure|Pr\.?|Pre\.?|Professeur|Professeure|Me\.?|"
    r"Ma[îi]tre|Interne|Internes|Externe|Chef de clinique|CCA|IDE|IBODE|Infirmi[eè]re|Infirmier|Sage-femme|Kin[ée]sith[ée]rapeute|Kin[ée]|"
    r"Di[ée]t[ée]ticienne?|Psychologue|Assistante? sociale?|Secr[ée]taire|Cadre de sant[ée]|Pharmacien(?:ne)?|Aide-soignante?)"
)
TITLED = re.compile(rf"(?<![\w])(?:{TITLE})(?:\s*:\s*|\s+)(?:(?:le|la)\s+)?{NAMES}")
TITLED_CI = re.compile(rf"(?<![\w])(?i:docteur|docteure|professeur|prof|monsieur|madame|mademoiselle|dr|pr|mme|mlle)\.?(?:\s*:\s*|\s+){NAMES}")
# "l'interne Pia", "IDE Sandrine", "brigadier Rivière", "sœur Anne-Sophie", "IDE référente SSR :
# Stéphanie": a role or kinship word, then a capitalised name on the same line
_ROLES = (r"interne|externe|ide|idec|iade|ibode|infirmi[eè]re|infirmier|sage-femme|aide-soignante?|auxiliaire(?:\s+de\s+(?:vie|pu[ée]riculture))?|"
          r"pu[ée]ricultrice|kin[ée]|kin[ée]sith[ée]rapeute|brigadier|gendarme|secr[ée]taire|cadre|stagiaire|psychologue|di[ée]t[ée]ticienne?|"
          r"ergoth[ée]rapeute|orthophoniste|psychomotricien(?:ne)?|socio-esth[ée]ticienne|assistante?\s+sociale?|[ée]ducat(?:eur|rice)|brancardier|"
          r"manipulat(?:eur|rice)|coordinat(?:eur|rice)|ambulancier|aide\s+[àa]\s+domicile|agent(?:\s+d['’]amphith[ée][âa]tre)?|pharmacien(?:ne)?|pr[ée]parat(?:eur|rice)")
_KIN = (r"fils|fille|m[èe]re|p[èe]re|fr[èe]re|s(?:oe|œ)ur|conjointe?|[ée]pouse|[ée]poux|mari|femme|compagne?|compagnon|neveu|ni[èe]ce|cousine?|oncle|tante|"
        r"grand-m[èe]re|grand-p[èe]re|petite?-fil(?:s|le)|ami|amie|copain|copine|voisine?|beau-fr[èe]re|belle-s(?:oe|œ)ur|belle-fille|gendre|parrain|marraine|"
        r"papy|papi|mamie|mamy|m[ée]m[ée]|p[ée]p[ée]|papa|maman|tonton|tata|tatie|pote")
ROLE_NAME = re.compile(
    rf"(?<![\w])(?:(?i:{_ROLES})|(?-i:AS|ASH|ASD|SF|AVS|AES)"
    rf"|(?i:(?:du|le|la|au|[àa]\s+la|de\s+la|son|sa|ses|mon|ma|leur)\s+(?:{_KIN}))"
    rf"|(?:Fils|Fille|Mère|Père|Frère|Sœur|Soeur|Épouse|Epouse|Époux|Mari|Conjointe?|Cousine?|Oncle|Tante|Papy|Papi|Mamie|Mamy|Mémé|Pépé|Papa|Maman|Tonton|Tata|Tatie)(?=[ \t]*:?[ \t]*\(?[ \t]*[{_UP}][{_LOW}])"
    rf"|(?i:{_KIN})(?=[ \t]*\([ \t]*[{_UP}][{_LOW}]|[ \t]+[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?[ \t]*(?:[,.;)]|$|\n|et[ \t])))"
    # a qualifier: "référente", "de nuit", or up to three words before a colon ("référente SSR :")
    rf"(?:[ \t]+(?i:r[ée]f[ée]rente?|de\s+garde|de\s+jour|de\s+nuit|jour|nuit|coordinatrice|coordinateur|lib[ée]rale?)|(?:[ \t]+[\w'’\-]+){{1,3}}(?=[ \t]*:))?"
    rf"[ \t]*:?[ \t]*[(«\"“]?[ \t]*([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*)(?: {{1,2}}((?:(?:Le|La|De|Du|Da|Van|El|Ben)[ \t]+)?(?:[{_UP}]{{2,}}(?:[-'’][{_UP}]+)*|[{_UP}][{_LOW}'’\-]+)))?")
# dictated text: "sa fille josiane", "son mari rené"
KIN_LOWER = re.compile(rf"(?<![\w])(?i:son|sa|ses|mon|ma|leur)[ \t]+(?i:{_KIN})[ \t]+([{_LOW}]{{3,}}(?:-[{_LOW}]+)?)(?![\w])")
FIELD = re.compile(
    r"(?<![\w])((?i:nom(?:\s+(?:de\s+naissance|d'usage|marital|patronymique|de\s+jeune\s+fille))?\s*:|pr[ée]noms?(?:\(s\))?\s*:|[ée]pouse|[ée]p\.|n[ée]e|veuve|"
    r"sign[ée]\s+par|r[ée]dig[ée]\s+par|valid[ée]\s+par|dict[ée]\s+par|patient(?:e)?\s*:|enfant\s*:|(?:son|sa)\s+(?:fils|fille|m[èe]re|p[èe]re|fr[èe]re|s(?:oe|œ)ur|"
    r"conjoint(?:e)?|mari|femme|compagne?|[ée]poux|[ée]pouse|neveu|ni[èe]ce|petite?-fil(?:s|le))|personne\s+de\s+confiance\s*:?))\s*:?\s*"
    + NAMES
)
FIELD_ANY = re.compile(r"(?<![\w])(?i:(pr[ée]noms?(?:\(s\))?)|nom(?:\s+(?:de\s+naissance|d'usage|marital|patronymique|de\s+jeune\s+fille|du\s+patient|de\s+la\s+patiente))?|patient(?:e|\(e\))?)[ \t]*:[ \t]*([^\W\d_][\w'’\-]*(?: +(?!(?i:pr[ée]noms?|nom|date|n[ée]e?|sexe|ipp|nda|ddn|[ée]pouse|[ée]p)\b)[^\W\d_][\w'’\-]*)?)")
SALUTATION = re.compile(rf"(?<![\w])(?:[Mm]on[ \t]+[Cc]her|[Mm]a[ \t]+[Cc]h[èe]re|[Cc]her|[Cc]h[èe]re|[Bb]onjour|[Cc]oucou|[Ss]alut|[Hh]ello|[Dd]ear)[ \t]+([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*)(?=[ \t]*[,!\n])")
_SALUTATION_WORDS = {"confrere", "consoeur", "collegue", "ami", "amie", "monsieur", "madame", "docteur", "professeur", "patient", "patiente", "tous", "toutes"}
NAME_THEN_ROLE = re.compile(rf"(?<![\w])([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*)(?:[ \t]+((?:(?:Le|La|De|Du|Da|Van|El|Ben)[ \t]+)?(?:[{_UP}]{{2,}}(?:[-'’][{_UP}]+)*|[{_UP}][{_LOW}'’\-]+)))?"
                            rf"[ \t]*(?:\(|,[ \t]*(?=(?i:interne|externe|ide|iade|ibode|sage-femme|aide-soignante?|cadre|kin[ée]|stagiaire)\b)|(?=(?-i:IDE|IDEC|AS|ASH|IADE|IBODE|SF)[ \t]*(?::|\n|$)))(?i:interne|externe|ide|iade|ibode|s[ée]nior|junior|cadre|kin[ée]|stagiaire|aide-soignante?|as|ash|sage-femme|psychologue|di[ée]t[ée]ticienne?|ergoth[ée]rapeute|orthophoniste|assistante?\s+sociale?|secr[ée]taire|cca|ph|phc|m[ée]decin)(?:[ \t]+[^()\n,:]{1,30})?(?:\)|(?=[ \t]*(?:[,.;:\"»\n]|$)))")
FIRST_THEN_INITIAL = re.compile(rf"(?<![\w.])([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*)[ \t]+([{_UP}]\.)(?=[ \t]*(?:$|[,;)\n]))", re.M)
CLOSING_SIGNATURE = re.compile(rf"(?i:cordialement|bien\s+[àa]\s+(?:vous|toi)|amicalement|confraternellement|bien\s+confraternellement)[ \t]*,?[ \t]*\n?[ \t]*"
                               rf"(?:(?i:dr|docteur|pr)\.?[ \t]+)?([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*)(?:[ \t]+([{_UP}]{{2,}}(?:[-'’ ][{_UP}]{{2,}})*|[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*))?")
CHILDREN_LIST = re.compile(r"(?i:enfants?|fils|filles)[ \t]*\(([^()\n]{2,60})\)")
_NAME1 = rf"(?:(?:Le|La|De|Du|Da|Van|El|Ben)[ \t]+)?(?:[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*|[{_UP}]{{2,}})"
PLURAL_TITLED = re.compile(rf"(?<![\w])(?:Mmes|MM\.|Drs|Docteurs|Mesdames|Messieurs)[ \t]+({_NAME1})[ \t]+et[ \t]+({_NAME1})(?![\w])")
COMMA_FIRST = re.compile(rf"(?i:patient(?:e)?|nom)[ \t]*:[ \t]*([{_UP}]{{2,}}(?:[-'’ ][{_UP}]{{2,}})*),[ \t]*([{_UP}]{{2,}}|[{_UP}][{_LOW}'’]+)(?![\w])")
CHILD_AGE = re.compile(rf"(?<![\w])([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*),?[ \t]+\d{{1,2}}[ \t]+ans\b")
COMPANY_NAME = re.compile(rf"(?<![\w])(?:Ambulances?|AMBULANCES?|Taxis?|TAXIS?|Cabinet|CABINET)(?:[ \t]+(?i:infirmier|m[ée]dical|dentaire|de\s+kin[ée]sith[ée]rapie))?[ \t]+([{_UP}][{_LOW}'’\-]+|[{_UP}]{{2,}})(?:[ \t]*[-–&/][ \t]*([{_UP}][{_LOW}'’\-]+|[{_UP}]{{2,}}))?(?![\w])")
NAME_THEN_FIRST = re.compile(rf"(?<![\w])(?:M\.|Mme|Mlle|Mr|Monsieur|Madame|Dr|Pr)\.?[ \t]+([{_UP}][{_LOW}'’\-]+|[{_UP}]{{2,}})[ \t]*\([ \t]*([{_UP}][{_LOW}'’\-]+)[ \t]*\)")
LOWER_TITLED = re.compile(rf"(?<![\w])(?:(?i:docteure?|dr|pr|professeure?|madame|monsieur|mme|mr)\.?|[Mm]\.)[ \t]+([{_LOW}]{{3,}}(?:-[{_LOW}]+)?)(?![\w])")
LOWER_PAIR = re.compile(rf"(?<![\w])([{_UP}]{{2,}}(?:[-'’][{_UP}]{{2,}})*)[ \t]+([{_LOW}]{{2,}}(?:-[{_LOW}]+)?)(?![\w])")
NEXT_LOWER = re.compile(rf"[ \t]+([{_LOW}]{{3,}}(?:-[{_LOW}]+)?)(?![\w])")
NAME_INITIAL = re.compile(rf"(?<![\w])([{_UP}]{{2,}}(?:[-'’][{_UP}]{{2,}})*)[ \t]+([{_UP}]\.)(?![\w])")
ROLE_LIST = re.compile(r"(?im)(?<![\w])(?:infirmi[eè]re?s?|ide|internes?|externes?|m[ée]decins?|chirurgiens?|anesth[ée]sistes?|[ée]quipe|intervenants?|pr[ée]sents?|kin[ée]s?|aides?-soignant(?:e)?s?|sages?-femmes?|secr[ée]taires?)[ \t]*:[ \t]*([^\n]+)$")
INITIAL_NAME = re.compile(rf"(?<![\w./])([{_UP}]\.(?:-?[{_UP}]\.)?|(?:Ph|Ch|Th|Chr|Cl|Fr|Gh|Jh|St)\.(?=[ \t]*[{_UP}]{{2}}))[ \t]*\n?[ \t]*([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*|[{_UP}]{{2,}}(?:[-'’][{_UP}]{{2,}})*)(?![\w])")
PAIR = re.compile(rf"(?<![\w])([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*)[ \t]+([{_UP}]{{2,}}(?:[-'’ ][{_UP}]{{2,}})*)(?![\w])|(?<![\w])([{_UP}]{{2,}}(?:[-'’][{_UP}]{{2,}})*)[ \t]+([{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*)(?![\w])")
# "Christelle Moreau", "Rodrigue Mendy": a known first name, then a title-case surname
TITLE_LOWER_FIRST = re.compile(rf"(?<![\w])(?i:mme|mr|madame|monsieur|mlle|dr|docteur)\.?[ \t]+([{_LOW}]{{2,}}(?:-[{_LOW}]+)?)[ \t]+([{_UP}]{{2,}}(?:[-'’][{_UP}]{{2,}})*)(?![\w])")
USAGE_NAME = re.compile(rf"(?i:nom[ \t]+d['’]usage|nom[ \t]+de[ \t]+naissance|nom[ \t]+marital|nom[ \t]+de[ \t]+jeune[ \t]+fille)[ \t]+([{_UP}]{{2,}}(?:[-'’ ][{_UP}]{{2,}})*)(?![\w])")
_EPONYM_BEFORE = re.compile(r"(?i)(?:selon|technique\s+de|souffle\s+de|signe\s+de|score\s+de|classification\s+de|crit[èe]res\s+de)[ \t]+$")
TITLE_PAIR = re.compile(rf"(?<![\w.'’-])([{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)*)[ \t]+((?:(?:Le|La|De|Da|Van|El|Ben)[ \t]+)?(?:Mc|Mac|O['’])?[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}]+)*)(?![\w'’-])")
# 'dit "Polo"', "dite « Zaza »": a nickname
NICKNAME = re.compile(rf"(?<![\w])(?i:dite?|surnomm[ée]e?|appel[ée]e?)[ \t]*[«\"“'][ \t]*([{_UP}][{_LOW}'’\-]+)[ \t]*[»\"”']")
# "(Rémi et Nathalie)", "(Annick, qui vit à Morlaix)", "papa (Julien)": first names in parentheses
PAREN_FIRSTS = re.compile(rf"\([ \t]*([{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?)(?:[ \t]+et[ \t]+([{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?))?[ \t]*(?=[),])")
_KIN_BEFORE = re.compile(rf"(?i:{_KIN}|enfants?|b[ée]b[ée]|parents?|tut(?:eur|rice)|curat(?:eur|rice))[ \t]*$")
FIRST_NAME_LIST = re.compile(rf"(?i:pr[ée]noms?(?:\(s\))?)[ \t]*:[ \t]*((?-i:[{_UP}][\w'’\-]+)(?:[ \t]*,[ \t]*(?-i:[{_UP}][\w'’\-]+))+)")
_INITIAL = re.compile(rf"^[{_UP}]\.(?:-?[{_UP}]\.)?$")
_PARTICLE = re.compile(r"^(?:[Dd]e|[Dd]u|[Ll]e|[Ll]a|[Vv]an|[Vv]on|[Dd]'|[Dd]’|[Dd]os|[Dd]a)\s?$")
_FIELD_FIRST = re.compile(r"(?i)^pr[ée]nom")


_ROLE_WORDS = {"interne", "internes", "externe", "ide", "idec", "ioa", "ap", "sf", "coord", "cadre", "senior", "junior", "chef", "pr", "dr", "assistant", "assistante", "cca", "ph", "phc",
               "ibode", "iade", "ash", "as", "kine", "anesthesiste", "chirurgien", "operateur", "aide"}
_FUNCTION_WORDS = {
    "president", "presidente", "directeur", "directrice", "doyen", "maire", "ministre", "prefet", "juge", "procureur",
    "confrere", "consoeur", "collegue", "chef", "responsable", "medecin", "ne", "nee", "agee", "age", "domicilie", "domiciliee",
}
_PERSON_TITLE = re.compile(r"(?i)(?:m\.|mr|mme|mlle|monsieur|madame|mademoiselle|dr|dre|docteure?|pr|pre|professeure?)\b")
_DOCTOR_TITLE = re.compile(r"(?i)(?:dr|dre|drs|docteure?|pr|pre|professeure?)\b")
_NOT_LOWER_NAMES = {"bip", "poste", "dect", "tel", "tél", "fax", "portable", "mail", "gsm", "standard"}
_GREETINGS = {"bonjour", "bonsoir", "salut", "merci", "cordialement", "rappel", "coucou", "hello", "dear", "cher", "chere"}
_FIELD_KEYWORDS = {"nom", "prenom", "prenoms", "sexe", "ne", "nee", "date", "ddn", "ipp", "nda", "age", "adresse", "tel", "ville", "sejour", "dossier", "n", "no",
                   "epouse", "ep", "veuve"}
_TITLE_WORDS = {"m", "mr", "mme", "mlle", "dr", "dre", "pr", "docteur", "professeur", "monsieur", "madame", "mademoiselle", "me"}


def _tokens(s: str, offset: int, keep_initials: bool = False) -> list[tuple[int, int, str]]:
    out = []
    for m in _NAME_TOKEN_RE.finditer(s):
        k = fold_key(m.group(0).rstrip("."))
        if k in _TITLE_WORDS and not (keep_initials and len(k) == 1):
            continue
        out.append((offset + m.start(), offset + m.end(), m.group(0)))
    return out


def _tokens_any(s: str, offset: int) -> list[tuple[int, int, str]]:
    return [(offset + m.start(), offset + m.end(), m.group(0)) for m in re.finditer(r"[^\W\d_][\w'’\-]*", s)]


def _is_first(tok: str, lx: Lexicons) -> bool:
    return fold_key(tok.split("-")[0]) in lx.first_names


def label_name_tokens(toks: list[tuple[int, int, str]], lx: Lexicons, *, force: str | None = None) -> list[tuple[int, int, str]]:
    """Assign NOM/PRENOM to the tokens of one name."""
    out = []
    n = len(toks)
    if not force and n == 2 and not any(t[2].isupper() for t in toks) and not any(_INITIAL.match(t[2]) for t in toks):
        a, b2 = toks[0][2], toks[1][2]
        if not _is_first(a, lx) and _is_first(b2, lx) and fold_key(b2) not in lx.last_names:
            return [(toks[0][0], toks[0][1], "NOM"), (toks[1][0], toks[1][1], "PRENOM")]  # "Dr Kopp Augustin"
    for i, (b, e, t) in enumerate(toks):
        if force:
            lab = force
        elif _INITIAL.match(t):
            lab = "PRENOM"
        elif n == 1:
            lab = "NOM"
        elif t.isupper() and len(t) > 1:
            lab = "NOM" if not (i < n - 1 and toks[i + 1][2].isupper() and _is_first(t, lx) and not fold_key(t) in lx.last_names) else "PRENOM"
        elif any(x[2].isupper() and len(x[2]) > 1 for x in toks):
            lab = "PRENOM"  # "DUPONT Jean": the title-case word is the first name
        elif i < n - 1 and (_is_first(t, lx) or i == 0):
            lab = "PRENOM"
        else:
            lab = "NOM"
        out.append((b, e, lab))
    return out


def _emit(spans: list[Span], text: str, toks: list[tuple[int, int, str]], lx: Lexicons, source: str, force: str | None = None) -> None:
    particle_start: dict[int, int] = {}  # surname token start -> start of the particles before it
    if not force:
        kept, run = [], None
        for t in toks:
            if _PARTICLE.match(t[2]):
                run = t[0] if run is None else run
                continue
            if run is not None:
                particle_start[t[0]] = run
            kept.append(t)
            run = None
        toks = kept
    while len(toks) > 1 and fold_key(toks[-1][2]) in lx.common_words and toks[-1][2][:1].isupper() and not toks[-1][2].isupper() and not _is_first(toks[-2][2], lx):
        toks = toks[:-1]
    for b, e, lab in label_name_tokens(toks, lx, force=force):
        if lab == "NOM" and b in particle_start:  # "Dr de La Fontaine": the particles belong to the surname
            b = particle_start[b]
        spans.append(Span(b, e, lab, text[b:e], source))


def find_names(text: str, lx: Lexicons, stop: set[str]) -> list[Span]:
    """``stop``: folded words that are never names here (clinical abbreviations, protect list)."""
    spans: list[Span] = []
    for pat in (TITLED, TITLED_CI):
        for m in pat.finditer(text):
            toks = [t for t in _tokens(m.group(1), m.start(1), keep_initials=True) if fold_key(t[2]) not in stop]
            if "\n" in text[m.start():m.start(1)] and not _PERSON_TITLE.match(m.group(0)):
                continue  # "…, IDE⏎⏎Conclusion :": a role word ends its line, the next line is no name
            # "Pr M. Bonnefous": after Dr/Pr "M." is an initial; after a role ("Kiné : M. Cheval") a title
            if len(toks) > 1 and toks[0][2] == "M." and not _DOCTOR_TITLE.match(m.group(0)):
                toks = toks[1:]
            # "Monsieur le Président", "Mme Potin Née le ...": a function or "né(e)" is no name
            cut = next((i for i, t in enumerate(toks) if fold_key(t[2]) in _FUNCTION_WORDS or (i and fold_key(t[2]) in _ROLE_WORDS)), None)
            toks = toks if cut is None else toks[:cut]
            toks = _cut_common(toks, lx, text)
            if toks and toks[-1][1] == m.end(1):
                nx = NEXT_LOWER.match(text, m.end(1))  # "Dr. Maia mussard": a lower-case surname
                if nx and fold_key(nx.group(1)) not in lx.common_words and fold_key(nx.group(1)) not in _NOT_LOWER_NAMES and _is_first(toks[-1][2], lx) and len(toks) == 1 and not toks[-1][2].isupper():
                    toks.append((nx.start(1), nx.end(1), nx.group(1)))
            _emit(spans, text, toks, lx, "context")
    for m in ROLE_NAME.finditer(text):
        k = fold_key(m.group(1))
        if k in stop or k in lx.common_words and k not in lx.first_names:
            continue
        if k in lx.first_names:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
            if m.group(2) and fold_key(m.group(2)) not in lx.common_words and fold_key(m.group(2)) not in stop:
                spans.append(Span(m.start(2), m.end(2), "NOM", m.group(2), "context"))
        elif k in lx.last_names and not m.group(2):
            spans.append(Span(m.start(1), m.end(1), "NOM", m.group(1), "context"))
    for m in NICKNAME.finditer(text):
        if fold_key(m.group(1)) not in stop:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
    for m in PAREN_FIRSTS.finditer(text):
        names_in = [g for g in (1, 2) if m.group(g)]
        keys = [fold_key(m.group(g)) for g in names_in]
        alone_ok = len(keys) == 2 or (keys[0] not in lx.common_words and _KIN_BEFORE.search(text, max(0, m.start() - 30), m.start()))
        if all(k in lx.first_names and k not in stop for k in keys) and alone_ok:
            for g in names_in:
                spans.append(Span(m.start(g), m.end(g), "PRENOM", m.group(g), "context"))
    for m in KIN_LOWER.finditer(text):  # "sa fille josiane"
        k = fold_key(m.group(1))
        if k in lx.first_names and k not in lx.common_words and k not in stop:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
    for m in SALUTATION.finditer(text):  # "Mon cher Léonard,": a first name after a salutation
        k = fold_key(m.group(1))
        if k in lx.first_names and k not in _SALUTATION_WORDS and k not in stop:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
    for m in NAME_THEN_ROLE.finditer(text):  # "Lou (externe)", "Lyséa Da Cunha (interne)"
        k = fold_key(m.group(1))
        if k in stop or (k in lx.common_words and k not in lx.first_names):
            continue
        if k in lx.first_names:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
            if m.group(2):
                spans.append(Span(m.start(2), m.end(2), "NOM", m.group(2), "context"))
    for m in FIRST_THEN_INITIAL.finditer(text):  # "IDE de nuit : Yahya R."
        k = fold_key(m.group(1))
        if k in lx.first_names and k not in lx.common_words and k not in stop:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
            spans.append(Span(m.start(2), m.end(2), "NOM", m.group(2), "context"))
    for m in CLOSING_SIGNATURE.finditer(text):  # "Bien cordialement, Adaline Rousset"
        k = fold_key(m.group(1).split("-")[0])
        if k in lx.first_names and k not in stop:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
            if m.group(2) and fold_key(m.group(2)) not in stop:
                spans.append(Span(m.start(2), m.end(2), "NOM", m.group(2), "context"))
    for m in CHILDREN_LIST.finditer(text):  # "2 enfants (Isao et Eneko)"
        for w in re.finditer(rf"[{_UP}][{_LOW}'’]+(?:-[{_UP}][{_LOW}'’]+)*", m.group(1)):
            k = fold_key(w.group(0))
            if k not in lx.common_words and k not in stop:
                spans.append(Span(m.start(1) + w.start(), m.start(1) + w.end(), "PRENOM", w.group(0), "context"))
    for m in PLURAL_TITLED.finditer(text):  # "cabinet de Mmes Salas et Le Duc"
        for g in (1, 2):
            spans.append(Span(m.start(g), m.end(g), "NOM", m.group(g), "context"))
    for m in COMMA_FIRST.finditer(text):  # "PATIENT: LOQUET, NOA"
        k = fold_key(m.group(2))
        if k in lx.first_names and k not in stop:
            spans.append(Span(m.start(1), m.end(1), "NOM", m.group(1), "context"))
            spans.append(Span(m.start(2), m.end(2), "PRENOM", m.group(2), "context"))
    for m in CHILD_AGE.finditer(text):  # "Deux enfants (Albane, 12 ans, et Solange, 9 ans)"
        k = fold_key(m.group(1))
        if k in lx.first_names and k not in lx.common_words and k not in stop:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
    for m in COMPANY_NAME.finditer(text):  # "Ambulances Dumonteil", "Cabinet infirmier Teixeira - Havard"
        for g in (1, 2):
            if m.group(g) and fold_key(m.group(g)) in lx.last_names and fold_key(m.group(g)) not in lx.common_words and fold_key(m.group(g)) not in stop:
                spans.append(Span(m.start(g), m.end(g), "NOM", m.group(g), "context"))
    for m in NAME_THEN_FIRST.finditer(text):  # "Mme Demay (Elijah)"
        k = fold_key(m.group(2))
        if k in lx.first_names and k not in lx.common_words and k not in stop:
            spans.append(Span(m.start(1), m.end(1), "NOM", m.group(1), "context"))
            spans.append(Span(m.start(2), m.end(2), "PRENOM", m.group(2), "context"))
    for m in TITLE_LOWER_FIRST.finditer(text):  # "mme zoé BRUNO": a lower-case first name, then the surname
        if fold_key(m.group(1)) in lx.first_names and fold_key(m.group(1)) not in stop and fold_key(m.group(2)) not in stop:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
            spans.append(Span(m.start(2), m.end(2), "NOM", m.group(2), "context"))
    for m in USAGE_NAME.finditer(text):  # "(nom d'usage VIAUD)"
        if fold_key(m.group(1)) not in stop:
            spans.append(Span(m.start(1), m.end(1), "NOM", m.group(1), "context"))
    for m in LOWER_TITLED.finditer(text):  # dictated text: "le docteur martin", "madame luciani délia"
        k = fold_key(m.group(1))
        nx = NEXT_LOWER.match(text, m.end(1))
        if nx and k in lx.first_names and k not in stop and fold_key(nx.group(1)) in lx.last_names and fold_key(nx.group(1)) not in stop \
                and fold_key(nx.group(1)) not in FUNCTION_WORDS and fold_key(nx.group(1)) not in _NOT_LOWER_NAMES:
            spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))  # "madame marie lefebvre"
            spans.append(Span(nx.start(1), nx.end(1), "NOM", nx.group(1), "context"))
            continue
        first = nx and fold_key(nx.group(1).split("-")[0]) in lx.first_names and (fold_key(nx.group(1).split("-")[0]) not in lx.common_words or k in lx.last_names)
        if k in stop or k in _FUNCTION_WORDS or k in _TITLE_WORDS or k in FUNCTION_WORDS or k not in lx.last_names:
            continue
        if k not in lx.common_words or first:  # "M. meunier jean-claude": a common word, but a first name follows
            spans.append(Span(m.start(1), m.end(1), "NOM", m.group(1), "context"))
            if first:
                spans.append(Span(nx.start(1), nx.end(1), "PRENOM", nx.group(1), "context"))
    for m in FIELD_ANY.finditer(text):
        value = m.group(2)
        if fold_key(value.split()[0]) in lx.common_words or fold_key(value.split()[0]) in stop:
            continue
        toks = _tokens_any(value, m.start(2))
        # "Nom : MARTIN<tab>Prénom : Lucie", "NOM DE NAISSANCE : LEROY  NOM D'USAGE : FABRE": the next
        # field's keyword is no part of the name
        toks = _cut_fields(toks, text)
        # "Patiente : Mme Claire DUBOIS", "Patient : M. SAHLI": the title is no part of the name
        # (the rule; EDS-Pseudo's gold sometimes reads that "M." as an initial)
        while toks and fold_key(toks[0][2]) in _TITLE_WORDS:
            toks = toks[1:]
        if not toks:
            continue
        if m.group(1):
            _emit(spans, text, toks, lx, "context", "PRENOM")
        else:
            _emit(spans, text, toks, lx, "context")
    for m in FIRST_NAME_LIST.finditer(text):  # "Prénoms : Christelle, Marie, Pascale"
        for w in re.finditer(rf"[{_UP}][\w'’\-]+", m.group(1)):
            if fold_key(w.group(0)) not in stop:
                spans.append(Span(m.start(1) + w.start(), m.start(1) + w.end(), "PRENOM", w.group(0), "context"))
    for m in NAME_INITIAL.finditer(text):  # "DELAGE A."
        k = fold_key(m.group(1))
        if k not in stop and k not in lx.common_words:
            spans.append(Span(m.start(1), m.end(1), "NOM", m.group(1), "context"))
            spans.append(Span(m.start(2), m.end(2), "PRENOM", m.group(2), "context"))
    for m in ROLE_LIST.finditer(text):  # "Infirmiers : lyssana ducos, loëvan barry"
        base = m.start(1)
        for g in re.finditer(r"(?:[^,;/()\d:.]|\.(?![ \t]+[{_UP}][{_LOW}]{{2}}))+".format(_UP=_UP, _LOW=_LOW), m.group(1)):  # "Ketty. Pédiatre prévenu": a sentence ends
            words = list(re.finditer(r"[^\W\d_][\w'’\-]*\.?", g.group(0)))
            cut = next((i for i, w in enumerate(words) if i and w.group(0).islower() and (fold_key(w.group(0).rstrip(".")) in lx.common_words or words[0].group(0)[:1].isupper())), None)
            words = words if cut is None else words[:cut]
            if not 1 <= len(words) <= 3:
                continue
            keys = [fold_key(w.group(0).rstrip(".")) for w in words]
            if any(k in stop or k in _TITLE_WORDS or k in _ROLE_WORDS for k in keys) or all(k in lx.common_words and k not in lx.first_names and k not in lx.last_names for k in keys):
                continue
            if not (keys[0] in lx.first_names or any(k in lx.last_names for k in keys) or words[0].group(0)[:1].isupper()):
                continue
            toks = [(base + g.start() + w.start(), base + g.start() + w.end(), w.group(0)) for w in words]
            for i, (b, e, w) in enumerate(toks):
                lab = "PRENOM" if (i == 0 and len(toks) > 1 and keys[0] in lx.first_names) else "NOM"
                spans.append(Span(b, e, lab, w, "context"))
    for m in INITIAL_NAME.finditer(text):  # "R. Parra", "J. HERNO"
        k = fold_key(m.group(2))
        if k in stop or (k in lx.common_words and k not in lx.last_names) or fold_key(m.group(1).rstrip(".")) in _TITLE_WORDS - {"m"}:
            continue
        if (k in FUNCTION_WORDS and not re.match(r"[ \t]+[A-ZÉÈ]", text[m.end(2):m.end(2) + 2])) or (m.start(1) and (text[m.start(1) - 1].isdigit() or text[m.start(1) - 1] == "°")):
            continue  # "37°C. Il présentait", "stade B. Devant ce tableau"
        if m.group(1) == "M.":
            continue  # "M. Dupont" is a title (handled above), never an initial
        spans.append(Span(m.start(1), m.end(1), "PRENOM", m.group(1), "context"))
        spans.append(Span(m.start(2), m.end(2), "NOM", m.group(2), "context"))
    for m in LOWER_PAIR.finditer(text):
        last, first = m.group(1), m.group(2)
        if fold_key(first) in lx.first_names and fold_key(first) not in lx.common_words and fold_key(last) not in stop and fold_key(last) not in lx.common_words:
            spans.append(Span(m.start(1), m.end(1), "NOM", last, "lexicon"))
            spans.append(Span(m.start(2), m.end(2), "PRENOM", first, "lexicon"))
    for m in FIELD.finditer(text):
        toks = _cut_fields([t for t in _tokens(m.group(2), m.start(2)) if fold_key(t[2]) not in stop], text)
        if len(toks) == 1 and toks[0][2].isupper() and len(toks[0][2]) <= 3 and re.match(r"(?i)(?:sign|r[ée]dig|valid|dict)", m.group(1)):
            continue  # "CR validé par YK": initials as a signature, no name
        toks = _cut_common(toks, lx, text)
        if not toks:
            continue
        force = "PRENOM" if _FIELD_FIRST.match(m.group(1)) else ("NOM" if m.group(1).lower().startswith("nom") else None)
        _emit(spans, text, toks, lx, "context", force)
    for m in TITLE_PAIR.finditer(text):
        first, last = m.group(1), m.group(2)
        if _EPONYM_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            continue  # "ligamentoplastie selon Kenneth Jones", "souffle de Graham Steell"
        fk, lk = fold_key(first.split("-")[0]), fold_key(last)
        if fk not in lx.first_names or fk in lx.common_words or fk in stop or fk in _FIELD_KEYWORDS or fk in _GREETINGS or fk in _TITLE_WORDS:
            continue
        if lk in stop or lk in _GREETINGS or lk in _FIELD_KEYWORDS or lk in _ROLE_WORDS or lk in FUNCTION_WORDS or (lk in lx.common_words and lk not in lx.last_names):
            continue
        spans.append(Span(m.start(1), m.end(1), "PRENOM", first, "lexicon"))
        spans.append(Span(m.start(2), m.end(2), "NOM", last, "lexicon"))
    for m in PAIR.finditer(text):
        if m.group(1):
            first, last, fs, ls = m.group(1), m.group(2), m.start(1), m.start(2)
        else:
            last, first, ls, fs = m.group(3), m.group(4), m.start(3), m.start(4)
        fk = fold_key(first.split("-")[0])
        if fk not in lx.first_names or fk in lx.common_words or fold_key(last) in stop or fk in _FIELD_KEYWORDS or fold_key(last) in _ROLE_WORDS:
            continue
        lk = fold_key(last)
        if lk in lx.common_words and lk not in lx.last_names:
            continue
        if last.isupper() and len(last) <= 4 and not re.search(r"[AEIOUYÉÈ]", last):
            continue  # "CHT Gaston-Bourret", "SF Camille": an acronym without a vowel, not a surname
        if fold_key(last.split()[0]) in _FIELD_KEYWORDS or "\t" in text[min(fs, ls):max(fs, ls)] or (lk in _GREETINGS and not last.isupper()) or fk in _GREETINGS:
            continue  # "Moana<tab>NÉ LE :", "Bonjour George"
        spans.append(Span(fs, fs + len(first), "PRENOM", first, "lexicon"))
        spans.append(Span(ls, ls + len(last), "NOM", last, "lexicon"))
    return spans


def _cut_fields(toks: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """A name in a form grid ends at the next field's keyword or at a tab."""
    cut = next((i for i, t in enumerate(toks) if i and (fold_key(t[2]) in _FIELD_KEYWORDS or "\t" in text[toks[i - 1][1]:t[0]])), None)
    return toks if cut is None else toks[:cut]


def _cut_common(toks: list[tuple[int, int, str]], lx: Lexicons, text: str = "") -> list[tuple[int, int, str]]:
    """Stop a name at the first title-case common word ("Dr Martin Service de cardiologie").
    After a first name, a last word that is also a common noun stays a surname ("Dr Andria
    Grave (ASP)") unless a complement follows ("M. Dufau Esther Date de naissance")."""
    text_after = {t[1]: text[t[1]:t[1] + 8] for t in toks} if text else {}
    out = []
    for t in toks:
        k = fold_key(t[2])
        if _PARTICLE.match(t[2].strip()) and t is not toks[-1]:
            out.append(t)  # "Dr de La Fontaine": a particle before the surname is no common word
            continue
        after_first = bool(out) and _is_first(out[-1][2], lx) and t is toks[-1] and not re.match(r"\s+(?:de|du|des|d'|:)", text_after.get(t[1], ""))
        if out and not after_first and t[2][:1].isupper() and not t[2].isupper() and k in lx.common_words and k not in lx.last_names and k not in lx.first_names:
            break
        if out and t[2].isupper() and len(k) > 2 and k in lx.common_words and k not in lx.last_names and k not in lx.first_names:
            break  # capitals line: "MME MARLONE LACHAUD FIXÉ POUR LE ..." stops before "FIXÉ"
        if not out and t[2][:1].isupper() and not t[2].isupper() and k in lx.common_words and k not in lx.last_names and k not in lx.first_names and len(toks) > 1 and len(k) > 3:
            break
        out.append(t)
    return out
