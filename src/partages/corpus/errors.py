"""Corpus errors: each says which file (and line) is at fault, never the content of a record."""

from __future__ import annotations


class CorpusError(Exception):
    """A corpus build cannot go on (bad configuration, unreadable source)."""


class BadRecord(CorpusError):
    """One input record is malformed. Carries the file and line; readers count and skip these
    unless the source is declared ``strict``."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class MissingDependency(CorpusError):
    """An optional dependency of a step is not installed; the message holds the pip command."""
