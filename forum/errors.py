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

    def localized(self) -> dict[str, Any]:
        """as_dict() in the reader's language: the messages are English ids that babel.cfg extracts
        (forum/i18n.py); the code stays the same in every language, for programs."""
        from flask import has_request_context
        from flask_babel import gettext

        body = self.as_dict()
        if not has_request_context():
            return body
        body["message"] = gettext(self.message)
        if self.fields:
            body["fields"] = {name: [gettext(m) for m in messages] for name, messages in self.fields.items()}
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


class Unauthenticated(DomainError):
    code = "unauthorized"
    status = 401


class Malformed(DomainError):
    code = "bad_request"
    status = 400


class TooLarge(DomainError):
    code = "too_large"
    status = 413


# The code each HTTP status carries in an error object, for pages, the API and sockets alike.
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "not_allowed", 404: "not_found",
              405: "method_not_allowed", 409: "invalid_state", 413: "too_large",
              415: "unsupported_media_type", 422: "validation_failed", 429: "throttled",
              500: "server_error"}
