"""Errors of the knowledge layer. Messages name files, lines and sources, never user text."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class: anything the knowledge layer refuses, with a message a user can act on."""


class SourceMissing(KnowledgeError):
    """A source's files were not found; the message says where to obtain them."""


class SourceFormatError(KnowledgeError):
    """A source file cannot be read at all (wrong format, not just a few malformed lines)."""


class KnowledgeBaseMissing(KnowledgeError):
    """No knowledge base has been built in this home yet."""

    def __init__(self, path: object) -> None:
        super().__init__(f"No knowledge base at {path}: run `partages kb build` first.")
