"""The one span type shared by detection, replacement and evaluation, and overlap resolution.

Offsets are Python string indices (characters) into the text given to :func:`detect`, so a
JSON consumer in any language that counts code points gets the same slices.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import asdict, dataclass

#: EDS-Pseudo's labels plus RPPS (health professional number).
LABELS: tuple[str, ...] = (
    "NOM", "PRENOM", "DATE", "DATE_NAISSANCE", "ADRESSE", "VILLE", "ZIP",
    "TEL", "MAIL", "SECU", "IPP", "NDA", "HOPITAL", "RPPS",
)

# When two detectors claim overlapping text, the more specific/validated source wins.
_SOURCE_RANK = {"patient": 6, "checksum": 5, "rule": 4, "context": 4, "lexicon": 2, "model": 1}


@dataclass(slots=True)
class Span:
    start: int
    end: int
    label: str
    text: str
    source: str = "rule"
    replacement: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["replacement"] is None:
            d.pop("replacement")
        return d

    def __len__(self) -> int:
        return self.end - self.start


def resolve(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans, sorted. Among rule-grade sources (patient, checksum, rule,
    context) the longer span wins (a NIR beats a date inside it, an e-mail beats the patient's
    name inside it, "12 rue X" beats "12"); lexicon and model guesses only fill the gaps."""
    ordered = sorted(spans, key=lambda s: (_tier(s), -(s.end - s.start), -_SOURCE_RANK.get(s.source, 0), s.start))
    kept: list[Span] = []
    starts: list[int] = []  # sorted starts of kept spans (they never overlap each other)
    ends: list[int] = []
    for s in ordered:
        if s.end <= s.start:
            continue
        i = bisect_left(starts, s.start)
        if (i < len(starts) and starts[i] < s.end) or (i > 0 and ends[i - 1] > s.start):
            continue
        starts.insert(i, s.start)
        ends.insert(i, s.end)
        kept.append(s)
    kept.sort(key=lambda s: s.start)
    return kept


def _tier(s: Span) -> int:
    r = _SOURCE_RANK.get(s.source, 0)
    return 0 if r >= 3 else (1 if r == 2 else 2)
