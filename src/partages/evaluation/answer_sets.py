"""Multiple-answer MCQ rules: turn model output into a set of option letters, and score sets.

This module is deliberately standard-library only: ``partages eval export-lm-eval`` copies its
source verbatim into the lm-evaluation-harness task folder (``utils.py``), so lm-eval and
``partages eval run`` apply *the same code* to decide and score answer sets.

Decision rule, log-likelihood mode (documented in the report and results.json)
---------------------------------------------------------------------------------
The prompt ends with ``Réponse(s) :``. For each option letter X the engine returns
ℓ_X = log P(" X" | prompt), the log-likelihood of that letter being the first answer token. The
five values are renormalised into a distribution p over the letters (softmax of ℓ). The
predicted set is every letter whose probability is at least ``threshold`` times the best one::

    predicted = { X : p_X >= threshold * max_Y p_Y }      (threshold = 0.5 by default)

so the top letter is always chosen (a set is never empty) and near-ties are added (multi-answer
questions). ``threshold = 1`` gives the single best letter. Scoring the 31 possible answer sets
as strings instead would cost ~30x more forward positions (Gemma's 262k-token output layer
dominates CPU time) and, without an end marker, always favours one-letter sets.

Letter-set parser, generative mode
----------------------------------
:func:`parse_letter_set` reads the first non-empty line of the generated text:

1. an optional lead-in such as ``Réponse(s) :`` / ``Les réponses sont`` is dropped;
2. upper-case letters A–E that stand alone (``A, C et E``, ``(B)``, ``B)``, ``A-C-E``,
   ``A/C``) are collected;
3. otherwise a compact run of upper-case letters (``ACE``) or a lower-case list made only of
   letters and separators (``a, c, e``; lower-case elsewhere is French text: "a", "e");
4. otherwise, an option whose full text appears in the answer counts as chosen.

Anything else is *unparsed*: the empty set, scored 0 for both metrics and counted in
``unparsed_rate``.

Metrics (Labrak et al. 2022, FrenchMedMCQA)
-------------------------------------------
* EMR, exact match ratio: 1 if the predicted set equals the gold set, else 0.
* Hamming score: |pred ∩ gold| / |pred ∪ gold| per question (1 when both are empty).
Both are averaged over questions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

LETTERS = ("A", "B", "C", "D", "E")
DEFAULT_THRESHOLD = 0.5

_LEAD_IN = re.compile(
    r"^\s*(?:\*\*)?\s*(?:les?\s+)?(?:bonnes?\s+)?(?:r[ée]ponses?(?:\s*\(s\))?|propositions?(?:\s+exactes?)?)"
    r"(?:\s+(?:exactes?|correctes?))?\s*(?:sont|est)?\s*[:：]?\s*",
    re.IGNORECASE,
)
_UPPER_ALONE = re.compile(r"(?<![A-Za-zÀ-ÖØ-öø-ÿ])([A-E])(?![A-Za-zÀ-ÖØ-öø-ÿ])")
_COMPACT = re.compile(r"^\s*\(?([A-E]{2,5})\)?\s*[.!]?\s*$")
_LOWER_LIST = re.compile(r"^\s*[(\[]?[a-e][)\].]?(?:\s*(?:,|;|/|-|et|and|\s)\s*[(\[]?[a-e][)\].]?)*\s*[.!]?\s*$")


def normalise_set(letters: Iterable[str]) -> tuple[str, ...]:
    """Sorted, upper-case, de-duplicated letters (the canonical form stored everywhere)."""
    return tuple(sorted({str(x).strip().upper() for x in letters if str(x).strip()}))


def format_set(letters: Iterable[str]) -> str:
    """``("A", "C")`` → ``"A, C"`` (the answer format shown in k-shot examples)."""
    return ", ".join(normalise_set(letters))


def parse_letter_set(text: str, options: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Letters named by a generated answer (see the module docstring for the exact rule)."""
    lines = [ln for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return ()
    line = lines[0].replace("*", " ").strip()
    line = _LEAD_IN.sub("", line, count=1)
    found = _UPPER_ALONE.findall(line)
    if found:
        return normalise_set(found)
    m = _COMPACT.match(line)
    if m:
        return normalise_set(m.group(1))
    if _LOWER_LIST.match(line):
        return normalise_set(re.findall(r"[a-e]", re.sub(r"\bet\b|\band\b", " ", line)))
    if options:
        low = line.lower()
        hits = [k for k, v in options.items() if v and len(v.strip()) > 3 and v.strip().lower() in low]
        if hits:
            return normalise_set(hits)
    return ()


def decide_from_logprobs(letter_logprobs: Sequence[float], threshold: float = DEFAULT_THRESHOLD, letters: Sequence[str] = LETTERS) -> tuple[str, ...]:
    """Log-likelihood mode: letters whose renormalised probability is ≥ threshold × the best."""
    if not letter_logprobs:
        return ()
    best = max(letter_logprobs)
    cut = best + math.log(threshold) if threshold > 0 else -math.inf
    return normalise_set(x for x, lp in zip(letters, letter_logprobs) if lp >= cut - 1e-12)


def letter_probabilities(letter_logprobs: Sequence[float]) -> list[float]:
    """Softmax of the letter log-likelihoods (the distribution the rule thresholds)."""
    best = max(letter_logprobs)
    exps = [math.exp(v - best) for v in letter_logprobs]
    total = sum(exps)
    return [e / total for e in exps]


def exact_match(pred: Iterable[str], gold: Iterable[str]) -> float:
    return 1.0 if set(normalise_set(pred)) == set(normalise_set(gold)) else 0.0


def hamming_score(pred: Iterable[str], gold: Iterable[str]) -> float:
    p, g = set(normalise_set(pred)), set(normalise_set(gold))
    union = p | g
    return 1.0 if not union else len(p & g) / len(union)


# --- lm-evaluation-harness hook (used by the exported task; harmless elsewhere) ---------------
def process_results(doc: Mapping, results: Sequence) -> dict[str, float]:
    """lm-eval ``process_results`` for the exported log-likelihood task: ``results`` holds one
    ``(loglikelihood, is_greedy)`` per choice " A".." E", in order."""
    lls = [float(r[0]) for r in results]
    pred = decide_from_logprobs(lls, DEFAULT_THRESHOLD)
    gold = normalise_set(doc["correct_answers"])
    return {"emr": exact_match(pred, gold), "hamming": hamming_score(pred, gold)}


def process_generation(doc: Mapping, results: Sequence) -> dict[str, float]:
    """lm-eval ``process_results`` for the exported generative task: ``results[0]`` is the text."""
    options = {k.upper(): v for k, v in doc["answers"].items()}
    pred = parse_letter_set(results[0], options)
    gold = normalise_set(doc["correct_answers"])
    return {"emr": exact_match(pred, gold), "hamming": hamming_score(pred, gold)}
