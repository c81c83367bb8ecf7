"""Realistic, consistent, keyed surrogates (the ``surrogate`` replacement mode).

Every choice is ``HMAC-SHA256(key, scope | label | folded original)``: the same key and scope
reproduce the same output, and nobody without the key can link a surrogate back. Within a
scope, a registry guarantees that two different originals never get the same surrogate.

- names: a surname from ``fr_names``; a first name *of the same gender* when the original is a
  known first name; case style kept (DUPONT → MOREAU, Dupont → Moreau);
- dates: one secret shift per scope (patient), ±(30..365) days, so intervals and ages stay
  exact; the written format is kept (see :mod:`partages.deid.dates`);
- NIR with a valid key, RPPS and FINESS with a valid Luhn digit, phones that keep their type
  (mobile/landline), prefix and separators, e-mails of the form prenom.nom@domain;
- postcode + commune pairs from La Poste (a postcode followed by its commune stays coherent).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from stdnum import luhn

from partages.deid.dates import DateMatch, find_dates, shift_date_text
from partages.deid.registry import MemoryRegistry, Registry
from partages.deid.resources import Lexicons
from partages.deid.text import fold, fold_key, ocr_digits

_STREET_NAMES = [
    "des Lilas", "des Tilleuls", "du Moulin", "de la Gare", "des Écoles", "du Château", "de la Paix", "des Peupliers", "du Stade",
    "de l'Église", "des Jardins", "du Marché", "de la Fontaine", "des Acacias", "du Port", "des Vignes", "de la Liberté",
    "des Roses", "du Parc", "de la République", "des Érables", "du Lavoir", "des Cerisiers", "de la Forêt", "des Prés",
]
_HOSPITALS = [
    "Sainte-Marguerite", "Les Tilleuls", "Saint-Exupéry", "Val Fleuri", "Les Cèdres", "Pasteur", "Beauregard", "Les Peupliers",
    "Saint-Jacques", "Bellevue", "Montfleury", "La Roseraie", "Les Lilas", "Clairval", "Bois-Joli", "Saint-Éloi",
]
_MAIL_DOMAINS = ["exemple.fr", "courriel.fr", "messagerie.fr", "mail.example.org"]
_STREET_TYPE = re.compile(r"(?i)\b(rue|avenue|av\.?|boulevard|bd\.?|all[ée]e|place|chemin|impasse|quai|cours|route|square|voie|passage|r[ée]sidence|lotissement|hameau|faubourg|esplanade)\b")


def _case_like(model: str, value: str) -> str:
    letters = [c for c in model if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return value.upper()
    if letters and all(c.islower() for c in letters):
        return value.lower()
    return value


def _ascii(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(s)).strip("-")


class SurrogateFactory:
    def __init__(self, key: bytes, lx: Lexicons, registry: Registry | None = None) -> None:
        if not key:
            raise ValueError("a non-empty key is required for surrogates")
        self.key = key
        self.lx = lx
        self._last = lx.last[:8000]
        self._female = lx.female_first[:1500]
        self._male = lx.male_first[:1500]
        # who got what, who owns which surrogate, which originals a surrogate must not spell:
        # in memory by default, a shared SQLite file for the --workers processes of a batch
        self.registry: Registry = registry if registry is not None else MemoryRegistry()

    def reserve(self, scope: str, originals: list[str]) -> None:
        """Originals seen in the scope: no surrogate may spell one of them, so "Marie" (a first
        name in the note) cannot come back as the surrogate surname "MARIE" of someone else."""
        self.registry.reserve(scope, [fold_key(o) for o in originals])

    # -- keyed randomness ----------------------------------------------------------------
    def _int(self, *parts: str) -> int:
        msg = "\x1f".join(parts).encode("utf-8")
        return int.from_bytes(hmac.new(self.key, msg, hashlib.sha256).digest()[:8], "big")

    def date_shift(self, scope: str) -> int:
        n = self._int(scope, "date-shift")
        days = 30 + n % 336
        return days if (n >> 20) & 1 else -days

    # -- public --------------------------------------------------------------------------
    def surrogate(self, label: str, original: str, scope: str, context: dict | None = None) -> str:
        okey = fold_key(original) or original
        owner = f"{label}\x1f{okey}"
        reg = self.registry
        got = reg.given(scope, owner)
        if got is not None:
            return self._recase(label, original, got)
        family = "NAME" if label in ("NOM", "PRENOM") else label
        if label in ("DATE", "DATE_NAISSANCE"):  # one exact shift per scope: never re-drawn
            return reg.assign(scope, owner, self._make(label, original, scope, 0, context or {}))
        for attempt in range(50):
            value = self._make(label, original, scope, attempt, context or {})
            vkey = fold_key(value) or value
            if not value or (vkey == okey and label not in ("DATE", "DATE_NAISSANCE", "VILLE", "ZIP")):
                continue
            if label in ("NOM", "PRENOM", "HOPITAL", "ADRESSE") and reg.is_reserved(scope, vkey):
                continue
            if reg.claim(scope, family, vkey, owner):  # atomic: nobody else owns this surrogate
                break
        else:  # 50 clashes in a row (tiny pools only): a keyed same-shape value, still claimed
            value = self.same_shape(original, self._int(scope, label, okey, "fallback"))
            reg.claim(scope, family, fold_key(value) or value, owner)
        # another process may have given this same original a surrogate meanwhile: keep theirs
        final = reg.assign(scope, owner, value)
        return value if final == value else self._recase(label, original, final)

    @staticmethod
    def _recase(label: str, original: str, value: str) -> str:
        """Same person written "DUPONT" then "Dupont": same surrogate, each in its own case."""
        if label in ("NOM", "PRENOM", "VILLE", "HOPITAL", "ADRESSE"):
            return _case_like(original, value.title() if value.isupper() else value)
        return value

    def _make(self, label: str, original: str, scope: str, attempt: int, ctx: dict) -> str:
        h = self._int(scope, label, fold_key(original), str(attempt))
        if label == "NOM":
            parts = re.split(r"([\s\-]+)", original)
            out = []
            for i, p in enumerate(parts):
                if i % 2 or not p:
                    out.append(p)
                    continue
                hp = self._int(scope, "NOM", fold_key(p), str(attempt))
                out.append(_case_like(p, self._last[hp % len(self._last)]) if len(p.rstrip(".")) > 1 else chr(65 + hp % 26) + ".")
            return "".join(out)
        if label == "PRENOM":
            parts = re.split(r"([\s\-]+)", original)
            out = []
            for i, p in enumerate(parts):
                if i % 2 or not p:
                    out.append(p)
                    continue
                hp = self._int(scope, "PRENOM", fold_key(p), str(attempt))
                if len(p.rstrip(".")) <= 1:
                    out.append(chr(65 + hp % 26) + ("." if p.endswith(".") else ""))
                    continue
                g = self.lx.first_names.get(fold_key(p), (None,))[0] or ("F" if hp & 1 else "M")
                pool = self._female if g == "F" else self._male
                out.append(_case_like(p, pool[hp % len(pool)]))
            return "".join(out)
        if label in ("DATE", "DATE_NAISSANCE"):
            days = self.date_shift(scope)
            original = ocr_digits(original)  # "O3/O7/l948" from a scanned fax: shifted like any date
            matches = find_dates(fold(original))
            if not (matches and matches[0].start == 0 and matches[0].end == len(original)):
                # forms found only after "le"/"du" ("le 12 03 24"): read the span in that context
                matches = [DateMatch(m.start - 3, m.end - 3, m.day, m.month, m.year, m.kind) for m in find_dates("le " + fold(original)) if m.start == 3]
                if re.fullmatch(r"\d{1,2}", original) and 1 <= int(original) <= 31:  # a day in a range or list
                    matches = [DateMatch(0, len(original), int(original), None, None, "day")]
            if matches and matches[0].start == 0 and matches[0].end == len(original):
                got = shift_date_text(original, matches[0], days)
                if got:
                    return got
            return f"{1 + h % 28:02d}/{1 + (h >> 8) % 12:02d}/{1950 + (h >> 16) % 60}"
        if label == "VILLE":
            place = self._place_for(ctx, h, attempt)
            return _case_like(original, place[1])
        if label == "ZIP":
            place = self._place_for(ctx, h, attempt)
            return place[0] if " " not in original else place[0][:2] + " " + place[0][2:]
        if label == "ADRESSE":
            num = re.match(r"\s*(\d+)", original)
            st = _STREET_TYPE.search(original)
            stype = st.group(1) if st else "rue"
            name = _STREET_NAMES[h % len(_STREET_NAMES)]
            if not st and (h >> 8) % 2:
                name = "Victor " + self._last[(h >> 12) % len(self._last)]
            value = f"{(1 + (h >> 20) % 120) if num else ''} {stype} {name}".strip()
            return _case_like(original, value)
        if label == "HOPITAL":
            if original.isdigit():
                return self.finess(h)
            return _case_like(original, _HOSPITALS[h % len(_HOSPITALS)])
        if label == "TEL":
            return self.phone(original, h)
        if label == "MAIL":
            first = self._female[h % len(self._female)] if h & 1 else self._male[h % len(self._male)]
            last = self._last[(h >> 16) % len(self._last)]
            return f"{_ascii(first)}.{_ascii(last)}@{_MAIL_DOMAINS[(h >> 32) % len(_MAIL_DOMAINS)]}"
        if label == "SECU":
            return self.nir(original, h)
        if label == "RPPS":
            body = "10" + f"{h % 10**8:08d}"
            return body + luhn.calc_check_digit(body)
        # IPP, NDA and anything else: same shape, keyed digits/letters
        return self.same_shape(original, h)

    def _place_for(self, ctx: dict, h: int, attempt: int) -> tuple[str, str]:
        places = self.lx.places
        if ctx.get("place_index") is not None:
            return places[(ctx["place_index"] + attempt * 7919) % len(places)]
        return places[h % len(places)]

    @staticmethod
    def same_shape(original: str, h: int) -> str:
        out = []
        for c in original:
            h = h * 6364136223846793005 + 1442695040888963407 & (2**64 - 1)
            if c.isdigit():
                out.append(str((h >> 33) % 10))
            elif c.isalpha():
                out.append(chr((65 if c.isupper() else 97) + (h >> 33) % 26))
            else:
                out.append(c)
        return "".join(out)

    def phone(self, original: str, h: int) -> str:
        original = ocr_digits(original)
        if not any(c.isdigit() for c in original):  # dictated ("zéro six quarante…"): a written number
            original = "06 00 00 00 00"
        digits = [i for i, c in enumerate(original) if c.isdigit()]
        keep = 0
        if original.lstrip().startswith("+"):
            cc = re.match(r"\s*\+\s?(33|32|41|352|262|269|508|590|594|596|687|689|681)", original)
            keep = len(cc.group(1)) + 1 if cc else 3  # country code + first digit (type)
        elif original.lstrip().startswith("00"):
            keep = 5
        elif len(digits) >= 10:
            keep = 2  # 0 + type digit (mobile 6/7, landline 1-5, 9)
        out = list(original)
        for n, i in enumerate(digits):
            if n < keep:
                continue
            h = h * 6364136223846793005 + 1442695040888963407 & (2**64 - 1)
            out[i] = str((h >> 33) % 10)
        return "".join(out)

    @staticmethod
    def nir(original: str, h: int) -> str:
        sex = 1 + h % 2
        yy = (h >> 4) % 100
        mm = 1 + (h >> 12) % 12
        dep = 1 + (h >> 20) % 95
        if dep == 20:
            dep = 21
        com = 1 + (h >> 28) % 999
        order = 1 + (h >> 40) % 999
        body = f"{sex}{yy:02d}{mm:02d}{dep:02d}{com:03d}{order:03d}"
        key = 97 - int(body) % 97
        full = body + f"{key:02d}"
        n_digits = sum(c.isdigit() or c in "ABab" for c in original)
        full = full[:n_digits] if n_digits < 15 else full
        out, it = [], iter(full)
        for c in original:
            out.append(next(it, "") if (c.isdigit() or c in "ABab") else c)
        return "".join(out)

    @staticmethod
    def finess(h: int) -> str:
        body = f"{h % 10**8:08d}"
        return body + luhn.calc_check_digit(body)
