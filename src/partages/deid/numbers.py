"""Identifiers with a fixed shape: phones, e-mails, NIR, RPPS, FINESS, IPP/NDA.

Checksums come from ``python-stdnum`` (NIR incl. Corsica 2A/2B, Luhn for RPPS and FINESS). A
number that has the shape but a wrong key is still redacted when its context names it
("NIR", "n° sécu"...): a typo in a real NIR is still a real person's identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from partages.deid.spans import Span

# typed with spaces around "@" and "." ("tlabelle @ medimail . com")
EMAIL_SPACED = re.compile(r"(?<![\w.+-])[\w.+-]+ ?(?:@|\(at\)|\[at\]) ?[\w-]+(?: ?\. ?[\w-]+)*? ?\. ?(?:com|fr|org|net|eu|be|ch|info|gouv\.fr)(?![\w])", re.I)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w])", re.I)
# an address cut short or written for an internal mail system: "abarasse.jl@fr", "j.dupont@chu"
EMAIL_NO_TLD = re.compile(r"(?<![\w.+-])[A-Za-z][\w+-]*\.[\w.+-]+@[A-Za-z][\w-]{1,30}(?![\w.@])")

# French numbers: 0X XX XX XX XX in any grouping/separators, +33 (0)X, 0033, overseas +262/590/594/596/687/689...
PHONE = re.compile(
    r"(?<![\d+])(?:\(33\)\s?(?:\(0\)\s?)?0?\d(?:[\s.\-]?\d){8}|(?:\+|00)\s?(?:33|32|41|352|262|269|508|590|594|596|687|689|681)\s?(?:\(0\)\s?)?\d(?:[\s.\-]?\d){7,8}|0[1-9](?:[\s.\-/]?\d){8})(?![\d])"
)
_DIGIT_SEP = re.compile(r"\d[.,/]")
_WELL_FORMED_PHONE = re.compile(r"0\d(?:([\s.\-])\d\d(?:\1\d\d){3}|\d{8})")
_SLASH_PHONE = re.compile(r"0[1-9](?:/\d\d){4}")
PHONE_EXT = re.compile(r"(?i)(?:poste|ext\.?|extension|bip(?:[ \t]+(?:interne|de\s+garde))?[ \t]*:?|dect|joignables?\s+au|t[ée]l\.?\s*:?|standard\s*:?|(?<=\d\d[ \t])p\.)\s*(\d{4,5}|\d{2}[ .]\d{2,3}|\d(?:[ .]\d{2}){2})(?![\d]|[ .]\d)|(?i:poste)\s*(\d{2,3})(?![\d]|[ .,]\d)")
NIR_SHAPE = re.compile(r"(?<![\dA-Za-z])([12378](?:\s?\d){4}\s?(?:\d\s?[\dAB]|2\s?[AB])(?:\s?\d){6}(?:\s?\d{2}|\s?\d\s?\d)?)(?![\d])", re.I)
NIR_LOOSE = re.compile(r"(?<![\w])([12]\d{12,14}|[12](?: \d){12,14}|[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}(?: ?\d{2})?)(?![\w])")
NIR_GROUPED = re.compile(r"(?<![\d.,])([12](?:[ .]?\d){14})(?![\d]|[.,]\d)")
NIR_AFTER_CONTEXT = re.compile(r"(?i)(?:nir|n°\s*(?:de\s+)?s[ée]cu(?:rit[ée] sociale)?|num[ée]ro de s[ée]curit[ée] sociale|s[ée]curit[ée] sociale|immatriculation)\s*(?:n°|:)?\s*:?\s*([12][\d ]{7,22}\d)")
NIR_CONTEXT = re.compile(r"(?i)(?:nir|s[ée]cu|s[ée]curit[ée] sociale|insee|immatriculation|n°\s*ss|\bss\b|assur[ée])")
ELEVEN = re.compile(r"(?<![\d])(\d(?:[ \t]?\d){10})(?![\d])")  # never across a line break
NINE = re.compile(r"(?<![\d])(\d{9})(?![\d])")
RPPS_CONTEXT = re.compile(r"(?i)(?:rpps|adeli|n°\s*prof)")
FINESS_CONTEXT = re.compile(r"(?i)finess")
# the number after an "RPPS"/"ADELI" label, whatever its length (mistyped or truncated): a
# health professional's identifier, not a patient number
# a prescriber's Assurance Maladie number: "N° AM 62 1 23456 7", "AM : 691234567"
AM_VALUE = re.compile(r"(?<![\w])(?:N[°º]\s*)?(?:AM|ADELI)\s*:?\s*(\d{2}\s?\d\s?\d{5}\s?\d)(?![\d])")
RPPS_VALUE = re.compile(r"(?i)(?:rpps|adeli)[ \t]*(?:n[°º])?[ \t]*:?[ \t]*(\d{8,11})(?![\d])")
# the number under a "N° FINESS" field label (8-9 digits, possibly typed digit by digit): it
# names the establishment (HOPITAL), it is not a patient number
FINESS_VALUE = re.compile(r"(?i)finess[ \t]*(?:n[°º])?[ \t]*:?[ \t]*\n?[ \t]*(\d(?: ?\d){7,8})(?![\d])")
LONG_NUMBER = re.compile(r"(?<![\w.,/])([A-Z]{0,2}\d{6,12})(?![\w/]|[.,]\d)")
ALNUM_ID = re.compile(r"(?<![\w.,/\-])((?=[A-Za-z]{0,6}\d)(?=\d*[A-Za-z])(?=(?:[A-Za-z]*\d){5})[A-Za-z0-9]{7,14})(?![\w/\-]|[.,]\d)")
PHONE_AREA = re.compile(r"(?<![\w])(?:\(0\d{3}\)[ \t]?\d{2}(?:[ .]?\d{2}){2}|\(\+\d{2,3}\)[ \t]?\d{2}(?:[ .]?\d{2}){2,4})(?![\d])")
PHONE_CONTEXT = re.compile(r"(?i)(?:t[ée]l[ée]phone|t[ée]l\.?|portable|mobile|fax|joignable|appeler|contacter)(?:\s+au)?\s*:?\s*(0\d(?:[\s.\-]?\d{2}){3,4}|[1-9](?:[\s.\-]\d{2}){4}|\(0[1-9]\)\s?\d{2}(?:[\s.\-]?\d{2}){3})(?!\d)")
# typed with the letter O for a zero ("O1.42.15.93.30", "01.42.16.10.O2"): still a phone number
PHONE_OCR = re.compile(r"(?<![\w+])([0O][1-9](?:[\s.\-]?[\dO]){8})(?![\w])")
# foreign numbers ("+49 30 5682001") and a country code in brackets before a national number
PHONE_INTL = re.compile(r"(?<![\w+])(?:\+\s?\d{2,3}(?:[\s.\-]?\(?\d\)?){7,12}|\(\d{2,3}\)\s?0[1-9](?:[\s.\-]?\d){8}"
                        r"|\(\d{3}\)[ .\-]?\d{3}[ .\-]\d{4}(?:[ .\-]\d{1,4}(?![\d/]))?)(?![\d])")  # North American "(205)-276-2043", extension


@dataclass
class IdPatterns:
    """Configurable IPP/NDA shapes (each hospital has its own). ``keyword`` patterns find the
    number after its label; ``bare`` says what an unlabelled long number defaults to."""

    ipp_keywords: list[str] = field(default_factory=lambda: [r"ipp", r"nip", r"n°\s*(?:de\s+)?patient", r"identifiant(?:\s+patient)?", r"n°\s*dossier\s+patient"])
    nda_keywords: list[str] = field(default_factory=lambda: [r"nda", r"n°\s*(?:de\s+)?s[ée]jour", r"n°\s*(?:de\s+)?venue", r"venue\s+n°", r"n[°º]\s*(?:de\s+)?dossier(?!\s+patient)", r"num[ée]ro\s+de\s+s[ée]jour", r"iep",
        r"(?:visite\s+)?dossier(?!\s+patient)", r"s[ée]jour(?=\s+[A-Z]{0,4}-?\d{2})", r"n[°º]\s*(?:de\s+)?passage", r"venue(?=\s+[A-Z]{0,6}-?\d)", r"n[°º]\s*de\s+dossier\s+administratif", r"n[°º]\s*de\s+(?:la\s+)?visite", r"s[ée]jour\s*(?=n[°º]|:)", r"venue\s*(?=:)", r"identifiant\s+d['’]hospitalisation(?:\s+est)?", r"n[°º]\s*d['’]hospitalisation"])
    value: str = (r"[A-Z]{1,6}[ \-]?\d{2,6}(?: \d{2,6}){1,4}(?![\w]|[ ]\d)|"  # "P 00218 449"
                  r"[A-Z]{0,6}[\s\-]?\d[\dA-Z\-]{3,14}(?:/\d{2,10})?|\d{2,4}(?: \d{2,4}){2,5}(?![ \d])")  # "2024/001234", "80 12 34 56 78", "HC-2611-08812"
    bare_label: str | None = "IPP"  # unlabelled 6-12 digit numbers (not phone/date/NIR): redact as this

    @classmethod
    def from_settings(cls, settings=None) -> IdPatterns:
        """Built-in shapes plus the hospital's own, from ``partages.yaml`` / ``PARTAGES_*``:
        ``deid_ipp_keywords`` / ``deid_nda_keywords`` (regexes of the label before the number,
        added to the built-in ones) and ``deid_id_value`` (regex of the number itself). A bad
        regex is a :class:`~partages.deid.errors.DeidConfigError` naming the setting."""
        if settings is None:
            from partages.config import get_settings

            settings = get_settings()
        p = cls()
        p.ipp_keywords = p.ipp_keywords + list(getattr(settings, "deid_ipp_keywords", None) or [])
        p.nda_keywords = p.nda_keywords + list(getattr(settings, "deid_nda_keywords", None) or [])
        if getattr(settings, "deid_id_value", None):
            p.value = settings.deid_id_value
        for name, pats in (("deid_ipp_keywords", p.ipp_keywords), ("deid_nda_keywords", p.nda_keywords), ("deid_id_value", [p.value])):
            for pat in pats:
                try:
                    re.compile(pat)
                except re.error as e:
                    from partages.deid.errors import DeidConfigError

                    raise DeidConfigError(f"setting {name}: invalid regular expression {pat!r} ({e})") from None
        return p

    def compiled(self) -> list[tuple[str, re.Pattern]]:
        out = []
        for label, kws in (("IPP", self.ipp_keywords), ("NDA", self.nda_keywords)):
            kw = "|".join(kws)
            out.append((label, re.compile(rf"(?i)(?<![\w])(?:{kw})\s*(?:n°|no|num[ée]ro)?\s*[:=#]?\s*({self.value})(?![\w])")))
        return out


def nir_is_valid(digits: str) -> bool:
    try:
        return stdnum_nir.is_valid(digits)
    except Exception:  # noqa: BLE001 - stdnum raises on exotic input
        return False


SPACED_RUN = re.compile(r"(?<![\d.,/])(?<!\d )(\d(?: \d){6,})(?! ?\d)")


def _ddmmyyyy(d: str) -> bool:
    return 1 <= int(d[:2]) <= 31 and 1 <= int(d[2:4]) <= 12 and 1880 <= int(d[4:]) <= 2100


def _spaced_runs(text: str, add) -> None:
    """Runs of single spaced digits ("2 9 1 4 2 5 6 5 4 1 1 5 2"): typed identifiers. A run
    of 8 that reads as a date is left to the date rules; 13-15 digits is a NIR; a NIR
    immediately followed by a date in the same run is split."""
    for m in SPACED_RUN.finditer(text):
        digits = m.group(1).replace(" ", "")
        n = len(digits)
        if n == 8:
            continue
        if n == 16 and _ddmmyyyy(digits[:8]) and _ddmmyyyy(digits[8:]):  # two spaced dates in a row
            cut = m.start(1) + 15
            add(Span(m.start(1), cut, "DATE", text[m.start(1):cut], "context"))
            add(Span(cut + 1, m.end(1), "DATE", text[cut + 1:m.end(1)], "context"))
            continue
        if n > 15 and n - 8 >= 13:
            cut = m.start(1) + 2 * (n - 8) - 1
            add(Span(m.start(1), cut, "SECU", text[m.start(1):cut], "context"))
            add(Span(cut + 1, m.end(1), "DATE", text[cut + 1:m.end(1)], "context"))
        elif 13 <= n <= 15:
            add(Span(m.start(1), m.end(1), "SECU", m.group(1), "context"))
        elif len(set(digits)) > 1:  # "2 2 2 2 2 2 2 2 2 2" is a placeholder, not an identifier
            add(Span(m.start(1), m.end(1), "IPP", m.group(1), "context"))


# serial/lot/version numbers of devices and drugs identify a thing, not a person
_DEVICE_CONTEXT = re.compile(r"(?i)(?:\bS/?N|\bs[ée]rie|\bserial|\blot|\bversion|\br[ée]f(?:[ée]rence)?\.?|\bmod[èe]le|\bUDI|"
                             r"\b(?:endoscope|appareil|olympus|pentax|fujinon|fujifilm|storz|sonde|dispositif)\b[^\n]{0,25}?|\bpoches?(?:\s+de\s+sang)?|\bplaques?|\bCGR|\bDM\b)\s*(?:n[°º]|no\.?)?\s*[:#]?\s*(?:\d[\dA-Z]*,\s*)*$")


# "G6P3023" (gravida/para), "100000U", "25000UI": obstetric formula and doses, not record numbers
_NOT_AN_ID = re.compile(r"(?i)G\d{1,2}P\d{1,6}|\d+(?:u|ui|mg|ml|g|kg|mcg|µg)")


# dictated phone numbers: "zéro six quarante deux dix-huit soixante et onze zéro trois"
_NUM_WORD = (r"(?:z[ée]ro|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingts?|trente|quarante|"
             r"cinquante|soixante|cents?|et)(?![\w])")
SPOKEN_PHONE = re.compile(rf"(?i)(?<![\w])z[ée]ro(?:[ \t\-]+{_NUM_WORD}){{5,}}")


def find_numbers(text: str, patterns: list[tuple[str, re.Pattern]], bare_label: str | None) -> list[Span]:
    spans: list[Span] = []
    add = spans.append
    for m in SPOKEN_PHONE.finditer(text):
        end = m.end() - (len(m.group(0)) - len(re.sub(r"(?i)[ \t\-]+et$", "", m.group(0))))
        add(Span(m.start(), end, "TEL", text[m.start():end], "rule"))
    long_runs = [m.span(1) for m in SPACED_RUN.finditer(text) if len(m.group(1)) > 29]  # > 15 spaced digits

    def inside_run(b: int, e: int) -> bool:
        return any(rb <= b and e <= re_ and (rb, re_) != (b, e) for rb, re_ in long_runs)

    for m in EMAIL.finditer(text):
        add(Span(m.start(), m.end(), "MAIL", m.group(0), "rule"))
    for m in EMAIL_NO_TLD.finditer(text):
        add(Span(m.start(), m.end(), "MAIL", m.group(0), "rule"))
    for m in EMAIL_SPACED.finditer(text):
        if " " in m.group(0) or "@" not in m.group(0):  # spaced or "(at)" / "[at]"
            add(Span(m.start(), m.end(), "MAIL", m.group(0), "rule"))
    _spaced_runs(text, add)
    for m in NIR_LOOSE.finditer(text):  # 13-15 digits starting 1/2: only a NIR looks like that
        raw = m.group(1)
        if 13 <= len(raw.replace(" ", "")) <= 15 and not inside_run(m.start(1), m.end(1)):
            add(Span(m.start(1), m.end(1), "SECU", raw, "checksum" if nir_is_valid(raw.replace(" ", "")) else "context"))
    for m in NIR_GROUPED.finditer(text):  # "29 241 876 532 98 90": any grouping
        compact = re.sub(r"[ .]", "", m.group(1))
        if nir_is_valid(compact):
            add(Span(m.start(1), m.end(1), "SECU", m.group(1), "checksum"))
        elif (" " in m.group(1) and "." not in m.group(1) and re.search(r"\d{3}", m.group(1))
              and not re.search(r"\d[ \t]$", text[max(0, m.start(1) - 2):m.start(1)]) and not re.match(r"[ \t]\d", text[m.end(1):m.end(1) + 2])):
            # 15 grouped digits starting with a NIR's sex digit but a wrong key: a mistyped NIR
            # is still somebody's NIR (no phone or lab value has 15 digits)
            add(Span(m.start(1), m.end(1), "SECU", m.group(1), "context"))
    for m in NIR_AFTER_CONTEXT.finditer(text):
        add(Span(m.start(1), m.end(1), "SECU", m.group(1), "context"))
    for m in NIR_SHAPE.finditer(text):
        raw = m.group(1)
        if long_runs and inside_run(m.start(1), m.end(1)):
            continue
        compact = re.sub(r"\s", "", raw).upper()
        if len(compact) == 15 and nir_is_valid(compact):
            add(Span(m.start(1), m.end(1), "SECU", raw, "checksum"))
        elif len(compact) in (13, 14, 15) and NIR_CONTEXT.search(text, max(0, m.start() - 60), m.start()):
            add(Span(m.start(1), m.end(1), "SECU", raw, "context"))
    for m in PHONE.finditer(text):
        if "/" in m.group(0) and not _SLASH_PHONE.fullmatch(m.group(0)):
            continue  # "12/03/2020-15/03/2020" is two dates, not "03/2020-15/03"
        before = text[max(0, m.start() - 2):m.start()]
        if _DIGIT_SEP.fullmatch(before) or (before[-1:] == " " and before[:1].isdigit() and not _WELL_FORMED_PHONE.fullmatch(m.group(0))):
            continue  # "12.03.2020 14.03.2020": starts inside a date, not "03.2020 14.03"
        add(Span(m.start(), m.end(), "TEL", m.group(0), "rule"))
    for m in PHONE_OCR.finditer(text):
        if "O" in m.group(1):
            add(Span(m.start(1), m.end(1), "TEL", m.group(1), "rule"))
    for m in PHONE_INTL.finditer(text):
        add(Span(m.start(), m.end(), "TEL", m.group(0), "rule"))
    for m in PHONE_CONTEXT.finditer(text):
        add(Span(m.start(1), m.end(1), "TEL", m.group(1), "context"))
    for m in PHONE_AREA.finditer(text):
        add(Span(m.start(), m.end(), "TEL", m.group(0), "rule"))
    for m in AM_VALUE.finditer(text):
        add(Span(m.start(1), m.end(1), "RPPS", m.group(1), "context"))
    for m in PHONE_EXT.finditer(text):
        g = 1 if m.group(1) else 2
        add(Span(m.start(g), m.end(g), "TEL", m.group(g), "context"))
    for m in ELEVEN.finditer(text):
        compact = re.sub(r"\s", "", m.group(1))
        ctx = RPPS_CONTEXT.search(text, max(0, m.start() - 40), m.start())
        if ctx or (compact.startswith("10") and luhn.is_valid(compact)):
            add(Span(m.start(1), m.end(1), "RPPS", m.group(1), "checksum" if luhn.is_valid(compact) else "context"))
    for m in NINE.finditer(text):
        if FINESS_CONTEXT.search(text[max(0, m.start() - 40):m.start()].rsplit("\n", 1)[-1]):  # same line only
            add(Span(m.start(1), m.end(1), "HOPITAL", m.group(1), "context"))  # FINESS names the establishment
    for m in RPPS_VALUE.finditer(text):
        add(Span(m.start(1), m.end(1), "RPPS", m.group(1), "context"))
    for m in FINESS_VALUE.finditer(text):
        add(Span(m.start(1), m.end(1), "HOPITAL", m.group(1), "context"))
    for label, pat in patterns:
        for m in pat.finditer(text):
            add(Span(m.start(1), m.end(1), label, m.group(1), "context"))
    if bare_label:
        for m in LONG_NUMBER.finditer(text):
            if not _DEVICE_CONTEXT.search(text, max(0, m.start() - 45), m.start()):
                add(Span(m.start(1), m.end(1), bare_label, m.group(1), "lexicon"))
        for m in ALNUM_ID.finditer(text):  # "28BG04493", "1204UZO201": record numbers with letters
            if _NOT_AN_ID.fullmatch(m.group(1)):
                continue
            if not _DEVICE_CONTEXT.search(text, max(0, m.start() - 45), m.start()):
                add(Span(m.start(1), m.end(1), bare_label, m.group(1), "lexicon"))
    return spans
