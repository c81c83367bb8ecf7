"""HTTP routes of the knowledge API. Nothing but HTTP: parameters, auth, response types."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request

from partages.server.auth import require
from partages.server.knowledge.protocol import InteractionsRequest
from partages.server.knowledge.serving import KnowledgeServing

router = APIRouter(prefix="/v1", dependencies=[Depends(require("knowledge"))])

Source = Literal["bdpm", "ansm", "cim10", "ccam"]


@router.get("/knowledge/search")
async def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=2000, description="Query in French."),
    k: int = Query(5, ge=1, le=100),
    source: list[Source] | None = Query(None, description="Restrict to these sources (repeatable)."),
) -> dict:
    return await KnowledgeServing(request.app.state.gateway).search(q, k, source)


@router.get("/drugs/lookup")
async def lookup(request: Request, q: str = Query(..., min_length=1, max_length=500)) -> dict:
    return await KnowledgeServing(request.app.state.gateway).lookup(q)


@router.get("/drugs/{cis}")
async def drug(cis: str, request: Request) -> dict:
    return await KnowledgeServing(request.app.state.gateway).drug(cis)


@router.post("/drugs/interactions")
async def interactions(body: InteractionsRequest, request: Request) -> dict:
    return await KnowledgeServing(request.app.state.gateway).interactions(body.drugs)
