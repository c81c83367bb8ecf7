"""Authentication dependency: a valid API key for every ``/v1`` route, and the right role."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from partages.auth.keys import ApiKey
from partages.auth.roles import allowed
from partages.server.errors import APIError


def require(scope: str) -> Callable[[Request], ApiKey]:
    def dependency(request: Request) -> ApiKey:
        state = request.app.state.gateway
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
        key = state.keys.verify(token)
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
