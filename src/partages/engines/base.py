"""The one engine interface.

Everything above the platform layer (gateway, assistant, RAG, evaluation) talks to a language
model only through :class:`Engine`. Implementations: in-process llama.cpp
(:mod:`partages.engines.llamacpp`) and any OpenAI-compatible upstream
(:mod:`partages.engines.openai_upstream`). Engines are synchronous; the gateway bridges them to
asyncio. A stream is a plain iterator: closing it (``.close()``) stops the generation.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

FinishReason = Literal["stop", "length"]


@dataclass
class ChatMessage:
    role: str
    content: str


@dataclass
class SamplingParams:
    """What every engine understands. ``json_schema`` constrains the output (grammar)."""

    max_tokens: int | None = 256
    temperature: float = 0.8
    top_p: float = 0.95
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    json_schema: dict[str, Any] | None = None
    json_object: bool = False
    logprobs: int | None = None  # number of top alternatives per generated token (0 = chosen only)
    echo: bool = False  # completions only: return the prompt (and its logprobs) before the output


@dataclass
class TokenLogprob:
    token: str
    logprob: float | None  # None for the first prompt token (nothing predicts it)
    top: dict[str, float] = field(default_factory=dict)
    offset: int = 0  # character offset of the token in the returned text


@dataclass
class Chunk:
    """One streamed piece of output."""

    text: str
    finish_reason: FinishReason | None = None
    logprobs: list[TokenLogprob] = field(default_factory=list)
    prompt_tokens: int | None = None  # set on the final chunk
    completion_tokens: int | None = None  # set on the final chunk


@dataclass
class Completion:
    text: str
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    logprobs: list[TokenLogprob] = field(default_factory=list)


@dataclass
class ScoreRequest:
    """Log-likelihood of ``continuation`` given ``context`` (evaluation harness)."""

    context: str
    continuation: str


@dataclass
class ScoreResult:
    logprob: float  # sum over continuation tokens
    is_greedy: bool  # every continuation token was the argmax
    n_tokens: int
    token_logprobs: list[float] = field(default_factory=list)


@dataclass
class ModelInfo:
    id: str
    context_length: int
    architecture: str = "unknown"
    owned_by: str = "partages"
    licence: str | None = None
    sha256: str | None = None
    chat_template: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Engine(abc.ABC):
    """A language model the stack can use. Implementations must be safe to call from several
    threads (they serialise internally as needed)."""

    info: ModelInfo

    # --- generation -------------------------------------------------------------------
    @abc.abstractmethod
    def stream_completion(self, prompt: str | list[int], params: SamplingParams) -> Iterator[Chunk]:
        """Continue raw text (or token ids). The last chunk carries finish_reason and usage."""

    @abc.abstractmethod
    def stream_chat(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Iterator[Chunk]:
        """Answer a conversation, applying the model's chat template."""

    def complete(self, prompt: str | list[int], params: SamplingParams) -> Completion:
        return collect(self.stream_completion(prompt, params))

    def chat(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Completion:
        return collect(self.stream_chat(messages, params))

    # --- scoring ----------------------------------------------------------------------
    @abc.abstractmethod
    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        """Log-likelihood of each continuation given its context. Requests sharing a context
        should reuse its evaluation (prefix caching) where the engine can."""

    # --- tokens -----------------------------------------------------------------------
    def count_tokens(self, text: str) -> int | None:
        """Number of tokens of ``text``, or None where the engine cannot tell."""
        return None

    # --- admission --------------------------------------------------------------------
    def queue_depth(self) -> int:
        """Requests admitted and not yet finished (running + waiting)."""
        return 0

    def close(self) -> None:  # pragma: no cover - default: nothing to release
        pass


def collect(chunks: Iterator[Chunk]) -> Completion:
    """Join a stream into one completion."""
    parts: list[str] = []
    logprobs: list[TokenLogprob] = []
    finish: FinishReason = "stop"
    prompt_tokens = completion_tokens = 0
    for c in chunks:
        parts.append(c.text)
        logprobs.extend(c.logprobs)
        if c.finish_reason:
            finish = c.finish_reason
        if c.prompt_tokens is not None:
            prompt_tokens = c.prompt_tokens
        if c.completion_tokens is not None:
            completion_tokens = c.completion_tokens
    return Completion("".join(parts), finish, prompt_tokens, completion_tokens, logprobs)
