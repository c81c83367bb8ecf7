"""Addresses, postcodes + communes, cities named in context, hospitals.

Communes and postcodes come from La Poste / INSEE (``fr_geo``). A commune name alone is too
ambiguous to redact ("Nancy", "Vue", "Plan"), so a bare commune needs a postcode before it or a
place preposition with a sizeable population; the statistical tagger covers the rest.
"""

from __future__ import annotations

import re

from partages.deid.protect import UNIT_WORDS
from partages.deid.resources import Lexicons
from partages.deid.spans import Span
from partages.deid.text import fold, fold_key

_STREET_TYPES = (
    r"rue|avenue|av\.?|ave\.?|avn\.?|boulevard|bd\.?|bld\.?|blvd\.?|all[ée]e|place|pl\.|chemin|ch\.|impasse|imp\.|quai|cours|route|rte\.?|"
    r"square|sq\.?|voie|passage|cit[ée]|r[ée]sidence|lotissement|lot\.|hameau|lieu[\s-]dit|parvis|promenade|sentier|villa|"
    r"faubourg|fg\.?|rond[\s-]point|esplanade|traverse|mont[ée]e|chauss[ée]e|corniche|domaine|za|zi|zac|ruelle|venelle|sente|cour|clos|all[ée]es"
)
_NUM_WORDS = r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente|quarante|cinquante|soixante"
_NUMBER = rf"(?:\d{{1,4}}(?:-\d{{1,4}})?(?:\s?(?:bis|ter|quater|[abc])\b)?|(?:{_NUM_WORDS})(?:[\s-](?:{_NUM_WORDS}))*)"
# name words after the street type: connectors, capitalised or lower-case words, abbreviations
_NAME_WORD = r"(?:[^\W\d_][\w'’\-]*(?:\.[^\W\d_]+)*\.?|\d{1,3}(?=\s[A-Za-zÀ-ÿ]))"  # "G.al de Gaulle"
_STOP = r"(?:à|au|chez|tel|tél|téléphone|pour|le\s+\d|cedex|depuis|avec|et\s+(?:le|la|un|une)|bp|cs)"
ADDRESS = re.compile(
    rf"(?i)(?<![\w])(?<!\d[\-/.])(?:{_NUMBER})\s?,?\s+(?:(?:grande|petite|grand['’]|vieille|haute|basse)\s+)?(?:{_STREET_TYPES})(?:(?:[ \t]+|[ \t]*\n[ \t]*(?=[^\W\d_]))(?!{_STOP}\b){_NAME_WORD}){{1,7}}"
)
ADDRESS_NO_NUMBER = re.compile(
    r"(?<![\w])(?:[Ll]a\s+)?(?:Rue|Avenue|Boulevard|Bd|Allée|Place|Impasse|Quai|Chemin|Cours|Square|Route|Hameau|Lieu-dit|Lieu dit|Quartier|Section|Lotissement|"
    r"ZI|ZA|ZAC|Zone\s+(?:industrielle|artisanale|d'activit[ée]s?)|Parc\s+d'activit[ée]s?|rue|avenue|boulevard|allée|place|impasse|quai|route|hameau|lieu-dit|quartier|chemin|ruelle)"
    r"(?:\s+(?:de|du|des|d'|la|le|les|l'|sur|en))*\s+[A-ZÉÈ][\w'’\-]+(?:\s+(?:[A-ZÉÈ][\w'’\-]+|de|du|des|la|le|sur|l'|d'))*"
)
AFTER_ADDRESS = re.compile(r"[ \t]*,?[ \t]*(?:(\d{5}|\d{2} \d{3})(?!\d)|([A-ZÉÈ][\w'’\-]+(?:[ \t][A-ZÉÈ][\w'’\-]+)?))")
# after a street address: "à Anse" (any known commune), "3049 Leipzig" (a foreign 4-digit postcode
# and the capitalised town after it)
AFTER_ADDRESS_AT = re.compile(r"[ \t]*,?[ \t]*(?:à|a)[ \t]+")
AFTER_ADDRESS_4 = re.compile(r"[ \t]*,?[ \t]*(\d{4})[ \t]+([A-ZÉÈ][\w'’\-]+(?:[ \t]+(?:[A-ZÉÈ][\w'’\-]+|sur|sous|en|lès|les|de|du|des|la|le|am|an|im|bei))*)(?=[ \t]*(?:[,;.]|\n|$))")
# "6 Grande Rue": the adjective stands for the street's name
GRANDE_RUE = re.compile(r"(?<![\w])\d{1,4}(?:\s?(?:bis|ter))?[ \t]+(?:Grande|Grand['’]|Petite|GRANDE|PETITE)[ \t-]+(?:Rue|RUE)(?![\w])")
# a postal box or a building line of an address: "BP 45", "CS 30001", "Bât. C, apt 12",
# "Résidence les Mimosas" (a line of its own, or after the street on its line)
POSTAL_BOX = re.compile(r"(?<![\w])(?:BP|B\.P\.|CS|TSA|SP)[ \t]?\d{1,6}(?![\w])")
BUILDING_LINE = re.compile(
    r"(?im)(?:^[ \t]*|(?:adresse(?:[ \t]+[a-zé'’]+\b){0,4}|domicile|demeurant|domicili[ée]e?(?:[ \t]+(?:au|à))?)[ \t]*:?[ \t]*|,[ \t]*|[ \t][-–][ \t]+)(?<![\w])((?:b[âa]t(?:iment|\.)?|appt?\.?|appartement|r[ée]sidence|r[ée]s\.|immeuble|escalier|esc\.|tour|lieu[\s-]dit|hameau|lotissement|domaine)"
    r"[ \t]+[^\n]{1,60}?)[ \t]*(?:$|(?=,[ \t]*\d{5}\b|[ \t]+\d{5}\b|[ \t]+[-–][ \t]|,[ \t]*$))"
)
# Belgian, Swiss, German, Luxembourg addresses: the number after the street, a 4-digit postcode
FOREIGN_ADDRESS = re.compile(
    r"(?<![\w])((?:(?:Rue|Avenue|Chemin|Boulevard|Place|Route|Chauss[ée]e|Quai|Grand-Rue)[ \t]+[^\n,\d]{2,40}?|[A-ZÄÖÜ][\wäöüß\-]*(?i:stra(?:ss|ß)e|str\.|weg|gasse|platz|allee|ring|damm))"
    r"[ \t]+\d{1,4}[a-z]?(?![\d]))(?:[ \t]*,[ \t]*|[ \t]+)((?:[BCDL]-)?\d{4})(?![\d])[ \t]+([A-ZÄÖÜÉÈ][\wäöüéèß'’\-]+(?:[ \t]+[A-ZÄÖÜÉÈ(][\wäöüéèß'’\-)]+)?)"
)
# English names of hospitals in imported documents: "Jefferson University Hospital", "Avicenne AP-HP Hospital"
HOSPITAL_EN = re.compile(r"(?<![\w])((?:[A-Z][\w'’\-]+[ \t]+){1,3}(?:(?i:university|general|memorial|children'?s|teaching)[ \t]+)?(?i:hospital|medical\s+cent(?:er|re))s?)(?![\w])")
ZIP_CITY = re.compile(
    r"(?<![\w])((?:\d{5}|\d{2}\s\d{3}))(?:[ \t,]+|[ \t]*\n[ \t]*)((?:[^\W\d_][\w'’\-]*)(?:[ \t]+|[ \t]*\n[ \t]*)?(?:[^\W\d_][\w'’\-]*)?(?:[ \t]+[^\W\d_][\w'’\-]*){0,5})"
)
ZIP_CONTEXT = re.compile(r"(?:(?i:dans\s+le|code\s+postal|cp)\s*:?\s*|(?<=[A-Za-zÀ-ÿ]),\s*)(\d{5}|\d{2}\s\d{3})(?![\d/]|[.,]\d|\s?(?:mg|ml|ui|g\b))")
# a known postcode standing alone between separators ("source principale 54200 –", "(75013)"):
# not a dose, a count or a measure (no unit after, no measure word before)
ZIP_ALONE = re.compile(r"(?<![\w.,/:+\-])(\d{5})(?=[ \t]*(?:[–—\-()|,;]|\n|$))(?![\d])")
# an upper-case commune cut by a line break ("33390 ISSY LES\nMOULINS", "84100 LA\nBACONNETTE")
_CITY_NEXT_LINE = re.compile(r"[ \t]*\n[ \t]*([A-ZÉÈÀÂÎÔÇ][A-ZÉÈÀÂÎÔÇ'’\-]+)(?=[ \t]*(?:\n|$|,))")
_CUT_CITY = re.compile(r"(?:[ \t]+(?:SUR|SOUS|LES|LÈS|EN|DE|DU|DES)[ \t]*\n[ \t]*[A-ZÉÈ][A-ZÉÈ'’\-]+|[ \t]*\n[ \t]*(?:sur|sous|lès|les|en)[ \t]+[A-ZÉÈ][\w'’\-]+)(?=[ \t]*(?:\n|$|,|\.))")
_CONNECTOR_END = re.compile(r"(?:^|[ \t\-])(?:LA|LE|LES|DE|DU|DES|SUR|SOUS|EN|LÈS|LES|ST|STE|SAINT|SAINTE)[ \t\-]*$")
_MEASURE_BEFORE = re.compile(r"(?i)(?:plaquettes?|leuco|gb|gr|pnn|lympho|cd4|charge|copies|taux|dos[ée]|poids|score|total|x|=|<|>|≥|≤|[àa]|de|pendant|ui|mg|€|euros?|n[°º])\s*:?\s*$")
CEDEX = re.compile(r"(?i)[ \t]+cedex(?:[ \t]+\d{1,2})?")
CITY_CONTEXT = re.compile(
    r"(?:(?<![\w])(?i:à|a|de|d'|près de|vers|habite|habitant|domicilié[e]?|originaire de|né[e]? à|résidant à|vit à|sur|en|ville\s*:|commune\s*:)\s+)"
    r"((?:[A-ZÉÈÀ][\w'’]*(?:-[\w'’]+)*)(?:[ \t](?:[Ss]ur|[Ll]ès|[Ee]n|[Ll]e|[Ll]a|[Ll]es|[Dd]e|[Dd]u|[Dd]es)[ \t-][A-ZÉÈ][\w'’\-]*)?)"
)

_HOSPITAL_TYPES = (
    r"h[ôo]pital\s+d'instruction\s+des\s+arm[ée]es|h[ôo]pitaux\s+civils|h[ôo]pital|h[ôo]pitaux|chu|chr|chru|chi|chs|ch|centre\s+hospitalier(?:\s+(?:universitaire|r[ée]gional|intercommunal|sp[ée]cialis[ée]))*|"
    r"groupe\s+hospitalier|gh|ghu|hop|clinique|polyclinique|institut|hia|h[ôo]tel[\s-]dieu|ehpad|ssr|maternit[ée]|centre\s+m[ée]dical|centre\s+de\s+sant[ée]|"
    r"m[ée]dip[ôo]le|h[ôo]pitaux\s+universitaires|oncop[ôo]le|canc[ée]rop[ôo]le|centre\s+de\s+lutte\s+contre\s+le\s+cancer|clcc|usld|unit[ée]\s+de\s+soins\s+de\s+longue\s+dur[ée]e|soins\s+de\s+suite(?:\s+et\s+de\s+r[ée]adaptation)?|"
    r"maison\s+de\s+sant[ée](?:\s+pluri-?professionnelle)?|msp|laboratoire(?:\s+d['e]\s*analyses(?:\s+m[ée]dicales)?|\s+de\s+biologie(?:\s+m[ée]dicale)?)?|had|epsm|eps|cmpp?|csapa|ssiad|pmi|pharmacie|hospices(?:\s+civils)?|site(?=\s+(?:d|(?-i:[A-ZÉ])))|"
    r"centre\s+d['e]\s*(?:h[ée]mo)?dialyse|cabinet\s+d['e]\s*(?:pathologie|anatomo-?pathologie|anatomie\s+pathologique|imagerie|radiologie)|cabinet\s+de\s+radiologie|cabinet\s+d'imagerie|centre\s+d'imagerie(?:\s+m[ée]dicale)?|centre\s+de\s+radiologie|centre\s+de\s+dialyse|centre\s+de\s+r[ée][ée]ducation"
)
HOSPITAL = re.compile(
    rf"(?<![\w])(?P<type>(?i:{_HOSPITAL_TYPES})(?:[ \t]+(?i:priv[ée]e?|public|publique|militaire|d[ée]partemental|local|g[ée]n[ée]ral|universitaire|r[ée]gional|intercommunal))?)(?:[ \t]+(?i:de[ \t]+la|de[ \t]+l'|de|du|des|d'))?[ \t]*(?<=[ \t'])"
    # the article belongs to the name ("Hôpital [la Croix-Rousse]", EDS-Pseudo gold)
    # the name: capitalised words, joined by hyphens or by "de", "de la", "des", "d'"... ("EHPAD
    # [Les Jardins de Cybèle]", "Clinique [Mutualiste de la Sagesse]"); a town at its end is cut
    # off below
    r"(?P<name>(?:(?:[Ll]a|[Ll]e)[ \t]+|[Ll]['’])?(?:[Ee]urop[ée]en[ \t]+)?(?:[A-ZÉÈÀÂ][\w'’\-]*|[A-Z]{2,})"
    r"(?:(?:-|[ \t]+(?:(?:de[ \t]+la|de[ \t]+l['’]|de|du|des|la|d['’]|l['’])(?:[ \t]+|(?<=['’])))?)(?:[A-ZÉÈÀÂ][\w'’\-]*)){0,3})"
)
# Well-known establishment names that appear without "hôpital" before them.
KNOWN_HOSPITALS = [
    "Pitié-Salpêtrière", "Pitié Salpêtrière", "Salpêtrière", "Bichat", "Bichat-Claude Bernard", "Lariboisière", "Saint-Louis", "Tenon",
    "Avicenne", "Beaujon", "Cochin", "Necker", "Necker-Enfants Malades", "Robert Debré", "Robert-Debré", "Henri Mondor", "Henri-Mondor",
    "Georges-Pompidou", "Georges Pompidou", "HEGP", "Kremlin-Bicêtre", "Bicêtre", "Antoine Béclère", "Antoine-Béclère", "Trousseau",
    "Saint-Antoine", "Bretonneau", "Louis Mourier", "Louis-Mourier", "Ambroise Paré", "Ambroise-Paré", "Raymond Poincaré",
    "Raymond-Poincaré", "Paul Brousse", "Paul-Brousse", "Jean Verdier", "Jean-Verdier", "Charles Foix", "Charles-Foix", "Rothschild",
    "Hôtel-Dieu", "Vaugirard", "Broca", "Corentin Celton", "Sainte-Périne", "René Muret", "René-Muret", "Albert Chenevier",
    "Albert-Chenevier", "Émile Roux", "Emile Roux", "Joffre-Dupuytren", "La Timone", "Timone", "Pellegrin", "Édouard Herriot",
    "Edouard Herriot", "Purpan", "Rangueil", "Charles-Nicolle", "Charles Nicolle", "Lapeyronie", "Gui de Chauliac", "Hautepierre",
    "Pontchaillou", "Sainte-Anne", "Hôpital Foch", "Percy", "Bégin", "Val-de-Grâce", "Quinze-Vingts", "Fernand Widal",
    "Fernand-Widal", "Jean Jaurès", "Simone Veil", "Saint-Joseph", "Croix-Rousse", "Lyon Sud", "Hôpital Nord", "Haut-Lévêque",
    "Jeanne de Flandre", "Roger Salengro", "Claude Huriez", "Gustave Roussy", "Curie", "Institut Curie", "Bergonié",
    # short forms used in notes ("suivi à Mondor"; "maladie de Mondor" stays protected as an eponym phrase)
    "Hôpital Sud", "Hôpital Est", "Hôpital Ouest", "Hôpital Central", "Nouvel Hôpital Civil", "Hôpital Civil",
    "Andrée Rosemon", "Pierre Zobda-Quitman", "Félix Guyon", "Archet", "Cimiez", "Pasteur 2", "Mondor", "Béclère", "Louis-Mourier", "Jean-Verdier", "Hôpital Européen", "Sud Francilien", "Saint-Camille", "Ambroise-Paré",
]
# matched on the folded text (lower case, no accents): no IGNORECASE, much faster
KNOWN_HOSPITAL_RE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted({re.escape(fold(h)).replace(r"\-", r"[\s-]").replace(r"\ ", r"[\s-]") for h in KNOWN_HOSPITALS}, key=len, reverse=True)) + r")(?![\w-])"
)


_ADDRESS_UNIT = re.compile(
    r"(?i)[ \t]*,?[ \t]*(?:appt?\.?|appartement|studio|b[âa]t\.?|b[âa]timent|esc\.?|escalier|[ée]tage|porte|logement|lgt\.?|log\.?)"
    r"[ \t]*(?:n[°º]|no\.?)?[ \t]*[\w]{1,5}(?![\w])"
)
# compound commune names after a place word, matched against the commune list (longest prefix)
CITY_PREP = re.compile(r"(?<![\w])(?i:à|a|de|du|dans|près de|vers|habite|habitant|domicilié[e]?|originaire d[eu]|nati(?:f|ve) d[eu]|né[e]? à|résidant à|vit à|rejoint|région de|périphérie de|quitte|sur|en)(?:[ \t]+|[ \t]*\n[ \t]*(?=[A-ZÉÈ]))")
_WORDS_AFTER = re.compile(r"[^\W\d_][\w'’\-]*(?:[ \t'’\-]+[^\W\d_][\w\-]*){1,5}")
# strong place contexts: the commune after them is taken even in lower case ("grandit dans le
# quartier noyon", "rejoint l etrat") or when it is also a common word ("née à Plaisir")
STRONG_CITY_PREP = re.compile(r"(?<![\w])(?i:quartier(?:\s+(?:de|du|d'))?|rejoint|originaire\s+d[eu']|nati(?:f|ve)\s+d[eu']|n[ée]e?\s+[àa]|habite\s+[àa]|domicili[ée]e?\s+[àa]|vit\s+[àa]|r[ée]sid(?:e|ant)\s+[àa]|d[ée]m[ée]nag[ée]e?\s+[àa])[ \t]+")
_HYPHENATED_LOWER = re.compile(r"[a-zéèêëàâîïôöûüç]+(?:-[a-zéèêëàâîïôöûüç']+){2,}(?![\w-])")
_ONE_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_LOWER_WORDS_AFTER = re.compile(r"[^\W\d_][\w'’\-]*(?:[ \t'’\-]+[^\W\d_][\w\-]*){0,4}")
# "Service Hématologie de Crignac", "Service de Médecine Interne de Bichat": the capitalised name
# after a department's specialty names the establishment (a city or a hospital: redacted either way)
SERVICE_OF = re.compile(
    r"(?<![\w])(?:[Ss]ervice|SERVICE|[Uu]nit[ée]|[Pp][ôo]le|[ÉéEe]quipe)[ \t]+(?:d[e'’][ \t]*|des[ \t]+|du[ \t]+)?[A-ZÉÈ][\w\-]+(?:[ \t]+[a-zéèA-ZÉ][\w\-]+)?"
    r"[ \t]+(?:de|du|d['’])[ \t]*([A-ZÉÈ][\w\-]+(?:[ \t\-][A-ZÉÈ][\w\-]+){0,2})"
)
_TITLE_WORDS = {"pr", "dr", "docteur", "professeur", "mme", "madame", "monsieur", "m", "mr"}
_UNIT_NAMES = {"jour", "semaine", "nuit"}
# words that qualify an establishment's type, never its name ("MAISON DE SANTÉ PLURIPROFESSIONNELLE – …")
_TYPE_QUALIFIERS = frozenset({"pluriprofessionnelle", "pluri professionnelle", "civils", "civil", "universitaires", "universitaire", "prive", "privee",
                             "public", "publique", "mutualiste", "intercommunal", "regional", "departemental", "general", "generale", "militaire"})
# (the detector's _QUALIFIERS, which the tagger never takes for names, is a narrower list: adding
# "civil"/"general" there changed one token on test-v6, so the two stay apart)
_TYPE_WORD_IN_NAME = re.compile(r"(?:^|[ \t]+(?:du|de|des|de la)?[ \t]*)\b(?:CHU|CHRU|CHR|CH|Hôpital|HÔPITAL|Clinique|CLINIQUE)\b")
_NAME_THEN_TOWN = re.compile(r"[ \t]+(?:de|d['’])[ \t]*([A-ZÉÈ][\w'’\-]*(?:[ \t]+[A-ZÉÈ][\w'’\-]*){0,5})$")
_TOWN_TYPES = re.compile(r"(?i)centre\s+hospitalier")
_PRIVATE_TYPES = re.compile(r"(?i)pharmacie|clinique|polyclinique|ehpad|cabinet")
_TYPE_IN_NAME = re.compile(r"(?i)centre\s+hospitalier|centre\s+de\s+sant|hop$")
_TRAILING_CONNECTOR = re.compile(r"(?:[\s-]+(?:de|du|des|la|le|les|d'|l'|et))+[\s-]*$", re.I)


# Postcodes written in notes that La Poste's list lacks: the city-level "75000", "13000",
# "69000" (not real codes, but what people write) and every Paris/Lyon/Marseille arrondissement
_CITY_LEVEL_CODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-5]|2[AB])000|97[1-6]00|750(?:0[1-9]|1\d|20)|75116|6900[1-9]|130(?:0[1-9]|1[0-6])")


def plausible_postcode(code: str, lx: Lexicons) -> bool:
    code = code.replace(" ", "")
    return code in lx.postcodes or bool(_CITY_LEVEL_CODE.fullmatch(code))


# a postcode written after the commune: "Paris 75013", "LYON 69003", "Montreuil (93100)"
_ZIP_AFTER_CITY = re.compile(r"[ \t]*,?[ \t]*\(?[ \t]*(\d{5}|\d{2} \d{3})(?![\d/]|[.,]\d)")
# a commune under a place field label: "Ville de naissance : Nancy", "Né(e) à : Bordeaux",
# "Domicile : Montreuil" (a known commune, whatever its population)
PLACE_FIELD = re.compile(
    r"(?<![\w])(?i:ville|commune|lieu|localit[ée])(?:[ \t]+(?i:de|du|d')?[ \t]*(?i:naissance|naiss\.?|r[ée]sidence|domicile|vie|d[ée]c[èe]s))?[ \t]*(?:[:|]|\t)[ \t]*"
    r"|(?<![\w])(?i:domicile|n[ée]\(?e?\)?[ \t]+[àa]|r[ée]sidence|habite)[ \t]*:[ \t]*"
    r"|(?<![\w])(?:à|a)[ \t]*:[ \t]*"
)


def _communes_after(cues: re.Pattern[str], words_re: re.Pattern[str], text: str, lx: Lexicons):
    """(start, name, words) for each commune name that starts right after a cue ("à", "résidant
    à"...): the longest prefix of the following words that is a known commune."""
    for m in cues.finditer(text):
        words = words_re.match(text, m.end())
        n = _commune_prefix(words.group(0), lx) if words else 0
        if n:
            name = words.group(0)[:n]
            yield m.end(), name, name.split()


def _commune_prefix(words: str, lx: Lexicons) -> int:
    """Length (chars) of the longest prefix of ``words`` that is a known commune, else 0
    ("St Didier Au Mont D Or" is "Saint-Didier-au-Mont-d'Or")."""
    toks = list(re.finditer(r"[^\s]+", words))
    for n in range(len(toks), 0, -1):
        end = toks[n - 1].end()
        if commune_key(words[:end]) in lx.communes:
            return end
    return 0


_SAINT = re.compile(r"(?<![a-z])(st|ste)(?= )")


def commune_key(name: str) -> str:
    """Lexicon key of a commune name, with "St"/"Ste" read as "Saint"/"Sainte"."""
    k = fold_key(name)
    return _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", k) if "st" in k else k


LOWER_TOWN = re.compile(r"(?<![\w])(?:à|a|de|d'|vers|depuis|habite|domicili[ée]e?\s+à)[ \t]+([a-zéèêàâîôûç][a-zéèêëàâîïôöûüç'’]+(?:-[a-zéèêëàâîïôöûüç'’]+)*)(?![\w'’-])")
# "CP / VILLE : 54500 / VANDŒUVRE-LÈS-NANCY", "Code postal - Ville : 29200 Brest": a two-part field
# "54511 VANDŒUVRE-LÈS-NANCY CEDEX", "Angers Cedex 01 49933": a CEDEX code is a postcode of
# its own (not in the La Poste list of communes)
CEDEX_ZIP = re.compile(r"(?<![\w/.,])(\d{5})[ \t]+([A-ZÀ-ÖØ-ÞŒ][\w'’ \-]{1,40}?[ \t]+(?i:cedex)(?:[ \t]+\d{1,2})?)(?![\w])|"
                       r"(?<![\w])([A-ZÀ-ÖØ-ÞŒ][\w'’ \-]{1,40}?[ \t]+(?i:cedex)(?:[ \t]+\d{1,2})?)[ \t]+(\d{5})(?![\w/]|[.,]\d)")
ZIP_TOWN_FIELD = re.compile(r"(?im)(?:cp|code[ \t]+postal)[ \t]*[/\-–][ \t]*(?:ville|commune|localit[ée])[ \t]*:[ \t]*(\d{5})[ \t]*[/,\-–]?[ \t]*([^\W\d_][^\n\d|│]{1,50}?)[ \t]*$")


def _hospital_matches(text: str):
    """HOSPITAL matches; when a name opens with another establishment word ("Maternité de la
    [Clinique Mutualiste de la Sagesse]"), the search resumes there so the inner one is read."""
    pos = 0
    while True:
        m = HOSPITAL.search(text, pos)
        if not m:
            return
        yield m
        cut = _TYPE_WORD_IN_NAME.search(m.group("name"))
        pos = m.start("name") if cut and cut.start() == 0 else m.end()


def find_places(text: str, lx: Lexicons) -> list[Span]:
    spans: list[Span] = []
    add = spans.append
    for m in LOWER_TOWN.finditer(text):  # dictated text: "à saint-brieuc", "chez ma mère à vence"
        name = m.group(1)
        key = commune_key(name)
        pop = lx.communes.get(key, 0)
        if key in lx.common_words or _is_area(name, lx) or name[1:2] in ("'", "’") or not (pop >= 5000 or ("-" in name and pop >= 1000)):
            continue
        add(Span(m.start(1), m.end(1), "VILLE", name, "context"))
    for m in CEDEX_ZIP.finditer(text):
        zg, tg = (1, 2) if m.group(1) else (4, 3)
        add(Span(m.start(zg), m.end(zg), "ZIP", m.group(zg), "context"))
        add(Span(m.start(tg), m.end(tg), "VILLE", m.group(tg), "context"))
    for m in ZIP_TOWN_FIELD.finditer(text):
        add(Span(m.start(1), m.end(1), "ZIP", m.group(1), "context"))
        add(Span(m.start(2), m.end(2), "VILLE", m.group(2), "context"))
    for m in ADDRESS.finditer(text):
        s = m.group(0).rstrip(" ,.;:\n")
        unit = _ADDRESS_UNIT.match(text, m.start() + len(s))  # ", APPT 188", " bât. B"
        if unit:
            s = text[m.start():unit.end()]
        add(Span(m.start(), m.start() + len(s), "ADRESSE", s, "rule"))
        _after_address_extra(text, m.start() + len(s), lx, add)
        after = AFTER_ADDRESS.match(text, m.start() + len(s))
        if after:  # "14 avenue Franklin 92170 et..." / "rue Rivoli, Fayence"
            if after.group(1) and plausible_postcode(after.group(1), lx):
                add(Span(after.start(1), after.end(1), "ZIP", after.group(1), "context"))
            elif after.group(2) and fold_key(after.group(2)) in lx.communes and fold_key(after.group(2)) not in lx.common_words:
                add(Span(after.start(2), after.end(2), "VILLE", after.group(2), "context"))
    for m in GRANDE_RUE.finditer(text):
        add(Span(m.start(), m.end(), "ADRESSE", m.group(0), "rule"))
    for m in POSTAL_BOX.finditer(text):
        add(Span(m.start(), m.end(), "ADRESSE", m.group(0), "rule"))
    for m in BUILDING_LINE.finditer(text):
        line = _before_town(m.group(1), lx).rstrip(" ,;.")
        lead = text[max(0, m.start(1) - 3):m.start(1)]
        if ("," in lead or "-" in lead or "–" in lead) and not re.search(r"\d", line) and not re.match(r"(?i)r[ée]s|lieu|hameau|lotissement|domaine", line):
            continue  # "Salle 3, bâtiment Laennec": a building of the hospital, not an address
        if not re.search(r"\d|[A-ZÉÈ]", line[1:]) or len(line.split()) > 8:
            continue  # "résidence principale", "tour de taille": no number and no capitalised name
        add(Span(m.start(1), m.start(1) + len(line), "ADRESSE", line, "context"))
    for m in ADDRESS_NO_NUMBER.finditer(text):
        add(Span(m.start(), m.end(), "ADRESSE", m.group(0), "context"))
        _after_address_extra(text, m.end(), lx, add)
        after = AFTER_ADDRESS.match(text, m.end())
        if after and after.group(2) and fold_key(after.group(2)) in lx.communes and fold_key(after.group(2)) not in lx.common_words:
            add(Span(after.start(2), after.end(2), "VILLE", after.group(2), "context"))
    for m in ZIP_CITY.finditer(text):
        code = m.group(1)
        compact = code.replace(" ", "")
        words = m.group(2)
        first_word = re.match(r"[^\s/]+", words)
        if first_word and (fold_key(first_word.group(0)) in UNIT_WORDS or text[m.start(2) + first_word.end():m.start(2) + first_word.end() + 1] == "/"):
            continue  # "15 000 E/mm³", "30 000 UI/L": a count, not a postcode and a commune
        n = _commune_prefix(words, lx)
        if n == 0 and plausible_postcode(compact, lx):
            first = re.match(r"[^\W\d_][\w'’\-]*(?:[ \t]*\n[ \t]*[A-ZÉÈ][\w'’\-]*)?", words)
            # an unknown commune after a known postcode: keep the capitalised words
            if first and first.group(0)[:1].isupper() and fold_key(first.group(0).split()[0]) not in lx.common_words and not re.match(r"[ \t]*:", words[first.end():]):
                n = first.end()
                more = re.match(r"(?:[ \t]+[A-ZÉÈ][\w'’\-]*)*", words[n:])
                if more and words[:1].isupper() and words[:2].isupper():
                    n += more.end()
        if n == 0 and compact in lx.postcodes:  # "84100 LA\nBACONNETTE": article, then the name on the next line
            art = re.match(r"(?:LA|LE|LES|L')(?=[ \t]*\n)", words)
            if art and _CITY_NEXT_LINE.match(text, m.start(2) + art.end()):
                n = art.end()
        if n == 0:
            if plausible_postcode(compact, lx) and re.search(r"(?i)(?:cp|code postal)\s*:?\s*$", text[max(0, m.start() - 20):m.start()]):
                add(Span(m.start(1), m.end(1), "ZIP", code, "context"))
            continue
        if re.match(r"[ \t]*:", text[m.start(2) + n:m.start(2) + n + 3]):
            continue  # "56240⏎NIR : ...": the next line's field label, not a commune
        c = CEDEX.match(text, m.start(2) + n)
        city_end = c.end() if c else m.start(2) + n
        city = text[m.start(2):city_end]
        nxt = _CITY_NEXT_LINE.match(text, city_end) if not c and city.isupper() else None
        if nxt and (_CONNECTOR_END.search(city) or fold_key(city + " " + nxt.group(1)) in lx.communes):
            city_end = nxt.end(1)
        else:  # "MARSEILLE SUR\nCHALON", "Ivry\nsur Loire": the connector and the rest cut by a line break
            cut = _CUT_CITY.match(text, city_end)
            if cut and not c:
                city_end = cut.end()
        add(Span(m.start(1), m.end(1), "ZIP", code, "rule"))
        add(Span(m.start(2), city_end, "VILLE", text[m.start(2):city_end], "rule"))
    for m in ZIP_CONTEXT.finditer(text):
        if plausible_postcode(m.group(1), lx):
            add(Span(m.start(1), m.end(1), "ZIP", m.group(1), "context"))
    for m in ZIP_ALONE.finditer(text):
        if m.group(1) in lx.postcodes and not _MEASURE_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            add(Span(m.start(1), m.end(1), "ZIP", m.group(1), "lexicon"))
    for m in CITY_CONTEXT.finditer(text):
        name = m.group(1)
        key = fold_key(name)
        pop = lx.communes.get(key)
        if pop is None and " " in name:
            name = name.split(" ")[0]
            key = fold_key(name)
            pop = lx.communes.get(key)
        if key in lx.areas and (re.search(r"(?i)\ben\s+$", text[max(0, m.start(1) - 4):m.start(1)]) or _is_area(name, lx)):
            continue  # "en Corrèze", "à La Réunion": a département or a region, not a town
        if pop is not None and key not in lx.common_words and (pop >= 5000 or (key not in lx.first_names and key not in lx.last_names)):
            add(Span(m.start(1), m.start(1) + len(name), "VILLE", name, "context"))
    for start, name, parts in _communes_after(CITY_PREP, _WORDS_AFTER, text, lx):  # "résidant à La Possession"
        if _is_area(name, lx) or len(parts) < 2 or (all(fold_key(w) in lx.common_words for w in parts) and not all(w[:1].isupper() for w in parts)):
            continue
        if not name[:1].isupper() and len(parts) < 3:
            continue
        add(Span(start, start + len(name), "VILLE", name, "context"))
    for m in CITY_PREP.finditer(text):  # "à bourg-en-bresse": a hyphenated lower-case commune
        w = _HYPHENATED_LOWER.match(text, m.end())
        if w and w.group(0).count("-") >= 2 and commune_key(w.group(0)) in lx.communes:
            add(Span(w.start(), w.end(), "VILLE", w.group(0), "context"))
    for start, name, parts in _communes_after(STRONG_CITY_PREP, _LOWER_WORDS_AFTER, text, lx):
        if _is_area(name, lx):
            continue
        if len(parts) == 1 and (fold_key(name) in lx.common_words and not name[:1].isupper() or len(name) < 4):
            continue  # "né à terme", "vit à la ..."
        if all(fold_key(w) in lx.common_words for w in parts) and not name[:1].isupper() and len(parts) < 3:
            continue
        add(Span(start, start + len(name), "VILLE", name, "context"))
    for m in PLACE_FIELD.finditer(text):  # "Lieu de naissance : Lyon", "Né(e) à : Bordeaux"
        words = _WORDS_AFTER.match(text, m.end()) or _ONE_WORD.match(text, m.end())
        if not words or not words.group(0)[:1].isupper():
            continue
        n = _commune_prefix(words.group(0), lx)
        name = words.group(0)[:n]
        if n and (len(name.split()) >= 2 or fold_key(name) not in lx.common_words):
            add(Span(m.end(), m.end() + n, "VILLE", name, "context"))
    for s_ in [x for x in spans if x.label == "VILLE"]:  # "Paris 75013", "LYON 69003", "Montreuil (93100)"
        z = _ZIP_AFTER_CITY.match(text, s_.end)
        if z and plausible_postcode(z.group(1), lx):
            add(Span(z.start(1), z.end(1), "ZIP", z.group(1), "context"))
    for m in SERVICE_OF.finditer(text):
        name = m.group(1)
        first = fold_key(name.split()[0].split("-")[0])
        if first in _TITLE_WORDS or fold_key(name) in lx.common_words or first in lx.common_words:
            continue
        add(Span(m.start(1), m.end(1), "HOPITAL", name, "context"))
    for m in _hospital_matches(text):
        name = _TRAILING_CONNECTOR.sub("", m.group("name").rstrip(" -"))
        if fold_key(name) in lx.common_words and not (_PRIVATE_TYPES.match(m.group("type")) and m.group("type") != m.group("type").lower()
                                                       and text[m.end("type"):m.start("name")].strip()):
            continue  # "Hôpital de Jour"; but "Pharmacie du Centre", "Clinique du Parc" are names
        if fold_key(name.split()[0]) in _UNIT_NAMES or fold_key(name) in _TYPE_QUALIFIERS:
            continue  # "Hôpital de jour": a unit, not a name ("CHU de Martinique" is redacted: it names one hospital)
        b = m.start("name")
        link = text[m.end("type"):m.start("name")]
        if link.strip() and lx.communes.get(commune_key(name), 0) < 2000:  # "Clinique [du Parc]", "Hôpital [de la Croix-Rousse]"
            b = m.end("type") + len(link) - len(link.lstrip())
        cut = _TYPE_WORD_IN_NAME.search(name)
        if cut:  # "Hôpital Central du CHRU de Puymoyen": the name ends before the next establishment word
            name = name[:cut.start()].rstrip(" -")
            if not name:
                continue
        link = text[m.end("type"):m.start("name")]
        art = re.search(r"(?i)\b(?:de|d['’])[ \t]*((?:la|le|les|l['’])[ \t]*)?$", link)
        if art and not _PRIVATE_TYPES.match(m.group("type")):
            start = m.start("name") - (len(art.group(1)) if art.group(1) else 0)
            town = text[start:m.start("name") + len(name)]
            if _commune_prefix(town, lx) == len(town):
                add(Span(start, start + len(town), "VILLE", town, "context"))
                continue  # an establishment named by its town: the town ("CHU de La Roche-sur-Foron")
        tail = _NAME_THEN_TOWN.search(name)
        if tail and _commune_prefix(tail.group(1), lx) == len(tail.group(1)):  # "Clinique du Parc de Ajaccio"
            add(Span(m.start("name") + tail.start(1), m.start("name") + tail.end(1), "VILLE", tail.group(1), "context"))
            name = name[:tail.start()]
        if _TYPE_IN_NAME.match(m.group("type")):
            if _commune_prefix(name, lx) == len(name):
                add(Span(m.start("name"), m.start("name") + len(name), "VILLE", name, "context"))
                continue  # "Centre hospitalier de Cholet": an establishment named by its town (the town)
            if not _TOWN_TYPES.match(m.group("type")):
                b = m.start("type")  # "HOP Avicenne": the abbreviation is part of the name
            # "Centre hospitalier intercommunal [Robert Ballanger]": the type word stays out
        add(Span(b, m.start("name") + len(name), "HOPITAL", text[b:m.start("name") + len(name)], "context"))
    for m in KNOWN_HOSPITAL_RE.finditer(fold(text)):  # rule-grade: the longer of it and a context match wins
        b = m.start(1) + (len("hopital ") if m.group(1).startswith("hopital ") else 0)  # "Hôpital [Nord]"
        add(Span(b, m.end(1), "HOPITAL", text[b:m.end(1)], "context"))
    for m in HOSPITAL_EN.finditer(text):
        add(Span(m.start(1), m.end(1), "HOPITAL", m.group(1), "context"))
    for m in FOREIGN_ADDRESS.finditer(text):  # "Rue de la Loi 16, 1000 Bruxelles", "Hauptstrasse 12, 8001 Zürich"
        add(Span(m.start(1), m.end(1), "ADRESSE", m.group(1), "rule"))
        add(Span(m.start(2), m.end(2), "ZIP", m.group(2), "rule"))
        add(Span(m.start(3), m.end(3), "VILLE", m.group(3), "rule"))
    return _with_arrondissement(text, _union_addresses(text, spans))


_ARRONDISSEMENT = re.compile(r"[ \t]+(?:\d{1,2}(?:e|è|ème|eme|er|ER|E|EME|ÈME)|(?i:cedex)[ \t]+\d{1,2})(?![\w])")
_ARR_CITIES = {"paris", "lyon", "marseille"}


def _with_arrondissement(text: str, spans: list[Span]) -> list[Span]:
    """"PARIS 15E", "Lyon 3e", "Marseille 8ème": the arrondissement belongs to the town span."""
    out = []
    for s in spans:
        if s.label == "VILLE" and fold_key(s.text) in _ARR_CITIES:
            m = _ARRONDISSEMENT.match(text, s.end)
            if m:
                s = Span(s.start, m.end(), "VILLE", text[s.start:m.end()], s.source)
        out.append(s)
    return out


# "Lacaune, le 2 novembre 2026" / "Mme X - CHARNY OREE DE PUISAYE, le mercredi 18 novembre": the
# place line of a letter
_BIRTH_BEFORE = re.compile(r"(?i)n[ée]e?\s+le|naissance|ddn")
_ABROAD = re.compile(r"([A-ZÉÈ][\w'’]+(?:[ \t-][A-ZÉÈ][\w'’]+){0,2})[ \t]*\([ \t]*[A-ZÉÈ][\w'’ \-]{2,30}\)")
_AFTER_BIRTH_DATE = re.compile(r"[ \t]*(?:,[ \t]*|[–—-][ \t]*|(à|a|au)[ \t]+)")
_LOWER_DE = re.compile(r"[ \t]+(?:de|d')[ \t]*([a-zéèêàç][\w'’\-]*(?:[ \t]+[a-zéèêàç][\w'’\-]*){0,3})")
# "– La Touche Aubert – 62223 Saint-Chély": a locality between dashes before "ZIP Town"
DASH_LOCALITY = re.compile(r"[–—-][ \t]+([A-ZÉÈ][^–—\n\d:]{2,40}?)[ \t]+[–—-][ \t]+\d{5}[ \t]+[A-ZÉÈ]")
SERVICE_TOWN = re.compile(r"(?<![\w])(?:SOS[ \t]+M[ée]decins|CeGIDD|CEGIDD|CSAPA|CMPP?|PMI|SSIAD|SAMU|SMUR|CH|CHU|CHRU|CHI|EHPAD)[ \t]*(?:[-–,][ \t]*)?(?=[A-ZÉÈ])")
TOWN_LINE = re.compile(r"(?m)^[ \t]*([A-ZÉÈ][\w'’]*(?:[ \t-]+[\w'’]+){1,6})[ \t]*$")
LETTER_PLACE = re.compile(r"(?m)(?:^|[ \t]-[ \t])[ \t]*(?:(?i:fait)[ \t]+(?:à|a|au|aux)[ \t]+)?([A-ZÉÈ](?:(?![ \t]-[ \t])[^\n,]){1,60}?),[ \t]*le[ \t]+(?=(?:\d|1er|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche))")
# after an establishment, a street or a person: ", Town", " (Town)", " / Town", " - Town"
_TOWN_AFTER = re.compile(r"[ \t]*(?:,|\(|/|[-–—])[ \t]*(?:(?:MG|MT|[A-Za-zé]{2,15})[ \t]+[-–—][ \t]+|[a-zéè][a-zéè\-]{3,24}[ \t]*,[ \t]*)?")
_TOWN_AFTER_HOSPITAL = re.compile(r"[ \t]*(?:,|\(|/|[-–—]|de|d['’]|à)[ \t]*")
# "Volmerange-les-Mines 34450" on its own line (the postcode after the commune)
COMMA_CITY_ZIP = re.compile(r",[ \t]*([A-ZÉÈ][^\n\d,:;()]{1,50}?)[ \t]+(\d{5})(?![\d])")
ARR_CITY = re.compile(r"(?<![\w])(?:Paris|PARIS|Lyon|LYON|Marseille|MARSEILLE)[ \t]+\d{1,2}(?:e|è|ème|eme|er|E|EME|ÈME)(?![\w])")
PAREN_ROLE_TOWN = re.compile(r"\([ \t]*(?:[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ\-\. ]{1,30}|(?:19|20)\d\d),[ \t]*([A-ZÉÈ][^()\n,]{1,40}?)[ \t]*\)")
CITY_ZIP_LINE = re.compile(r"(?m)^[ \t]*([A-ZÉÈ][^\n\d,:;]{1,50}?)[ \t]+(\d{5})[ \t]*,?[ \t]*$")


def towns_after_spans(text: str, spans: list[Span], lx: Lexicons) -> list[Span]:
    """Communes that context makes sure of, once the other spans are known: the place line of a
    letter, and a commune right after an establishment ("Clinique Saint-Léonard, St Cyr Au Mont
    D Or", "Hôpital Paul-Brousse (Pau)"), a street ("4 allée Marcel Pagnol - Laigné-en-Belin")
    or a person ("Dr Cardin Souleymane, Bordères-sur-l'Échez": a multi-word commune, or one
    ending the line)."""
    out: list[Span] = []
    for m in LETTER_PLACE.finditer(text):
        name = m.group(1).strip()
        n = _commune_prefix(name, lx)
        if n == len(name) and not _is_area(name, lx):
            out.append(Span(m.start(1), m.start(1) + n, "VILLE", name, "context"))
    for s in spans:  # "né le 16/06/1949 à Lyon", "Date et lieu de naissance : 14 février 1967 – Rosny-sous-Bois"
        if s.label in ("DATE", "DATE_NAISSANCE") and (s.label == "DATE_NAISSANCE" or _BIRTH_BEFORE.search(text, max(0, s.start - 40), s.start)):
            m = _AFTER_BIRTH_DATE.match(text, s.end)
            if m:
                words = _WORDS_AFTER.match(text, m.end()) or _ONE_WORD.match(text, m.end())
                if words and words.group(0)[:1].isupper():
                    w = words.group(0)
                    n = _commune_prefix(w, lx)
                    if not n and m.group(1) and m.group(1).lower() == "au" and commune_key("le " + w.split()[0]) in lx.communes:
                        n = len(w.split()[0])  # "au Loué" is "à Le Loué"
                    if not n and m.group(1):
                        abroad = _ABROAD.match(text, m.end())  # "à Kayseri (Turquie)": a town abroad
                        n = len(abroad.group(1)) if abroad and not _is_area(abroad.group(1), lx) else 0
                    if n and not _is_area(w[:n], lx):
                        out.append(Span(m.end(), m.end() + n, "VILLE", w[:n], "context"))
    for s in spans:  # "le dr montet de beautor": dictated, all lower case
        if s.label == "NOM" and s.text.islower():
            m = _LOWER_DE.match(text, s.end)
            if m:
                n = _commune_prefix(m.group(1), lx)
                name = m.group(1)[:n]
                if n and (" " in name or commune_key(name) not in lx.common_words):
                    out.append(Span(m.start(1), m.start(1) + n, "VILLE", name, "context"))
    for m in SERVICE_TOWN.finditer(text):  # "SOS Médecins Châteaubernard", "CeGIDD - Prunelli-di-Fiumorbo"
        words = _WORDS_AFTER.match(text, m.end()) or _ONE_WORD.match(text, m.end())
        if words:
            n = _commune_prefix(words.group(0), lx)
            name = words.group(0)[:n]
            if n and commune_key(name) not in lx.common_words and not _is_area(name, lx):
                out.append(Span(m.end(), m.end() + n, "VILLE", name, "context"))
    covered = [(s.start, s.end) for s in spans]
    for m in TOWN_LINE.finditer(text):  # "HÔPITAL MÈRE-ENFANT⏎Cherbourg-en-Cotentin": a commune alone on its line
        name = m.group(1)
        if (_commune_prefix(name, lx) == len(name) and commune_key(name) not in lx.common_words and not _is_area(name, lx)
                and not any(b < m.end(1) and m.start(1) < e for b, e in covered)):
            out.append(Span(m.start(1), m.end(1), "VILLE", name, "context"))
    for s in spans:
        if s.label not in ("HOPITAL", "ADRESSE", "NOM", "PRENOM", "VILLE"):
            continue
        if s.label == "VILLE" and not re.match(r"[ \t]*/[ \t]*", text[s.end:s.end + 4]):
            continue  # "… DE LABOUHEYRE / ESPALION": two towns of one establishment
        sep = (_TOWN_AFTER_HOSPITAL if s.label == "HOPITAL" else _TOWN_AFTER).match(text, s.end)
        if not sep or not sep.group(0).strip():
            continue
        words = _WORDS_AFTER.match(text, sep.end()) or _ONE_WORD.match(text, sep.end())
        if not words or not words.group(0)[:1].isupper():
            continue
        n = _commune_prefix(words.group(0), lx)
        if not n:
            continue
        name = words.group(0)[:n]
        key = commune_key(name)
        multi = len(name.split()) >= 2 or "-" in name
        arr = _ARRONDISSEMENT.match(text, sep.end() + n) if key in _ARR_CITIES else None
        if arr:
            n = arr.end() - sep.end()
            name = text[sep.end():arr.end()]
        ends = re.match(r"[ \t]*(?:[).,;–—-]|\n|$|\(?\d{5}\b)", text[sep.end() + n:sep.end() + n + 8])
        strong = s.label == "HOPITAL" and sep.group(0).strip() == "à"  # "SSR Les Jardins à Pierres"
        if _is_area(name, lx) or (key in lx.common_words and not strong):
            continue
        if s.label in ("NOM", "PRENOM") and not (multi or (ends and (lx.communes.get(key, 0) >= 20000 or (key not in lx.first_names and key not in lx.last_names)))):
            continue
        if s.label in ("HOPITAL", "ADRESSE", "VILLE") and not (multi or ends or strong):
            continue
        if any(x.start <= sep.end() and sep.end() + n <= x.end and x.end - x.start > n for x in spans):
            continue  # already inside a longer span ("La Touche Aubert"): a shorter town would cut it
        out.append(Span(sep.end(), sep.end() + n, "VILLE", name, "context"))
        z = _ZIP_AFTER_CITY.match(text, sep.end() + n)
        if z and plausible_postcode(z.group(1), lx):
            out.append(Span(z.start(1), z.end(1), "ZIP", z.group(1), "context"))
    for m in COMMA_CITY_ZIP.finditer(text):  # "Les Hauts de Bellevue, LA GRANDE PAROISSE 47500"
        name = m.group(1).strip()
        if _commune_prefix(name, lx) == len(name) and plausible_postcode(m.group(2), lx) and commune_key(name) not in lx.common_words:
            out.append(Span(m.start(1), m.start(1) + len(name), "VILLE", name, "context"))
            out.append(Span(m.start(2), m.end(2), "ZIP", m.group(2), "context"))
    for m in DASH_LOCALITY.finditer(text):
        name = m.group(1).strip()
        if not any(x.start <= m.start(1) and m.start(1) + len(name) <= x.end for x in spans) and _commune_prefix(name, lx) != len(name):
            out.append(Span(m.start(1), m.start(1) + len(name), "ADRESSE", name, "context"))
    for m in ARR_CITY.finditer(text):  # "Paris 14e": a town whatever is around it
        out.append(Span(m.start(), m.end(), "VILLE", m.group(0), "context"))
    for m in PAREN_ROLE_TOWN.finditer(text):  # "(CARDIO, REDING)", "(gynécologue, Villefranche-sur-Saône)"
        name = m.group(1).strip()
        if _commune_prefix(name, lx) == len(name) and not _is_area(name, lx) and commune_key(name) not in lx.common_words:
            out.append(Span(m.start(1), m.start(1) + len(name), "VILLE", name, "context"))
    for m in CITY_ZIP_LINE.finditer(text):
        name = m.group(1).strip()
        if _commune_prefix(name, lx) == len(name) and plausible_postcode(m.group(2), lx) and commune_key(name) not in lx.common_words:
            out.append(Span(m.start(1), m.start(1) + len(name), "VILLE", name, "context"))
            out.append(Span(m.start(2), m.end(2), "ZIP", m.group(2), "context"))
    return out


def _is_area(name: str, lx: Lexicons) -> bool:
    """A département or a region ("Corrèze", "La Réunion") that is no sizeable commune."""
    key = fold_key(name)
    return key in lx.areas and lx.communes.get(key, 0) < 2000


def _union_addresses(text: str, spans: list[Span]) -> list[Span]:
    """Overlapping address pieces ("Bât. C, apt 12" and "12\nRésidence ... rue Pasteur") become
    one span, so resolving overlaps later never drops a piece."""
    addr = sorted((s for s in spans if s.label == "ADRESSE"), key=lambda s: (s.start, -s.end))
    if len(addr) < 2:
        return spans
    merged: list[Span] = []
    for s in addr:
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            if s.end > last.end:
                merged[-1] = Span(last.start, s.end, "ADRESSE", text[last.start:s.end], last.source)
        else:
            merged.append(s)
    return [s for s in spans if s.label != "ADRESSE"] + merged


def _before_town(line: str, lx: Lexicons) -> str:
    """"Lieu-dit Kerbrat, Plouay 56240" → "Lieu-dit Kerbrat": an address line ends where a
    comma-separated part is a commune (with or without its postcode)."""
    parts = line.split(",")
    for i in range(1, len(parts)):
        part = re.sub(r"[ \t]*\(?\d{5}\)?[ \t]*$", "", parts[i].strip())
        if part and part[:1].isupper() and _commune_prefix(part, lx) == len(part) and commune_key(part) not in lx.common_words:
            return ",".join(parts[:i])
    return line


_ADDRESS_TAIL = re.compile(r"[ \t]*,[ \t]*((?:Les|La|Le|L['’])[ \t]+[A-ZÉÈ][\w'’\-]*(?:[ \t]+(?:de|du|des|la|le|[A-ZÉÈ][\w'’\-]*)){0,4})(?=[ \t]*,[ \t]*(?:\d{5}|[A-ZÉÈ][^\n,]{1,40}\d{5}))")


def _after_address_extra(text: str, end: int, lx: Lexicons, add) -> None:
    """What follows a street address: "à Anse" (a known commune, whatever its size: the street
    makes it a place) or a foreign "3049 Leipzig" (4-digit postcode and the town)."""
    extra = _ADDRESS_TAIL.match(text, end)
    if extra:  # "Chemin des Vignes, Les Hauts de Bellevue, LESPIGNAN 45800": the locality belongs to the address
        add(Span(extra.start(1), extra.end(1), "ADRESSE", extra.group(1), "context"))
        end = extra.end(1)
    comma = re.compile(r"[ \t]*,[ \t]*").match(text, end)
    if comma:  # "rue Rivoli, Bagnères De Bigorre": a multi-word commune after the street
        words = _WORDS_AFTER.match(text, comma.end())
        if words and words.group(0)[:1].isupper():
            n = _commune_prefix(words.group(0), lx)
            if n and " " in words.group(0)[:n]:
                add(Span(comma.end(), comma.end() + n, "VILLE", words.group(0)[:n], "context"))
                return
    at = AFTER_ADDRESS_AT.match(text, end)
    if at:
        words = _WORDS_AFTER.match(text, at.end()) or _ONE_WORD.match(text, at.end())
        if words and words.group(0)[:1].isupper():
            n = _commune_prefix(words.group(0), lx)
            if n:
                add(Span(at.end(), at.end() + n, "VILLE", words.group(0)[:n], "context"))
        return
    four = AFTER_ADDRESS_4.match(text, end)
    if four:
        add(Span(four.start(1), four.end(1), "ZIP", four.group(1), "context"))
        add(Span(four.start(2), four.end(2), "VILLE", four.group(2), "context"))
