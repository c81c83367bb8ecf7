"""Serving logic of the formation endpoints: modules, learner progress, scoring, class results.

Learners only ever reach their own rows (the key id comes from the authenticated key, never
from the request); class results and other learners' attestations need ``formation_teacher``.
Audit entries get the module, exercise and score, never the learner's answer text.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from fastapi import Request

from partages.auth.keys import ApiKey
from partages.formation import (
    AnswerError,
    FormationError,
    ProgressStore,
    attestation_html,
    class_results,
    completion_csv,
    exercise,
    find_modules,
    learner_summary,
    public_exercise,
    score,
)
from partages.server.errors import APIError
from partages.server.state import GatewayState

_lock = threading.Lock()


class FormationState:
    """Modules (loaded once per gateway) and the progress store in ``$PARTAGES_HOME``."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.modules = {mid: m for mid, (_, m) in find_modules(self.home).items()}
        self.store = ProgressStore(self.home / "formation.db")


def formation_of(request: Request) -> FormationState:
    app_state = request.app.state
    with _lock:
        f = getattr(app_state, "formation", None)
        if f is None:
            gw: GatewayState = app_state.gateway
            try:
                f = app_state.formation = FormationState(gw.settings.home)
            except FormationError as e:
                raise APIError(500, f"A formation module on this server is invalid: {e}", code="module_invalid") from None
        return f


def _audit(request: Request, **details: Any) -> None:
    request.scope.setdefault("state", {})["audit_details"] = {"formation": details}


class FormationServing:
    def __init__(self, request: Request, key: ApiKey) -> None:
        self.request = request
        self.key = key
        self.state: GatewayState = request.app.state.gateway
        self.f = formation_of(request)

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.state.executor, fn, *args)

    def module(self, module_id: str) -> dict[str, Any]:
        m = self.f.modules.get(module_id)
        if m is None:
            raise APIError(404, f"Unknown module '{module_id}'.", code="not_found", param="module_id")
        return m

    def exercise(self, module: dict[str, Any], exercise_id: str) -> dict[str, Any]:
        ex = exercise(module, exercise_id)
        if ex is None:
            raise APIError(404, f"Unknown exercise '{exercise_id}' in module '{module['id']}'.", code="not_found", param="exercise_id")
        return ex

    # --- learner ----------------------------------------------------------------------------
    def list_modules(self) -> dict[str, Any]:
        data = []
        for m in self.f.modules.values():
            by_type: dict[str, int] = {}
            for ex in m["exercises"]:
                by_type[ex["type"]] = by_type.get(ex["type"], 0) + 1
            data.append({"id": m["id"], "title": m["title"], "exercises": len(m["exercises"]), "by_type": by_type, "sha256": m.get("sha256", "")})
        return {"object": "list", "data": data}

    async def progress(self, module_id: str) -> dict[str, Any]:
        m = self.module(module_id)
        attempts = await self._run(self.f.store.attempts, module_id, self.key.id)
        _audit(self.request, action="progress", module=module_id)
        return {
            "module": {"id": m["id"], "title": m["title"], "notice": m.get("notice"), "exercise_types": m["exercise_types"],
                       "exercises": [{"id": e["id"], "type": e["type"], "title": e["title"], "avec": e["avec"]} for e in m["exercises"]]},
            "summary": learner_summary(m, attempts),
            "attempts": [a.to_dict() for a in attempts if a.answered_at],
        }

    async def get_exercise(self, module_id: str, exercise_id: str) -> dict[str, Any]:
        m = self.module(module_id)
        ex = self.exercise(m, exercise_id)
        await self._run(lambda: self.f.store.open(self.key.id, self.key.name, m, ex, role=self.key.role))
        attempts = await self._run(self.f.store.attempts, module_id, self.key.id)
        done = next((a for a in attempts if a.exercise_id == exercise_id and a.answered_at), None)
        _audit(self.request, action="open", module=module_id, exercise=exercise_id)
        out = public_exercise(ex)
        out["position"] = [e["id"] for e in m["exercises"]].index(exercise_id) + 1
        out["total"] = len(m["exercises"])
        out["attempt"] = done.to_dict() if done else None
        return out

    async def answer(self, module_id: str, exercise_id: str, answer: dict[str, Any]) -> dict[str, Any]:
        m = self.module(module_id)
        ex = self.exercise(m, exercise_id)
        try:
            result = await self._run(score, ex, answer)
        except AnswerError as e:
            raise APIError(400, f"Invalid answer for {exercise_id} ({ex['type']}): {e}", code="invalid_value", param="answer") from None
        attempt, created = await self._run(lambda: self.f.store.answer(self.key.id, self.key.name, m, ex, answer, result, role=self.key.role))
        attempts = await self._run(self.f.store.attempts, module_id, self.key.id)
        st = self.request.scope.setdefault("state", {})
        st["audit_request_text"] = ""  # the answer (e.g. an edited note) stays out of the audit log
        _audit(self.request, action="answer", module=module_id, exercise=exercise_id, type=ex["type"], score=attempt.score, first=created)
        return {"attempt": attempt.to_dict(), "already_answered": not created, "summary": learner_summary(m, attempts)}

    async def own_attestation(self, module_id: str) -> str:
        return await self._attestation(module_id, self.key.id)

    # --- teacher ----------------------------------------------------------------------------
    async def results(self, module_id: str) -> dict[str, Any]:
        m = self.module(module_id)
        attempts = await self._run(self.f.store.attempts, module_id)
        _audit(self.request, action="class_results", module=module_id)
        return class_results(m, attempts)

    async def csv(self, module_id: str) -> str:
        m = self.module(module_id)
        attempts = await self._run(self.f.store.attempts, module_id)
        _audit(self.request, action="export_csv", module=module_id)
        return completion_csv(m, attempts)

    async def _attestation(self, module_id: str, learner_id: str) -> str:
        m = self.module(module_id)
        attempts = await self._run(self.f.store.attempts, module_id, learner_id)
        if not attempts:
            raise APIError(404, f"No progress recorded for learner '{learner_id}' in module '{module_id}'.", code="not_found", param="learner_id")
        _audit(self.request, action="attestation", module=module_id, learner=learner_id)
        return attestation_html(m, learner_id, attempts[-1].key_name, learner_summary(m, attempts))

    async def learner_attestation(self, module_id: str, learner_id: str) -> str:
        return await self._attestation(module_id, learner_id)
