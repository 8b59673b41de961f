"""API operations on positions (rule 27), Government statements (rule 28), internal polls and the
status board (getTally).

Adapters only: the permission functions of forum/permissions.py gate each operation and the
positions services (forum/positions/positions.py, polls.py, board.py) do the work inside
`unit_of_work()`. An item is `{kind}/{id}` — `paragraph` or `amendment`; one the caller may not see
(an amendment before circulation, another meeting's) answers 404. Government statements stay
attributed to their States: nothing here sums them into one Government position.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g

from forum import permissions
from forum.api.core import ApiBlueprint, actor
from forum.api.drafting import draft_summary_out, on_draft
from forum.api.schemas import (
    PollAnswerInSchema,
    PollInSchema,
    PollSchema,
    PositionInSchema,
    RecordedPositionSchema,
    RecordedStatementSchema,
    StatementInSchema,
    TallySchema,
)
from forum.db import unit_of_work
from forum.errors import NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Group, Sitting, Space
from forum.positions import board, polls, positions, queries
from forum.positions.items import ItemRef, item_of_row, load_item
from forum.positions.models import Poll

blp = ApiBlueprint("api_positions", __name__, tag="Positions",
                   description="Group positions, Government statements, internal polls and the status board.")

ITEM = "/items/<any(paragraph,amendment):kind>/<id:item_id>"


# --- items, gates --------------------------------------------------------------------------------------

def visible_item(kind: str, ident: int) -> ItemRef:
    """The item, or 404 for those who may not see it (ids reveal nothing)."""
    try:
        item = load_item(kind, ident)
    except NotFound:
        raise NotFound("No such item.") from None
    user = actor()
    if not permissions.can_view_draft(user, item.draft) or (
            item.amendment is not None and not permissions.can_view_amendment(user, item.amendment)):
        raise NotFound("No such item.")
    return item


def _open_to_positions(item: ItemRef) -> bool:
    """What the services refuse as a state (409): a draft not open, an amendment not circulated."""
    return item.draft.open_for_amendments and (item.amendment is None or item.amendment.is_circulated)


def on_item(check: Callable[[Any, ItemRef, dict[str, Any]], bool], message: str) -> Callable:
    """Gate an operation under /items/<kind>/<id>: 404 unless the caller sees the item, then 403
    unless `check(user, item, path)` — when the item is not open to it, the service answers 409."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            item = visible_item(kwargs["kind"], kwargs["item_id"])
            if _open_to_positions(item) and not check(actor(), item, kwargs):
                raise NotAllowed(message)
            g.api_item = item
            return view(*args, **kwargs)

        return wrapper

    return decorator


def sitting_of(item: ItemRef, sitting_id: int | None) -> Sitting | None:
    if sitting_id is None:
        return None
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or sitting.meeting_id != item.meeting_id:
        raise ValidationFailed("Name a sitting of this meeting.", {"sitting_id": ["Choose a sitting of this meeting."]})
    return sitting


def item_out(item: ItemRef) -> dict[str, Any]:
    return item.as_dict()


# --- positions and statements ----------------------------------------------------------------------------

@blp.route(f"{ITEM}/positions/<string(maxlength=20):group>", methods=["PUT"])
@blp.operation("setGroupPosition", 403, 404, 409, 422)
@on_item(lambda u, item, path: permissions.can_record_position(u, item, path["group"]),
         "Only the group's spokesperson or secretary (a regional group's coordinator), or the secretariat taking "
         "note in the sitting, records its position.")
@blp.arguments(PositionInSchema)
@blp.response(200, RecordedPositionSchema)
def set_group_position(data: dict[str, Any], kind: str, item_id: int, group: str):
    """Record a group's position on an item (rule 27)

    `{group}`: `employer`, `worker` or a regional group code (`AFRICA`…); `stance`: support, oppose,
    reserve or none; `statement`. The group's officers record it in its name; the secretariat takes
    note of it (`for_chair`). One current position per group and item; each change is kept in its
    history; the same position again changes nothing.
    """
    item = g.api_item
    with unit_of_work():
        position = positions.record_position(actor(), item, group=group, stance=data["stance"],
                                             statement=data["statement"],
                                             sitting=sitting_of(item, data["sitting_id"]))
        out = {**board.position_dict(position), "item": item_out(item)}
    return out


def _states_of(user: Any, item: ItemRef, path: dict[str, Any]) -> bool:
    return permissions.can_add_statement(user, item)


@blp.route(f"{ITEM}/statements", methods=["POST"])
@blp.operation("addStatement", 403, 404, 409, 422)
@on_item(_states_of, "Government participants record their own State's statements (a coordinator, those of the "
                     "group's States; the secretariat, any).")
@blp.arguments(StatementInSchema)
@blp.response(201, RecordedStatementSchema)
def add_statement(data: dict[str, Any], kind: str, item_id: int):
    """Record what a Government said on an item, attributed to its State (rule 28)

    `member_state` (default: the caller's State), `regional_group` (when it spoke on the group's
    behalf), `stance`, `text`. Statements are kept one by one, never summed into a Government position.
    """
    item, user = g.api_item, actor()
    state = data["member_state"]
    if state is None:
        p = permissions.participation(user, item.meeting_id)
        if p is None or p.group is not Group.government or not p.member_state:
            raise ValidationFailed("Name the State that spoke.", {"member_state": ["Give the State's ISO code."]})
        state = p.member_state
    with unit_of_work():
        statement = positions.add_statement(user, item, member_state=state, stance=data["stance"],
                                            regional_group=data["regional_group"], text=data["text"],
                                            sitting=sitting_of(item, data["sitting_id"]))
        out = {**board.statement_dict(statement), "item": item_out(item)}
    return out


# --- polls --------------------------------------------------------------------------------------------------

def poll_out(poll: Poll) -> dict[str, Any]:
    p = permissions.participation(actor(), poll.meeting_id)
    answer = queries.answer_of(poll.id, p.id) if p is not None else None
    return {"id": poll.id, "space": poll.space_id, "item": item_of_row(poll).as_dict(), "question": poll.question,
            "state": poll.effective_state().value, "closes_at": poll.closes_at, "opened_by": poll.opened_by_name,
            "results": queries.poll_results(poll.id), "your_answer": answer.choice.value if answer else None}


def on_poll(check: Callable[[Any, Space], bool] | None, message: str = "") -> Callable:
    """Gate an operation under /polls/<poll_id>: 404 unless the caller is a member of its caucus or
    regional room (rule 9), then 403 unless `check(user, space)`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            poll = db.session.get(Poll, kwargs["poll_id"])
            if poll is None or not permissions.can_view_poll(actor(), poll):
                raise NotFound("No such poll.")
            space = db.session.get(Space, poll.space_id)
            if check is not None and not check(actor(), space):
                raise NotAllowed(message)
            g.api_poll = poll
            return view(*args, **kwargs)

        return wrapper

    return decorator


def in_poll_space(view: Callable) -> Callable:
    """Gate openPoll: 404 unless the caller sees the space's polls, 403 unless a poll officer."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        space = db.session.get(Space, kwargs["space_id"])
        if space is None or not permissions.can_view_polls(actor(), space):
            raise NotFound("No such space.")
        if not permissions.can_open_poll(actor(), space):
            raise NotAllowed("Only the group's spokesperson or secretary (a regional group's coordinator) opens polls.")
        g.api_space = space
        return view(*args, **kwargs)

    return wrapper


@blp.route("/spaces/<id:space_id>/polls", methods=["POST"])
@blp.operation("openPoll", 403, 404, 422)
@in_poll_space
@blp.arguments(PollInSchema)
@blp.response(201, PollSchema)
def open_poll(data: dict[str, Any], space_id: int):
    """Open a quick poll (support / oppose / abstain) in a caucus or regional room

    Its officers open it on an `item` (`{kind, id}`), with a `question` and, if given, `minutes`
    after which it closes. Only the room's members see it (rule 9); one open poll per item and room.
    """
    item = visible_item(data["item"]["kind"], data["item"]["id"])
    with unit_of_work():
        poll = polls.open_poll(actor(), g.api_space, item, question=data["question"], minutes=data["minutes"])
    return poll_out(db.session.get(Poll, poll.id))


@blp.route("/polls/<id:poll_id>", methods=["GET"])
@blp.operation("getPoll", 404)
@on_poll(None)
@blp.response(200, PollSchema)
def get_poll(poll_id: int):
    """A poll of the caller's caucus or regional room, with its counts (never who chose what)"""
    return poll_out(g.api_poll)


@blp.route("/polls/<id:poll_id>/answer", methods=["PUT"])
@blp.operation("answerPoll", 403, 404, 409, 422)
@on_poll(permissions.can_write_space, "Observers follow the group's polls without answering them.")
@blp.arguments(PollAnswerInSchema)
@blp.response(200, PollSchema)
def answer_poll(data: dict[str, Any], poll_id: int):
    """Answer a poll, or change one's answer while it is open (a closed poll is 409)"""
    with unit_of_work():
        polls.answer_poll(actor(), g.api_poll, data["choice"])
    return poll_out(db.session.get(Poll, poll_id))


@blp.route("/polls/<id:poll_id>/close", methods=["POST"])
@blp.operation("closePoll", 403, 404)
@on_poll(permissions.can_open_poll, "Only the group's spokesperson or secretary (a regional group's coordinator) "
                                    "closes polls.")
@blp.response(200, PollSchema)
def close_poll(poll_id: int):
    """Close a poll now (its officers); closing a closed poll changes nothing"""
    with unit_of_work():
        polls.close_poll(actor(), g.api_poll)
    return poll_out(db.session.get(Poll, poll_id))


# --- the tally ----------------------------------------------------------------------------------------------

@blp.route("/drafts/<id:draft_id>/tally", methods=["GET"])
@blp.operation("getTally", 404)
@on_draft(permissions.can_view_board)
@blp.response(200, TallySchema)
def get_tally(draft_id: int):
    """The status board as data: one row per paragraph and circulated amendment, in document order

    Each row: the item, its state, the Employers' and Workers' positions, regional groups'
    positions, Government statements (each attributed to its State) and the latest decision with
    its method (`consensus`, `vote:<type>`, `reservation`), who declared it and whether for the Chair.
    """
    draft = g.api_draft
    return {"draft": draft_summary_out(draft), "items": board.status_board(actor(), draft)}
