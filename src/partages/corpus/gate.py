"""The pseudonymisation gate: no record with a detectable identifier enters a corpus.

Clinical text must be pseudonymised where it lives (``partages deid``) before it is shipped;
the gate runs the detector again and **rejects** (never repairs) any record in which it still
finds an identifier, counting rejections by label for the data card. Which detector: any
callable ``detect(text, patient=None) -> list[Span-like]`` (objects with a ``label``); by
default ``partages.deid.detect`` when that component is installed, otherwise construction fails
(a gate that silently checks nothing would be worse than no gate).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from partages.corpus.base import PipelineStep
from partages.corpus.document import Document
from partages.corpus.errors import CorpusError

Detector = Callable[..., Sequence[Any]]


def default_detector() -> Detector:
    try:
        from partages.deid import detect  # type: ignore[attr-defined]
    except ImportError as exc:
        raise CorpusError(
            "the pseudonymisation gate needs partages.deid.detect (not available in this installation); "
            "pass a detector or set gate.detector: rules for the minimal stand-in"
        ) from exc
    return detect


@dataclass(slots=True)
class RuleSpan:
    start: int
    end: int
    label: str


def _nir_ok(digits: str) -> bool:
    body = digits[:13].upper().replace("2A", "19").replace("2B", "18")
    try:
        return 97 - int(body) % 97 == int(digits[13:15])
    except ValueError:
        return False


_RULES = [
    ("MAIL", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    ("TEL", re.compile(r"(?<!\d)0[1-9](?:[ .-]?\d{2}){4}(?!\d)|\+33 ?[1-9](?:[ .-]?\d{2}){4}")),
    ("SECU", re.compile(r"(?<![\dA-Z])[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?!\d)")),
]


def rule_detector(text: str, patient: Any = None) -> list[RuleSpan]:
    """Minimal stand-in detector (e-mail, French phone numbers, NIR with a valid key): for
    tests and for installations without ``partages.deid``. It finds far fewer identifiers than
    the real component (no names, dates, addresses) and must not be used on real notes."""
    spans: list[RuleSpan] = []
    for label, rx in _RULES:
        for m in rx.finditer(text):
            if label == "SECU" and not _nir_ok(re.sub(r"\s", "", m.group())):
                continue
            spans.append(RuleSpan(m.start(), m.end(), label))
    return spans


class PseudonymisationGate(PipelineStep):
    """``scope='clinical'`` checks records whose reader marked them clinical (FHIR notes, case
    reports); ``scope='all'`` checks everything. ``ignore_labels`` lets a build accept, e.g.,
    DATE spans in published case reports, and is written in the data card."""

    name = "gate"

    def __init__(self, detector: Detector | None = None, scope: str = "clinical", ignore_labels: Sequence[str] = ()) -> None:
        super().__init__()
        if scope not in ("clinical", "all"):
            raise CorpusError(f"gate scope must be 'clinical' or 'all', not {scope!r}")
        self.detect = detector or default_detector()
        self.detector_name = getattr(self.detect, "__module__", "?") + "." + getattr(self.detect, "__name__", type(self.detect).__name__)
        self.scope = scope
        self.ignore = {label.upper() for label in ignore_labels}

    def process(self, doc: Document) -> Document | None:
        if self.scope == "clinical" and not doc.metadata.get("clinical"):
            return doc
        self.stats["checked"] += 1
        spans = [s for s in self.detect(doc.text) if str(getattr(s, "label", "")).upper() not in self.ignore]
        if spans:
            self.drop("identifier")
            for label in {str(s.label) for s in spans}:
                self.stats[f"rejected_label_{label}"] += 1
            return None
        return doc
