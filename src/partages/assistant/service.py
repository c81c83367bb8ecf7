"""``Assistant``: the clinical tasks, each returning a stored draft.

Used by the gateway (``server/assistant/serving.py``) and by ``benchmarks/assistant_eval.py``.
Synchronous: the gateway runs it in its worker pool.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from partages import __version__
from partages.assistant import codes as codes_mod
from partages.assistant.drafts import Draft, DraftStore, sha256_json
from partages.assistant.explain import explain
from partages.assistant.identities import patient_identity
from partages.assistant.letter import draft_letter
from partages.assistant.medications import medications_report
from partages.assistant.model_guard import GuardedEngine, PhiPolicy
from partages.assistant.summary import summarise
from partages.assistant.text import parse_documents
from partages.engines.base import Engine

AI_LABEL = "Brouillon généré par IA : à vérifier, corriger et valider par un clinicien avant tout usage."


class KnowledgeBaseRequired(Exception):
    """The task needs the knowledge base, which is not built in this home."""


PROSE_OFF = ("rédaction par le modèle désactivée (réglage assistant_prose ou \"prose\": true pour l'activer) : "
             "le modèle embarqué n'a pas encore passé l'évaluation ; textes extraits des documents")


class Assistant:
    """The five tasks. ``prose`` (default off) lets the model write the prose fields; ``phi``
    applies the gateway's PHI guard to those model calls; each task accepts ``prose`` (None: the
    default) and ``cancel`` (a :class:`threading.Event` the gateway sets when the client left)."""

    def __init__(self, home: Path, engine: Engine | None, data_dir: Path | None, store: DraftStore | None = None, *,
                 prose: bool = False, phi: PhiPolicy | None = None, key_file: Path | None = None) -> None:
        self.home = Path(home)
        self.engine = engine
        self.data_dir = str(data_dir) if data_dir else None
        self.store = store or DraftStore(self.home / "assistant.db", key_file)
        self.prose = prose
        self.phi = phi or PhiPolicy()

    # --- resources ------------------------------------------------------------------------
    def kb(self, required: bool = False) -> Any | None:
        from partages.knowledge import KnowledgeBaseMissing, get_kb

        try:
            return get_kb(self.home)
        except (KnowledgeBaseMissing, FileNotFoundError):
            if required:
                raise KnowledgeBaseRequired("The knowledge base is not built: run `partages kb build` first.") from None
            return None

    def _engine(self, prose: bool | None, cancel: threading.Event | None, patient: dict[str, Any] | None = None) -> GuardedEngine | None:
        on = self.prose if prose is None else prose
        if not on or self.engine is None:
            return None
        return GuardedEngine(self.engine, self.phi, cancel, patient)

    def generated_by(self, uses_model: bool = True, engine: GuardedEngine | None = None, prose_requested: bool | None = None) -> dict[str, Any]:
        """Provenance of a draft. ``uses_model``: the task has a prose step; ``engine``: the model
        actually offered for it (None: prose off or no engine)."""
        info = self.engine.info if self.engine is not None else None
        used = bool(uses_model and engine is not None and info)
        out = {
            "ai_generated": True,
            "label": AI_LABEL,
            "model": info.id if used else None,
            "model_sha256": info.sha256 if used else None,
            "version": f"partages {__version__}",
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "method": "extraction par règles (avec preuves) + rédaction bornée par le modèle de langage" if used
                      else "extraction par règles (avec preuves), sans modèle de langage",
        }
        if uses_model:
            if used:
                out["prose"] = {"enabled": True, "model_calls": engine.stats.calls}
            elif self.engine is None:
                out["prose"] = {"enabled": False, "reason": "aucun modèle de langage chargé : textes extraits des documents"}
            else:
                out["prose"] = {"enabled": False, "reason": PROSE_OFF}
            if engine is not None and self.phi.mode != "off":
                out["phi_guard"] = engine.stats.to_dict(self.phi.mode)
        return out

    def _model(self, engine: GuardedEngine | None) -> str | None:
        return engine.info.id if engine is not None else None

    # --- tasks ----------------------------------------------------------------------------
    def discharge_letter(self, documents: list[dict[str, Any]], patient: dict[str, Any] | None = None, key_id: str | None = None, *,
                         prose: bool | None = None, cancel: threading.Event | None = None) -> Draft:
        docs = parse_documents(documents)
        # the identity (given, else found in the documents) helps the PHI guard find every mention
        eng = self._engine(prose, cancel, patient or patient_identity(docs))
        letter = draft_letter(docs, self.kb(), eng, self.data_dir, self._model(eng), patient=patient)
        return self.store.create("discharge_letter", {"letter": letter}, self.generated_by(True, eng),
                                 input_sha256=sha256_json(documents), created_by=key_id)

    def summary(self, documents: list[dict[str, Any]], key_id: str | None = None, *, prose: bool | None = None,
                cancel: threading.Event | None = None) -> Draft:
        docs = parse_documents(documents)
        eng = self._engine(prose, cancel)
        s = summarise(docs, self.kb(), eng, self.data_dir, self._model(eng))
        return self.store.create("summary", {"summary": s}, self.generated_by(True, eng), input_sha256=sha256_json(documents), created_by=key_id)

    def medications(self, documents: list[dict[str, Any]], key_id: str | None = None) -> Draft:
        kb = self.kb(required=True)
        docs = parse_documents(documents)
        rep = medications_report(docs, kb)
        return self.store.create("medications", rep, self.generated_by(uses_model=False), input_sha256=sha256_json(documents), created_by=key_id)

    def codes(self, documents: list[dict[str, Any]], key_id: str | None = None) -> Draft:
        docs = parse_documents(documents)
        rep = codes_mod.suggest(docs, self.data_dir, k=10)
        return self.store.create("codes", rep, self.generated_by(uses_model=False), input_sha256=sha256_json(documents), created_by=key_id)

    def explain(self, draft_id: str, key_id: str | None = None, *, prose: bool | None = None, cancel: threading.Event | None = None) -> Draft:
        src = self.store.validated(draft_id)
        patient = (src.content.get("letter") or {}).get("patient") if src.kind == "discharge_letter" else None
        eng = self._engine(prose, cancel, patient if isinstance(patient, dict) else None)
        e = explain(src.kind, src.content, eng, self._model(eng))
        return self.store.create("explanation", {"explanation": e}, self.generated_by(True, eng), input_sha256=sha256_json(src.content),
                                 created_by=key_id, source_draft=src.id)
