"""Administration routes (admin role): audit log verification."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from partages.server.auth import require

router = APIRouter(prefix="/v1/admin")


@router.get("/audit/verify", dependencies=[Depends(require("audit"))])
async def audit_verify(request: Request) -> dict:
    res = await run_in_threadpool(request.app.state.gateway.audit.verify)
    return {"ok": res.ok, "entries": res.entries, "first_bad_seq": res.first_bad_seq, "reason": res.reason}
