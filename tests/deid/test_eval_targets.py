"""Scores on the held-out test split (synthetic notes from the EDS-Pseudo templates of the test
split + our hand-written tricky test notes). The product targets (redact recall ≥ 0.99,
precision ≥ 0.95) are not all met yet on the synthetic part: these assertions are regression
floors at the measured level, plus the hard requirements that are met (no leak of a known
patient identifier, protect items over-redacted ≤ 1 %)."""

from __future__ import annotations

import pytest

from partages.deid import evaluate
from partages.deid.eval_data import build_gold, tricky_notes


@pytest.fixture(scope="module")
def test_gold(data_dir):
    return build_gold(data_dir, "test", 40)


def test_hard_requirements_on_test_split(detector, test_gold):
    r = evaluate(test_gold, detector.detect)
    assert r.leaks == 0 and r.known_identifier_occurrences > 100
    assert r.over_redaction <= 0.01 and r.protect_items > 100
    assert r.redact_recall >= 0.88  # measured 0.894 on these 40 docs, 0.914 on 200 (target 0.99: not met, see BENCHMARKS.md)
    assert r.redact_precision >= 0.91  # measured 0.937 on 40 docs, 0.934 on 200 (target 0.95: not met)
    assert set(r.per_label) >= {"NOM", "PRENOM", "DATE", "TEL", "SECU", "ADRESSE"}


def test_tricky_notes_split_and_scores(detector):
    dev, test = tricky_notes("dev"), tricky_notes("test")
    assert len(dev) + len(test) >= 40 and not {d["id"] for d in dev} & {d["id"] for d in test}
    r = evaluate(test, detector.detect)
    assert r.leaks == 0 and r.over_redaction == 0.0
    assert r.redact_recall >= 0.95 and r.redact_precision >= 0.97


def test_dev_and_test_templates_are_disjoint(data_dir):
    from partages.deid.synth import read_templates, split_of

    splits = [split_of(i, t) for i, t in enumerate(read_templates(data_dir))]
    assert splits.count("test") >= 40 and splits.count("dev") >= 40 and splits.count("train") >= 100
