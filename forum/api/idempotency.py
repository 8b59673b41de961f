"""`Idempotency-Key`: a client that retries a submission (a ballot, an amendment, an import) after
a lost answer gets the first answer back instead of a second submission.

Put `@idempotent` between the route and the schema decorators of an operation:

    @blp.route("/meetings", methods=["POST"])
    @blp.operation("createMeeting", 403, 422)
    @idempotent
    @blp.arguments(MeetingInSchema)
    @blp.response(201, MeetingSchema)
    def create_meeting(data): ...

The key is reserved (committed) before the operation runs, so a concurrent repeat answers 409
rather than running twice; a successful (2xx) response is then stored with it and replayed for
every repeat with the same request; a failure releases the key (the failed request changed
nothing, so the client may fix it and retry with the same key). The same key with a different
request is 422. Keys are kept IDEMPOTENCY_TTL_HOURS hours per user.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from http import HTTPStatus
from typing import Any

import sqlalchemy as sa
from flask import current_app, make_response, request
from sqlalchemy.exc import IntegrityError

from forum.api.core import actor
from forum.api.models import IdempotencyKey
from forum.db import unit_of_work, utcnow
from forum.errors import InvalidState, Malformed, ValidationFailed
from forum.extensions import db

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 200


class KeyReused(ValidationFailed):
    code = "idempotency_key_reused"


class KeyInUse(InvalidState):
    code = "idempotency_key_in_use"


def request_fingerprint() -> str:
    """Method, path, query and body; a JSON body is compared by value, not by spelling."""
    body = request.get_data(cache=True)
    if request.mimetype == "application/json":
        try:
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            pass  # malformed JSON is compared as bytes; the operation will refuse it anyway
    material = b"\n".join([request.method.encode(), request.path.encode(), request.query_string,
                           request.mimetype.encode(), body])
    return hashlib.sha256(material).hexdigest()


def _key_from_header() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise Malformed("The Idempotency-Key header must have 1 to 200 printable characters.",
                        {HEADER: ["Use 1 to 200 printable characters, e.g. a UUID."]})
    return key


def _reserve(user_id: int, key: str, fingerprint: str) -> tuple[int | None, IdempotencyKey | None]:
    """(id of a new reservation, None) or (None, the earlier row for this key)."""
    expired = utcnow() - timedelta(hours=current_app.config.get("IDEMPOTENCY_TTL_HOURS", 24))
    try:
        with unit_of_work():
            db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                               IdempotencyKey.created_at < expired))
            earlier = db.session.scalars(sa.select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).first()
            if earlier is not None:
                return None, earlier
            row = IdempotencyKey(user_id=user_id, key=key, request_hash=fingerprint)
            db.session.add(row)
            db.session.flush()
            return row.id, None
    except IntegrityError as exc:  # a concurrent request reserved the same key first
        raise KeyInUse("A request with this Idempotency-Key is being processed. Retry in a moment.") from exc


def _finish(row_id: int, response: Any | None) -> None:
    with unit_of_work():
        row = db.session.get(IdempotencyKey, row_id)
        if row is None:
            return
        if response is None:
            db.session.delete(row)
        else:
            row.status_code = response.status_code
            row.response_body = response.get_data(as_text=True)


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Honour the Idempotency-Key header on this operation (see the module docstring)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = _key_from_header()
        if key is None:
            return view(*args, **kwargs)
        fingerprint = request_fingerprint()
        row_id, earlier = _reserve(actor().id, key, fingerprint)
        if earlier is not None:
            if earlier.request_hash != fingerprint:
                raise KeyReused("This Idempotency-Key was already used with a different request.",
                                {HEADER: ["Use a new key for a new request."]})
            if earlier.status_code is None:
                raise KeyInUse("A request with this Idempotency-Key is being processed. Retry in a moment.")
            replay = current_app.response_class(earlier.response_body or "", status=earlier.status_code,
                                                mimetype="application/json")
            replay.headers[REPLAYED] = "true"
            return replay
        assert row_id is not None
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _finish(row_id, None)
            raise
        _finish(row_id, response if 200 <= response.status_code < 300 else None)
        return response

    wrapper._idempotent = True  # type: ignore[attr-defined]
    # Document the header, and the answers it may bring (400 malformed, 409 in use, 422 reused).
    doc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))
    doc.setdefault("arguments", {}).setdefault("parameters", []).append(
        {"in": "header", "name": HEADER, "required": False, "schema": {"type": "string", "maxLength": MAX_KEY},
         "description": "A key of your choice (e.g. a UUID): a repeat of this request with the same key "
                        "returns the first response; the same key with a different request is 422."})
    responses = doc.setdefault("response", {}).setdefault("responses", {})
    for status in (400, 409, 422):
        if status not in responses:
            responses[status] = [HTTPStatus(status).name]
    wrapper._apidoc = doc  # type: ignore[attr-defined]
    return wrapper
