"""HTTP routes of the OpenAI-compatible API. Nothing but HTTP: parsing, auth, response types."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse

from partages.server.auth import require
from partages.server.openai.protocol import ChatCompletionRequest, CompletionRequest
from partages.server.openai.serving import ChatServing, CompletionServing
from partages.server.knowledge.serving import GroundedChatServing

router = APIRouter(prefix="/v1")

_AI_HEADERS = {"X-AI-Generated": "true"}  # AI Act Art. 50: machine-readable disclosure


def _respond(result: dict | AsyncIterator[bytes]) -> JSONResponse | StreamingResponse:
    if isinstance(result, dict):
        return JSONResponse(result, headers=_AI_HEADERS)
    return StreamingResponse(
        result,
        media_type="text/event-stream",
        headers={**_AI_HEADERS, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/models", dependencies=[Depends(require("models"))])
async def list_models(request: Request) -> dict:
    gw = request.app.state.gateway
    info = gw.engine.info
    return {
        "object": "list",
        "data": [
            {
                "id": info.id,
                "object": "model",
                "created": 0,
                "owned_by": info.owned_by,
                "context_length": info.context_length,
                "architecture": info.architecture,
                "licence": info.licence,
            }
        ],
    }


@router.post("/chat/completions", dependencies=[Depends(require("chat"))])
async def chat_completions(body: ChatCompletionRequest, request: Request):
    if body.retrieval is not None and body.retrieval.enabled:  # grounded answers (knowledge base)
        return _respond(await GroundedChatServing(request.app.state.gateway).create(body, request.scope["state"]))
    return _respond(await ChatServing(request.app.state.gateway).create(body, request.scope["state"]))


@router.post("/completions", dependencies=[Depends(require("completions"))])
async def completions(body: CompletionRequest, request: Request):
    return _respond(await CompletionServing(request.app.state.gateway).create(body, request.scope["state"]))
