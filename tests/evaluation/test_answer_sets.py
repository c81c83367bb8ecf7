"""The answer-set rules shared by `partages eval run` and the exported lm-eval task."""

from __future__ import annotations

import math

import pytest

from partages.evaluation.answer_sets import (
    decide_from_logprobs,
    exact_match,
    format_set,
    hamming_score,
    letter_probabilities,
    parse_letter_set,
)

OPTIONS = {"A": "Le suc gastrique", "B": "La bile vésiculaire", "C": "Le suc pancréatique", "D": "La salive", "E": "Les sécrétions intestinales"}


@pytest.mark.parametrize(
    "text, expected",
    [
        (" A, C, E\n\nQuestion : ...", ("A", "C", "E")),
        ("B", ("B",)),
        (" (B)", ("B",)),
        ("B) La bile", ("B",)),
        ("A et D", ("A", "D")),
        ("A-C-E", ("A", "C", "E")),
        ("A/C", ("A", "C")),
        ("ACE", ("A", "C", "E")),
        ("Réponse(s) : B, D", ("B", "D")),
        ("Les bonnes réponses sont C et E.", ("C", "E")),
        ("**Réponses : A, B**", ("A", "B")),
        ("a, c, e", ("A", "C", "E")),
        ("c", ("C",)),
        ("\n\n D, B, D", ("B", "D")),
        ("Le suc pancréatique", ("C",)),  # option text, no letter
        ("il a une action", ()),  # French words "a", "une" are not letters
        ("Je ne sais pas", ()),
        ("", ()),
        ("F, G", ()),
    ],
)
def test_parser(text, expected):
    assert parse_letter_set(text, OPTIONS) == expected


def test_decision_rule_threshold():
    # p ∝ exp(lp): A=0.4, B=0.25, C=0.2, D=0.1, E=0.05 -> threshold 0.5 keeps A, B, C (>= 0.2)
    lps = [math.log(x) - 3 for x in (0.4, 0.25, 0.2, 0.1, 0.05)]
    assert decide_from_logprobs(lps, 0.5) == ("A", "B", "C")
    assert decide_from_logprobs(lps, 1.0) == ("A",)
    assert decide_from_logprobs(lps, 0.1) == ("A", "B", "C", "D", "E")
    probs = letter_probabilities(lps)
    assert sum(probs) == pytest.approx(1.0)
    assert probs[0] == pytest.approx(0.4)


def test_metrics_as_in_the_paper():
    # EMR: exact set equality; Hamming: |P ∩ G| / |P ∪ G|
    assert exact_match(["a", "c"], ["C", "A"]) == 1.0
    assert exact_match(["A"], ["A", "C"]) == 0.0
    assert hamming_score(["A"], ["A", "C"]) == 0.5
    assert hamming_score(["A", "B"], ["A", "C"]) == pytest.approx(1 / 3)
    assert hamming_score(["B"], ["A"]) == 0.0
    assert hamming_score([], ["A"]) == 0.0
    assert format_set(["e", "a", "c", "a"]) == "A, C, E"
