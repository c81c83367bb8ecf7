"""Request and response models of the formation endpoints (unknown fields -> 400)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[A-Za-z0-9_.-]+$"


class AnswerRequest(BaseModel):
    """One answer. Its shape depends on the exercise type:
    ``reperer_erreur`` ``{"marked": ["l3", "l7"]}``; ``verifier_sources`` ``{"verdicts": {"c1": true, "c2": false}}``;
    ``pseudonymiser`` ``{"text": "the edited note"}``; ``estimer_confiance`` ``{"trust": false}``."""

    model_config = ConfigDict(extra="forbid")
    answer: dict[str, Any] = Field(description="The learner's answer (see the exercise type).")


class ModuleInfo(BaseModel):
    id: str
    title: str
    exercises: int
    by_type: dict[str, int]
    sha256: str
