"""The record that flows through a corpus pipeline.

A document is either plain text (continued pretraining) or a conversation (instruction tuning):
``messages`` holds ``{"role", "content"}`` turns and ``text`` a flat rendering of them used by
the text-level stages (language, quality, dedup, decontamination, pseudonymisation gate), so
every stage sees the words a model will be trained on. ``source`` and ``licence`` are mandatory:
a record without provenance cannot enter a training mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Document:
    id: str
    text: str
    source: str
    licence: str
    messages: list[dict[str, str]] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.source or not self.licence:
            raise ValueError(f"document {self.id!r} has no source or licence")

    @property
    def kind(self) -> str:
        return "chat" if self.messages else "text"

    @classmethod
    def chat(cls, id: str, messages: list[dict[str, str]], source: str, licence: str, **metadata: Any) -> Document:
        text = "\n".join(m["content"] for m in messages)
        return cls(id=id, text=text, source=source, licence=licence, messages=messages, metadata=metadata)

    def set_text(self, text: str) -> None:
        """Replace the text (normalisation); conversations are rewritten turn by turn by the caller."""
        self.text = text
