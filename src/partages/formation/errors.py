"""Errors of the formation package. Each names the file (and line) at fault, never note text."""

from __future__ import annotations


class FormationError(Exception):
    """Base class: bad cases, bad module, bad answer."""


class CaseError(FormationError):
    """A case file is malformed: the message names the file, the line and the field."""


class ModuleError(FormationError):
    """A module JSON is missing or malformed."""


class AnswerError(FormationError):
    """A learner's answer does not fit the exercise (unknown item, wrong shape)."""
