"""Evaluation errors: each carries a message fit for the command line (no stack trace, no
question or note text)."""

from __future__ import annotations


class EvalError(Exception):
    """Base class: bad task name, bad option, unreadable data or run directory."""


class UnknownTask(EvalError):
    pass


class DataError(EvalError):
    """A dataset file is missing or malformed (the message names the file and line/item)."""


class RunDirError(EvalError):
    """A run directory has no readable results.json."""
