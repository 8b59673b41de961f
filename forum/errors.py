"""Domain errors and their translation to HTTP pages, JSON and socket acks."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, **data: Any):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.data = data

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class InvalidState(DomainError):
    code = "invalid_state"
    status = 409


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422


class Throttled(DomainError):
    code = "throttled"
    status = 429
