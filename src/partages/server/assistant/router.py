"""HTTP routes of the clinical assistant. Nothing but HTTP: parameters, auth, response types.

Generating and reading drafts needs the ``assistant`` scope; editing and validating needs
``assistant_validate`` (clinicians and admins). Only validated drafts export.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Request
from fastapi.responses import PlainTextResponse

from partages.server.assistant.protocol import CodesRequest, DischargeLetterRequest, ExplainRequest, MedicationsRequest, SummaryRequest
from partages.server.assistant.serving import AssistantServing
from partages.server.auth import require

router = APIRouter(prefix="/v1/assistant", tags=["assistant"])
use = [Depends(require("assistant"))]
validate_scope = [Depends(require("assistant_validate"))]
DraftId = Path(..., min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")


@router.post("/discharge-letter", dependencies=use)
async def discharge_letter(body: DischargeLetterRequest, request: Request) -> dict:
    return await AssistantServing(request).discharge_letter(body.as_dicts(), body.patient, body.total_chars(), body.prose)


@router.post("/summary", dependencies=use)
async def summary(body: SummaryRequest, request: Request) -> dict:
    return await AssistantServing(request).summary(body.as_dicts(), body.total_chars(), body.prose)


@router.post("/medications", dependencies=use)
async def medications(body: MedicationsRequest, request: Request) -> dict:
    return await AssistantServing(request).medications(body.as_dicts(), body.total_chars())


@router.post("/codes", dependencies=use)
async def codes(body: CodesRequest, request: Request) -> dict:
    return await AssistantServing(request).codes(body.as_dicts(), body.total_chars())


@router.post("/explain", dependencies=use)
async def explain(body: ExplainRequest, request: Request) -> dict:
    return await AssistantServing(request).explain(body.draft_id, body.prose)


@router.get("/drafts/{draft_id}", dependencies=use)
async def get_draft(request: Request, draft_id: str = DraftId) -> dict:
    return await AssistantServing(request).get(draft_id)


@router.patch("/drafts/{draft_id}", dependencies=validate_scope)
async def edit_draft(request: Request, draft_id: str = DraftId, patch: Any = Body(..., description="JSON merge patch (RFC 7386) on the draft's content, e.g. {\"letter\": {\"motif\": \"...\"}}.")) -> dict:
    return await AssistantServing(request).edit(draft_id, patch)


@router.post("/drafts/{draft_id}/validate", dependencies=validate_scope)
async def validate_draft(request: Request, draft_id: str = DraftId) -> dict:
    return await AssistantServing(request).validate(draft_id)


@router.get("/drafts/{draft_id}/markdown", dependencies=use, response_class=PlainTextResponse)
async def export_markdown(request: Request, draft_id: str = DraftId) -> PlainTextResponse:
    md = await AssistantServing(request).markdown(draft_id)
    return PlainTextResponse(md, media_type="text/markdown; charset=utf-8")


@router.get("/drafts/{draft_id}/fhir", dependencies=use)
async def export_fhir(request: Request, draft_id: str = DraftId) -> dict:
    return await AssistantServing(request).fhir(draft_id)
