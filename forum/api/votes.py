"""API operations on votes and decisions (rules 29–33).

Adapters only: the permission functions of forum/permissions.py gate each operation and the votes
services (forum/positions/votes.py, decisions.py) do the work inside `unit_of_work()`. A vote
records; it decides nothing: the Chair (or the secretariat on the Chair's behalf, recorded as such)
declares the decision with decideItem, citing the vote.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g

from forum import permissions
from forum.api.core import ApiBlueprint, actor
from forum.api.idempotency import idempotent
from forum.api.positions import ITEM, sitting_of, visible_item
from forum.api.schemas import BallotInSchema, BallotSchema, DecisionInSchema, DeclaredSchema, VoteInSchema, VoteSchema
from forum.db import unit_of_work
from forum.drafting.models import Amendment, DraftingGroup
from forum.errors import NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.positions import decisions, votes
from forum.positions.vote_models import Vote, VoteType
from forum.security import no_store

blp = ApiBlueprint("api_votes", __name__, tag="Votes",
                   description="Votes on paragraphs and amendments, ballots, results and the Chair's decisions.")

PRESIDES = "Only the Chair, or the secretariat on the Chair's behalf, does this."


def on_item(check: Callable[[Any, Any], bool]) -> Callable:
    """Gate an operation under /items/<kind>/<id>: 404 unless the caller sees the item, 403 unless
    `check(user, meeting_id)` (the Chair's office); a draft not open is the service's 409."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            item = visible_item(kwargs["kind"], kwargs["item_id"])
            if not check(actor(), item.meeting_id):
                raise NotAllowed(PRESIDES)
            g.api_item = item
            return view(*args, **kwargs)

        return wrapper

    return decorator


def on_vote(check: Callable[[Any, Vote], bool] | None = None, message: str = "") -> Callable:
    """Gate an operation under /votes/<vote_id>: 404 for non-participants, then 403 unless `check`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            vote = db.session.get(Vote, kwargs["vote_id"])
            if vote is None or not permissions.can_view_vote(actor(), vote):
                raise NotFound("No such vote.")
            if check is not None and not check(actor(), vote):
                raise NotAllowed(message)
            g.api_vote = vote
            return view(*args, **kwargs)

        return wrapper

    return decorator


def idempotent_unless_secret(view: Callable) -> Callable:
    """`Idempotency-Key` for record and show-of-hands ballots. A secret ballot's answer carries its
    receipt, which is never stored (kept with the voter's key, it would tie the voter to the ballot):
    its key is ignored, and a repeat answers 409 — the ballot was counted."""
    keyed = idempotent(view)

    @wraps(keyed)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if g.api_vote.type is VoteType.secret:
            return view(*args, **kwargs)
        return keyed(*args, **kwargs)

    return wrapper


def vote_out(vote_id: int) -> dict[str, Any]:
    return votes.vote_view(db.session.get(Vote, vote_id), actor())


@blp.route(f"{ITEM}/votes", methods=["POST"])
@blp.operation("openVote", 403, 404, 409, 422)
@on_item(permissions.presides)
@blp.arguments(VoteInSchema)
@blp.response(201, VoteSchema)
def open_vote(data: dict[str, Any], kind: str, item_id: int):
    """Put an item to the vote (the Chair, or the secretariat for the Chair)

    `type`: show_of_hands, record or secret; `majority`: simple or two_thirds. The composition, the
    weights (rule 31) and the quorum (from the sitting's attendance register, rule 32) are fixed
    now. Without `sitting_id` the meeting's live sitting is used; a meeting with a quorum needs one
    (409). An item already under an open vote, or decided, is 409.
    """
    item = g.api_item
    with unit_of_work():
        vote = votes.open_vote(actor(), item, vote_type=data["type"], majority=data["majority"],
                               question=data["question"], sitting=sitting_of(item, data["sitting_id"]))
    return vote_out(vote.id)


@blp.route("/votes/<id:vote_id>", methods=["GET"])
@no_store  # ballots, and counts before the result is announced: never cached
@blp.operation("getVote", 404)
@on_vote()
@blp.response(200, VoteSchema)
def get_vote(vote_id: int):
    """A vote: while open, the number of ballots only; once closed, totals (raw and weighted),
    by group (not for secret ballots), quorum, outcome and, for record votes, each voter's choice"""
    return vote_out(vote_id)


def _voter(user: Any, vote: Vote) -> bool:
    return not vote.is_open or permissions.can_cast_ballot(user, vote)


@blp.route("/votes/<id:vote_id>/ballot", methods=["PUT"])
@no_store  # ballots, and counts before the result is announced: never cached
@blp.operation("castBallot", 400, 403, 404, 409, 422)
@on_vote(_voter, "You have no vote in this one (rule 3): voting members only, through their seat.")
@idempotent_unless_secret
@blp.arguments(BallotInSchema)
@blp.response(200, BallotSchema)
def cast_ballot(data: dict[str, Any], vote_id: int):
    """Cast one's ballot: `choice` for, against or abstain (PUT: one ballot per seat)

    A State votes once whoever of its delegation casts it. A second ballot is 409 unless the
    meeting allows changes (not for secret ballots); a closed vote is 409. A secret ballot answers a
    `receipt` code, shown this once. Honours `Idempotency-Key`, except for secret ballots: their
    receipt is never stored, so a repeat answers 409 (the ballot was counted).
    """
    with unit_of_work():
        result = votes.cast_ballot(actor(), g.api_vote, data["choice"])
        # Read back in the same transaction: the committed objects would otherwise be read again.
        vote = vote_out(vote_id)
    return {**result, "vote": vote}


@blp.route("/votes/<id:vote_id>/close", methods=["POST"])
@no_store  # ballots, and counts before the result is announced: never cached
@blp.operation("closeVote", 403, 404, 409)
@on_vote(lambda u, v: permissions.presides(u, v.meeting_id), PRESIDES)
@blp.response(200, VoteSchema)
def close_vote(vote_id: int):
    """Close a vote and compute its result (the Chair, or the secretariat for the Chair)

    The item is not decided by this (rule 29): declare the decision with decideItem.
    """
    with unit_of_work():
        votes.close_vote(actor(), g.api_vote)
    return vote_out(vote_id)


@blp.route(f"{ITEM}/decision", methods=["POST"])
@blp.operation("decideItem", 403, 404, 409, 422)
@on_item(permissions.presides)
@blp.arguments(DecisionInSchema)
@blp.response(201, DeclaredSchema)
def decide_item(data: dict[str, Any], kind: str, item_id: int):
    """Record the decision the Chair declared on an item (rule 29)

    `outcome`: adopted, adopted_as_amended, rejected, fell, withdrawn (the mover's: 403),
    not_seconded, not_moved, merged (`merged_into`), deferred, referred (`drafting_group_id`),
    reservation (`note`: whose), reopened (paragraphs); `method`: consensus, vote (a closed vote on
    the item whose result matches: `vote_id` or the last one), reservation, none. The item's state
    follows through the drafting services; nothing is ever adopted automatically.
    """
    item = g.api_item
    vote = group = merged = None
    if data["vote_id"] is not None:
        vote = db.session.get(Vote, data["vote_id"])
        if vote is None or vote.meeting_id != item.meeting_id:
            raise ValidationFailed("Cite a vote on this item.", {"vote_id": ["Choose a vote on this item."]})
    if data["drafting_group_id"] is not None:
        group = db.session.get(DraftingGroup, data["drafting_group_id"])
        if group is None or group.draft_id != item.draft.id:
            raise ValidationFailed("Name a drafting group of this draft.",
                                   {"drafting_group_id": ["Choose a drafting group of this draft."]})
    if data["merged_into"] is not None:
        merged = db.session.get(Amendment, data["merged_into"])
        if merged is None or merged.draft_id != item.draft.id or not permissions.can_view_amendment(actor(), merged):
            raise ValidationFailed("Name the amendment it was merged into.",
                                   {"merged_into": ["Choose an amendment to this draft."]})
    try:
        with unit_of_work():
            decision = decisions.declare(actor(), item, outcome=data["outcome"], method=data["method"],
                                         sitting=sitting_of(item, data["sitting_id"]), vote=vote, note=data["note"],
                                         drafting_group=group, merged_into=merged)
            out = {"id": decision.id, "item": item.as_dict(), "outcome": decision.outcome, "method": decision.method,
                   "vote_id": decision.vote_id, "sitting_id": decision.sitting_id, "for_chair": decision.for_chair,
                   "note": decision.note, "state": item.obj.state.value}
    except ValidationFailed as exc:
        exc.fields = {{"drafting_group": "drafting_group_id"}.get(k, k): v for k, v in exc.fields.items()}
        raise
    return out
