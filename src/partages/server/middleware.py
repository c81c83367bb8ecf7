"""ASGI middleware for ``/v1``: body-size limit, audit entry and metrics for every request.

It buffers the request body (bounded by ``max_body_bytes``; 413 beyond, before reading more),
hashes request and response bodies as they pass, and appends the audit entry when the last
response byte is about to leave, so a client that got its answer can rely on the entry being
there. A client that disconnects mid-stream still gets an entry (status 499).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partages.audit.log import AuditEntry
from partages.server.errors import error_body
from partages.server.state import GatewayState

_TEXT_CAP = 1_000_000  # clear-text audit (opt-in) keeps at most this many characters per body


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, state: GatewayState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        st = self.state
        started = time.perf_counter()
        limit = st.settings.max_body_bytes
        scope.setdefault("state", {})
        info: dict[str, Any] = scope["state"]

        # --- request body, bounded ----------------------------------------------------
        declared = dict(scope.get("headers") or []).get(b"content-length")
        too_big = declared is not None and declared.isdigit() and int(declared) > limit
        body = bytearray()
        if not too_big:
            more = True
            while more:
                msg = await receive()
                if msg["type"] == "http.disconnect":
                    return
                body += msg.get("body", b"")
                more = msg.get("more_body", False)
                if len(body) > limit:
                    too_big = True
                    break
        req_hash = hashlib.sha256(bytes(body)).hexdigest()

        resp_hash = hashlib.sha256()
        resp_text: list[str] = []
        status_holder = {"status": 499}
        done = {"audited": False}

        async def audit() -> None:
            if done["audited"]:
                return
            done["audited"] = True
            route = info.get("route_template") or _route_label(scope)
            latency = time.perf_counter() - started
            entry = AuditEntry(
                route=route,
                method=scope.get("method"),
                key_id=info.get("key_id"),
                role=info.get("role"),
                model=info.get("model"),
                status=status_holder["status"],
                tokens_in=info.get("tokens_in"),
                tokens_out=info.get("tokens_out"),
                latency_ms=latency * 1000.0,
                request_sha256=req_hash,
                response_sha256=resp_hash.hexdigest(),
                details=info.get("audit_details") or {},
                # A handler that rewrites text (PHI guard) sets the versions the audit may keep.
                request_text=_cap(_first_set(info.get("audit_request_text"), bytes(body).decode("utf-8", "replace"))) if st.audit.store_text else None,
                response_text=_cap(_first_set(info.get("audit_response_text"), "".join(resp_text))) if st.audit.store_text else None,
            )
            await anyio.to_thread.run_sync(st.audit.append, entry)
            st.metrics.observe(route, status_holder["status"], latency, entry.tokens_in, entry.tokens_out)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                resp_hash.update(chunk)
                if st.audit.store_text:
                    resp_text.append(chunk.decode("utf-8", "replace"))
                if not message.get("more_body", False):
                    await audit()
            await send(message)

        if too_big:
            payload = json.dumps(
                error_body(413, f"Request body is larger than the limit of {limit} bytes.", "request_too_large")
            ).encode()
            await send_wrapper({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
            await send_wrapper({"type": "http.response.body", "body": payload, "more_body": False})
            return

        replayed = {"done": False}

        async def receive_replay() -> Message:
            if not replayed["done"]:
                replayed["done"] = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        try:
            await self.app(scope, receive_replay, send_wrapper)
        finally:
            if not done["audited"]:
                with anyio.CancelScope(shield=True):
                    await audit()


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if path else "unmatched"


def _first_set(override: str | None, raw: str) -> str:
    """The handler's rewritten text when it set one (even empty), else the raw body."""
    return raw if override is None else override


def _cap(s: str) -> str:
    return s if len(s) <= _TEXT_CAP else s[:_TEXT_CAP]
