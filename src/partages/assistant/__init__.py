"""Clinical assistant: discharge letters, record summaries, medication checks, CIM-10 codes and
patient explanations, each an AI-generated *draft* with evidence spans, validated by a clinician.

Deterministic extraction (rules + the knowledge layer) produces every fact and its evidence
``{"document", "start", "end"}``; the language model, through :class:`~partages.engines.base.Engine`
only, writes bounded prose (see :mod:`partages.assistant.prose`)::

    from partages.assistant import Assistant
    a = Assistant(settings.home, engine, settings.data_dir)          # prose=False: no model call
    draft = a.discharge_letter([{"type": "CRH", "date": "2024-03-02", "text": "..."}])
    a.store.validate(draft.id, key_id="clinician-key")

Drafts are encrypted at rest (``$PARTAGES_HOME/assistant.key``); the model's prose step is
opt-in (``prose=True`` or the ``assistant_prose`` setting) and goes through the PHI guard.
"""

from partages.assistant.codes import suggest as suggest_codes
from partages.assistant.drafts import (
    Draft,
    DraftAlreadyValidated,
    DraftError,
    DraftInvalid,
    DraftKeyError,
    DraftNotFound,
    DraftNotValidated,
    DraftStore,
    merge_patch,
    sha256_json,
)
from partages.assistant.export import to_fhir, to_markdown
from partages.assistant.discharge import discharge_conditions
from partages.assistant.identities import patient_identity, people
from partages.assistant.letter import draft_letter, extract_letter
from partages.assistant.medications import Medication, medications_report
from partages.assistant.model_guard import GuardedEngine, ModelCallRefused, PhiPolicy, RequestCancelled
from partages.assistant.schema import LETTER_SCHEMA, validate_content
from partages.assistant.service import AI_LABEL, Assistant, KnowledgeBaseRequired
from partages.assistant.text import Document, fold, parse_documents

__all__ = [
    "AI_LABEL", "LETTER_SCHEMA", "Assistant", "Document", "Draft", "DraftAlreadyValidated", "DraftError", "DraftInvalid", "DraftKeyError",
    "DraftNotFound", "DraftNotValidated", "DraftStore", "GuardedEngine", "KnowledgeBaseRequired", "Medication", "ModelCallRefused",
    "PhiPolicy", "RequestCancelled", "discharge_conditions", "draft_letter", "extract_letter", "fold", "medications_report",
    "merge_patch", "parse_documents", "patient_identity", "people", "sha256_json", "suggest_codes", "to_fhir", "to_markdown",
    "validate_content",
]
