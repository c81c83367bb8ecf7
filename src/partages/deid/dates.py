"""French dates in their written forms: detection, parsing and format-preserving shifting.

Handled: ``12/03/2024``, ``12.03.24``, ``12-03-2024``, ``13 / 03 | 2020``, ``3/4/19``,
``03/2024``, ``16/09``, ``23022018``, ``3 janvier 2024``, ``1er mars``, ``mardi 5 mars``,
``janv. 2024``, ``dec1993``, ``05nov``, spelled-out dates (``deux janvier mille neuf cent
soixante dix huit``) and bare years (``en 2003``). Not dates: ``J1 à J5``, times, doses
(``1/2 cp``), ratios. Written by hand because no maintained library finds French dates *in
running text* with offsets (dateparser parses a given string; it does not search).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}
MONTH_FULL = {"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"}
MONTH_NAMES = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMWORD = (
    r"(?:premier|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
    r"vingts?|trente|quarante|cinquante|soixante|cents?|mille|mil|et)(?![a-z])"  # whole words: "cinq" is not "cinquante"
)
_NUMWORDS = rf"(?!et\b){_NUMWORD}(?:[ \t\-]+{_NUMWORD})*"  # never starts with "et" ("janvier et mars"); never across a line break
_SEP = r"\s?[/.\-|]\s?"
_UNIT_AFTER = re.compile(r"\s?(?:(?:mg|g|ml|mmol|µg|ug|ui|u|cp|comprimes?|gelules?|amp|sachets?|gouttes?|kg|cm|mm|h|j|mcg|ng|l|dl|cc|patients?|cas|sujets?|personnes?|"
                         r"mmhg|cmh2o|millilitres?|litres?|grammes?|milligrammes?|unites?|kcal|calories|metres?|pas|fois|copies|cellules)(?![a-z])|%)|/(?=[a-zµ])", re.I)
# "les 2/3 internes", "le 1/3 moyen": a fraction of an organ, not a day and month
_FRACTION_AFTER = re.compile(r"\s+(?:internes?|externes?|moyens?|sup[ée]rieurs?|inf[ée]rieurs?|ant[ée]rieurs?|post[ée]rieurs?|distal|proximal|lat[ée]ral|m[ée]dian|de\s+(?:la|l'|du|des))\b")

# Patterns run on folded text (lower-case, no accents), so no IGNORECASE needed.
NUMERIC = re.compile(rf"(?<![\w/.,])(\d{{1,2}})(?:er)?{_SEP}(\d{{1,2}}){_SEP}(\d{{4}}(?![\d/])|\d{{2}}(?![\w/]))(?![.,]\d)")
ISO = re.compile(r"(?<![\w/.,])((?:19|20)\d{2})[/\-.](\d{1,2})[/\-.](\d{1,2})(?![\d/]|[.,]\d)")
SPACED = re.compile(r"(?<!\d)(?<!\d )(\d(?: \d){7})(?!\d| \d(?!\d))|(?<!\d)(\d \d ?[./] ?\d \d ?[./] ?\d \d \d \d)(?! ?\d)")
CONTEXT_DAY_MONTH = re.compile(r"(?:\bdu|\ble|\bau|\bdes?|\bjusqu'au)\s+(\d{1,2})\s?(?:/|(?<=\d)[.\-](?=\d\d(?![\d.\-])))\s?(\d{1,2})(?![\w/]|[.,]\d)")
MONTH_YEAR = re.compile(r"(?<![\w/.,])(\d{1,2})\s?[/.\-]\s?((?:19|20)\d{2})(?![\w/]|[.,]\d)")
# "en 07 2002", "depuis 11 2019": month and year separated by a space, after a time preposition
MONTH_YEAR_SPACED = re.compile(r"(?:(?:\ben|\bdepuis|\bdes|\bdu|\bau|\bjusqu'en)[ \t]+|\([ \t]*)(0[1-9]|1[0-2]) ((?:19|20)\d{2})(?![\w/]|[.,]\d| \d|\s?(?:mg|ui|ml|g|ug|mcg)\b)")
DAY_MONTH = re.compile(r"(?<![\w/.,])(\d{1,2})\s?[/.]\s?(\d{1,2})(?![\w/]|[.,]\d)")
COMPACT = re.compile(r"(?<![\w/.,])(\d{2})(\d{2})((?:19|20)\d{2})(?![\w/])")
TEXTUAL = re.compile(
    rf"(?<![\w])(?:(?:{'|'.join(WEEKDAYS)})\s+)?(?:(\d{{1,2}})(?:er)?(?:\s*,?\s*|-)|({_NUMWORDS})\s+)?({_MONTH_ALT})\.?(?![a-z])(?:(?:[ \t]*,?[ \t]*|-|/)((?:19|20)?\d{{2}})(?![\w])|[ \t]+(?=(?:deux|mil|mille|dix)\b)({_NUMWORDS}(?:[ \t]\d(?![\w]))?))?"
)
DAY_TIME = re.compile(r"(?<![\w])(?:le|du|au)\s+(\d{1,2})(?:er)?\s+(?:a|vers)\s+\d{1,2}\s?h(?:\d\d)?(?![\w])")  # "le 13 à 8h"
WEEKDAY_DAY = re.compile(rf"(?<![\w])(?:{'|'.join(WEEKDAYS)})\s+(\d{{1,2}})(?:er)?(?![\w])")
SEASON_YEAR = re.compile(r"(?<![\w])(?:ete|hiver|automne|printemps|rentree)[ \t]+((?:19|20)\d{2})(?![\w])")
YEAR = re.compile(r"(?<![\w/.,+])(?:(?<=\d{4}-)|(?<=\d{4}/)|(?<=\bmi-)|(?<!-))((?:19|20)\d{2})(?![\w]|/(?!(?:19|20)\d\d(?!\d))|[.,]\d)")
SPACE_SEP = re.compile(r"(?<![\w/.,])(\d{1,2}) (\d{1,2}) ((?:19|20)\d{2})(?![\w/]|[.,]\d| \d(?!\d))")
SPELLED_YEAR = re.compile(rf"(?<![\w])(?:deux[ \t-]+mille|mil(?:le)?[ \t-]+neuf[ \t-]+cents?|dix[ \t-]+neuf[ \t-]+cents?)(?:[ \t-]+{_NUMWORD})*(?![\w])")
WORD_DAY_NUMERIC = re.compile(rf"(?<![\w])({_NUMWORDS})\s+(\d{{1,2}})\s*[/.\- ]\s*((?:19|20)\d{{2}})(?![\w/])")
MONTH_RANGE = re.compile(rf"(?<![\w])({_MONTH_ALT})\.?\s*(?:à|a|au|-|et|/)\s*(?={_MONTH_ALT})")
DAY_RANGE = re.compile(r"(?<![\w])(?:du|de|entre le|entre|les?)\s+(\d{1,2})(?:er)?\s+(?:au|à|a|et)(?:\s+le)?\s+(?=\d{1,2}(?:er)?(?:\s?[/.]\s?\d{1,2}|\s+(?:" + _MONTH_ALT + r")(?![a-z])))")


# "Sept 01,2026", "March 3, 2021": English month-first dates in imported documents
YEAR_WITH_O = re.compile(r"(?<![\w])(?:en|depuis|since|in)\s+((?:19|2o)[\do]{2})(?![\w])")
MONTH_FIRST = re.compile(rf"(?<![\w])(september|november|{_MONTH_ALT}|march|april|may|june|july|august|october|december|february|january)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,\s*((?:19|20)\d{{2}})(?![\w])")
_EN_MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10, "december": 12}
_EN_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_EN_MONTH_ALT = "|".join(sorted([*_EN_MONTHS, "september", "november", *_EN_MONTH_ABBR], key=len, reverse=True))
MONTH_FIRST_ORDINAL = re.compile(r"(?<![\w])(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{1,2})(?:st|nd|rd|th)(?![\w])")
# "Tuesday 12 March 2024", "12th of March, 2024", "3 feb 2020", "03feb": English day-first dates
EN_DAY_FIRST = re.compile(
    rf"(?<![\w])(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s*({_EN_MONTH_ALT})\.?(?![a-z])(?:,?\s+((?:19|20)\d{{2}})(?![\w]))?"
)
# "fin 2025", "début mars", "mi-juin": the qualifier is part of the date span (EDS-Pseudo gold)
_QUALIFIER_BEFORE = re.compile(r"(?<![\w])(?:fin|debut|mi|courant|milieu)[\s\-]+$")
# legal references are public, not personal: "loi du 4 mars 2002", "décret n°2013-1066 du 3 juin 2013"
# ("ordonnance du 05/11/2026" is a prescription: an ordonnance is a legal text only with its number)
_LEGAL_BEFORE = re.compile(r"(?:\bloi|\bdecret|\barrete|\bcirculaire|\bdirective)(?: n°? ?[\d\-]+)? (?:du|de) $|\bordonnance n°? ?[\d\-]+ (?:du|de) $|\bn° ?$|(?:\bloi|\bdecret|\barrete) n°? ?$")
_MONTH_CONTEXT = re.compile(r"(?:\ben|\bdepuis|\bdebut|\bfin|\bmi|\bcourant|\bmois de|\bjusqu'en|\bdes|\bdu|\bau|\bd'|\bavant|\bapres)[\s\-]+$")
_WEEKDAY_BEFORE = re.compile(rf"(?<![\w])(?:{'|'.join(WEEKDAYS)})[\s,]+$")
# "mer. 10 juillet 2024", "Tue, 24 Nov 2026", "JEU 26/11": abbreviated weekdays (French, English)
_WEEKDAY_ABBR_BEFORE = re.compile(r"(?<![\w])(?:lun|mar|mer|jeu|ven|sam|dim|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\.?,?[ \t]+$")
# a journal reference "Blood. 2010 Jan 21;115(3):453-74" dates a publication, not a patient
CITATION = re.compile(r"(?<![\w])(?:19|20)\d\d(?:\s+[a-z]{3,4}\.?(?:\s+\d{1,2})?)?\s*;\s*\d+\s*(?:\(\s*[\w\-]+\s*\))?\s*:\s*[\w\-]+")
# more written forms: "20240312", "2024-01", "2024 01 12", "2019/2020", "le 12 03 24", "les 3, 4 et 5 mars"
ISO_COMPACT = re.compile(r"(?<![\w/.,])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\w/]|[.,]\d)")
ISO_SPACED = re.compile(r"(?<![\w/.,])((?:19|20)\d{2}) (0[1-9]|1[0-2]) (0[1-9]|[12]\d|3[01])(?![\w/]|[.,]\d| \d)")
YEAR_MONTH = re.compile(r"(?<![\w/.,])((?:19|20)\d{2})[-/.](0[1-9]|1[0-2])(?![\w/\-]|[.,/\-]\d)")
YEAR_RANGE = re.compile(r"(?<![\w/.,])((?:19|20)\d{2})/((?:19|20)\d{2})(?![\w/]|[.,]\d)")
SHORT_SPACED = re.compile(r"(?:\ble|\bdu|\bau|\bdate\b[^\n\d]{0,15})\s*(\d{1,2}) (\d{1,2}) (\d{2})(?![\w/]|[.,]\d| \d)")
DAY_LIST = re.compile(rf"(?<![\w/.,])(\d{{1,2}})(?:er)?(?=(?:\s*,\s*\d{{1,2}}(?:er)?)*\s*(?:,|et)\s*\d{{1,2}}(?:er)?(?:\s+(?:{_MONTH_ALT})(?![a-z])|/\d{{1,2}}/(?:19|20)?\d\d(?![\d/])))")  # "les 12, 13 et 14/03/2024"
# "10/10", "8/12": a visual acuity or a score out of 10/12/20 on a line that names one
_SCORE_LINE = re.compile(r"(?:score|oeil|acuite|\bav\b|\bod\b|\bog\b|\bodg\b|\bmots\b|points|items|\bmmse?\b|niveau|echelle|\beva\b|\bnote\b|apgar|glasgow|estime)[^\n]{0,40}$")
_NOT_NUMERIC_DATE_BEFORE = re.compile(r"(?:\bapgar|\bpage|\bp\.)[ \t:]*$")
_PAGE_LINE = re.compile(r"[ \t]*\d{1,2}[ \t]?/[ \t]?\d{1,2}[ \t]*(?:\n|$)")
# "03 1 8 2 0 2 1": a two-digit day then month and year typed digit by digit (form fields)
DD_SPACED = re.compile(r"(?<![\d ])(?<!\d )(\d\d)((?: \d){6})(?! ?\d)")
_NOT_DATE_BEFORE = re.compile(r"(?:score|version|eva|\ben\b|note|cot[ee]|glasgow|nyha|grade|stade|classe|ratio|rapport|tension|ta\b|pa\b|force|\bx)[^\n/]{0,20}$")


@dataclass(slots=True)
class DateMatch:
    start: int
    end: int
    day: int | None
    month: int | None
    year: int | None
    kind: str  # numeric | month_year | day_month | compact | textual | year | spelled


def _valid(d: int | None, m: int | None, y: int | None) -> bool:
    if m is not None and not 1 <= m <= 12:
        return False
    if d is not None and not 1 <= d <= 31:
        return False
    if y is not None and not 1880 <= y <= 2100:
        return False
    return True


def _year(y: str) -> int:
    v = int(y)
    return v if len(y) == 4 else (2000 + v if v <= 40 else 1900 + v)


def find_dates(folded: str) -> list[DateMatch]:
    """All dates in ``folded`` (see :func:`partages.deid.text.fold`), longest first wins."""
    out: list[DateMatch] = []
    for m in YEAR_WITH_O.finditer(folded):  # "AVC en 2O18": a letter O typed for a zero
        out.append(DateMatch(m.start(1), m.end(1), None, None, int(m.group(1).replace("o", "0")), "year_o"))
    for m in NUMERIC.finditer(folded):
        d, mo, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if mo > 12 and d <= 12 and len(m.group(3)) == 4 and _valid(mo, d, y):  # "11/27/2026": a US date
            out.append(DateMatch(m.start(), m.end(), mo, d, y, "us"))
            continue
        if _NOT_NUMERIC_DATE_BEFORE.search(folded, max(0, m.start() - 12), m.start()):
            continue  # "Apgar 9/10/10", "page 2/3"
        if _valid(d, mo, y):
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "numeric"))
    for m in ISO.finditer(folded):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _valid(d, mo, y):
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "iso"))
    for m in SPACED.finditer(folded):
        dd = re.sub(r"[ ./]", "", m.group(0))
        d, mo, y = int(dd[:2]), int(dd[2:4]), int(dd[4:])
        if not _valid(d, mo, y) and _valid(mo, d, y):  # "03 1 8 2 0 2 1": month first (imported forms)
            d, mo = mo, d
        if _valid(d, mo, y):
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "compact"))
    for m in CONTEXT_DAY_MONTH.finditer(folded):
        d, mo = int(m.group(1)), int(m.group(2))
        if d < mo <= 4 and _FRACTION_AFTER.match(folded, m.end()):
            continue
        if mo in (10, 20) and d <= mo and _SCORE_LINE.search(folded, max(0, m.start() - 60), m.start()):
            continue
        if _valid(d, mo, None) and not _UNIT_AFTER.match(folded, m.end()):
            out.append(DateMatch(m.start(1), m.end(), d, mo, None, "day_month"))
    for m in COMPACT.finditer(folded):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _valid(d, mo, y):
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "compact"))
    for m in MONTH_YEAR.finditer(folded):
        mo, y = int(m.group(1)), int(m.group(2))
        if _valid(None, mo, y):
            out.append(DateMatch(m.start(), m.end(), None, mo, y, "month_year"))
    for m in MONTH_YEAR_SPACED.finditer(folded):
        out.append(DateMatch(m.start(1), m.end(2), None, int(m.group(1)), int(m.group(2)), "month_year"))
    short: list[DateMatch] = []
    for m in DAY_MONTH.finditer(folded):
        a, b = m.group(1), m.group(2)
        if _NOT_NUMERIC_DATE_BEFORE.search(folded, max(0, m.start() - 12), m.start()):
            continue  # "page 2/3", "Apgar 9/10"
        if _NOT_DATE_BEFORE.search(folded, max(0, m.start() - 30), m.start()):
            continue
        if not _valid(int(a), int(b), None) or _UNIT_AFTER.match(folded, m.end()):
            continue
        if int(b) in (10, 12, 20) and int(a) <= int(b) and _SCORE_LINE.search(folded, max(0, m.start() - 60), m.start()):
            continue  # "Niveau oeil gauche: 10/12", "Score ... : 10/10"
        if _PAGE_LINE.match(folded, m.start()) and (m.start() == 0 or folded[m.start() - 1] == "\n") and int(a) <= int(b):
            continue  # "2/10" alone on its line: a page number
        # "16/09" is a date, "1/2" (half a tablet) is not: a one-digit month only among dates
        (out if len(b) == 2 else short).append(DateMatch(m.start(), m.end(), int(a), int(b), None, "day_month"))
    for m in DD_SPACED.finditer(folded):
        dd = m.group(1) + m.group(2).replace(" ", "")
        d, mo, y = int(dd[:2]), int(dd[2:4]), int(dd[4:])
        if not _valid(d, mo, y) and _valid(mo, d, y):  # "03 1 8 2 0 2 1": month first (imported forms)
            d, mo = mo, d
        if _valid(d, mo, y):
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "compact"))
    for m in TEXTUAL.finditer(folded):
        day_s, day_w, mon, year_s, year_w = m.groups()
        mon_n = MONTHS[mon]
        if mon not in MONTH_FULL and not (day_s or year_s or day_w or year_w):
            continue  # bare abbreviations are too ambiguous ("pendant sept jours", "l'OCT maculaire")
        if mon in ("mars", "mai") and not (day_s or day_w or year_s or year_w) and not _MONTH_CONTEXT.search(folded, max(0, m.start() - 25), m.start()):
            continue  # "mars"/"mai" alone only after "en", "depuis", "début"...
        day = int(day_s) if day_s else (1 if day_w else None)
        year = _year(year_s) if year_s else (1900 if year_w else None)
        if not _valid(day, mon_n, year):
            continue
        end = m.end()
        if folded[end - 1:end] == "." and mon in MONTH_FULL and not (year_s or year_w):
            end -= 1  # "le 12 avril." : the period ends the sentence
        out.append(DateMatch(m.start(), end, day, mon_n, year, "spelled" if (day_w or year_w) else "textual"))
    for m in SPACE_SEP.finditer(folded):  # "le 03 02 2020"
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _valid(d, mo, y):
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "numeric"))
    for pat, order in ((ISO_COMPACT, "ymd"), (ISO_SPACED, "ymd"), (SHORT_SPACED, "dmy")):
        for m in pat.finditer(folded):
            a, b, c = (int(x) for x in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (_year(m.group(3)), b, a)
            if _valid(d, mo, y) and not _UNIT_AFTER.match(folded, m.end()):
                out.append(DateMatch(m.start(1), m.end(), d, mo, y, "iso" if order == "ymd" and pat is not ISO_COMPACT else ("numeric" if order == "dmy" else "isocompact")))
    for m in YEAR_MONTH.finditer(folded):
        out.append(DateMatch(m.start(), m.end(), None, int(m.group(2)), int(m.group(1)), "year_month"))
    for m in YEAR_RANGE.finditer(folded):
        out.append(DateMatch(m.start(1), m.end(1), None, None, int(m.group(1)), "year"))
        out.append(DateMatch(m.start(2), m.end(2), None, None, int(m.group(2)), "year"))
    for m in DAY_LIST.finditer(folded):
        d = int(m.group(1))
        if 1 <= d <= 31:
            out.append(DateMatch(m.start(1), m.end(1), d, None, None, "day"))
    for m in SPELLED_YEAR.finditer(folded):  # "en deux mille dix-sept"
        out.append(DateMatch(m.start(), m.end(), None, None, None, "spelled"))
    for m in WORD_DAY_NUMERIC.finditer(folded):  # "vingt-six 02 2012"
        mo, y = int(m.group(2)), int(m.group(3))
        if _valid(None, mo, y):
            out.append(DateMatch(m.start(), m.end(), None, mo, y, "spelled"))
    for m in MONTH_RANGE.finditer(folded):  # "de jan à fév 2007", "mars-avril 2005"
        out.append(DateMatch(m.start(1), m.end(1), None, MONTHS[m.group(1)], None, "textual"))
    for m in DAY_RANGE.finditer(folded):  # "du 18 au 29/03/2020"
        d = int(m.group(1))
        if 1 <= d <= 31:
            out.append(DateMatch(m.start(1), m.end(1), d, None, None, "day"))
    for m in DAY_TIME.finditer(folded):
        if 1 <= int(m.group(1)) <= 31:
            out.append(DateMatch(m.start(1), m.end(1), int(m.group(1)), None, None, "day"))
    for m in WEEKDAY_DAY.finditer(folded):
        out.append(DateMatch(m.start(), m.end(), int(m.group(1)), None, None, "weekday"))
    for m in SEASON_YEAR.finditer(folded):  # "l'été 2026": the season names the period
        out.append(DateMatch(m.start(), m.end(), None, None, int(m.group(1)), "season"))
    for m in YEAR.finditer(folded):
        if _UNIT_AFTER.match(folded, m.end()):
            continue
        y = int(m.group(1))
        if 1900 <= y <= 2040:
            out.append(DateMatch(m.start(), m.end(), None, None, y, "year"))
    for m in MONTH_FIRST.finditer(folded):
        mon = m.group(1)
        mo = MONTHS.get(mon) or _EN_MONTHS.get(mon) or {"september": 9, "november": 11}.get(mon)
        d, y = int(m.group(2)), int(m.group(3))
        if mo and _valid(d, mo, y):  # an English month is not rewritten by the shift: the caller falls back
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "textual" if mon in MONTHS else "english"))
    for m in MONTH_FIRST_ORDINAL.finditer(folded):  # "on July 20th"
        mo = _EN_MONTHS.get(m.group(1)) or {"september": 9, "november": 11}.get(m.group(1))
        if mo and _valid(int(m.group(2)), mo, None):
            out.append(DateMatch(m.start(), m.end(), int(m.group(2)), mo, None, "english"))
    for m in EN_DAY_FIRST.finditer(folded):
        mon = m.group(2)
        if mon in MONTHS and mon not in ("march", "sept"):  # French forms are TEXTUAL's ("3 mars", "12 oct")
            continue
        mo = _EN_MONTHS.get(mon) or _EN_MONTH_ABBR.get(mon) or {"september": 9, "november": 11}.get(mon)
        d, y = int(m.group(1)), int(m.group(3)) if m.group(3) else None
        if mo and _valid(d, mo, y) and (y or len(mon) > 3 or not m.group(0)[len(m.group(1)):].startswith(" ")):
            out.append(DateMatch(m.start(), m.end(), d, mo, y, "english"))
    for d in short:  # "C1 3/4/19 C2 1/7/19 C3 2/8 C4 16/09": a short day/month in a run of dates
        if any(0 <= d.start - o.end <= 12 or 0 <= o.start - d.end <= 12 for o in out if o.kind != "year"):
            out.append(d)
    legal = [(d.start, d.end) for d in out if _LEGAL_BEFORE.search(folded, max(0, d.start - 40), d.start)]
    legal += [m.span() for m in CITATION.finditer(folded)]
    if legal:
        out = [d for d in out if not any(b < d.end and d.start < e for b, e in legal)]
    for d in out:
        q = _QUALIFIER_BEFORE.search(folded, max(0, d.start - 10), d.start)
        if q and d.kind in ("textual", "year", "month_year"):
            d.start = q.start()
        w = _WEEKDAY_BEFORE.search(folded, max(0, d.start - 12), d.start) or _WEEKDAY_ABBR_BEFORE.search(folded, max(0, d.start - 12), d.start)
        if w:  # "lundi 12/03/2024": the weekday is part of the date
            d.start = w.start()
    out.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[DateMatch] = []
    last_end = -1
    for d in sorted(out, key=lambda d: (-(d.end - d.start), d.start)):
        if any(d.start < k.end and k.start < d.end for k in kept):
            continue
        kept.append(d)
    del last_end
    kept.sort(key=lambda d: d.start)
    return kept


# --- format-preserving shift ------------------------------------------------------------

_NUM_PARTS = re.compile(r"\d+")


def shift_date_text(original: str, match: DateMatch, days: int) -> str | None:
    """Rewrite ``original`` (the matched surface) shifted by ``days``, keeping its format:
    separators, zero padding, 2/4-digit year, month spelled or abbreviated, capitalisation.
    A weekday written with the date ("lundi 12/03/2024", "mardi 5 mars") is recomputed: the
    shifted date's own weekday when the year is known, else the written weekday moved by the
    shift; a kept weekday would tell the shift modulo 7. Returns None when the date is too
    partial to shift exactly (caller falls back)."""
    out = _shift_date_text(original, match, days)
    if out is None:
        return None
    wd = _WEEKDAY_TOKEN.search(out)
    if not wd:
        return out
    tok = wd.group(1)
    old = _plain(tok)
    if old not in WEEKDAYS:
        return out
    if match.day and match.month and match.year:
        new = _shift(match.day, match.month, match.year, days)
        idx = new.weekday() if new is not None else (WEEKDAYS.index(old) + days) % 7
    else:
        idx = (WEEKDAYS.index(old) + days) % 7
    name = WEEKDAYS[idx]
    name = name.upper() if tok.isupper() else (name.capitalize() if tok[:1].isupper() else name)
    return out[: wd.start()] + name + out[wd.end():]


def _shift_date_text(original: str, match: DateMatch, days: int) -> str | None:
    d, mo, y = match.day, match.month, match.year
    k = match.kind
    if k == "iso" and d and mo and y:
        new = _shift(d, mo, y, days)
        return None if new is None else _replace_numbers(original, list(_NUM_PARTS.finditer(original)), [new.year, new.month, new.day])
    if k == "day" and d:  # "du 12 au 15 mars", "les 3, 4 et 5 mars": the month is in the next date;
        # a day moved by the shift within a 28-day cycle keeps the form (not the exact interval)
        return f"{(d - 1 + days) % 28 + 1:0{len(original.strip())}d}" if original.strip().isdigit() else None
    if k == "isocompact" and d and mo and y:
        new = _shift(d, mo, y, days)
        return None if new is None else f"{new.year:04d}{new.month:02d}{new.day:02d}"
    if k == "year_month" and mo and y:
        new = _shift(15, mo, y, days)
        return None if new is None else _replace_numbers(original, list(_NUM_PARTS.finditer(original)), [new.year, new.month])
    if k in ("numeric", "compact") and d and mo and y:
        new = _shift(d, mo, y, days)
        if new is None:
            return None
        nums = list(_NUM_PARTS.finditer(original))
        if k == "compact":
            digits = f"{new.day:02d}{new.month:02d}{new.year:04d}"
            return " ".join(digits) if " " in original else digits
        vals = [new.day, new.month, new.year]
        return _replace_numbers(original, nums, vals)
    if k == "month_year" and mo and y:
        new = _shift(15, mo, y, days)
        if new is None:
            return None
        return _replace_numbers(original, list(_NUM_PARTS.finditer(original)), [new.month, new.year])
    if k == "day_month" and d and mo:
        new = _shift(d, mo, 2001, days)  # non-leap reference year
        if new is None:
            return None
        return _replace_numbers(original, list(_NUM_PARTS.finditer(original)), [new.day, new.month])
    if k == "year" and y:
        new = _shift(1, 7, y, days)
        # keep a qualifier or weekday around the year ("fin 2025" → "fin 2024")
        return None if new is None else _replace_numbers(original, list(_NUM_PARTS.finditer(original))[-1:], [new.year])
    if k == "textual" and mo:
        new = _shift(d or 15, mo, y or 2001, days)
        if new is None:
            return None
        return _rewrite_textual(original, new, has_day=d is not None, has_year=y is not None)
    return None


def _shift(d: int, m: int, y: int, days: int) -> dt.date | None:
    try:
        return dt.date(y, m, min(d, 28) if d > 28 else d) + dt.timedelta(days=days) if d <= 28 else _safe(d, m, y, days)
    except ValueError:
        return None


def _safe(d: int, m: int, y: int, days: int) -> dt.date | None:
    try:
        return dt.date(y, m, d) + dt.timedelta(days=days)
    except ValueError:
        return None


def _replace_numbers(original: str, nums: list[re.Match], vals: list[int]) -> str:
    parts, pos = [], 0
    for m, v in zip(nums, vals):
        width = len(m.group(0))
        if width == 2 and v >= 100:
            s = f"{v % 100:02d}"
        elif width >= 2:
            s = f"{v:0{width}d}"
        else:
            s = str(v)
        parts.append(original[pos:m.start()])
        parts.append(s)
        pos = m.end()
    parts.append(original[pos:])
    return "".join(parts)


_MONTH_TOKEN = re.compile(rf"(?i)(?<![^\W\d_])({'|'.join(sorted([*MONTHS, *MONTH_NAMES, 'févr', 'déc'], key=len, reverse=True))})(?![^\W\d_])")
_WEEKDAY_TOKEN = re.compile(rf"(?i)\b({'|'.join(WEEKDAYS)})\b")


def _rewrite_textual(original: str, new: dt.date, *, has_day: bool, has_year: bool) -> str:
    s = original
    mm = _MONTH_TOKEN.search(s)
    if mm:
        tok = mm.group(1)
        full = MONTH_NAMES[new.month - 1]
        repl = full[: len(tok)] if len(tok) < 4 or tok.rstrip(".").lower() != tok.lower() or len(tok) < len(MONTH_NAMES[MONTHS.get(_plain(tok), 1) - 1]) else full
        if len(tok) < len(MONTH_NAMES[MONTHS.get(_plain(tok), 1) - 1]):
            repl = full[: max(3, len(tok))]
        repl = repl.upper() if tok.isupper() else (repl.capitalize() if tok[:1].isupper() else repl)
        s = s[: mm.start()] + repl + s[mm.end():]
    nums = list(_NUM_PARTS.finditer(s))
    vals: list[int] = []
    if has_day:
        vals.append(new.day)
    if has_year:
        vals.append(new.year)
    if len(nums) == len(vals):
        s = _replace_numbers(s, nums, vals)
    wd = _WEEKDAY_TOKEN.search(s)
    if wd and has_year:
        name = WEEKDAYS[new.weekday()]
        tok = wd.group(1)
        name = name.upper() if tok.isupper() else (name.capitalize() if tok[:1].isupper() else name)
        s = s[: wd.start()] + name + s[wd.end():]
    return s


def _plain(tok: str) -> str:
    from partages.deid.text import fold

    return fold(tok).rstrip(".")
