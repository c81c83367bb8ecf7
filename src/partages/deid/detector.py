"""Detection pipeline: rules → protect list → statistical tagger → propagation → spans, then
span-level fix-ups that need the neighbours: instrument data lines dropped, surname particles
joined ("X. Le Goff"), labels from the previous span (a full old date after a name → birth
date; a second number after the IPP in a table row → NDA).

One :class:`Detector` per process holds the lexicons and the tagger (loaded once, ~1 s); it is
then pure Python on strings, cheap enough for the corpus gate to run on every record.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from partages.deid.dates import find_dates
from partages.deid.names import find_names
from partages.deid.numbers import IdPatterns, find_numbers
from partages.deid.patient import find_patient, parse_birth_date
from partages.deid.places import find_places, towns_after_spans
from partages.deid.protect import FUNCTION_WORDS, UNIT_WORDS, abbreviation_keys, drug_words, find_protected
from partages.deid.resources import Lexicons, load_lexicons
from partages.deid.spans import Span, resolve
from partages.deid.tables import find_table_cells
from partages.deid.tagger import WEIGHTS_PATH, Tagger
from partages.deid.text import WORD_RE, fold, fold_key, ocr_digits

_NAME_LABELS = {"NOM", "PRENOM", "VILLE", "HOPITAL"}
_BIRTH_CONTEXT = re.compile(
    r"(?:\bne\b|\bnee\b|\bne\(e\)|naissance|\bddn\b|\bdn\b|\bnaiss\.?|\bnais\b\.?|\bnait\b|\bne le\b|\bnee le\b|mise? au monde|date of birth|\bdob\b)[^\n]{0,12}$"
    r"|\|\s*[mfh]\s*\|\s*$"  # table row "NOM Prénom | F | 12/05/1973"
)
# a full date written right after a person's name ("DUPONT Jean, 12/03/1950") or after a NIR
# in an identity line is the birth date
_BIRTH_AFTER = re.compile(r"^[ \t]*,?[ \t]*(?:\|[ \t]*[MFH][ \t]*\|[ \t]*)?$")
# a second unlabelled number after the IPP in a table row is the stay number (NDA)
_ROW_GAP = re.compile(r"^[ \t]*[|;][ \t]*$")
_AGE_AFTER = re.compile(r"\s*\(?\s*\d{1,3}\s*ans\b")
_TITLE_KEYS = {"mme", "mlle", "madame", "monsieur", "mademoiselle", "docteur", "professeur", "melle"}
_CITY_GAP = re.compile(r"[ \t\-]*\n?[ \t]*$")
_COMMUNE_STARTS = {"st", "ste", "saint", "sainte", "la", "le", "les", "l"}
_MERGE_GAP = re.compile(r"^[ \t\-]?$")


@dataclass
class DetectorConfig:
    data_dir: Path | None = None
    id_patterns: IdPatterns | None = None  # None: built-in shapes + the deid_* settings (partages.yaml / PARTAGES_*)
    use_model: bool = True
    propagate: bool = True  # a name found once is redacted everywhere in the document


class Detector:
    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        data_dir = self.config.data_dir
        if data_dir is None:
            from partages.config import get_settings

            data_dir = get_settings().data_dir
        if data_dir is None:
            from partages.deid.errors import DeidDataError

            raise DeidDataError("No reference data folder: set PARTAGES_DATA_DIR (fr_names, fr_geo, bdpm).")
        self.lx: Lexicons = load_lexicons(str(data_dir))
        self.drugs = drug_words(self.lx)
        self.abbrev = abbreviation_keys()
        self.stop = set(self.abbrev) | set(self.drugs)
        if self.config.id_patterns is None:
            self.config.id_patterns = IdPatterns.from_settings()
        self.id_regexes = self.config.id_patterns.compiled()
        self.tagger = Tagger.load(WEIGHTS_PATH) if self.config.use_model and WEIGHTS_PATH.exists() else None

    # -- helpers -------------------------------------------------------------------------
    def _protected_token(self, w: str) -> bool:
        k = fold_key(w.rstrip("."))
        if k in self.drugs or k in UNIT_WORDS or k in _QUALIFIERS or (k in _NEVER_CANDIDATES and not w.isupper()) or (w.isupper() and k in _HEADING_WORDS):
            return True  # "Gy", "UI": units (function words are judged on whole spans, see _function_or_unit)
        return w.isupper() and k in self.abbrev

    def detect(self, text: str, patient: dict | None = None) -> list[Span]:
        if not text:
            return []
        original = text
        text = _LEADERS.sub(lambda m: " " * len(m.group(0)), text)  # "PRÉNOM(S) ........ : Christelle"
        text = ocr_digits(text)  # a scanned fax: "O5 62 42 l4 OO", "né le O3/O7/l948"
        spans = self._detect(text, patient)
        if text is original:
            return spans
        return [s if original[s.start:s.end] == s.text else Span(s.start, s.end, s.label, original[s.start:s.end], s.source) for s in spans]

    def _detect(self, text: str, patient: dict | None = None) -> list[Span]:
        folded = fold(text)
        lx = self.lx
        spans: list[Span] = find_numbers(text, self.id_regexes, self.config.id_patterns.bare_label)
        birth = parse_birth_date(str(patient.get("date_naissance"))) if patient and patient.get("date_naissance") else None
        for d in find_dates(folded):
            label = "DATE"
            source = "rule"
            if birth and (d.day, d.month, d.year) == birth:
                label, source = "DATE_NAISSANCE", "patient"
            elif _BIRTH_CONTEXT.search(folded, max(0, d.start - 30), d.start) or (d.year and d.day and _AGE_AFTER.match(folded, d.end)):
                label = "DATE_NAISSANCE"
            spans.append(Span(d.start, d.end, label, text[d.start:d.end], source))
        spans += find_places(text, lx)
        spans += find_names(text, lx, self.stop)
        spans += find_table_cells(text)
        known: list[Span] = find_patient(text, folded, patient) if patient else []
        spans += known

        phrases, words = find_protected(text)
        protected = phrases + words
        spans = [s for s in spans if not self._is_protected(s, phrases, words)]
        spans = resolve(spans)

        if self.tagger is not None:
            mask = bytearray(len(text) + 1)
            for b, e in [(s.start, s.end) for s in spans] + protected:
                mask[b:e] = b"\x01" * (e - b)

            def skip(b: int, e: int, w: str) -> bool:
                return mask.find(1, b, e) != -1 or self._protected_token(w)

            villes: list[list[int]] = []
            for b, e, lab in self.tagger.tag(text, lx, skip):
                if lab == "VILLE":  # judged once the tagger's pieces of one name are joined
                    if villes and _CITY_GAP.match(text, villes[-1][1], b):
                        villes[-1][1] = e
                    else:
                        villes.append([b, e])
                    continue
                w = text[b:e]
                if lab in ("NOM", "PRENOM") and w.isupper() and fold_key(w) in lx.common_words and fold_key(w) not in lx.last_names and fold_key(w) not in lx.first_names:
                    continue  # "2E TRIMESTRE": a heading word in capitals
                spans.append(Span(b, e, lab, w, "model"))
            spans += [Span(b, e, "VILLE", text[b:e], "model") for b, e in villes if self._plausible_commune(text[b:e])]
        spans += towns_after_spans(text, resolve(spans), lx)
        spans = _address_blocks(text, spans)
        spans = _drop_lone_acronyms(text, spans)
        if self.config.propagate:
            spans += self._propagate(text, folded, spans, protected)
        spans = resolve(spans)
        spans = _drop_on_data_lines(text, spans)
        spans = _drop_author_lists(text, spans)
        spans = [s for s in spans if not (s.label in _NAME_LABELS and s.source != "patient" and (
            (s.label in ("NOM", "PRENOM") and _MEDICAL_WORD.match(s.text) and fold_key(s.text) not in lx.last_names) or (_function_or_unit(s.text) and not _NEXT_CAPITAL.match(text, s.end))))]
        return _keep_known(text, _whole_id_tokens(text, _relabel(text, _merge(text, _extend_particles(text, spans)))), known)

    def _plausible_commune(self, name: str) -> bool:
        """The tagger's VILLE guesses on unseen layouts are mostly products, journals and
        headings ("GELSUR", "European LeukemiaNet"); keep those that are a known commune or
        read like a compound commune name ("St Ciers Sur ...", "La ...")."""
        words = name.split()
        if fold_key(name) in self.lx.communes:
            return True
        return len(words) >= 2 and fold_key(words[0]) in _COMMUNE_STARTS

    def _is_protected(self, s: Span, phrases: list[tuple[int, int]], words: list[tuple[int, int]]) -> bool:
        if s.label not in _NAME_LABELS or s.source == "patient":
            return False
        if s.source != "rule" and self._protected_token(s.text):
            return True
        if any(b < s.end and s.start < e for b, e in phrases):
            return True
        return s.source not in ("context", "rule") and any(b < s.end and s.start < e for b, e in words)

    def _propagate(self, text: str, folded: str, spans: list[Span], protected: list[tuple[int, int]]) -> list[Span]:
        keys: dict[str, str] = {}
        for s in spans:
            if s.label in ("NOM", "PRENOM") and len(s.text) >= 3 and s.text[:1].isupper() and fold_key(s.text) not in _TITLE_KEYS:
                k = fold(s.text)
                if fold_key(s.text) not in self.lx.common_words or s.source in ("patient", "context"):
                    keys.setdefault(k, s.label)
        if not keys:
            return []
        mask = bytearray(len(text) + 1)
        for pb, pe in protected:
            mask[pb:pe] = b"\x01" * (pe - pb)
        out = []
        for m in WORD_RE.finditer(folded):  # whole words only: one dict lookup per word
            lab = keys.get(m.group(0))
            if lab is None:
                continue
            b, e = m.span()
            if text[b:b + 1].isupper() and mask.find(1, b, e) == -1:
                out.append(Span(b, e, lab, text[b:e], "lexicon"))
        return out


# a Vancouver author list ("Estey EH, Amadori S, Appelbaum FR, ...") followed by a journal
# reference names authors of a publication, not people of the note
# "Dupont J, Martin P, ..." and "J. Dupont, P.-A. MARTIN, ..." (initials first, as in books)
_AUTHORS = re.compile(r"(?:[A-ZÀ-Ý][\w'’]*(?:-\n?[A-ZÀ-Ý][\w'’]*)?[ \t]+[A-Z]{1,3}[ \t]*[,;][ \t]*\n?[ \t]*){4,}"
                      r"|(?:(?:[A-Z]\.(?:-?[A-Z]\.)*|[A-Z][a-z]+)[ \t]+[A-ZÀ-Ý][\w'’\-]+[ \t]*,[ \t]*\n?[ \t]*(?:[A-ZÀ-Ý]\.,[ \t]*)?){3,}"
                      r"(?:(?:[A-Z]\.(?:-?[A-Z]\.)*|[A-Z][a-z]+)[ \t]+[A-ZÀ-Ý][\w'’\-]+)?")
_JOURNAL_REF = re.compile(r"\bet al\b|\b(?:19|20)\d\d(?:\s+[A-Z][a-z]{2}(?:\s+\d{1,2})?)?\s*;\s*\d+|\bdoi\b|\bPMID\b"
                          r"|\b(?:\d+(?:st|nd|rd|th)\s+edition\b|verlag\b|university\s+press\b|eds?\.|vol\.\s*\d|pp\.\s*\d)", re.I)


# medical words that look like a surname in capitals ("C. NEPHROPATIE", "CARDIOLOGIE")
_MEDICAL_WORD = re.compile(r"(?i)^[a-zà-ÿ\-]{4,}(?:pathie|patie|graphie|scopie|ectomie|otomie|ostomie|logie|emie|émie|urie|algie|plastie|therapie|thérapie)$")


_LOWER_WORD_BEFORE = re.compile(r"(?:(?:^|[\s'’(])(?:[a-zà-ÿ]+|L[ae]s?|Une?|Des|Du|De)['’\s]+|\()$")


_ZIP_LINE = re.compile(r"[ \t]*(?:\d{5}|\d{2} \d{3})[ \t]+[A-ZÉÈ]")
_NOT_ADDRESS_LINE = re.compile(r"(?i):|\b(?:dr|pr|docteur|professeur|m|mme|mlle|monsieur|madame|adresse|destinataires?|copie|patient|patiente|service|unit[ée]|p[ôo]le|d[ée]partement|secr[ée]tariat|cabinet|"
                               r"centre|clinique|h[ôo]pital|hospitali\w*|groupe|direction|maison|sant[ée]|chu|ch|ehpad|ssr|had|pharmacie|laboratoire|m[ée]decin\w*|\w+logi[ea]s?|urgences|affaires)\b\.?")


def _address_blocks(text: str, spans: list[Span]) -> list[Span]:
    """Street parts that carry no street word, found once every other span is known:
    :func:`_lines_above_zip` and :func:`_address_field_values`."""
    return _segments_before_address(text, _address_field_values(text, _lines_above_zip(text, spans)))


# "— Les Arcades, 17 boulevard Jean Jaurès —", "domicile, La Grande Métairie, 34240 Kembs": a
# capitalised segment of the same line right before a street or before "ZIP Town"
_SEGMENT_BEFORE = re.compile(r"(?:^|(?<=[—–:;(,])|(?<=[ \t]-))[ \t]*([A-ZÉÈÀÂ][^\n,;:—–()\d]{2,45}?)(?:,|[ \t][-–—])[ \t]*$", re.M)


def _segments_before_address(text: str, spans: list[Span]) -> list[Span]:
    out = list(spans)
    for a in [s for s in spans if s.label == "ADRESSE" or (s.label == "ZIP" and text[text.rfind("\n", 0, s.start) + 1:s.start].rstrip().endswith((",", "-", "–", "—")))]:
        line_start = text.rfind("\n", 0, a.start) + 1
        m = _SEGMENT_BEFORE.search(text, line_start, a.start)
        if not m or m.end() != a.start and text[m.end():a.start].strip():
            continue
        seg = m.group(1).rstrip()
        b, e = m.start(1), m.start(1) + len(seg)
        if len(seg.split()) > 6 or _NOT_ADDRESS_LINE.search(seg) or any(s.start < e and b < s.end for s in out) \
                or any(w[:1].islower() and w not in _PLACE_LINKS for w in seg.split()):
            continue  # a place or building name: capitalised words and links only ("Hôtel du Parc")
        if a.label == "ZIP" and not _LOCALITY_WORDS.search(seg) and seg[:2] not in ("La", "Le"):
            continue  # "…, Dupont, 75013 Paris": only a place-like segment before a postcode
        out.append(Span(b, e, "ADRESSE", seg, "context"))
    return out


_PLACE_LINKS = {"de", "du", "des", "la", "le", "les", "d'", "l'", "sur", "sous", "en", "et", "à", "au", "aux"}
_LOCALITY_WORDS = re.compile(r"(?i)\b(?:lieu-?dit|hameau|ferme|mas|domaine|ch[âa]teau|moulin|m[ée]tairie|bourg|quartier|cit[ée]|r[ée]sidence|lotissement|village|maison|villa|b[âa]t(?:iment)?\.?|immeuble|tour|les?\s+[A-ZÉ])\b")


def _lines_above_zip(text: str, spans: list[Span]) -> list[Span]:
    """In an address block, the lines right above "ZIP Town" are the street part even without a
    street word ("Le Moulin de Chabans", "Le Bourg", "La Croix Blanche⏎Lieu-dit Kerlosquet"): up
    to three lines, each one ADRESSE span, stopping at a line that names a person, a service or
    an establishment, or that is a field label."""
    out = list(spans)
    for z in [s for s in spans if s.label == "ZIP"]:
        line_start = text.rfind("\n", 0, z.start) + 1
        if line_start == 0 or text[line_start:z.start].strip() or not _ZIP_LINE.match(text, line_start):
            continue  # the postcode must open its line, under another line
        end = line_start - 1
        for _ in range(3):
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end]
            stripped = line.strip().rstrip(",")
            if not stripped or len(stripped.split()) > 8 or not (stripped[:1].isupper() or stripped[:1].isdigit()) or _NOT_ADDRESS_LINE.search(stripped):
                break
            b = start + len(line) - len(line.lstrip())
            e = b + len(stripped)
            inside = [s for s in out if b <= s.start and s.end <= e]
            if any(s.start < e and b < s.end and not (b <= s.start and s.end <= e) for s in out):
                break
            if any(s.label in ("TEL", "MAIL", "DATE", "SECU", "IPP", "NDA", "RPPS") for s in inside):
                break
            if not any(s.label == "ADRESSE" and s.start == b and s.end == e for s in inside):
                out = [s for s in out if s not in inside] + [Span(b, e, "ADRESSE", stripped, "context")]
            if start == 0:
                break
            end = start - 1
    return out


def _address_field_values(text: str, spans: list[Span]) -> list[Span]:
    """The value of an "Adresse … :" / "domiciliée" field before its postcode ("Adresse : Les
    Hauts de Fonlabour, 69290 Plérin"): one ADRESSE span replacing the pieces inside it."""
    out = list(spans)
    for m in _ADDRESS_FIELD.finditer(text):
        value = m.group(1).rstrip(" ,;")
        b, e = m.start(1), m.start(1) + len(value)
        town = next((s for s in out if s.label == "VILLE" and b < s.start and s.end == e and text[b:s.start].rstrip().endswith(",")), None)
        if town:  # "Lieu-dit Kerbrat, Plouay 56240": the town keeps its own span
            value = text[b:town.start].rstrip(" ,")
            e = b + len(value)
        if e <= b or _NOT_ADDRESS_LINE.search(value) or "\n" in value:
            continue
        over = [s for s in out if s.start < e and b < s.end]
        if any(s.label not in ("ADRESSE", "VILLE", "NOM", "PRENOM") or s.start < b or s.end > e for s in over):
            continue  # a number, a date... or a span running past the field: leave it
        if over and all(s.label == "VILLE" for s in over) and len(over) == 1 and over[0].start == b and over[0].end == e:
            continue  # "Domicile : Lyon, 69003": the value is the town
        out = [s for s in out if s not in over] + [Span(b, e, "ADRESSE", text[b:e], "context")]
    return out


_ADDRESS_FIELD = re.compile(r"(?im)(?:(?:adresse(?:[ \t]+[a-zé'’]+\b){0,4}|domicile)[ \t]*[:|\t][ \t]*|(?:demeurant|domicili[ée]e?)(?:[ \t]+(?:au|à))?[ \t]*:?[ \t]+)"
                            r"([^\n:|]{3,80}?)(?=[ \t]*,?[ \t]*\n?[ \t]*\d{5}\b)")


# greetings, page headers and establishment qualifiers are never names for the tagger (title
# case); document headings in capitals neither ("COMPTE RENDU", "CARNET DE VACCINATION")
_NEVER_CANDIDATES = frozenset("bonjour bonsoir salut merci cordialement page centre clinique hopital maternite institut".split())
_QUALIFIERS = frozenset("prive privee public publique universitaire universitaires regional intercommunal departemental militaire mutualiste "
                        "pluriprofessionnelle civils".split())
_HEADING_WORDS = frozenset("compte rendu carnet lettre courrier ordonnance certificat bilan synthese conclusion examen resultats "
                           "consultation hospitalisation sortie entree identite prescription".split())


# dot, ellipsis or underscore leaders between a form label and its value: never part of a value
_LEADERS = re.compile(r"(?:\.[ \t]?){3,}|…{2,}|_{3,}")
_ID_GLUE = re.compile(r"[A-Za-z0-9](?:[-/_]?[A-Za-z0-9])*")


def _whole_id_tokens(text: str, spans: list[Span]) -> list[Span]:
    """A record number is redacted as the whole token it sits in: "IPP00587412", "E26-0483125",
    "L261127-0412" (prefix letters and hyphenated parts are part of the number as written)."""
    out = []
    for s in spans:
        if s.label in ("IPP", "NDA"):
            b, e = s.start, s.end
            m = _ID_GLUE.match(text, _id_token_start(text, b))
            if m and m.start() <= b and m.end() >= e and (m.start() < b or m.end() > e):
                b, e = m.start(), m.end()
                s = Span(b, e, s.label, text[b:e], s.source)
        out.append(s)
    return out


def _id_token_start(text: str, i: int) -> int:
    while i > 0 and (text[i - 1].isascii() and text[i - 1].isalnum() or (text[i - 1] in "-/_" and i > 1 and text[i - 2].isascii() and text[i - 2].isalnum())):
        i -= 1
    return i


def _keep_known(text: str, spans: list[Span], known: list[Span]) -> list[Span]:
    """The caller's known identifiers are always redacted: any part of one that the other rules
    left visible (a longer overlapping span won the resolution, a filter dropped it) comes back."""
    if not known:
        return spans
    covered = bytearray(len(text) + 1)
    for s in spans:
        covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    extra = []
    for k in known:
        b = k.start
        while b < k.end:
            if covered[b]:
                b += 1
                continue
            e = b
            while e < k.end and not covered[e]:
                e += 1
            piece = text[b:e]
            lead = len(piece) - len(piece.lstrip(" \t\n-'’.,"))
            piece = piece.strip(" \t\n-'’.,")
            if piece:
                extra.append(Span(b + lead, b + lead + len(piece), k.label, piece, "patient"))
                covered[b:e] = b"\x01" * (e - b)
            b = e
    return sorted(spans + extra, key=lambda s: s.start) if extra else spans


def _drop_lone_acronyms(text: str, spans: list[Span]) -> list[Span]:
    """"méthode ELISA", "la PIO", "des OGE", "type CHOP": a short word in capitals that only
    the lexicon or the tagger took for a name, with no other name next to it, is an acronym.
    "Mme MARIE Claire" keeps MARIE (a neighbour name span); titled names come from rules.
    Also drops one- or two-letter communes guessed from context ("en Y inversé")."""
    names = sorted((s for s in spans if s.label in ("NOM", "PRENOM")), key=lambda s: s.start)
    out = []
    for s in spans:
        if s.label in ("NOM", "PRENOM", "HOPITAL") and s.source in ("lexicon", "model") and s.text.isalpha() and s.text.isupper() and len(s.text) <= 5:
            if not any(o is not s and (0 <= s.start - o.end <= 3 or 0 <= o.start - s.end <= 3) for o in names) and _LOWER_WORD_BEFORE.search(text, max(0, s.start - 20), s.start):
                continue  # mid-sentence after a lower-case word: an acronym ("la PIO"), not "SANTI, COLOMBE" in a list
        if s.label == "VILLE" and s.source in ("context", "model", "lexicon") and len(s.text.strip()) <= 2:
            continue
        out.append(s)
    return out


_NEXT_CAPITAL = re.compile(r"[ \t]+[A-ZÉÈÀÂÎÔ]")  # "Le Jeune", "La Chapelle": a particle, kept for the next word


def _function_or_unit(span_text: str) -> bool:
    """"Il", "Le", "L'examen", "Gy", "UI": never a name or a place (the first word decides
    for "L'examen": an elided article before a common word)."""
    k = fold_key(span_text.rstrip("."))
    if k in FUNCTION_WORDS or k in UNIT_WORDS:
        return True
    return bool(re.match(r"(?i)[ldj]['’]", span_text)) and fold_key(span_text[2:]) in _COMMON_START


_COMMON_START = frozenset("examen echographie evolution etat abdomen aspect analyse anamnese interrogatoire intervention imagerie hospitalisation histologie".split())


def _drop_author_lists(text: str, spans: list[Span]) -> list[Span]:
    """Names inside a bibliographic author list (needs a journal reference within 400
    characters after it) are public authors: dropped, except the patient's own identifiers."""
    if not any(s.label in ("NOM", "PRENOM") for s in spans):
        return spans
    regions = [m.span() for m in _AUTHORS.finditer(text) if _JOURNAL_REF.search(text, m.end(), m.end() + 400)]
    if not regions:
        return spans
    return [s for s in spans if s.label not in ("NOM", "PRENOM") or s.source == "patient" or not any(b <= s.start and s.end <= e for b, e in regions)]


_LINE_RE = re.compile(r"[^\n]+")
_DIGIT_TOKEN = re.compile(r"(?<!\S)\d+(?!\S)")
_DATA_LABELS = {"TEL", "DATE", "IPP", "NDA", "RPPS", "SECU", "ZIP"}


def _drop_on_data_lines(text: str, spans: list[Span]) -> list[Span]:
    """Instrument output (Holter, monitoring dumps) is lines of many numbers of mixed widths:
    a phone/date/NIR shape found there is chance, not an identifier. Typed identifiers written
    digit by digit ("2 9 1 4 ...") are single-digit runs and are kept."""
    if not any(s.label in _DATA_LABELS for s in spans):
        return spans
    lines = []
    for m in _LINE_RE.finditer(text):
        line = m.group(0)
        if len(line) < 40:
            continue
        nums = _DIGIT_TOKEN.findall(line)
        if (len(nums) >= 12 and sum(len(n) == 1 for n in nums) < 0.5 * len(nums) and len(nums) >= 0.7 * len(line.split())
                and len({len(n) for n in nums}) >= 3):  # mixed widths: not a list of phone numbers
            lines.append((m.start(), m.end()))
    if not lines:
        return spans
    return [s for s in spans if s.label not in _DATA_LABELS or s.source == "patient" or not any(b <= s.start and s.end <= e for b, e in lines)]


_PARTICLE_BEFORE = re.compile(r"(?<![\w'’])(LE|LA|DE|DU|DA|DI|DOS|DES|VAN|VON|DEL|Le|La|De|Du|Da|Di|Dos|Van|Von|Del)[ \t]$")
_PARTICLE_ONLY = re.compile(r"^(?:LE|LA|DE|DU|DA|DI|DOS|VAN|VON|DEL|Le|La|De|Du|Da|Di|Dos|Van|Von|Del)$")
_NEXT_CAP = re.compile(r"[ \t]([A-ZÉÈÀÂÎÔÇ][\w'’\-]+)(?![\w])")
_AFTER_INITIAL = re.compile(r"(?:(?<![\w])[A-Z]\.|\b(?:Dr|Pr|Mme|Mlle|M)\.?|\b(?:Docteur|Professeur|Madame|Monsieur))[ \t]*$")


def _extend_particles(text: str, spans: list[Span]) -> list[Span]:
    """"X. Le Jeune", "LE LANN Rayana": the particle is part of the surname span (EDS-Pseudo
    gold). Upper-case particles always; capitalised ones only after an initial, a title or a
    first name, so a sentence-initial "Le" stays out."""
    for i, s in enumerate(spans):
        if s.label != "NOM":
            continue
        if _PARTICLE_ONLY.match(s.text):  # "X. Le Goff" found as "Le": take the word after it
            nx = _NEXT_CAP.match(text, s.end)
            if nx and (i + 1 == len(spans) or spans[i + 1].start >= nx.end()):
                s = spans[i] = Span(s.start, nx.end(), s.label, text[s.start:nx.end()], s.source)
            continue
        m = _PARTICLE_BEFORE.search(text, max(0, s.start - 5), s.start)
        if not m or (i and spans[i - 1].end > m.start()):
            continue
        part = m.group(1)
        ok = part.isupper() and s.text[:2].isupper()
        if not ok:
            prev = spans[i - 1] if i else None
            ok = bool(_AFTER_INITIAL.search(text, max(0, m.start() - 14), m.start())) or (
                prev is not None and prev.label == "PRENOM" and not text[prev.end:m.start()].strip())
        if ok:
            spans[i] = Span(m.start(), s.end, s.label, text[m.start():s.end], s.source)
    for i, s in enumerate(spans):  # "Dr de La Fontaine": a lower-case particle right after a title
        if s.label in ("NOM", "VILLE"):
            m = _TITLE_PARTICLE.search(text, max(0, s.start - 20), s.start)
            if m:
                spans[i] = Span(m.start(1), s.end, "NOM", text[m.start(1):s.end], s.source)
    # "Dr Marie-Christine de La Fontaine", "Jean du Bellay": a lower-case particle between a first
    # name and a capitalised word makes that word a surname (even one the lexicon knows as a town)
    for i in range(1, len(spans)):
        a, b = spans[i - 1], spans[i]
        titled = a.label == "NOM" and "-" in a.text and _TITLE_BEFORE.search(text, max(0, a.start - 12), a.start)
        if (a.label == "PRENOM" or titled) and b.label in ("NOM", "VILLE", "PRENOM", "HOPITAL") and b.text[:1].isupper() and _LOWER_PARTICLE.fullmatch(text, a.end, b.start):
            start = a.end + len(text[a.end:b.start]) - len(text[a.end:b.start].lstrip())
            spans[i] = Span(start, b.end, "NOM", text[start:b.end], b.source)
    return spans


_TITLE_PARTICLE = re.compile(r"\b(?:Dr|Pr|Docteur|Professeur|Mme|Madame|Monsieur|M\.)\.?[ \t]+((?:de|du|des|d['’])[ \t]*)$")
_TITLE_BEFORE = re.compile(r"(?:\b(?:Dr|Pr|Mme|Mlle|Docteur|Professeur|Madame|Monsieur)\.?|\bM\.)[ \t]+$")
_LOWER_PARTICLE = re.compile(r"[ \t]+(?:de(?:[ \t]+la)?|du|des|d['’]|van|von|da|di|dos|del|della)[ \t]*")


def _relabel(text: str, spans: list[Span]) -> list[Span]:
    """Labels that depend on the neighbouring span: a full date right after a person's name or a
    NIR → DATE_NAISSANCE; a bare number after an IPP in the same table row → NDA."""
    for i in range(len(spans) - 1):  # "Patient: M. SAHLI": an initial before a surname is a first name
        p, s = spans[i], spans[i + 1]
        if p.label == "NOM" and len(p.text) == 1 and p.text.isupper() and text[p.end:p.end + 1] == "." and s.label == "NOM" and s.start - p.end <= 2:
            spans[i] = Span(p.start, p.end + 1, "PRENOM", text[p.start:p.end + 1], p.source)
    for i in range(1, len(spans)):
        p, s = spans[i - 1], spans[i]
        gap = text[p.end:s.start]
        if s.label == "DATE" and p.label in ("NOM", "PRENOM", "SECU") and _BIRTH_AFTER.match(gap) and _old_full_date(s.text):
            s.label = "DATE_NAISSANCE"
        elif s.label == "IPP" and s.source == "lexicon" and p.label == "IPP" and _ROW_GAP.match(gap):
            s.label = "NDA"
    return spans


def _old_full_date(date_text: str) -> bool:
    """A full date whose year is at least ~15 years back (2012 or before): a birth date shape;
    a recent date after a name is a visit or an appointment."""
    if not _FULL_DATE.search(date_text):
        return False
    digits = re.sub(r"\D", "", date_text)
    y4 = re.search(r"(?:19|20)\d\d", date_text)
    if y4:
        year = int(y4.group(0))
    elif len(digits) == 8:
        year = int(digits[4:])
    elif len(digits) == 6:
        year = int(digits[4:]) + (1900 if int(digits[4:]) > 12 else 2000)
    else:
        return True
    return year <= 2012


_FULL_DATE = re.compile(r"(?:19|20)\d\d|\d[ ./|\-]+\d{1,2}[ ./|\-]+\d\d|\d(?: \d){7}")


def _merge(text: str, spans: list[Span]) -> list[Span]:
    """Join adjacent spans of the same label ("Jean" "Pierre" → "Jean Pierre"; two-line cities)."""
    out: list[Span] = []
    for s in spans:
        if out:
            p = out[-1]
            if p.label == s.label and p.label in ("NOM", "PRENOM", "VILLE", "HOPITAL", "ADRESSE") and _MERGE_GAP.match(text[p.end:s.start]):
                out[-1] = Span(p.start, s.end, p.label, text[p.start:s.end], p.source)
                continue
        out.append(s)
    return out


_default: Detector | None = None
_lock = threading.Lock()


def default_detector() -> Detector:
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Detector()
    return _default


def detect(text: str, patient: dict | None = None) -> list[Span]:
    """Spans of personal identifiers in ``text`` (character offsets), with the patient's known
    identifiers redacted wherever they appear when ``patient`` is given."""
    return default_detector().detect(text, patient)
