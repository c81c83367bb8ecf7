"""What stands between the assistant and the language model: the PHI guard and cancellation.

Deterministic extraction runs on-premise and never calls the model; only the bounded prose steps
(letter/summary résumé, explanation introduction) do, through :class:`GuardedEngine`, which wraps
the :class:`~partages.engines.base.Engine` with the gateway's ``phi_guard`` policy:

- ``off``: the facts go to the model as they are;
- ``pseudonymize``: identifiers in the facts are replaced by keyed surrogates (one scope per
  call) before the model sees them, and the answer is re-identified for the clinician;
- ``block``: a call whose facts carry identifiers is refused (:class:`ModelCallRefused`); the
  prose step then keeps the extracted text and says why.

It also stops generation when the HTTP client has gone (``cancel`` event, set by the gateway):
the engine is one shared lock, so an abandoned letter must not hold it. Counts (never text) are
kept in :attr:`GuardedEngine.stats` for the response's ``generated_by``.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from partages.engines.base import ChatMessage, Chunk, Completion, Engine, SamplingParams, ScoreRequest, ScoreResult, collect


class ModelCallRefused(Exception):
    """``phi_guard=block`` and the text for the model carries identifiers (labels only, never values)."""

    def __init__(self, labels: list[str]) -> None:
        super().__init__("identifiants détectés (" + ", ".join(labels) + ") : appel au modèle refusé (phi_guard=block)")
        self.labels = labels


class RequestCancelled(Exception):
    """The client disconnected: the generation was stopped and no draft is stored."""


@dataclass
class PhiPolicy:
    """``mode`` from the ``phi_guard`` setting; ``detector`` and ``key`` as the gateway's guard uses them."""

    mode: str = "off"
    detector: Any | None = None
    key: bytes | None = None

    def __post_init__(self) -> None:
        if self.mode not in ("off", "pseudonymize", "block"):
            raise ValueError(f"Unknown phi_guard mode {self.mode!r} (off, pseudonymize, block).")
        if self.mode != "off" and self.detector is None:
            from partages.deid import default_detector

            self.detector = default_detector()
        if self.mode == "pseudonymize" and not self.key:
            import secrets

            self.key = secrets.token_bytes(32)  # surrogates only live for one call


@dataclass
class GuardStats:
    calls: int = 0
    refused: int = 0
    replaced: int = 0
    labels: set[str] = field(default_factory=set)

    def to_dict(self, mode: str) -> dict[str, Any]:
        return {"mode": mode, "model_calls": self.calls, "model_calls_refused": self.refused,
                "identifiers_replaced": self.replaced, "labels": sorted(self.labels)}


class GuardedEngine(Engine):
    """An :class:`Engine` that applies a :class:`PhiPolicy` to chat calls and honours ``cancel``."""

    def __init__(self, inner: Engine, policy: PhiPolicy | None = None, cancel: threading.Event | None = None,
                 patient: dict[str, Any] | None = None) -> None:
        self.inner = inner
        self.info = inner.info
        self.policy = policy or PhiPolicy()
        self.cancel = cancel
        self.patient = patient
        self.stats = GuardStats()

    # --- the guard ------------------------------------------------------------------------
    def _protect(self, messages: Sequence[ChatMessage]) -> tuple[list[ChatMessage], dict[str, str]]:
        mode = self.policy.mode
        if mode == "off":
            return list(messages), {}
        if mode == "block":
            labels = sorted({s.label for m in messages if m.role == "user" for s in self.policy.detector.detect(m.content, self.patient)})
            if labels:
                self.stats.refused += 1
                self.stats.labels.update(labels)
                raise ModelCallRefused(labels)
            return list(messages), {}
        from partages.deid import Pseudonymizer

        pz = Pseudonymizer(self.policy.key, "surrogate", detector=self.policy.detector)
        scope = "assistant-" + os.urandom(8).hex()
        out, mapping = [], {}
        for m in messages:
            if m.role == "user" and m.content:
                res = pz.pseudonymize(m.content, patient=self.patient, scope=scope)
                mapping.update(res.mapping())
                self.stats.labels.update(s.label for s in res.spans)
                out.append(ChatMessage(m.role, res.text))
            else:
                out.append(m)
        self.stats.replaced += len(mapping)
        return out, mapping

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def _watch(self, it: Iterator[Chunk]) -> Iterator[Chunk]:
        try:
            for chunk in it:
                if self._cancelled():
                    raise RequestCancelled("client disconnected")
                yield chunk
        finally:
            close = getattr(it, "close", None)
            if close:
                close()  # stops the generation and frees the engine

    def stream_chat(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Iterator[Chunk]:
        if self._cancelled():
            raise RequestCancelled("client disconnected")
        safe, mapping = self._protect(messages)
        self.stats.calls += 1
        if not mapping:
            yield from self._watch(self.inner.stream_chat(safe, params))
            return
        from partages.deid import StreamReidentifier

        back = StreamReidentifier(mapping)
        for c in self._watch(self.inner.stream_chat(safe, params)):
            yield dataclasses.replace(c, text=back.feed(c.text)) if c.text else c
        tail = back.flush()
        if tail:
            yield Chunk(text=tail)

    def chat(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Completion:
        return collect(self.stream_chat(messages, params))

    # --- the rest is the inner engine's -----------------------------------------------------
    def stream_completion(self, prompt: str | list[int], params: SamplingParams) -> Iterator[Chunk]:
        raise NotImplementedError("the assistant only uses chat calls, which the PHI guard covers")

    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        raise NotImplementedError("the assistant does not score")

    def count_tokens(self, text: str) -> int | None:
        return self.inner.count_tokens(text)
