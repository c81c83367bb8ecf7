"""Gateway PHI guard for ``/v1/chat/completions`` (setting ``phi_guard``).

- ``off``: nothing changes.
- ``pseudonymize``: user and assistant messages are pseudonymised (keyed surrogates, one scope
  per request so a person keeps one surrogate across the conversation) before the engine; the
  answer is re-identified for the caller, chunk by chunk when streaming (a surrogate split
  across two chunks is held back until complete). The audit store gets only the
  pseudonymised request and answer (``info["audit_request_text"]``/``["audit_response_text"]``).
- ``block``: a request whose user messages contain identifiers gets a 400 in the OpenAI error
  shape, naming the labels found (never the values).

The surrogate key comes from ``phi_guard_key_file``; without one a random key is drawn per
process, which is safe here because the mapping only has to live for one request.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from partages.deid import Pseudonymizer, StreamReidentifier, default_detector, read_key_file, reidentify_text
from partages.deid.detector import Detector
from partages.engines.base import ChatMessage
from partages.server.errors import APIError

_GUARDED_ROLES = ("user", "assistant")
_cache: dict[str, Any] = {}
_lock = threading.Lock()


@dataclass
class ChatGuard:
    """What one request needs: the messages for the engine and the way back for the answer."""

    messages: list[ChatMessage]
    mapping: dict[str, str] = field(default_factory=dict)
    active: bool = False
    _stream: StreamReidentifier | None = None
    _pseudo_answer: list[str] = field(default_factory=list)

    def restore(self, text: str) -> str:
        """Re-identify a complete answer (the engine only saw surrogates)."""
        if not self.active:
            return text
        self._pseudo_answer.append(text)
        return reidentify_text(text, self.mapping)

    def feed(self, delta: str) -> str:
        if not self.active:
            return delta
        if self._stream is None:
            self._stream = StreamReidentifier(self.mapping)
        self._pseudo_answer.append(delta)
        return self._stream.feed(delta)

    def flush(self) -> str:
        if not self.active or self._stream is None:
            return ""
        return self._stream.flush()

    def audit_answer(self, info: dict[str, Any]) -> None:
        """The audit keeps the answer as the engine wrote it: in surrogate space."""
        if self.active:
            info["audit_response_text"] = json.dumps({"choices": [{"message": {"role": "assistant", "content": "".join(self._pseudo_answer)}}]}, ensure_ascii=False)


def _components(settings) -> tuple[Detector, bytes]:
    with _lock:
        if "detector" not in _cache:
            _cache["detector"] = default_detector()
            path = settings.phi_guard_key_file
            _cache["key"] = read_key_file(path) if path else secrets.token_bytes(32)
        return _cache["detector"], _cache["key"]


def guard_components(settings) -> tuple[Detector, bytes]:
    """The guard's detector and surrogate key, shared with the assistant's model calls
    (``server/assistant``), so both routes apply the same policy with the same key."""
    return _components(settings)


def _guard_sync(settings, messages: list[ChatMessage], info: dict[str, Any]) -> ChatGuard:
    mode = settings.phi_guard
    detector, key = _components(settings)
    if mode == "block":
        labels = sorted({s.label for m in messages if m.role == "user" for s in detector.detect(m.content)})
        if labels:
            raise APIError(
                400,
                "The request contains personal identifiers (" + ", ".join(labels) + "). This gateway refuses identifying "
                "data: pseudonymise the text first (partages deid pseudonymize).",
                code="phi_detected",
                param="messages",
            )
        return ChatGuard(messages)
    pz = Pseudonymizer(key, "surrogate", detector=detector)
    scope = "req-" + os.urandom(8).hex()
    out: list[ChatMessage] = []
    mapping: dict[str, str] = {}
    for m in messages:
        if m.role in _GUARDED_ROLES and m.content:
            res = pz.pseudonymize(m.content, scope=scope)
            mapping.update(res.mapping())
            out.append(ChatMessage(m.role, res.text))
        else:
            out.append(m)
    info["audit_request_text"] = json.dumps({"messages": [{"role": m.role, "content": m.content} for m in out]}, ensure_ascii=False)
    info.setdefault("audit_details", {})["phi_guard"] = {"mode": "pseudonymize", "replaced": len(mapping), "status": "pseudonymisé"}
    return ChatGuard(out, mapping, active=True)


async def guard_chat(state, messages: list[ChatMessage], info: dict[str, Any]) -> ChatGuard:
    """Apply the configured guard to a chat request (detection runs in the worker pool)."""
    if state.settings.phi_guard == "off":
        return ChatGuard(messages)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(state.executor, _guard_sync, state.settings, messages, info)
