"""API operations on sittings: scheduling one, its live state, its commands and its attendance register.

Adapters only: `sittingCommand` calls the same dispatcher as the socket event `sitting_command` and
the console's forms (forum/sittings/services.py `run_command`), with the same command names and
payloads (docs/realtime.md); the programme's and the attendance register's services do the rest.
A sitting of a meeting the caller does not take part in answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g

from forum import permissions
from forum.api.core import ApiBlueprint, actor
from forum.api.meetings import current_meeting, in_meeting, sitting_out
from forum.api.schemas import (
    AttendanceInSchema,
    AttendanceSchema,
    SittingCommandInSchema,
    SittingCommandSchema,
    SittingInSchema,
    SittingSchema,
    SittingStateSchema,
)
from forum.db import unit_of_work
from forum.errors import NotAllowed, NotFound
from forum.extensions import db
from forum.meetings import attendance, programme
from forum.meetings.models import Sitting
from forum.sittings import queries, services

blp = ApiBlueprint("api_sittings", __name__, tag="Sittings",
                   description="Sittings: scheduling, their live state, the Chair's and the secretariat's "
                               "commands, and the attendance register.")


def on_sitting(check: Callable[[Any, Sitting], bool] | None = None, message: str = "") -> Callable:
    """Gate an operation under /sittings/<sitting_id>: 404 for non-participants, 403 unless `check`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            sitting = db.session.get(Sitting, kwargs["sitting_id"])
            if sitting is None or not permissions.can_view_sitting(actor(), sitting):
                raise NotFound("No such sitting.")
            if check is not None and not check(actor(), sitting):
                raise NotAllowed(message)
            g.api_sitting = sitting
            return view(*args, **kwargs)

        return wrapper

    return decorator


def state_out(sitting: Sitting) -> dict[str, Any]:
    """The live state as the socket's snapshot gives it; the register for those who run the sitting."""
    user = actor()
    state = queries.state_for(user, sitting)
    if permissions.can_view_attendance(user, sitting.meeting_id):
        state["attendance"] = attendance.present(sitting)
    return state


@blp.route("/meetings/<id:meeting_id>/sittings", methods=["POST"])
@blp.operation("createSitting", 403, 404, 409, 422)
@in_meeting(permissions.can_manage_programme, "Only the meeting secretariat keeps the programme of work.")
@blp.arguments(SittingInSchema)
@blp.response(201, SittingSchema)
def create_sitting(data: dict[str, Any], meeting_id: int):
    """Schedule a sitting (the secretariat); with `draft_id`, make it live on that draft

    `title`, `starts_at` (with its offset; on one of the meeting's days), `ends_at`, `room`,
    `agenda_item_id`, `draft_id` (a draft open for amendments). It stays scheduled until the Chair
    opens it (sittingCommand `open`).
    """
    meeting = current_meeting()
    with unit_of_work():
        sitting = programme.schedule_sitting(actor(), meeting, title=data["title"], starts_at=data["starts_at"],
                                             ends_at=data["ends_at"], room=data["room"],
                                             agenda_item_id=data["agenda_item_id"])
        if data["draft_id"] is not None:
            services.run_command(actor(), sitting, "make_live", {"draft_id": data["draft_id"]})
    return sitting_out(db.session.get(Sitting, sitting.id))


@blp.route("/sittings/<id:sitting_id>/state", methods=["GET"])
@blp.operation("getSittingState", 404)
@on_sitting()
@blp.response(200, SittingStateSchema)
def get_sitting_state(sitting_id: int):
    """The sitting's live state, as the socket's snapshot: state, current item, speakers, timer,
    vote, positions and statements on the item, the agenda; the attendance register for the Chair
    and the secretariat"""
    return state_out(g.api_sitting)


@blp.route("/sittings/<id:sitting_id>/commands", methods=["POST"])
@blp.operation("sittingCommand", 400, 403, 404, 409, 422, 429)
@on_sitting()
@blp.arguments(SittingCommandInSchema)
@blp.response(200, SittingCommandSchema)
def sitting_command(data: dict[str, Any], sitting_id: int):
    """Run a command of the live sitting: `{"command": <name>, ...its fields}`

    The commands of the socket event `sitting_command` (docs/realtime.md), with the same rights and
    fields: `open`, `suspend`, `resume`, `close`, `set_item` (`{"item": {"kind", "id"}}`, or `kind` and `id`),
    `call_objections`, `announce` (`{"text"}`), `request_floor`, `grant_floor`, `open_vote`,
    `cast_ballot`, `declare_outcome`… Answers the command's result and the state afterwards.
    """
    payload = {k: v for k, v in data.items() if k != "command"}
    item = payload.get("item")
    if isinstance(item, dict) and "kind" not in payload and "id" not in payload:
        # The API names an item `{"item": {"kind", "id"}}` (issue 9); the dispatcher takes its fields.
        payload = {**{k: v for k, v in payload.items() if k != "item"}, "kind": item.get("kind"), "id": item.get("id")}
    with unit_of_work():
        result = services.run_command(actor(), g.api_sitting, data["command"], payload)
    return {"ok": True, "result": result, "state": state_out(db.session.get(Sitting, sitting_id))}


@blp.route("/sittings/<id:sitting_id>/attendance", methods=["PUT"])
@blp.operation("setAttendance", 403, 404, 422)
@on_sitting(lambda u, s: permissions.can_keep_attendance(u, s.meeting_id),
            "Only the meeting secretariat keeps the attendance register.")
@blp.arguments(AttendanceInSchema)
@blp.response(200, AttendanceSchema)
def set_attendance(data: dict[str, Any], sitting_id: int):
    """Replace the sitting's attendance register (the secretariat; rules 3 and 32)

    `participant_ids` and `member_states` present; the quorum of the votes opened afterwards is
    counted from it. Answers the register.
    """
    sitting = g.api_sitting
    with unit_of_work():
        attendance.set_attendance(actor(), sitting, participant_ids=data["participant_ids"],
                                  member_states=data["member_states"])
    return attendance.present(sitting)
