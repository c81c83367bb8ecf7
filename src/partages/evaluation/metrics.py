"""Averages with 95% bootstrap intervals, and per-group breakdowns.

Why a bootstrap: FrenchMedMCQA test has 622 questions, so a difference of 2 points between two
models is often noise. Every reported mean comes with a percentile bootstrap interval
(resampling questions with replacement, ``n_resamples`` times, fixed seed). All metrics of one
run share the same resamples, so their intervals are consistent with each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

N_RESAMPLES = 1000
CONFIDENCE = 0.95


@dataclass
class Estimate:
    """A mean over items with its bootstrap interval (all as fractions in [0, 1])."""

    value: float
    low: float
    high: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def pct(self) -> str:
        return f"{100 * self.value:.1f} [{100 * self.low:.1f}–{100 * self.high:.1f}]"


def bootstrap(per_item: Mapping[str, Sequence[float]], *, seed: int = 0, n_resamples: int = N_RESAMPLES, confidence: float = CONFIDENCE) -> dict[str, Estimate]:
    """Mean and percentile interval of each metric's per-item values (same resamples for all)."""
    names = list(per_item)
    if not names:
        return {}
    n = len(per_item[names[0]])
    if any(len(per_item[k]) != n for k in names):
        raise ValueError("all metrics need one value per item")
    if n == 0:
        return {k: Estimate(float("nan"), float("nan"), float("nan"), 0) for k in names}
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    alpha = (1.0 - confidence) / 2
    out: dict[str, Estimate] = {}
    for k in names:
        v = np.asarray(per_item[k], dtype=float)
        means = v[idx].mean(axis=1)
        out[k] = Estimate(float(v.mean()), float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha)), n)
    return out


def breakdown(groups: Sequence[str], per_item: Mapping[str, Sequence[float]], *, seed: int = 0) -> dict[str, dict[str, Estimate]]:
    """Per-group estimates (e.g. per subject, or per number of correct answers)."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[str(g)].append(i)
    return {
        g: bootstrap({k: [per_item[k][i] for i in ids] for k in per_item}, seed=seed)
        for g, ids in sorted(members.items())
    }


def ratio_bootstrap(numerators: Sequence[float], denominators: Sequence[float], *, seed: int = 0, n_resamples: int = N_RESAMPLES, confidence: float = CONFIDENCE) -> Estimate:
    """Σnum / Σden (a micro-average, e.g. token recall over documents) with a percentile
    interval from resampling the *items* (documents), which keeps within-document correlation."""
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    n = len(num)
    if n == 0 or den.sum() == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), n)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    d = den[idx].sum(axis=1)
    ratios = np.where(d > 0, num[idx].sum(axis=1) / np.where(d > 0, d, 1), np.nan)
    alpha = (1.0 - confidence) / 2
    return Estimate(float(num.sum() / den.sum()), float(np.nanquantile(ratios, alpha)), float(np.nanquantile(ratios, 1 - alpha)), n)
