"""Engine errors. The gateway maps each class to one HTTP status and OpenAI error code.

Messages never contain prompt or note text (privacy by construction).
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class. ``code`` is the OpenAI-style error code."""

    status: int = 500
    code: str = "engine_error"
    param: str | None = None

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        if param is not None:
            self.param = param


class ModelNotFound(EngineError):
    status = 404
    code = "model_not_found"
    param = "model"


class ContextLengthExceeded(EngineError):
    status = 400
    code = "context_length_exceeded"
    param = "messages"


class InvalidRequest(EngineError):
    status = 400
    code = "invalid_request"


class UnsupportedParameter(EngineError):
    status = 400
    code = "unsupported_parameter"


class InvalidSchema(EngineError):
    status = 400
    code = "invalid_json_schema"
    param = "response_format"


class EngineBusy(EngineError):
    """The bounded queue is full: retry later."""

    status = 429
    code = "engine_overloaded"

    def __init__(self, message: str, *, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(EngineError):
    status = 502
    code = "upstream_error"
