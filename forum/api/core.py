"""The API's plumbing: bearer tokens, the error object, pagination, rate limits and operation docs.

Every API blueprint is an `ApiBlueprint`: its requests authenticate with `Authorization: Bearer
<token>` and nothing else (a session cookie alone is 401), its errors are the one error object
`{"error": {"code", "message", "fields"?, "errors"?}}`, and each of its operations names its
`operationId` and the error statuses it may answer, so that the OpenAPI document says it all.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import wraps
from http import HTTPStatus
from typing import Any

import flask_smorest
import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from limits import parse
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from forum import ratelimit
from forum.accounts.models import User
from forum.accounts.services import token_row
from forum.db import unit_of_work, utcnow
from forum.errors import HTTP_CODES, DomainError, NotAllowed, Throttled, Unauthenticated
from forum.extensions import db

PREFIX = "/api/v1"
MAX_ID = 2**31 - 1  # ids beyond what the database stores answer 404, not an overflow
MAX_PAGE = 1_000_000
TOUCH_EVERY = timedelta(minutes=1)  # how often a token's last use is written down
_THROTTLE_EXT = "forum_api_throttle"


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive database id (documented as such in the OpenAPI document)."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


# --- errors ---------------------------------------------------------------------------------------

def error_response(status: int, code: str, message: str, fields: Mapping[str, list[str]] | None = None,
                   errors: list[dict[str, Any]] | None = None, headers: Mapping[str, str] | None = None):
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in fields.items()}
    if errors:
        body["errors"] = errors
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_domain_error(exc: DomainError):
    headers: dict[str, str] = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if exc.status == 429 and exc.data.get("retry_after"):
        headers["Retry-After"] = str(exc.data["retry_after"])
    rows = [{"row": row, "field": field, "message": message}
            for row, field, message in exc.data.get("errors", [])]
    return error_response(exc.status, exc.code, _(exc.message), exc.fields, rows, headers)


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested messages as `{"field.sub": [messages]}`."""
    if isinstance(messages, Mapping):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            for name, texts in _flatten(value, f"{prefix}.{key}" if prefix else str(key)).items():
                out.setdefault(name, []).extend(texts)
        return out
    texts = messages if isinstance(messages, list | tuple) else [messages]
    return {prefix or "_schema": [str(t) for t in texts]}


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:  # webargs: the request's shape is wrong
        fields: dict[str, list[str]] = {}
        for messages in data["messages"].values():  # one entry per location (json, query, ...)
            for name, texts in _flatten(messages).items():
                fields.setdefault(name, []).extend(texts)
        return error_response(422, "validation_failed", _("Some values are not valid."), fields)
    messages = {
        400: _("The request could not be understood: check its body and parameters."),
        404: _("There is nothing here, or it is not visible to you."),
        405: _("This method is not allowed here."),
        413: _("The request body is larger than this site accepts."),
        415: _("This content type is not accepted here."),
        429: _("Too many requests in a short time. Wait a moment and try again."),
    }
    return error_response(status, HTTP_CODES.get(status, "error"),
                          messages.get(status, exc.description or HTTPStatus(status).phrase))


# --- authentication -------------------------------------------------------------------------------

def bearer_token() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def authenticate() -> None:
    """Runs before every API operation: the token's user, or 401. Cookies are never read."""
    token = bearer_token()
    if token is None:
        raise Unauthenticated("Send a personal API token: Authorization: Bearer <token>.")
    row = token_row(token)
    if row is None or not row.user.active:
        raise Unauthenticated("This token is not valid: unknown, revoked, or its account is deactivated.")
    g.api_user = row.user
    # Flask-Login's current user for this request only (messages in the user's language, no-store
    # caching); nothing is written to the session.
    g._login_user = row.user
    throttle(row.user)
    if row.last_used_at is None or utcnow() - row.last_used_at > TOUCH_EVERY:
        with unit_of_work():
            row.last_used_at = utcnow()


def actor() -> User:
    """The user whose token authenticated this request."""
    return g.api_user


def allowed_if(check: Callable[[User], bool], message: str) -> Callable:
    """Gate an operation on a global right (403), before its input is even read.

    Put it above `blp.arguments`, so that a caller without the right learns that rather than how
    to fill in a form they may not send.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not check(actor()):
                raise NotAllowed(message)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _throttle() -> MovingWindowRateLimiter:
    return ratelimit.moving_window(_THROTTLE_EXT)


def throttle(user: User) -> None:
    """At most API_RATE_LIMIT requests per user (shared through Redis in the scale-out mode)."""
    limit = current_app.config.get("API_RATE_LIMIT")
    if not limit or not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    item = parse(limit)
    namespace = current_app.config.get("REDIS_PREFIX", "forum:") + "api"
    limiter = _throttle()
    if not limiter.hit(item, namespace, str(user.id)):
        stats = limiter.get_window_stats(item, namespace, str(user.id))
        raise Throttled("Too many requests in a short time. Wait a moment and try again.",
                        retry_after=max(1, math.ceil(stats.reset_time - time.time())))


# --- blueprints and operations ---------------------------------------------------------------------

ALWAYS = (401, 429)


class ApiBlueprint(flask_smorest.Blueprint):
    """A blueprint of the API: token-authenticated, JSON errors, operations tagged `tag`."""

    def __init__(self, name: str, import_name: str, *, tag: str, description: str = "") -> None:
        super().__init__(name, import_name, description=description)
        self.tag = tag
        self.before_request(authenticate)
        self.register_error_handler(DomainError, handle_domain_error)
        self.register_error_handler(HTTPException, handle_http_error)

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any) -> Callable:
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)

    def operation(self, operation_id: str, *statuses: int) -> Callable:
        """Name the operation and document the error statuses it may answer (401 and 429 always)."""

        def decorator(func: Callable) -> Callable:
            for status in sorted({*ALWAYS, *statuses}, reverse=True):
                func = self.alt_response(status, response=HTTPStatus(status).name)(func)
            return self.doc(operationId=operation_id)(func)

        return decorator


# --- pagination -------------------------------------------------------------------------------------

class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE),
                             metadata={"description": "Page number, from 1."})
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=100),
                                 metadata={"description": "Items per page, 1 to 100 (default 50)."})


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The list envelope `{"items", "next", "total"}` around `item`."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item), required=True),
        "next": ma.fields.String(required=True, allow_none=True,
                                 metadata={"description": "URL of the next page, or null on the last."}),
        "total": ma.fields.Integer(required=True, metadata={"description": "Items on all pages."}),
    }, name=name)


def paginate(stmt: sa.Select, args: Mapping[str, Any], convert: Callable[[list[Any]], list[Any]] | None = None
             ) -> dict[str, Any]:
    """One page of `stmt` with its total and the URL of the next page (same filters)."""
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    following = None
    if page * per_page < total:
        query = {k: v for k, v in request.args.lists() if k != "page"}
        following = url_for(request.endpoint or "", **(request.view_args or {}), **query, page=page + 1,
                            _external=True)
    return {"items": convert(items) if convert else items, "next": following, "total": total}
