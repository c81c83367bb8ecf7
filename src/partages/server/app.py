"""The gateway application: ``create_app`` wires settings, engine, keys, audit and routes."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from partages import __version__
from partages.audit.log import AuditLog
from partages.auth.keys import KeyStore
from partages.config import Settings
from partages.engines.base import Engine
from partages.engines.factory import load_engine
from partages.server import admin_router
from partages.server.assistant import router as assistant_router
from partages.server.errors import install_error_handlers
from partages.server.formation import router as formation_router
from partages.server.metrics import Metrics
from partages.server.middleware import GatewayMiddleware
from partages.server.knowledge import router as knowledge_router
from partages.server.openai import router as openai_router
from partages.server.state import GatewayState
from partages.server.web import router as web_router

log = logging.getLogger("partages.server")


def build_state(settings: Settings, engine: Engine | None = None, model_id: str | None = None) -> GatewayState:
    settings.ensure_home()
    engine = engine or load_engine(settings, model_id)
    return GatewayState(
        settings=settings,
        engine=engine,
        keys=KeyStore(settings.db_path),
        audit=AuditLog(settings.audit_db_path, store_text=settings.audit_store_text),
        metrics=Metrics(engine.queue_depth),
    )


def create_app(settings: Settings, engine: Engine | None = None, model_id: str | None = None) -> FastAPI:
    state = build_state(settings, engine, model_id)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        purged = state.audit.purge(settings.audit_retention_days)
        if purged:
            log.info("audit: purged %d entries older than %d days", purged, settings.audit_retention_days)
        yield
        state.close()

    app = FastAPI(
        title="Partages gateway",
        version=__version__,
        description="OpenAI-compatible API for the Partages French health LLM stack.",
        lifespan=lifespan,
    )
    app.state.gateway = state
    install_error_handlers(app)
    app.include_router(openai_router.router)
    app.include_router(admin_router.router)
    app.include_router(knowledge_router.router)
    app.include_router(assistant_router.router)
    app.include_router(formation_router.router)
    app.include_router(web_router)  # clinician web page: /, /login, /logout, /static

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict:
        return {"status": "ok", "model": state.model_id, "queue_depth": state.engine.queue_depth()}

    @app.get("/metrics", include_in_schema=False)
    async def metrics(_: Request) -> Response:
        return Response(state.metrics.render(), media_type=state.metrics.content_type)

    app.add_middleware(GatewayMiddleware, state=state)
    return app
