"""Serving logic of the knowledge endpoints and of grounded chat (``retrieval`` extension).

The knowledge base is opened once per gateway home and reopened when ``kb build`` rebuilt its
index (so a running gateway picks up a new BDPM release without a restart).
"""

from __future__ import annotations

import asyncio
from typing import Any

from partages.engines.base import ChatMessage
from partages.knowledge import KnowledgeBase, KnowledgeBaseMissing, get_kb
from partages.rag import answer as grounded_answer
from partages.server.errors import APIError
from partages.server.openai.protocol import ChatCompletionRequest, new_id, now, usage
from partages.server.openai.serving import resolve_model
from partages.server.phi_guard import guard_chat
from partages.server.state import GatewayState


def knowledge_base(state: GatewayState) -> KnowledgeBase:
    try:
        return get_kb(state.settings.home)
    except (KnowledgeBaseMissing, FileNotFoundError):
        raise APIError(503, "The knowledge base is not built on this server: run `partages kb build`.", code="knowledge_base_missing") from None


class KnowledgeServing:
    def __init__(self, state: GatewayState) -> None:
        self.state = state

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.state.executor, fn, *args)

    async def search(self, q: str, k: int, sources: list[str] | None) -> dict[str, Any]:
        kb = knowledge_base(self.state)
        hits = await self._run(lambda: kb.search(q, k=k, sources=sources))
        return {"object": "list", "data": [h.to_dict() for h in hits]}

    async def drug(self, cis: str) -> dict[str, Any]:
        if not (len(cis) == 8 and cis.isdigit()):
            raise APIError(400, "A CIS code has 8 digits.", code="invalid_value", param="cis")
        kb = knowledge_base(self.state)
        d = await self._run(kb.drug, cis)
        if d is None:
            raise APIError(404, f"No speciality with CIS {cis} in the BDPM.", code="not_found")
        return d

    async def lookup(self, q: str) -> dict[str, Any]:
        kb = knowledge_base(self.state)
        return (await self._run(kb.lookup_drug, q)).to_dict()

    async def interactions(self, drugs: list[str]) -> dict[str, Any]:
        kb = knowledge_base(self.state)
        rep = await self._run(kb.interactions, drugs)
        return rep.to_dict()


class GroundedChatServing:
    """Chat completions answered from the knowledge base, with numbered citations.

    The response keeps the OpenAI shape and adds a top-level ``citations`` list.
    """

    def __init__(self, state: GatewayState) -> None:
        self.state = state

    async def create(self, req: ChatCompletionRequest, info: dict[str, Any]) -> dict[str, Any]:
        from partages.engines.errors import UnsupportedParameter

        req.check_supported()
        if req.stream:
            raise UnsupportedParameter("stream is not supported with retrieval: send stream=false.", param="stream")
        if req.response_format and req.response_format.type != "text":
            raise UnsupportedParameter("response_format is not supported with retrieval.", param="response_format")
        model = resolve_model(self.state, req.model)
        info["model"] = model
        opts = req.retrieval
        if not any(m.role == "user" for m in req.messages):
            raise APIError(400, "Retrieval needs a user message to answer.", code="invalid_value", param="messages")
        # the same PHI guard as plain chat (pseudonymise or block, per settings.phi_guard)
        messages = [ChatMessage("system" if m.role == "developer" else m.role, m.text()) for m in req.messages]
        guard = await guard_chat(self.state, messages, info)
        messages = guard.messages
        last = max(i for i, m in enumerate(messages) if m.role == "user")
        question = messages[last].content
        history = [m for m in messages[:last] if m.role != "system"]  # the grounded prompt has its own system turn
        kb = knowledge_base(self.state)
        params = req.sampling()
        if params.max_tokens is None:
            params.max_tokens = 256
        res = await asyncio.get_running_loop().run_in_executor(
            self.state.executor,
            lambda: grounded_answer(self.state.engine, kb, question, k=opts.k, sources=opts.sources, params=params, history=history),
        )
        info["tokens_in"], info["tokens_out"] = res.prompt_tokens, res.completion_tokens
        content = guard.restore(res.text)
        guard.audit_answer(info)
        return {
            "id": new_id("chatcmpl"),
            "object": "chat.completion",
            "created": now(),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": res.finish_reason, "logprobs": None}],
            "usage": usage(res.prompt_tokens, res.completion_tokens),
            "system_fingerprint": None,
            "citations": [c.to_dict() for c in res.citations],
            "grounded": res.grounded,
            "answer_mode": res.mode,  # generated | extractive | none
        }
