"""Serving logic of the assistant endpoints: size checks, the worker pool, drafts, audit details.

The audit middleware writes ``scope["state"]["audit_details"]`` into the hash-chained audit
entry: it gets the draft id, the action and SHA-256 digests only, never clinical text.

Routes that may call the model (letter, summary, explain with prose on) watch the connection:
when the client goes away (the web page's cancel button, a timeout) a ``threading.Event`` is set
and the assistant stops the generation at its next token (the engine is one shared lock), and
no draft is stored. The PHI guard (``phi_guard`` setting) applies to those model calls only;
deterministic extraction runs on-premise and is not a model call.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from fastapi import Request

from partages.assistant import Assistant, DraftError, KnowledgeBaseRequired, PhiPolicy, RequestCancelled, sha256_json, to_fhir, to_markdown
from partages.server.assistant.protocol import EDITABLE, MAX_TOTAL_CHARS
from partages.server.errors import APIError
from partages.server.state import GatewayState

_lock = threading.Lock()
log = logging.getLogger("partages.assistant")
DISCONNECT_POLL_S = 0.25


def assistant_of(request: Request) -> Assistant:
    """One :class:`Assistant` per gateway (its draft store lives in ``$PARTAGES_HOME``)."""
    app_state = request.app.state
    with _lock:
        a = getattr(app_state, "assistant", None)
        if a is None:
            gw: GatewayState = app_state.gateway
            st = gw.settings
            phi = PhiPolicy("off")
            if st.phi_guard != "off":
                from partages.server.phi_guard import guard_components

                detector, key = guard_components(st)
                phi = PhiPolicy(st.phi_guard, detector, key)
            a = app_state.assistant = Assistant(st.home, gw.engine, st.data_dir, prose=st.assistant_prose, phi=phi,
                                                key_file=st.assistant_key_file)
        return a


def _audit(request: Request, **details: Any) -> None:
    request.scope.setdefault("state", {})["audit_details"] = {"assistant": details}


class AssistantServing:
    def __init__(self, request: Request) -> None:
        self.request = request
        self.state: GatewayState = request.app.state.gateway
        self.assistant = assistant_of(request)

    async def _run(self, fn, *args):
        try:
            return await asyncio.get_running_loop().run_in_executor(self.state.executor, fn, *args)
        except KnowledgeBaseRequired:
            raise APIError(503, "The knowledge base is not built on this server: run `partages kb build`.", code="knowledge_base_missing") from None
        except DraftError as e:
            raise APIError(e.status, str(e), code=e.code, param=getattr(e, "param", None)) from None

    async def _run_watched(self, fn):
        """Run ``fn(cancel)`` in the pool; set ``cancel`` if the client disconnects meanwhile."""
        cancel = threading.Event()

        async def watch() -> None:
            while not cancel.is_set():
                if await self.request.is_disconnected():
                    cancel.set()
                    return
                await asyncio.sleep(DISCONNECT_POLL_S)

        watcher = asyncio.create_task(watch())
        try:
            return await self._run(lambda: fn(cancel))
        except RequestCancelled:
            log.warning("assistant request stopped: client disconnected (generation stopped, no draft stored)")
            self.request.scope.setdefault("state", {})["audit_details"] = {"assistant": {"action": "cancelled"}}
            raise APIError(499, "The client disconnected: generation stopped, no draft stored.", code="client_disconnected") from None
        finally:
            cancel.set()
            watcher.cancel()

    def _check_size(self, total: int) -> None:
        if total > MAX_TOTAL_CHARS:
            raise APIError(413, f"The documents hold {total} characters in all; the limit is {MAX_TOTAL_CHARS}. Send fewer or shorter documents.",
                           code="input_too_large", param="documents")

    def _done(self, action: str, draft, documents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        if draft.generated_by.get("model"):
            self.request.scope.setdefault("state", {})["model"] = draft.generated_by["model"]
        _audit(self.request, action=action, draft_id=draft.id, kind=draft.kind,
               input_sha256=sha256_json(documents) if documents is not None else None)
        return draft.to_dict()

    def _key(self) -> str | None:
        return getattr(self.request.state, "key_id", None)

    async def discharge_letter(self, documents: list[dict[str, Any]], patient: dict[str, Any] | None, total: int, prose: bool | None = None) -> dict[str, Any]:
        self._check_size(total)
        key = self._key()
        d = await self._run_watched(lambda c: self.assistant.discharge_letter(documents, patient, key_id=key, prose=prose, cancel=c))
        return self._done("generate", d, documents)

    async def summary(self, documents: list[dict[str, Any]], total: int, prose: bool | None = None) -> dict[str, Any]:
        self._check_size(total)
        key = self._key()
        d = await self._run_watched(lambda c: self.assistant.summary(documents, key_id=key, prose=prose, cancel=c))
        return self._done("generate", d, documents)

    async def medications(self, documents: list[dict[str, Any]], total: int) -> dict[str, Any]:
        self._check_size(total)
        d = await self._run(lambda: self.assistant.medications(documents, key_id=self._key()))
        return self._done("generate", d, documents)

    async def codes(self, documents: list[dict[str, Any]], total: int) -> dict[str, Any]:
        self._check_size(total)
        d = await self._run(lambda: self.assistant.codes(documents, key_id=self._key()))
        return self._done("generate", d, documents)

    async def explain(self, draft_id: str, prose: bool | None = None) -> dict[str, Any]:
        key = self._key()
        d = await self._run_watched(lambda c: self.assistant.explain(draft_id, key_id=key, prose=prose, cancel=c))
        out = self._done("explain", d)
        self.request.scope["state"]["audit_details"]["assistant"]["source_draft"] = draft_id
        return out

    async def get(self, draft_id: str) -> dict[str, Any]:
        d = await self._run(self.assistant.store.get, draft_id)
        out = d.to_dict()
        out["history"] = await self._run(self.assistant.store.history, draft_id)
        _audit(self.request, action="read", draft_id=draft_id)
        return out

    async def edit(self, draft_id: str, patch: Any) -> dict[str, Any]:
        if not isinstance(patch, dict) or not patch:
            raise APIError(400, "The body must be a non-empty JSON merge patch object, e.g. {\"letter\": {\"motif\": \"...\"}}.", code="invalid_value")
        d = await self._run(self.assistant.store.get, draft_id)
        allowed = EDITABLE.get(d.kind, set())
        bad = sorted(set(patch) - allowed)
        if bad:
            raise APIError(400, f"Cannot edit '{bad[0]}' of a {d.kind} draft; editable: {', '.join(sorted(allowed))}.", code="invalid_value", param=bad[0])
        if any(v is None for v in patch.values()):
            raise APIError(400, "A draft's main section cannot be deleted.", code="invalid_value")
        d, digest = await self._run(self.assistant.store.edit, draft_id, patch, self._key())
        _audit(self.request, action="edit", draft_id=draft_id, kind=d.kind, revision=d.revision, edit_sha256=digest)
        return d.to_dict()

    async def validate(self, draft_id: str) -> dict[str, Any]:
        d, digest = await self._run(self.assistant.store.validate, draft_id, self._key())
        _audit(self.request, action="validate", draft_id=draft_id, kind=d.kind, revision=d.revision, content_sha256=digest)
        return d.to_dict()

    async def markdown(self, draft_id: str) -> str:
        d = await self._run(self.assistant.store.validated, draft_id)
        _audit(self.request, action="export_markdown", draft_id=draft_id, content_sha256=sha256_json(d.content))
        return to_markdown(d)

    async def fhir(self, draft_id: str) -> dict[str, Any]:
        d = await self._run(self.assistant.store.validated, draft_id)
        patient = (d.content.get("letter") or {}).get("patient") if d.kind == "discharge_letter" else None
        bundle = await self._run(to_fhir, d, patient)
        _audit(self.request, action="export_fhir", draft_id=draft_id, content_sha256=sha256_json(d.content))
        return bundle
