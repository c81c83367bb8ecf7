"""Replacement: detection + one of three modes, and re-identification.

Modes: ``surrogate`` (default: realistic keyed surrogates), ``placeholder`` (``<NOM>``),
``mask`` (same length, ``█``). Outputs are *pseudonymised*, never "anonymous": the GDPR still
applies to them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

from partages.deid.detector import Detector, default_detector
from partages.deid.errors import KeyFileError
from partages.deid.registry import Registry
from partages.deid.spans import Span
from partages.deid.surrogates import SurrogateFactory
from partages.deid.text import fold_key
from partages.deid.vault import Vault

Mode = Literal["surrogate", "placeholder", "mask"]
MODES: tuple[str, ...] = ("surrogate", "placeholder", "mask")
LABEL_OUTPUT = "pseudonymisé"


@dataclass
class PseudonymizedText:
    text: str
    spans: list[Span] = field(default_factory=list)  # offsets into the *original* text, with .replacement
    scope: str = "default"
    status: str = LABEL_OUTPUT

    def mapping(self) -> dict[str, str]:
        """surrogate → original, for re-identification of text derived from this output."""
        return {s.replacement: s.text for s in self.spans if s.replacement and s.replacement != s.text}


def scope_for(patient: dict | None) -> str:
    """Default scope: one per patient (IPP, else name + birth date), so a person keeps the same
    surrogate across all the documents of that patient."""
    if not patient:
        return "default"
    if patient.get("ipp"):
        basis = "ipp:" + re.sub(r"\s", "", str(patient["ipp"]))
    else:
        basis = "id:" + "|".join(fold_key(str(patient.get(k, ""))) for k in ("nom", "prenom", "date_naissance"))
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


class Pseudonymizer:
    def __init__(self, key: bytes | None = None, mode: str = "surrogate", *, detector: Detector | None = None, vault: Vault | None = None,
                 registry: Registry | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"Unknown mode '{mode}' (choose from {', '.join(MODES)}).")
        if (mode == "surrogate" or vault is not None) and not key:
            raise KeyFileError("A secret key is required for surrogate and reversible modes (never a silent random key).")
        self.mode = mode
        self.detector = detector or default_detector()
        self.vault = vault
        self.factory = SurrogateFactory(key, self.detector.lx, registry) if key else None

    def replacement(self, span: Span, scope: str, ctx: dict | None = None) -> str:
        if self.mode == "placeholder":
            return f"<{span.label}>"
        if self.mode == "mask":
            return "".join(c if c in " \n\t" else "█" for c in span.text)
        assert self.factory is not None
        return self.factory.surrogate(span.label, span.text, scope, ctx)

    def pseudonymize(self, text: str, patient: dict | None = None, scope: str | None = None, spans: list[Span] | None = None) -> PseudonymizedText:
        scope = scope or scope_for(patient)
        if not text:
            return PseudonymizedText(text or "", [], scope)
        spans = self.detector.detect(text, patient) if spans is None else spans
        if self.factory is not None and self.mode == "surrogate":
            self.factory.reserve(scope, [p for s in spans if s.label in ("NOM", "PRENOM") for p in re.split(r"[\s\-]+", s.text) + [s.text] if p])
        out: list[str] = []
        pos = 0
        result: list[Span] = []
        for i, s in enumerate(spans):
            ctx = None
            if self.mode == "surrogate" and s.label in ("ZIP", "VILLE") and self.factory is not None:
                ctx = {"place_index": self._place(spans, i, text, scope)}
            rep = self.replacement(s, scope, ctx)
            out.append(text[pos:s.start])
            out.append(rep)
            pos = s.end
            r = Span(s.start, s.end, s.label, s.text, s.source, rep)
            result.append(r)
            if self.vault is not None and self.mode == "surrogate":
                self.vault.add(scope, s.label, s.text, rep)
        out.append(text[pos:])
        return PseudonymizedText("".join(out), result, scope)

    def _place(self, spans: list[Span], i: int, text: str, scope: str) -> int:
        """A postcode and the commune right after it get one coherent La Poste pair."""
        s = spans[i]
        anchor = s
        if s.label == "ZIP" and i + 1 < len(spans) and spans[i + 1].label == "VILLE" and spans[i + 1].start - s.end <= 3:
            anchor = spans[i + 1]
        elif s.label == "VILLE" and i > 0 and spans[i - 1].label == "ZIP" and s.start - spans[i - 1].end <= 3:
            anchor = s
        assert self.factory is not None
        places = self.detector.lx.places
        idx = self.factory._int(scope, "place", fold_key(anchor.text)) % len(places)
        city = next((x for x in spans[max(0, i - 1):i + 2] if x.label == "VILLE"), None)
        while city is not None and fold_key(places[idx][1]) == fold_key(city.text):
            idx = (idx + 7919) % len(places)  # never "replace" Paris by Paris
        return idx

    def reidentify(self, text: str, scope: str | None = None, mapping: dict[str, str] | None = None) -> str:
        """Restore originals in ``text`` (an output of :meth:`pseudonymize`, or a model answer
        built from one). Uses ``mapping`` if given, else the vault."""
        if mapping is None:
            if self.vault is None:
                raise KeyFileError("Re-identification needs the reversible vault (or a mapping).")
            mapping = self.vault.mapping(scope)
        return reidentify_text(text, mapping)


def reidentify_text(text: str, mapping: dict[str, str]) -> str:
    """Replace each surrogate (longest first, whole words) by its original."""
    keys = [k for k in mapping if k and not k.startswith("<")]
    if not keys or not text:
        return text
    pat = re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)) + r")(?![\w])")
    return pat.sub(lambda m: mapping[m.group(1)], text)


class StreamReidentifier:
    """Re-identifies a streamed answer chunk by chunk. A surrogate may straddle two chunks, so
    the tail of the buffer that could still be the start of a surrogate is held back."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = {k: v for k, v in mapping.items() if k}
        self.buf = ""
        self._prefixes = {k[:i] for k in self.mapping for i in range(1, len(k))}
        self._maxlen = max((len(k) for k in self.mapping), default=0)

    def feed(self, chunk: str) -> str:
        if not self.mapping:
            return chunk
        self.buf += chunk
        # hold back the longest buffer suffix that is a proper prefix of some surrogate (or a
        # whole surrogate that a following letter could still extend into another word)
        hold = 0
        for n in range(min(len(self.buf), self._maxlen), 0, -1):
            tail = self.buf[-n:]
            if tail in self._prefixes or tail in self.mapping:
                hold = n
                break
        ready, self.buf = (self.buf[:-hold], self.buf[-hold:]) if hold else (self.buf, "")
        return reidentify_text(ready, self.mapping)

    def flush(self) -> str:
        out, self.buf = reidentify_text(self.buf, self.mapping), ""
        return out
