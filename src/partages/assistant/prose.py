"""The language model's bounded contribution: short prose from facts already extracted.

The embedded model is a small base model (Gemma 3 270M): it may write a readable sentence, it
must never decide a fact. So it receives only the extracted facts, its output is constrained to
a JSON schema, and it is rejected (the deterministic text is kept) when it is empty, truncated,
or mentions a number absent from the facts. Every prose field says where it came from
(``"source": "modele"`` or ``"extraction"``) so the clinician knows what to check first.

This step is opt-in (setting ``assistant_prose`` or the request's ``"prose": true``), off by
default: on the dev stays the embedded base model's prose was rejected every time (invented
numbers, truncated JSON) at 90–150 s per letter on shared cores. With ``engine=None`` the
extracted text is kept and labelled ``"source": "extraction"``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from partages.assistant.model_guard import ModelCallRefused
from partages.engines.base import ChatMessage, Engine, SamplingParams
from partages.engines.errors import ContextLengthExceeded, InvalidRequest

SYSTEM = (
    "Tu es un assistant de rédaction médicale. Tu écris en français, phrases courtes, "
    "uniquement à partir des faits fournis. Tu n'ajoutes aucun fait, aucun chiffre, aucun médicament."
)


@dataclass
class Prose:
    text: str
    source: str  # "modele" | "extraction"
    note: str | None = None

    def provenance(self, model: str | None) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source}
        if self.source == "modele":
            d["model"] = model
            d["label"] = "Texte rédigé par le modèle de langage à partir des faits extraits : à relire."
        if self.note:
            d["note"] = self.note
        return d


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)?", text))


def write(engine: Engine | None, instruction: str, facts: str, fallback: str, *, max_chars: int = 400, max_tokens: int = 120) -> Prose:
    """Ask the model for ``{"texte": ...}``; keep ``fallback`` when its answer is unusable."""
    if engine is None or not facts.strip():
        return Prose(fallback, "extraction")
    schema = {
        "type": "object",
        "properties": {"texte": {"type": "string", "minLength": 20, "maxLength": max_chars}},
        "required": ["texte"],
        "additionalProperties": False,
    }
    messages = [ChatMessage("system", SYSTEM), ChatMessage("user", f"{instruction}\n\nFaits :\n{facts[:2500]}")]
    try:
        out = engine.chat(messages, SamplingParams(max_tokens=max_tokens, temperature=0.0, seed=0, json_schema=schema))
    except (ContextLengthExceeded, InvalidRequest):
        return Prose(fallback, "extraction", "modèle non utilisé : faits trop longs pour son contexte")
    except ModelCallRefused as e:
        return Prose(fallback, "extraction", f"modèle non appelé : {e}")
    try:
        text = str(json.loads(out.text)["texte"]).strip()
    except (ValueError, KeyError, TypeError):
        return Prose(fallback, "extraction", "réponse du modèle inutilisable (tronquée ou invalide) : texte extrait conservé")
    if len(text) < 20:
        return Prose(fallback, "extraction", "réponse du modèle trop courte : texte extrait conservé")
    invented = _numbers(text) - _numbers(facts)
    if invented:
        return Prose(fallback, "extraction", "le modèle a cité des nombres absents des documents : texte extrait conservé")
    return Prose(text, "modele")
