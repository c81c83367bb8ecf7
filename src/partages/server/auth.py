"""Authentication dependency: a valid API key (or the web page's session cookie) for every ``/v1`` route, and the right role."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from partages.auth.keys import ApiKey
from partages.auth.roles import allowed
from partages.auth.sessions import CSRF_HEADER, SESSION_COOKIE, SessionStore
from partages.server.errors import APIError
from partages.server.web.store import session_store


def require(scope: str) -> Callable[[Request], ApiKey]:
    def dependency(request: Request) -> ApiKey:
        state = request.app.state.gateway
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
        key = state.keys.verify(token) if token else _session_key(request)
        if key is None:
            raise APIError(
                401,
                "Missing or invalid API key. Send 'Authorization: Bearer <key>' (create one with `partages keys create`).",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )
        request.state.key_id = key.id
        request.state.role = key.role
        if not allowed(key.role, scope):
            raise APIError(403, f"The role '{key.role}' may not use this route.", code="permission_denied")
        return key

    return dependency


def _session_key(request: Request) -> ApiKey | None:
    """The key behind the web page's session cookie; non-GET requests also need the CSRF header."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = session_store(request.app).verify(token)
    if session is None:
        raise APIError(401, "Session expired or closed: log in again.", code="session_expired")
    if request.method not in ("GET", "HEAD", "OPTIONS") and not SessionStore.csrf_ok(session, request.headers.get(CSRF_HEADER)):
        raise APIError(403, "Missing or invalid CSRF token (header X-CSRF-Token).", code="csrf_failed")
    return ApiKey(session.key_id, session.key_name, session.role, "")
