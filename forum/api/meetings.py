"""API operations on meetings: the meeting itself, its participants, its spaces and its sittings.

Adapters only: each checks the same permission functions as the pages and calls the same service
inside `unit_of_work()`. A meeting the caller does not take part in answers 404, like the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from forum import permissions
from forum.api.core import ApiBlueprint, PageArgs, actor, allowed_if, paginate
from forum.api.idempotency import idempotent
from forum.api.schemas import (
    ImportQuerySchema,
    ImportReportSchema,
    MeetingInSchema,
    MeetingPageSchema,
    MeetingSchema,
    ParticipantPageSchema,
    ParticipantQuerySchema,
    RemoveQuerySchema,
    SittingPageSchema,
    SpacePageSchema,
)
from forum.db import unit_of_work
from forum.errors import DomainError, Malformed, NotAllowed, NotFound, TooLarge
from forum.extensions import db
from forum.meetings import accreditation, queries, services
from forum.meetings.models import (
    BodyType,
    Group,
    Meeting,
    Office,
    Participant,
    QuorumRule,
    Sitting,
    Space,
    WeightingMode,
)
from forum.positions.weights import DEFAULT_QUORUM_FRACTION  # a committee quorum without the setting

blp = ApiBlueprint("api_meetings", __name__, tag="Meetings",
                   description="Meetings, their participants (accreditation), spaces and sittings.")

CSV_TYPES = ("text/csv", "text/plain", "application/csv")


def load_meeting(meeting_id: int) -> Meeting:
    """The meeting, or 404 for those who are not its participants (ids reveal nothing)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not permissions.can_view_meeting(actor(), meeting):
        raise NotFound("No such meeting.")
    g.api_meeting = meeting
    return meeting


def in_meeting(check: Callable[[Any, Meeting], bool] | None = None, message: str = "") -> Callable:
    """Gate an operation under /meetings/<meeting_id>: 404 for non-participants, then 403 unless
    `check(user, meeting)`, before its input is read (put it above `blp.arguments`). The operation
    finds the meeting with `current_meeting()`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            meeting = load_meeting(kwargs["meeting_id"])
            if check is not None and not check(actor(), meeting):
                raise NotAllowed(message or "Your role in this meeting does not allow this.")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_meeting() -> Meeting:
    return g.api_meeting


# --- shapes ------------------------------------------------------------------------------------------

def offices_of(p: Participant) -> list[dict[str, Any]]:
    def code(o: Office) -> str | None:
        return o.regional_group.code if o.regional_group else None

    return [{"role": o.role.value, "regional_group": code(o)}
            for o in sorted(p.offices, key=lambda o: (o.role.value, code(o) or ""))]


def meeting_out(meeting: Meeting, me: Participant) -> dict[str, Any]:
    return {
        "id": meeting.id, "title": meeting.title, "symbol_prefix": meeting.symbol_prefix,
        "languages": meeting.language_list, "time_zone": meeting.timezone,
        "body_type": meeting.body_type.value, "weighting": meeting.weighting_mode.value,
        "quorum": quorum_out(meeting),
        "starts_on": meeting.starts_on, "ends_on": meeting.ends_on, "venue": meeting.venue,
        "version": meeting.version,
        "you": {"participant_id": me.id, "group": me.group.value, "capacity": me.capacity.value,
                "member_state": me.member_state, "offices": offices_of(me)},
    }


def quorum_out(meeting: Meeting) -> float | str | None:
    """As createMeeting takes it: null, the committee quorum's fraction, or plenary_half."""
    if meeting.quorum_rule is QuorumRule.none:
        return None
    if meeting.quorum_rule is QuorumRule.committee:
        return float((meeting.settings or {}).get("quorum_fraction", DEFAULT_QUORUM_FRACTION))
    return meeting.quorum_rule.value


def participant_out(p: Participant, *, show_email: bool, today: Any) -> dict[str, Any]:
    return {
        "id": p.id, "user": {"id": p.user.id, "name": p.user.name, "email": p.user.email if show_email else None},
        "group": p.group.value, "capacity": p.capacity.value, "member_state": p.member_state,
        "membership": p.membership_on(today).value, "offices": offices_of(p), "removed_at": p.removed_at,
    }


def space_out(space: Space, can_write: bool) -> dict[str, Any]:
    return {"id": space.id, "kind": space.kind.value, "name": space.name,
            "group": space.group.value if space.group else None,
            "regional_group": space.regional_group.code if space.regional_group else None,
            "member_state": space.member_state, "can_write": can_write}


def sitting_out(s: Sitting) -> dict[str, Any]:
    item = s.agenda_item
    return {"id": s.id, "title": s.title, "starts_at": s.starts_at, "ends_at": s.ends_at, "room": s.room,
            "state": s.state.value, "version": s.version,
            "agenda_item": {"id": item.id, "number": item.number, "title": item.title} if item else None}


def _renamed(exc: DomainError, names: dict[str, str]) -> DomainError:
    """The service's field names as the API spells them (`timezone` is `time_zone` here)."""
    exc.fields = {names.get(k, k): v for k, v in exc.fields.items()}
    return exc


# --- meetings ----------------------------------------------------------------------------------------

@blp.route("/meetings", methods=["GET"])
@blp.operation("listMeetings", 422)
@blp.arguments(PageArgs, location="query")
@blp.response(200, MeetingPageSchema)
def list_meetings(args: dict[str, Any]):
    """The meetings the caller takes part in

    Newest first. Staff and administrators see only the meetings they are participants of.
    """
    return paginate(queries.meetings_of_user(actor().id), args,
                    lambda rows: [meeting_out(p.meeting, p) for p in rows])


@blp.route("/meetings", methods=["POST"])
@blp.operation("createMeeting", 400, 403, 409, 422)
@allowed_if(permissions.can_create_meeting, "Only staff can create meetings.")
@idempotent
@blp.arguments(MeetingInSchema)
@blp.response(201, MeetingSchema)
def create_meeting(data: dict[str, Any]):
    """Create a meeting (staff)

    The meeting gets its spaces (plenary, caucuses, officers' room) and the caller becomes the first
    member of its secretariat. Honours `Idempotency-Key`.
    """
    user = actor()
    try:
        with unit_of_work():
            meeting = services.create_meeting(
                user, title=data["title"], symbol_prefix=data["symbol_prefix"], languages=data["languages"],
                timezone=data["time_zone"].strip(), body_type=BodyType(data["body_type"]),
                weighting_mode=WeightingMode(data["weighting"]),
                quorum_rule=QuorumRule.committee if isinstance(data["quorum"], float)
                else QuorumRule(data["quorum"] or QuorumRule.none.value),
                quorum_fraction=data["quorum"] if isinstance(data["quorum"], float) else None,
                starts_on=data["starts_on"], ends_on=data["ends_on"], venue=data["venue"],
            )
    except DomainError as exc:
        raise _renamed(exc, {"timezone": "time_zone", "quorum_fraction": "quorum"}) from None
    return meeting_out(meeting, permissions.participation(user, meeting))


@blp.route("/meetings/<id:meeting_id>", methods=["GET"])
@blp.operation("getMeeting", 404)
@in_meeting()
@blp.response(200, MeetingSchema)
def get_meeting(meeting_id: int):
    """A meeting the caller takes part in"""
    meeting = current_meeting()
    return meeting_out(meeting, permissions.participation(actor(), meeting))


# --- participants ------------------------------------------------------------------------------------

@blp.route("/meetings/<id:meeting_id>/participants", methods=["GET"])
@blp.operation("listParticipants", 403, 404, 422)
@in_meeting(permissions.can_view_participants, "Your role in this meeting does not give access to its participants.")
@blp.arguments(ParticipantQuerySchema, location="query")
@blp.response(200, ParticipantPageSchema)
def list_participants(args: dict[str, Any], meeting_id: int):
    """The meeting's participants

    Every participant may list them; emails are shown to the secretariat only. `removed=true` lists
    removed participants instead (the secretariat only: 403 for others).
    """
    user, meeting = actor(), current_meeting()
    secretariat = permissions.can_accredit_participants(user, meeting)
    if args["removed"]:
        if not secretariat:
            raise NotAllowed("Only the meeting secretariat lists removed participants.")
        stmt = queries.removed_participants_of_meeting(meeting.id)
    else:
        group = Group(args["group"]) if args.get("group") else None
        stmt = queries.participants_of_meeting(meeting.id, group=group, q=(args.get("q") or "").strip())
    today = accreditation.meeting_today(meeting)
    return paginate(stmt, args, lambda rows: [participant_out(p, show_email=secretariat, today=today)
                                              for p in rows])


@blp.route("/meetings/<id:meeting_id>/participants/import", methods=["POST"])
@blp.operation("importParticipants", 400, 403, 404, 413, 422)
@in_meeting(permissions.can_accredit_participants, "Only the meeting secretariat accredits participants.")
@idempotent
@blp.arguments(ImportQuerySchema, location="query")
@blp.response(200, ImportReportSchema)
@blp.doc(requestBody={"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}})
def import_participants(args: dict[str, Any], meeting_id: int):
    """Accredit participants from a CSV file (the secretariat)

    The body is the CSV file itself (`Content-Type: text/csv`, UTF-8) with the header row
    `email,name,group,capacity,member_state,regional_groups,membership,roles`. The import is atomic:
    with any invalid row nothing is imported and the 422 error lists every problem in `errors`
    (`{row, field, message}`, row 1 being the header). It adds or updates and never removes.
    Honours `Idempotency-Key`.
    """
    user, meeting = actor(), current_meeting()
    limit = int(current_app.config["IMPORT_MAX_BYTES"])
    if (request.content_length or 0) > limit:
        raise TooLarge("The file is larger than this site imports at once. Split it into smaller files.")
    if request.mimetype not in CSV_TYPES:
        raise Malformed("Send the file as the request body with Content-Type: text/csv.",
                        {"Content-Type": ["Use text/csv."]})
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise TooLarge("The file is larger than this site imports at once. Split it into smaller files.")
    with unit_of_work():
        report = accreditation.import_participants(user, meeting, data, effective_from=args.get("effective_from"))
    return {
        "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "accounts_created": report.accounts_created,
        "changes": [{"row": c.row, "email": c.email, "name": c.name, "action": c.action,
                     "fields": {k: list(v) for k, v in c.fields.items()}, "effective_from": c.effective_from}
                    for c in report.changes],
        "states_added": [{"regional_group": rg, "member_state": state} for rg, state in report.states_added],
    }


@blp.route("/meetings/<id:meeting_id>/participants/<id:participant_id>", methods=["DELETE"])
@blp.operation("removeParticipant", 403, 404, 409, 422)
@in_meeting(permissions.can_accredit_participants, "Only the meeting secretariat removes participants.")
@blp.arguments(RemoveQuerySchema, location="query")
@blp.response(204)
def remove_participant(args: dict[str, Any], meeting_id: int, participant_id: int):
    """Remove a participant (the secretariat)

    An explicit, recorded step (rule 10) that needs a `reason` (query parameter, up to 500
    characters). Nobody removes themselves (403); removing a removed participant is 409.
    """
    meeting = current_meeting()
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        raise NotFound("No such participant in this meeting.")
    with unit_of_work():
        accreditation.remove_participant(actor(), participant, args["reason"])
    return current_app.response_class(status=204)


# --- spaces and sittings -----------------------------------------------------------------------------

@blp.route("/meetings/<id:meeting_id>/spaces", methods=["GET"])
@blp.operation("listSpaces", 404, 422)
@in_meeting()
@blp.arguments(PageArgs, location="query")
@blp.response(200, SpacePageSchema)
def list_spaces(args: dict[str, Any], meeting_id: int):
    """The meeting's spaces the caller belongs to (rule 9)

    Spaces the caller is not a member of are not listed at all.
    """
    user, meeting = actor(), current_meeting()
    visible = permissions.visible_space_ids(user, meeting)
    stmt = queries.spaces_of_meeting(meeting.id).where(Space.id.in_(list(visible)))
    return paginate(stmt, args, lambda rows: [space_out(s, permissions.can_write_space(user, s)) for s in rows])


@blp.route("/meetings/<id:meeting_id>/sittings", methods=["GET"])
@blp.operation("listSittings", 404, 422)
@in_meeting()
@blp.arguments(PageArgs, location="query")
@blp.response(200, SittingPageSchema)
def list_sittings(args: dict[str, Any], meeting_id: int):
    """The sittings of the meeting's programme of work (rule 13), in time order"""
    meeting = current_meeting()
    return paginate(queries.sittings_of_meeting(meeting.id), args, lambda rows: [sitting_out(s) for s in rows])
