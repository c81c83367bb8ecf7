"""Pydantic request/response models of the OpenAI-compatible API (the subset Partages serves).

Unknown fields are rejected (400 naming the field) rather than silently ignored, and options the
engine cannot honour (``n > 1``, tools, penalties, logit_bias...) get a 400 naming the option.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from partages.engines.base import SamplingParams
from partages.engines.errors import UnsupportedParameter


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class Message(_Strict):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[ContentPart] | None = None
    name: str | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        parts = []
        for p in self.content:
            if p.type != "text":
                raise UnsupportedParameter(f"Content parts of type '{p.type}' are not supported (text only).", param="messages")
            parts.append(p.text or "")
        return "".join(parts)


class JsonSchemaSpec(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    name: str = "output"
    description: str | None = None
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    strict: bool | None = None


class ResponseFormat(_Strict):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaSpec | None = None


class StreamOptions(_Strict):
    include_usage: bool = False


class _SamplingFields(_Strict):
    model: str
    max_tokens: int | None = Field(None, ge=0)
    temperature: float = Field(1.0, ge=0.0, le=2.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    stop: str | list[str] | None = None
    seed: int | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: int = Field(1, ge=1)
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    logit_bias: dict[str, float] | None = None
    user: str | None = None

    @field_validator("stop")
    @classmethod
    def _stops(cls, v: str | list[str] | None) -> str | list[str] | None:
        if isinstance(v, list) and len(v) > 4:
            raise ValueError("at most 4 stop sequences")
        return v

    def check_supported(self) -> None:
        if self.n != 1:
            raise UnsupportedParameter("n > 1 is not supported: send one request per completion.", param="n")
        if self.presence_penalty or self.frequency_penalty:
            param = "presence_penalty" if self.presence_penalty else "frequency_penalty"
            raise UnsupportedParameter(f"{param} is not supported.", param=param)
        if self.logit_bias:
            raise UnsupportedParameter("logit_bias is not supported.", param="logit_bias")

    def stop_list(self) -> list[str]:
        if self.stop is None:
            return []
        return [self.stop] if isinstance(self.stop, str) else [s for s in self.stop if s]


class RetrievalOptions(_Strict):
    """Partages extension: answer from the trusted knowledge base (BDPM, ANSM, CIM-10, CCAM).

    The answer carries numbered markers ``[n]`` and the response a top-level ``citations`` list;
    with the openai client pass it as ``extra_body={"retrieval": {"enabled": True, "k": 5}}``.
    """

    enabled: bool = True
    k: int = Field(5, ge=1, le=20)
    sources: list[Literal["bdpm", "ansm", "cim10", "ccam"]] | None = None


class ChatCompletionRequest(_SamplingFields):
    messages: list[Message] = Field(min_length=1)
    max_completion_tokens: int | None = Field(None, ge=0)
    response_format: ResponseFormat | None = None
    logprobs: bool = False
    top_logprobs: int | None = Field(None, ge=0, le=20)
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    parallel_tool_calls: bool | None = None
    retrieval: RetrievalOptions | None = None  # Partages extension: grounded answers with citations

    def check_supported(self) -> None:
        super().check_supported()
        if self.tools:
            raise UnsupportedParameter("tools are not supported by this model.", param="tools")
        if self.tool_choice not in (None, "none"):
            raise UnsupportedParameter("tool_choice is not supported by this model.", param="tool_choice")
        if self.response_format and self.response_format.type == "json_schema":
            spec = self.response_format.json_schema
            if spec is None or spec.schema_ is None:
                raise UnsupportedParameter(
                    "response_format json_schema needs json_schema.schema.", param="response_format"
                )

    def sampling(self) -> SamplingParams:
        rf = self.response_format
        return SamplingParams(
            max_tokens=self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            stop=self.stop_list(),
            seed=self.seed,
            json_schema=rf.json_schema.schema_ if rf and rf.type == "json_schema" and rf.json_schema else None,
            json_object=bool(rf and rf.type == "json_object"),
            logprobs=(self.top_logprobs or 0) if self.logprobs else None,
        )


class CompletionRequest(_SamplingFields):
    prompt: str | list[str] | list[int] | list[list[int]]
    max_tokens: int | None = Field(16, ge=0)
    echo: bool = False
    logprobs: int | None = Field(None, ge=0, le=20)
    best_of: int | None = None
    suffix: str | None = None

    def check_supported(self) -> None:
        super().check_supported()
        if self.best_of not in (None, 1):
            raise UnsupportedParameter("best_of > 1 is not supported.", param="best_of")
        if self.suffix:
            raise UnsupportedParameter("suffix (insertion) is not supported.", param="suffix")

    def prompts(self) -> list[str | list[int]]:
        p = self.prompt
        if isinstance(p, str):
            return [p]
        if not p:
            return [""]
        if all(isinstance(x, int) for x in p):
            return [list(p)]  # type: ignore[arg-type]
        return list(p)  # type: ignore[arg-type]

    def sampling(self) -> SamplingParams:
        return SamplingParams(
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            stop=self.stop_list(),
            seed=self.seed,
            logprobs=self.logprobs,
            echo=self.echo,
        )


# --- responses (plain dicts keep streaming cheap; helpers build them) ---------------------
def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def now() -> int:
    return int(time.time())


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
