"""API operations on the caller's own API tokens (the account page does the same)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from forum.accounts import services
from forum.accounts.models import ApiToken
from forum.api.core import ApiBlueprint, PageArgs, actor, paginate
from forum.api.schemas import NewTokenSchema, TokenInSchema, TokenPageSchema
from forum.db import unit_of_work
from forum.errors import NotFound
from forum.extensions import db

blp = ApiBlueprint("api_tokens", __name__, tag="Tokens",
                   description="The caller's personal API tokens: stored hashed, shown once, revocable.")


def token_out(row: ApiToken) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "created_at": row.created_at, "last_used_at": row.last_used_at}


@blp.route("/me/tokens", methods=["GET"])
@blp.operation("listTokens", 422)
@blp.arguments(PageArgs, location="query")
@blp.response(200, TokenPageSchema)
def list_tokens(args: dict[str, Any]):
    """The caller's active tokens, newest first (never the tokens themselves)"""
    return paginate(services.tokens_of(actor().id), args, lambda rows: [token_out(r) for r in rows])


@blp.route("/me/tokens", methods=["POST"])
@blp.operation("createToken", 422)
@blp.arguments(TokenInSchema)
@blp.response(201, NewTokenSchema)
def create_token(data: dict[str, Any]):
    """Create a token for the caller

    The answer holds the token itself, shown this once: only its hash is kept.
    """
    user = actor()
    with unit_of_work():
        token = services.create_token(user, data["name"])
    row = services.token_row(token)
    return {**token_out(row), "token": token}


@blp.route("/me/tokens/<id:token_id>", methods=["DELETE"])
@blp.operation("revokeToken", 404)
@blp.response(204)
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens

    Sockets authenticated with it lose their rights at once. Another user's token answers 404.
    A script may revoke the very token it authenticates with.
    """
    user = actor()
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("No such token.")
    with unit_of_work():
        services.revoke_token(user, token_id)
    return current_app.response_class(status=204)
