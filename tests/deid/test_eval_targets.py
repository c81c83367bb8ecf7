"""Scores on the spent and development splits (never on the held-out ``test``).

``test`` (two blind pairs, ``test_v10_*`` + ``test_v11_*``) is scored once by
``benchmarks/deid_throughput.py``, never here: a unit test must not look at a held-out split.
``test-v3`` to ``test-v9`` are the previous blind test splits — template snippets and notes by
contributors who never saw the detector, its errors or the EDS-Pseudo templates, each scored once
(test-v9, the final measurement of 2026-11-29: redact recall 0.980, precision 0.988, no leak, no
protect item redacted on 200 + 51 notes; see BENCHMARKS.md for the whole sequence), then spent and
studied. ``test-v1``/``test-v2`` are the EDS-Pseudo held-out templates (spent). ``dev-v3`` to
``dev-v6`` are blind-written development splits. These assertions are regression floors at the
measured level, plus the hard requirements."""

from __future__ import annotations

import pytest

from partages.deid import evaluate
from partages.deid.eval_data import build_gold, tricky_notes


@pytest.fixture(scope="module")
def test_v1_gold(data_dir):
    return build_gold(data_dir, "test-v1", 40)


def test_hard_requirements_on_first_test_split(detector, test_v1_gold):
    r = evaluate(test_v1_gold, detector.detect)
    assert r.leaks == 0 and r.known_identifier_occurrences > 100
    assert r.over_redaction <= 0.01 and r.protect_items > 100
    assert r.redact_recall >= 0.94  # measured 0.950 on these 40 docs, 0.957 on 200 (0.914 before 2026-11-29)
    assert r.redact_precision >= 0.93  # measured 0.941 on 40 docs, 0.937 on 200
    assert set(r.per_label) >= {"NOM", "PRENOM", "DATE", "TEL", "SECU", "ADRESSE"}


def test_last_scored_blind_split(detector, data_dir):
    r = evaluate(build_gold(data_dir, "test-v9", 40), detector.detect)
    assert r.leaks == 0 and r.known_identifier_occurrences > 200
    assert r.protect_items > 250 and r.over_redaction <= 0.01  # 0 % on 40 + 51 notes and on 200 + 51
    assert r.redact_recall >= 0.98  # 0.980 on 200 + 51 when scored; 0.983 on 40 + 51 since session 4 (target 0.99)
    assert r.redact_precision >= 0.985  # 0.988 on 200 + 51 when scored; 0.989 on 40 + 51 since session 4


@pytest.mark.parametrize("split,recall,precision", [("test-v3", 0.995, 0.99), ("test-v4", 0.99, 0.99), ("test-v5", 0.995, 0.99), ("test-v6", 0.993, 0.985),
                                                     ("test-v7", 0.995, 0.99), ("test-v8", 0.99, 0.99)])
def test_spent_blind_test_splits(detector, data_dir, split, recall, precision):
    """Each scored once (0.976 / 0.983, 0.975 / 0.997, 0.988 / 0.991, 0.986 / 0.983, 0.994 / 0.994,
    0.988 / 0.991 on 200 + ~50 notes), then studied: floors at today's level on 40 + ~50 notes."""
    r = evaluate(build_gold(data_dir, split, 40), detector.detect)
    assert r.leaks == 0 and r.over_redaction <= 0.01
    assert r.redact_recall >= recall and r.redact_precision >= precision


# blind development splits; dev-v5 to dev-v12 were first scored untouched (BENCHMARKS.md). dev-v9
# (dictation, OCR'd faxes, e-mail threads) and dev-v10 (names and places of many origins) are
# stress sets written to be harder than the rest.
@pytest.mark.parametrize("split,recall,precision", [("dev-v3", 0.995, 0.99), ("dev-v4", 0.995, 0.99), ("dev-v5", 0.985, 0.98), ("dev-v6", 0.985, 0.98),
                                                     ("dev-v7", 0.995, 0.99), ("dev-v8", 0.985, 0.985), ("dev-v9", 0.97, 0.98), ("dev-v10", 0.945, 0.98),
                                                     ("dev-v11", 0.99, 0.985), ("dev-v12", 0.99, 0.99)])
def test_blind_development_splits(detector, data_dir, split, recall, precision):
    r = evaluate(build_gold(data_dir, split, 40), detector.detect)
    assert r.leaks == 0 and r.over_redaction <= 0.005
    assert r.redact_recall >= recall and r.redact_precision >= precision


def test_hard_requirements_on_second_test_split(detector, data_dir):
    r = evaluate(build_gold(data_dir, "test-v2", 40), detector.detect)
    assert r.leaks == 0 and r.known_identifier_occurrences > 100
    assert r.over_redaction <= 0.01 and r.protect_items > 100
    assert r.redact_recall >= 0.93  # measured 0.937 on these 40 docs, 0.953 on 200 (target 0.99: not met)
    assert r.redact_precision >= 0.95  # measured 0.959 on 40 docs, 0.928 on 200 (target 0.95: not met on 200)


def test_tricky_notes_split_and_scores(detector):
    dev, test = tricky_notes("dev"), tricky_notes("test-v1")
    fresh = tricky_notes("test-v2")
    assert len(dev) + len(test) + len(fresh) >= 60 and len(fresh) >= 20
    assert not {d["id"] for d in dev} & {d["id"] for d in test + fresh}
    r = evaluate(test, detector.detect)
    assert r.leaks == 0 and r.over_redaction == 0.0
    assert r.redact_recall >= 0.95 and r.redact_precision >= 0.97
    r = evaluate(fresh, detector.detect)  # written before the fixes it measures: 0.978 / 0.970
    assert r.leaks == 0 and r.over_redaction == 0.0
    assert r.redact_recall >= 0.97 and r.redact_precision >= 0.96


def test_dev_and_test_templates_are_disjoint(data_dir):
    from partages.deid.synth import read_templates, split_of

    splits = [split_of(i, t) for i, t in enumerate(read_templates(data_dir))]
    assert splits.count("test") >= 40 and splits.count("dev") >= 40 and splits.count("train") >= 100
