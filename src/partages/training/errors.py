"""Training errors (bad recipe, missing data, missing extra); messages name the file at fault."""

from __future__ import annotations


class TrainingError(Exception):
    """Training cannot start or go on."""
