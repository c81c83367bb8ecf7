"""Serving logic of the OpenAI-compatible endpoints: requests in, engine calls, responses out.

Nothing here knows about HTTP routing; nothing here reaches into an engine's internals.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from partages.engines.base import ChatMessage, Chunk, TokenLogprob, collect
from partages.engines.errors import EngineError, ModelNotFound
from partages.server.errors import error_body, from_engine_error
from partages.server.phi_guard import ChatGuard, guard_chat
from partages.server.openai.protocol import (
    ChatCompletionRequest,
    CompletionRequest,
    new_id,
    now,
    usage,
)
from partages.server.state import GatewayState
from partages.server.streaming import iterate_in_thread


def resolve_model(state: GatewayState, requested: str) -> str:
    if requested != state.model_id:
        raise ModelNotFound(
            f"The model '{requested}' does not exist or is not served here (served: {state.model_id})."
        )
    return state.model_id


def sse(obj: Any) -> bytes:
    return b"data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"


async def _start(state: GatewayState, fn, *args) -> Iterator[Chunk]:
    """Call the engine's stream_* in a worker thread (tokenising and grammar compilation can
    take a few ms): validation errors and 429 surface here, before any response starts."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(state.executor, fn, *args)


def merge_chunks(chunks: list[Chunk]) -> list[Chunk]:
    """Join consecutive chunks that piled up while the client was being written to (one SSE event
    instead of several); the final chunk (finish reason, usage) stays separate."""
    out: list[Chunk] = []
    for c in chunks:
        if out and not out[-1].finish_reason and not c.finish_reason and c.prompt_tokens is None:
            prev = out[-1]
            out[-1] = Chunk(text=prev.text + c.text, logprobs=prev.logprobs + c.logprobs)
        else:
            out.append(c)
    return out


def _chat_logprobs(lps: list[TokenLogprob]) -> dict[str, Any]:
    return {
        "content": [
            {
                "token": lp.token,
                "logprob": lp.logprob,
                "bytes": list(lp.token.encode("utf-8")),
                "top_logprobs": [
                    {"token": t, "logprob": v, "bytes": list(t.encode("utf-8"))} for t, v in lp.top.items()
                ],
            }
            for lp in lps
        ]
    }


def _completion_logprobs(lps: list[TokenLogprob], base_offset: int = 0) -> dict[str, Any]:
    return {
        "tokens": [lp.token for lp in lps],
        "token_logprobs": [lp.logprob for lp in lps],
        "top_logprobs": [(lp.top or None) if lp.logprob is not None else None for lp in lps],
        "text_offset": [lp.offset + base_offset for lp in lps],
    }


class ChatServing:
    def __init__(self, state: GatewayState) -> None:
        self.state = state

    def _messages(self, req: ChatCompletionRequest) -> list[ChatMessage]:
        out = []
        for m in req.messages:
            role = "system" if m.role == "developer" else m.role
            out.append(ChatMessage(role, m.text()))
        return out

    async def create(self, req: ChatCompletionRequest, info: dict[str, Any]) -> dict[str, Any] | AsyncIterator[bytes]:
        req.check_supported()
        model = resolve_model(self.state, req.model)
        info["model"] = model
        params = req.sampling()
        guard = await guard_chat(self.state, self._messages(req), info)  # PHI guard (off by default)
        messages = guard.messages
        it = await _start(self.state, self.state.engine.stream_chat, messages, params)
        if req.stream:
            return self._stream(it, model, req, info, guard)
        loop = asyncio.get_running_loop()
        comp = await loop.run_in_executor(self.state.executor, collect, it)
        info["tokens_in"], info["tokens_out"] = comp.prompt_tokens, comp.completion_tokens
        content = guard.restore(comp.text)
        guard.audit_answer(info)
        choice: dict[str, Any] = {
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": comp.finish_reason,
            "logprobs": _chat_logprobs(comp.logprobs) if req.logprobs else None,
        }
        return {
            "id": new_id("chatcmpl"),
            "object": "chat.completion",
            "created": now(),
            "model": model,
            "choices": [choice],
            "usage": usage(comp.prompt_tokens, comp.completion_tokens),
            "system_fingerprint": None,
        }

    async def _stream(self, it: Iterator[Chunk], model: str, req: ChatCompletionRequest, info: dict[str, Any], guard: ChatGuard | None = None) -> AsyncIterator[bytes]:
        cid, created = new_id("chatcmpl"), now()
        guard = guard or ChatGuard([])

        def chunk(delta: dict[str, Any], finish: str | None = None, logprobs: Any = None) -> dict[str, Any]:
            return {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": logprobs}],
            }

        yield sse(chunk({"role": "assistant", "content": ""}))
        try:
            async for c in iterate_in_thread(it, self.state.executor, merge_chunks):
                lp = _chat_logprobs(c.logprobs) if req.logprobs and c.logprobs else None
                text = guard.feed(c.text) if c.text else c.text
                if text or lp:
                    yield sse(chunk({"content": text}, logprobs=lp))
                if c.finish_reason:
                    rest = guard.flush()
                    if rest:
                        yield sse(chunk({"content": rest}))
                    guard.audit_answer(info)
                    info["tokens_in"], info["tokens_out"] = c.prompt_tokens, c.completion_tokens
                    yield sse(chunk({}, c.finish_reason))
                    if req.stream_options and req.stream_options.include_usage:
                        u = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [], "usage": usage(c.prompt_tokens or 0, c.completion_tokens or 0)}
                        yield sse(u)
        except EngineError as exc:
            e = from_engine_error(exc)
            yield sse(error_body(e.status, e.message, e.code, e.param))
        yield SSE_DONE


class CompletionServing:
    def __init__(self, state: GatewayState) -> None:
        self.state = state

    async def create(self, req: CompletionRequest, info: dict[str, Any]) -> dict[str, Any] | AsyncIterator[bytes]:
        req.check_supported()
        model = resolve_model(self.state, req.model)
        info["model"] = model
        params = req.sampling()
        prompts = req.prompts()
        if req.stream:
            if len(prompts) != 1:
                from partages.engines.errors import UnsupportedParameter

                raise UnsupportedParameter("Streaming takes a single prompt.", param="prompt")
            it = await _start(self.state, self.state.engine.stream_completion, prompts[0], params)
            return self._stream(it, model, req, info)
        loop = asyncio.get_running_loop()
        choices = []
        total_in = total_out = 0
        for i, p in enumerate(prompts):
            it = await _start(self.state, self.state.engine.stream_completion, p, params)
            comp = await loop.run_in_executor(self.state.executor, collect, it)
            total_in += comp.prompt_tokens
            total_out += comp.completion_tokens
            choices.append(
                {
                    "index": i,
                    "text": comp.text,
                    "finish_reason": comp.finish_reason,
                    "logprobs": _completion_logprobs(comp.logprobs) if req.logprobs is not None else None,
                }
            )
        info["tokens_in"], info["tokens_out"] = total_in, total_out
        return {
            "id": new_id("cmpl"),
            "object": "text_completion",
            "created": now(),
            "model": model,
            "choices": choices,
            "usage": usage(total_in, total_out),
        }

    async def _stream(self, it: Iterator[Chunk], model: str, req: CompletionRequest, info: dict[str, Any]) -> AsyncIterator[bytes]:
        cid, created = new_id("cmpl"), now()
        try:
            async for c in iterate_in_thread(it, self.state.executor, merge_chunks):
                lp = _completion_logprobs(c.logprobs) if req.logprobs is not None and c.logprobs else None
                if c.text or lp or c.finish_reason:
                    yield sse({"id": cid, "object": "text_completion", "created": created, "model": model,
                               "choices": [{"index": 0, "text": c.text, "finish_reason": c.finish_reason, "logprobs": lp}]})
                if c.finish_reason:
                    info["tokens_in"], info["tokens_out"] = c.prompt_tokens, c.completion_tokens
                    if req.stream_options and req.stream_options.include_usage:
                        yield sse({"id": cid, "object": "text_completion", "created": created, "model": model, "choices": [], "usage": usage(c.prompt_tokens or 0, c.completion_tokens or 0)})
        except EngineError as exc:
            e = from_engine_error(exc)
            yield sse(error_body(e.status, e.message, e.code, e.param))
        yield SSE_DONE
