"""``Assistant``: the clinical tasks, each returning a stored draft.

Used by the gateway (``server/assistant/serving.py``) and by ``benchmarks/assistant_eval.py``.
Synchronous: the gateway runs it in its worker pool.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from partages import __version__
from partages.assistant import codes as codes_mod
from partages.assistant.drafts import Draft, DraftStore, sha256_json
from partages.assistant.explain import explain
from partages.assistant.letter import draft_letter
from partages.assistant.medications import medications_report
from partages.assistant.summary import summarise
from partages.assistant.text import parse_documents
from partages.engines.base import Engine

AI_LABEL = "Brouillon généré par IA : à vérifier, corriger et valider par un clinicien avant tout usage."


class KnowledgeBaseRequired(Exception):
    """The task needs the knowledge base, which is not built in this home."""


class Assistant:
    def __init__(self, home: Path, engine: Engine | None, data_dir: Path | None, store: DraftStore | None = None) -> None:
        self.home = Path(home)
        self.engine = engine
        self.data_dir = str(data_dir) if data_dir else None
        self.store = store or DraftStore(self.home / "assistant.db")

    # --- resources ------------------------------------------------------------------------
    def kb(self, required: bool = False) -> Any | None:
        from partages.knowledge import KnowledgeBaseMissing, get_kb

        try:
            return get_kb(self.home)
        except (KnowledgeBaseMissing, FileNotFoundError):
            if required:
                raise KnowledgeBaseRequired("The knowledge base is not built: run `partages kb build` first.") from None
            return None

    def generated_by(self, uses_model: bool = True) -> dict[str, Any]:
        info = self.engine.info if self.engine is not None else None
        return {
            "ai_generated": True,
            "label": AI_LABEL,
            "model": info.id if info and uses_model else None,
            "model_sha256": info.sha256 if info and uses_model else None,
            "version": f"partages {__version__}",
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "method": "extraction par règles (avec preuves) + rédaction bornée par le modèle de langage" if uses_model
                      else "extraction par règles (avec preuves), sans modèle de langage",
        }

    def _model(self) -> str | None:
        return self.engine.info.id if self.engine is not None else None

    # --- tasks ----------------------------------------------------------------------------
    def discharge_letter(self, documents: list[dict[str, Any]], patient: dict[str, Any] | None = None, key_id: str | None = None) -> Draft:
        docs = parse_documents(documents)
        letter = draft_letter(docs, self.kb(), self.engine, self.data_dir, self._model())
        if patient:
            letter["patient"] = patient
        elif "Identité du patient" not in letter["a_completer"]:
            letter["a_completer"].insert(0, "Identité du patient")
        return self.store.create("discharge_letter", {"letter": letter}, self.generated_by(),
                                 input_sha256=sha256_json(documents), created_by=key_id)

    def summary(self, documents: list[dict[str, Any]], key_id: str | None = None) -> Draft:
        docs = parse_documents(documents)
        s = summarise(docs, self.kb(), self.engine, self.data_dir, self._model())
        return self.store.create("summary", {"summary": s}, self.generated_by(), input_sha256=sha256_json(documents), created_by=key_id)

    def medications(self, documents: list[dict[str, Any]], key_id: str | None = None) -> Draft:
        kb = self.kb(required=True)
        docs = parse_documents(documents)
        rep = medications_report(docs, kb)
        return self.store.create("medications", rep, self.generated_by(uses_model=False), input_sha256=sha256_json(documents), created_by=key_id)

    def codes(self, documents: list[dict[str, Any]], key_id: str | None = None) -> Draft:
        docs = parse_documents(documents)
        rep = codes_mod.suggest(docs, self.data_dir, k=10)
        return self.store.create("codes", rep, self.generated_by(uses_model=False), input_sha256=sha256_json(documents), created_by=key_id)

    def explain(self, draft_id: str, key_id: str | None = None) -> Draft:
        src = self.store.validated(draft_id)
        e = explain(src.kind, src.content, self.engine, self._model())
        return self.store.create("explanation", {"explanation": e}, self.generated_by(), input_sha256=sha256_json(src.content),
                                 created_by=key_id, source_draft=src.id)
