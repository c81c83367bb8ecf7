"""Request models of the knowledge endpoints (unknown fields -> 400 naming the field)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class InteractionsRequest(BaseModel):
    """``POST /v1/drugs/interactions``: drugs as prescribers write them (brand, substance, class)."""

    model_config = ConfigDict(extra="forbid")
    drugs: list[str] = Field(min_length=2, max_length=30)
