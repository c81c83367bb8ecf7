"""HTTP routes of the AI-literacy exercises. Nothing but HTTP: parameters, auth, response types.

Learners, teachers and admins (scope ``formation``) open exercises and answer them, and read
their *own* progress and attestation. Class results, the completion CSV and any learner's
attestation need ``formation_teacher`` (teachers, admins). Exercises are fictitious cases: these
routes never touch the assistant's drafts (which hold patient data).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from partages.auth.keys import ApiKey
from partages.server.auth import require
from partages.server.formation.protocol import ID_PATTERN, AnswerRequest
from partages.server.formation.serving import FormationServing
from partages.server.web.router import SECURITY_HEADERS

router = APIRouter(prefix="/v1/formation", tags=["formation"])
learner = require("formation")
teacher = require("formation_teacher")
ModuleId = Path(..., min_length=1, max_length=100, pattern=ID_PATTERN)
ExerciseId = Path(..., min_length=1, max_length=100, pattern=ID_PATTERN)
LearnerId = Path(..., min_length=1, max_length=100, pattern=ID_PATTERN)


@router.get("/modules")
async def list_modules(request: Request, key: ApiKey = Depends(learner)) -> dict:
    return FormationServing(request, key).list_modules()


@router.get("/modules/{module_id}/progress")
async def progress(request: Request, module_id: str = ModuleId, key: ApiKey = Depends(learner)) -> dict:
    return await FormationServing(request, key).progress(module_id)


@router.get("/modules/{module_id}/exercises/{exercise_id}")
async def get_exercise(request: Request, module_id: str = ModuleId, exercise_id: str = ExerciseId, key: ApiKey = Depends(learner)) -> dict:
    return await FormationServing(request, key).get_exercise(module_id, exercise_id)


@router.post("/modules/{module_id}/exercises/{exercise_id}/answer")
async def answer(body: AnswerRequest, request: Request, module_id: str = ModuleId, exercise_id: str = ExerciseId,
                 key: ApiKey = Depends(learner)) -> dict:
    return await FormationServing(request, key).answer(module_id, exercise_id, body.answer)


@router.get("/modules/{module_id}/attestation", response_class=HTMLResponse)
async def own_attestation(request: Request, module_id: str = ModuleId, key: ApiKey = Depends(learner)) -> HTMLResponse:
    return HTMLResponse(await FormationServing(request, key).own_attestation(module_id), headers=SECURITY_HEADERS)


@router.get("/modules/{module_id}/results")
async def results(request: Request, module_id: str = ModuleId, key: ApiKey = Depends(teacher)) -> dict:
    return await FormationServing(request, key).results(module_id)


@router.get("/modules/{module_id}/results.csv", response_class=PlainTextResponse)
async def results_csv(request: Request, module_id: str = ModuleId, key: ApiKey = Depends(teacher)) -> PlainTextResponse:
    text = await FormationServing(request, key).csv(module_id)
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="completion-{module_id}.csv"'})


@router.get("/modules/{module_id}/learners/{learner_id}/attestation", response_class=HTMLResponse)
async def learner_attestation(request: Request, module_id: str = ModuleId, learner_id: str = LearnerId,
                              key: ApiKey = Depends(teacher)) -> HTMLResponse:
    return HTMLResponse(await FormationServing(request, key).learner_attestation(module_id, learner_id), headers=SECURITY_HEADERS)
