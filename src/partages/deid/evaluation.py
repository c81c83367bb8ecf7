"""Token-level scoring of detection against gold spans (the ``partages deid eval`` metrics).

- per label: precision / recall / F1 over word tokens (``\\w+``), a token counting for the
  label of the span that covers it;
- redact recall / precision: labels ignored, "is this token hidden?";
- documents with nothing missed; leaks: occurrences of the patient's known identifiers left
  visible; over-redaction: share of protect items (drugs, eponyms) touched by a span.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from partages.deid.patient import find_patient
from partages.deid.spans import LABELS
from partages.deid.text import fold

_TOK = re.compile(r"\w+")


@dataclass
class EvalReport:
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    redact_recall: float = 0.0
    redact_precision: float = 0.0
    docs: int = 0
    docs_nothing_missed: float = 0.0
    leaks: int = 0
    known_identifier_occurrences: int = 0
    protect_items: int = 0
    over_redacted: int = 0
    over_redaction: float = 0.0
    gold_tokens: int = 0
    predicted_tokens: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _label_at(spans: list[tuple[int, int, str]], b: int, e: int) -> str | None:
    for s, t, lab in spans:
        if s < e and b < t:
            return lab
    return None


def evaluate(docs: Iterable[dict], predict: Callable[[str, dict | None], list]) -> EvalReport:
    """``predict(text, patient)`` returns spans (objects with start/end/label or dicts)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    r = EvalReport()
    hidden_gold = gold_total = pred_total = pred_in_gold = 0
    perfect = 0
    for doc in docs:
        text = doc.get("text") or ""
        patient = doc.get("patient")
        gold = sorted((s["start"], s["end"], s["label"]) for s in doc.get("spans", []))
        pred = sorted((_get(s, "start"), _get(s, "end"), _get(s, "label")) for s in predict(text, patient))
        missed = False
        for m in _TOK.finditer(text):
            b, e = m.span()
            g = _label_at(gold, b, e)
            p = _label_at(pred, b, e)
            if g:
                gold_total += 1
                if p:
                    hidden_gold += 1
                else:
                    missed = True
            if p:
                pred_total += 1
                if g:
                    pred_in_gold += 1
            if g and p == g:
                tp[g] += 1
            else:
                if g:
                    fn[g] += 1
                if p:
                    fp[p] += 1
        perfect += not missed
        r.docs += 1
        if patient:
            for s in find_patient(text, fold(text), patient):
                r.known_identifier_occurrences += 1
                if any(not _label_at(pred, m.start() + s.start, m.end() + s.start) for m in _TOK.finditer(text[s.start:s.end])):
                    r.leaks += 1
        for item in doc.get("protect", []) or []:
            r.protect_items += 1
            if _label_at(pred, item["start"], item["end"]):
                r.over_redacted += 1
    for lab in LABELS:
        t, f_p, f_n = tp[lab], fp[lab], fn[lab]
        if t + f_p + f_n == 0:
            continue
        p = t / (t + f_p) if t + f_p else 0.0
        rc = t / (t + f_n) if t + f_n else 0.0
        r.per_label[lab] = {"precision": round(p, 4), "recall": round(rc, 4), "f1": round(2 * p * rc / (p + rc), 4) if p + rc else 0.0, "support": t + f_n}
    r.gold_tokens, r.predicted_tokens = gold_total, pred_total
    r.redact_recall = round(hidden_gold / gold_total, 4) if gold_total else 1.0
    r.redact_precision = round(pred_in_gold / pred_total, 4) if pred_total else 1.0
    r.docs_nothing_missed = round(perfect / r.docs, 4) if r.docs else 1.0
    r.over_redaction = round(r.over_redacted / r.protect_items, 4) if r.protect_items else 0.0
    return r


def _get(s, k):
    return s[k] if isinstance(s, dict) else getattr(s, k)
