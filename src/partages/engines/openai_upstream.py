"""Any OpenAI-compatible upstream over HTTP: vLLM, llama.cpp's server, another Partages gateway.

This is how a hospital scales out to GPUs: the gateway keeps keys, audit and clinical logic and
forwards generation. Streams are passed through chunk by chunk; closing the iterator closes the
HTTP stream, which tells the upstream to stop generating.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from partages.engines.admission import Admission
from partages.engines.base import (
    ChatMessage,
    Chunk,
    Engine,
    ModelInfo,
    SamplingParams,
    ScoreRequest,
    ScoreResult,
    TokenLogprob,
)
from partages.engines.errors import (
    ContextLengthExceeded,
    EngineBusy,
    EngineError,
    InvalidRequest,
    InvalidSchema,
    ModelNotFound,
    UpstreamError,
)
from partages.engines.llamacpp import validate_json_schema


def _error_from_response(resp: httpx.Response) -> EngineError:
    try:
        err = resp.json().get("error", {})
        message = str(err.get("message") or resp.reason_phrase)
        code = err.get("code")
        param = err.get("param")
    except (ValueError, AttributeError):
        message, code, param = resp.reason_phrase or "upstream error", None, None
    message = f"Upstream: {message}"
    if resp.status_code == 429 or resp.status_code == 503:
        retry = int(resp.headers.get("retry-after", "2") or 2)
        return EngineBusy(message, retry_after=retry)
    if resp.status_code == 404:
        return ModelNotFound(message)
    if code == "context_length_exceeded":
        return ContextLengthExceeded(message, param=param)
    if code == "invalid_json_schema":
        return InvalidSchema(message)
    if 400 <= resp.status_code < 500:
        return InvalidRequest(message, param=param)
    return UpstreamError(message)


class OpenAIUpstreamEngine(Engine):
    def __init__(
        self,
        base_url: str,
        info: ModelInfo,
        *,
        api_key: str | None = None,
        upstream_model: str | None = None,
        timeout_s: float = 600.0,
        max_queue: int = 256,
        retry_after: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.info = info
        self.base_url = base_url.rstrip("/")
        self.upstream_model = upstream_model or info.id
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            transport=transport,
        )
        self._admission = Admission(max_queue, retry_after)

    @classmethod
    def discover(cls, base_url: str, *, api_key: str | None = None, model: str | None = None, **kw: Any) -> OpenAIUpstreamEngine:
        """Ask the upstream which models it serves and pick ``model`` (or the first)."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        try:
            resp = httpx.get(base_url.rstrip("/") + "/models", headers=headers, timeout=10.0)
        except httpx.HTTPError as exc:
            raise UpstreamError(f"Upstream {base_url} is unreachable: {type(exc).__name__}") from None
        if resp.status_code != 200:
            raise _error_from_response(resp)
        ids = [m["id"] for m in resp.json().get("data", [])]
        if not ids:
            raise UpstreamError(f"Upstream {base_url} serves no model")
        chosen = model or ids[0]
        if chosen not in ids:
            raise ModelNotFound(f"Upstream {base_url} does not serve '{chosen}' (it serves: {', '.join(ids)})")
        info = ModelInfo(id=chosen, context_length=0, architecture="upstream", owned_by="upstream", extra={"base_url": base_url})
        return cls(base_url, info, api_key=api_key, upstream_model=chosen, **kw)

    # -- request building ----------------------------------------------------------------
    def _body(self, params: SamplingParams) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.upstream_model,
            "temperature": params.temperature,
            "top_p": params.top_p,
        }
        if params.max_tokens is not None:
            body["max_tokens"] = params.max_tokens
        if params.stop:
            body["stop"] = params.stop
        if params.seed is not None:
            body["seed"] = params.seed
        if params.json_schema is not None:
            validate_json_schema(params.json_schema)
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": params.json_schema, "strict": True},
            }
        elif params.json_object:
            body["response_format"] = {"type": "json_object"}
        return body

    def _stream(self, path: str, body: dict[str, Any], kind: str) -> Iterator[Chunk]:
        self._admission.enter()
        return self._stream_admitted(path, body, kind)

    def _stream_admitted(self, path: str, body: dict[str, Any], kind: str) -> Iterator[Chunk]:
        body = {**body, "stream": True, "stream_options": {"include_usage": True}}
        finish = None
        usage: dict[str, int] = {}
        try:
            try:
                with self._client.stream("POST", path, json=body) as resp:
                    if resp.status_code != 200:
                        resp.read()
                        raise _error_from_response(resp)
                    for line in resp.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        data = line[5:].strip()
                        if data == "[DONE]":
                            break
                        obj = json.loads(data)
                        if obj.get("error"):
                            raise UpstreamError(f"Upstream: {obj['error'].get('message', 'error')}")
                        if obj.get("usage"):
                            usage = obj["usage"]
                        for choice in obj.get("choices", []):
                            text = choice.get("delta", {}).get("content") if kind == "chat" else choice.get("text")
                            finish = choice.get("finish_reason") or finish
                            if text:
                                yield Chunk(text=text)
            except httpx.HTTPError as exc:
                raise UpstreamError(f"Upstream request failed: {type(exc).__name__}") from None
        finally:
            self._admission.leave()
        yield Chunk(
            text="",
            finish_reason="length" if finish == "length" else "stop",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
        )

    # -- Engine API ----------------------------------------------------------------------
    def stream_chat(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Iterator[Chunk]:
        if not messages:
            raise InvalidRequest("messages must contain at least one message", param="messages")
        body = self._body(params)
        body["messages"] = [{"role": m.role, "content": m.content} for m in messages]
        return self._stream("/chat/completions", body, "chat")

    def stream_completion(self, prompt: str | list[int], params: SamplingParams) -> Iterator[Chunk]:
        if params.logprobs is not None or params.echo:
            return iter(self._completion_with_logprobs(prompt, params))
        body = self._body(params)
        body["prompt"] = prompt
        return self._stream("/completions", body, "completion")

    def _completion_with_logprobs(self, prompt: str | list[int], params: SamplingParams) -> list[Chunk]:
        body = self._body(params)
        body.update(prompt=prompt, logprobs=params.logprobs or 0, echo=params.echo)
        obj = self._post("/completions", body)
        choice = obj["choices"][0]
        lp = choice.get("logprobs") or {}
        tokens = lp.get("tokens") or []
        out = [
            TokenLogprob(t, l, dict(top or {}), off)
            for t, l, top, off in zip(
                tokens,
                lp.get("token_logprobs") or [None] * len(tokens),
                lp.get("top_logprobs") or [None] * len(tokens),
                lp.get("text_offset") or [0] * len(tokens),
            )
        ]
        usage = obj.get("usage", {})
        return [
            Chunk(
                text=choice.get("text", ""),
                finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
                logprobs=out,
                prompt_tokens=usage.get("prompt_tokens", 0),
                completion_tokens=usage.get("completion_tokens", 0),
            )
        ]

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self._admission.enter()
        try:
            resp = self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise UpstreamError(f"Upstream request failed: {type(exc).__name__}") from None
        finally:
            self._admission.leave()
        if resp.status_code != 200:
            raise _error_from_response(resp)
        return resp.json()

    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        """Echo the prompt with logprobs and sum those of the continuation's tokens (the tokens
        whose text offset is at or after the end of the context)."""
        results = []
        for r in requests:
            obj = self._post(
                "/completions",
                {
                    "model": self.upstream_model,
                    "prompt": r.context + r.continuation,
                    "max_tokens": 0,
                    "echo": True,
                    "logprobs": 1,
                    "temperature": 0.0,
                },
            )
            lp = obj["choices"][0]["logprobs"]
            lps: list[float] = []
            greedy = True
            for tok, l, top, off in zip(lp["tokens"], lp["token_logprobs"], lp["top_logprobs"], lp["text_offset"]):
                if off >= len(r.context) and l is not None:
                    lps.append(float(l))
                    if top:
                        best = max(top.values())
                        greedy = greedy and l >= best - 1e-6
            results.append(ScoreResult(sum(lps), greedy, len(lps), lps))
        return results

    def queue_depth(self) -> int:
        return self._admission.depth

    def close(self) -> None:
        self._client.close()
