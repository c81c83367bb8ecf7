"""Request models of the assistant endpoints (unknown fields -> 400 naming the field).

Size limits are part of the contract: at most ``MAX_DOCUMENTS`` documents of at most
``MAX_DOCUMENT_CHARS`` characters each, ``MAX_TOTAL_CHARS`` in all (the gateway's body limit,
413, applies before any of these).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_DOCUMENTS = 20
MAX_DOCUMENT_CHARS = 50_000
MAX_TOTAL_CHARS = 200_000


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field("", max_length=200, description="Kind of document: 'compte-rendu d'hospitalisation', 'ordonnance de sortie'...")
    date: str | None = Field(None, max_length=40, description="ISO date (used to order events).")
    text: str = Field(min_length=1, max_length=MAX_DOCUMENT_CHARS)


class _Documents(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[DocumentIn] = Field(min_length=1, max_length=MAX_DOCUMENTS)

    def total_chars(self) -> int:
        return sum(len(d.text) for d in self.documents)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [d.model_dump() for d in self.documents]


_PROSE = Field(None, description="Let the language model write the prose field (résumé / introduction). Default: the "
                                   "server's assistant_prose setting (off). Off: the text extracted from the documents.")


class DischargeLetterRequest(_Documents):
    patient: dict[str, Any] | None = Field(None, description="Identity fields to print in the letter (optional; else taken from the documents).")
    prose: bool | None = _PROSE


class SummaryRequest(_Documents):
    prose: bool | None = _PROSE


class TextOrDocuments(BaseModel):
    """``{"text": ...}`` or ``{"documents": [...]}`` (exactly one)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(None, min_length=1, max_length=MAX_DOCUMENT_CHARS)
    documents: list[DocumentIn] | None = Field(None, min_length=1, max_length=MAX_DOCUMENTS)

    @model_validator(mode="after")
    def _one(self) -> TextOrDocuments:
        if (self.text is None) == (self.documents is None):
            raise ValueError("send either 'text' or 'documents'")
        return self

    def total_chars(self) -> int:
        return len(self.text) if self.text is not None else sum(len(d.text) for d in self.documents or [])

    def as_dicts(self) -> list[dict[str, Any]]:
        if self.text is not None:
            return [{"type": "note", "date": None, "text": self.text}]
        return [d.model_dump() for d in self.documents or []]


class MedicationsRequest(TextOrDocuments):
    pass


class CodesRequest(TextOrDocuments):
    pass


class ExplainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    draft_id: str = Field(min_length=1, max_length=100, description="A validated draft to explain to the patient.")
    prose: bool | None = _PROSE


# top-level content keys a clinician may edit, per draft kind (the rest is provenance)
EDITABLE: dict[str, set[str]] = {
    "discharge_letter": {"letter"},
    "summary": {"summary"},
    "medications": {"medications", "interactions"},
    "codes": {"codes", "excluded"},
    "explanation": {"explanation"},
}
