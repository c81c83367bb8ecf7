"""Bootstrap intervals and breakdowns."""

from __future__ import annotations

import pytest

from partages.evaluation.metrics import bootstrap, breakdown


def test_bootstrap_interval_brackets_mean_and_is_reproducible():
    values = [1.0] * 30 + [0.0] * 70
    est = bootstrap({"emr": values}, seed=3)["emr"]
    assert est.value == pytest.approx(0.30)
    assert est.low < 0.30 < est.high
    # binomial standard error ~ 0.046 -> 95% interval roughly ±0.09
    assert 0.18 < est.low < 0.24 and 0.36 < est.high < 0.42
    assert bootstrap({"emr": values}, seed=3)["emr"] == est
    assert est.n == 100


def test_constant_values_have_zero_width_interval():
    est = bootstrap({"x": [0.5] * 10})["x"]
    assert (est.low, est.value, est.high) == (0.5, 0.5, 0.5)


def test_mismatched_lengths_rejected():
    with pytest.raises(ValueError):
        bootstrap({"a": [1.0, 0.0], "b": [1.0]})


def test_breakdown_groups():
    out = breakdown(["1", "2", "1", "2"], {"emr": [1.0, 0.0, 1.0, 1.0]})
    assert out["1"]["emr"].value == 1.0 and out["1"]["emr"].n == 2
    assert out["2"]["emr"].value == 0.5
