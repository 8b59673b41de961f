"""Every change to a live sitting, through one dispatcher: `run_command(actor, sitting, name, payload)`.

The socket handler (`sitting_command`), the console's HTML forms and the API (issue #9) all call
it with the same command names and payloads. Each command re-checks the actor's rights from the
database, validates its payload (field errors, nothing changed), writes in the caller's unit of
work, records the audit entry (the secretariat's actions on the Chair's behalf marked `for_chair`)
and queues one `update` per change with `publish_sitting_update` (sent after the commit).
Votes, decisions, positions and statements are the positions module's services, called here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from forum import permissions, realtime
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting import amendments as amendment_services
from forum.drafting import diff, drafts
from forum.drafting import queries as drafting_queries
from forum.drafting.models import Amendment, AmendmentKind, Draft, Mover, MoverKind, Paragraph
from forum.errors import InvalidState, Malformed, NotAllowed, NotFound, Throttled, ValidationFailed
from forum.extensions import db
from forum.meetings.live import publish_sitting_update, sitting_room
from forum.meetings.models import (
    Capacity,
    Group,
    Meeting,
    Participant,
    RegionalGroup,
    Sitting,
    SittingState,
    Space,
    SpaceKind,
)
from forum.sittings import queries, speakers, throttle
from forum.sittings.models import (
    LiveSitting,
    OfficerMessage,
    RequestState,
    ScriptNote,
    SpeakerKind,
    SpeakerRequest,
)

MAX_ANNOUNCEMENT = 300
MAX_MESSAGE = 500
MAX_SCRIPT = 5000
MAX_ORAL = 5000
MIN_LIMIT, MAX_LIMIT = 10, 3600

Payload = dict[str, Any]
Handler = Callable[[Any, Sitting, Payload], dict[str, Any] | None]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    who: str  # for docs/realtime.md and the tests: preside | floor | secretariat | officers | voter | view


COMMANDS: dict[str, Command] = {}


def command(name: str, who: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = Command(name, fn, who)
        return fn

    return register


SHARED_LOCK_COMMANDS = frozenset({"cast_ballot"})  # commands that change no sitting state nor its version


def run_command(actor: Any, sitting: Sitting, name: Any, payload: Any) -> dict[str, Any]:
    """Run one named command; returns what the ack carries besides `ok`. Never commits."""
    if not permissions.can_view_sitting(actor, sitting):
        raise NotFound("There is no such sitting.")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise Malformed("The command's data must be an object.")
    if not isinstance(name, str) or name not in COMMANDS:
        raise ValidationFailed("Unknown command.", {"command": ["Use one of the documented commands."]})
    # Commands on one sitting take turns: each bumps its version, and two processes must never
    # hand out the same version (PostgreSQL locks the row; SQLite's writers are serial already).
    # A ballot bumps no version: it shares the lock, so ballots do not queue behind each other for
    # their whole transaction (a burst of 300 took 10.9 s on two processes; docs/benchmarks.md, B2)
    # yet still wait for a command that changes the sitting.
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(sa.select(Sitting.id).where(Sitting.id == sitting.id).with_for_update(
            read=name in SHARED_LOCK_COMMANDS))
        db.session.refresh(sitting)
    return COMMANDS[name].handler(actor, sitting, payload) or {}


# --- small helpers ------------------------------------------------------------------------------------

def _int(payload: Payload, field: str, *, required: bool = True, low: int | None = None,
         high: int | None = None) -> int | None:
    value = payload.get(field)
    if value is None or value == "":
        if required:
            raise ValidationFailed("Some information is missing.", {field: ["Required."]})
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed("Use a whole number.", {field: ["Use a whole number."]})
    try:
        number = int(value)
    except ValueError as exc:
        raise ValidationFailed("Use a whole number.", {field: ["Use a whole number."]}) from exc
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValidationFailed("The number is out of range.", {field: [f"Use a number from {low} to {high}."]})
    return number


def _text(payload: Payload, field: str, limit: int, *, required: bool = True, keep_lines: bool = False) -> str:
    value = payload.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed("Use text.", {field: ["Use text."]})
    value = value.strip() if keep_lines else diff.normalise(value)
    if required and not value:
        raise ValidationFailed("Some information is missing.", {field: ["Required."]})
    if len(value) > limit:
        raise ValidationFailed("The text is too long.", {field: [f"Use at most {limit:,} characters."]})
    return value


def _meeting(sitting: Sitting) -> Meeting:
    meeting = db.session.get(Meeting, sitting.meeting_id)
    assert meeting is not None
    return meeting


def _chair(actor: Any, sitting: Sitting) -> bool:
    """Rule 8: what the secretariat does at the console is done for the Chair, and recorded so."""
    return drafts.for_chair(actor, sitting.meeting_id)


def _preside(actor: Any, sitting: Sitting) -> bool:
    if not permissions.can_preside_sitting(actor, sitting):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, does this.")
    return _chair(actor, sitting)


def _audit(actor: Any, action: str, sitting: Sitting, payload: Payload, *, chair: bool = False,
           officers: bool = False) -> None:
    """`officers=True`: the entry is about the officers' room, shown to its members only (rule 11)."""
    space_id = None
    if officers:
        space_id = db.session.scalar(sa.select(Space.id).where(Space.meeting_id == sitting.meeting_id,
                                                              Space.kind == SpaceKind.officers).limit(1))
    record(actor, action, sitting, payload, meeting_id=sitting.meeting_id, space_id=space_id, for_chair=chair)


def _live(sitting: Sitting) -> LiveSitting:
    live = queries.live_of(sitting)
    if live is None:
        raise InvalidState("The secretariat has not made this sitting live yet.")
    return live


def _running(sitting: Sitting) -> LiveSitting:
    """The sitting is open (not scheduled, suspended or closed)."""
    live = _live(sitting)
    if sitting.state is not SittingState.live:
        raise InvalidState(f"The sitting is {sitting.state.value}: open or resume it first.")
    return live


def _not_closed(sitting: Sitting) -> None:
    if sitting.state is SittingState.closed:
        raise InvalidState("The sitting is closed.")


def _update(sitting: Sitting, type_: str, data: Payload) -> int:
    return publish_sitting_update(sitting, type_, data)


def _officers_update(sitting: Sitting, type_: str, data: Payload) -> None:
    """News for the officers' room only. It carries the sitting's version without advancing it:
    the other clients never see it, so a bump would look to them like a missed update."""
    realtime.publish(sitting_room(sitting.id, "officers"), "update",
                     {"sitting_id": sitting.id, "version": sitting.version, "type": type_, "data": data})


def _speakers_changed(sitting: Sitting, live: LiveSitting | None) -> None:
    db.session.flush()
    _update(sitting, "speakers_changed", {**queries.speakers_view(sitting.id), "timer": queries.timer_view(live)})
    if live is not None:
        _officers_update(sitting, "speaking_times", speakers.speaking_times(sitting.id))


def _item_payload(payload: Payload) -> tuple[str, int]:
    kind = payload.get("kind")
    if kind not in ("paragraph", "amendment"):
        raise ValidationFailed("Name a paragraph or an amendment.", {"kind": ["Use paragraph or amendment."]})
    return kind, _int(payload, "id")  # type: ignore[return-value]


# --- lifecycle ------------------------------------------------------------------------------------------

def first_open_item(draft: Draft) -> tuple[str, int] | None:
    for item in queries.agenda(draft):
        if item["kind"] == "paragraph" and item["state"] not in ("adopted", "adopted_as_amended", "deleted"):
            return ("paragraph", item["id"])
    return None


@command("make_live", "secretariat")
def make_live(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """The secretariat links a scheduled sitting to the draft it will negotiate."""
    if not permissions.is_secretariat(actor, sitting.meeting_id):
        raise NotAllowed("The secretariat makes a sitting live.")
    draft_id = _int(payload, "draft_id")
    existing = queries.live_of(sitting)
    if existing is not None and existing.draft_id == draft_id:
        return {"live_id": existing.id}  # a double submission changes nothing
    if not permissions.can_make_sitting_live(actor, sitting):
        raise InvalidState("Only a scheduled sitting is made live.")
    if existing is not None:
        raise InvalidState("This sitting is live on another draft already.")
    draft = db.session.get(Draft, draft_id)
    if draft is None or draft.meeting_id != sitting.meeting_id:
        raise ValidationFailed("Choose a draft of this meeting.", {"draft_id": ["Choose a draft of this meeting."]})
    if not draft.open_for_amendments:
        raise ValidationFailed("The draft is still in preparation.",
                               {"draft_id": ["Open the draft for amendments first."]})
    live = LiveSitting(sitting_id=sitting.id, draft_id=draft.id, made_live_by_id=actor.id)
    first = first_open_item(draft)
    if first:
        live.paragraph_id = first[1]
    db.session.add(live)
    db.session.flush()
    _audit(actor, "sitting.make_live", sitting, {"draft": draft.symbol})
    _update(sitting, "state_changed", {"state": sitting.state.value, "live": True, "draft_id": draft.id})
    _update(sitting, "item_changed", {"item": queries.item_view(live)})
    return {"live_id": live.id}


TRANSITIONS = {
    "open": ({SittingState.scheduled}, SittingState.live),
    "suspend": ({SittingState.live}, SittingState.suspended),
    "resume": ({SittingState.suspended}, SittingState.live),
    "close": ({SittingState.live, SittingState.suspended}, SittingState.closed),
}


def _transition(actor: Any, sitting: Sitting, name: str) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    live = _live(sitting)
    sources, target = TRANSITIONS[name]
    if sitting.state is target:
        return {"state": target.value}  # already done: a second click changes nothing
    if sitting.state not in sources:
        raise InvalidState(f"The sitting is {sitting.state.value}: it cannot {name} now.")
    now = utcnow()
    before = sitting.state
    sitting.state = target
    if name == "open":
        live.opened_at = now
    if name in ("suspend", "close"):
        live.timer_started_at = live.timer_seconds = live.timer_request_id = None
    if name == "close":
        live.closed_at = now
        _finish_current(sitting, live, now)
        live.oral_draft = None
    _audit(actor, f"sitting.{name}", sitting, {"from": before.value, "to": target.value}, chair=chair)
    _update(sitting, "state_changed", {"state": target.value, "for_chair": chair})
    if name in ("suspend", "close"):
        _speakers_changed(sitting, live)
    return {"state": target.value}


for _name in TRANSITIONS:
    command(_name, "preside")(lambda actor, sitting, payload, _n=_name: _transition(actor, sitting, _n))


# --- the current item -----------------------------------------------------------------------------------

def _set_item(actor: Any, sitting: Sitting, live: LiveSitting, kind: str, ident: int, chair: bool) -> dict[str, Any]:
    draft = db.session.get(Draft, live.draft_id)
    assert draft is not None
    if kind == "paragraph":
        paragraph = db.session.get(Paragraph, ident)
        if paragraph is None or paragraph.draft_id != draft.id:
            raise ValidationFailed("Choose a paragraph of the sitting's draft.", {"id": ["Not in this draft."]})
        live.paragraph_id, live.amendment_id = paragraph.id, None
        label = paragraph.label
    else:
        amendment = db.session.get(Amendment, ident)
        if amendment is None or amendment.draft_id != draft.id or not amendment.is_circulated:
            raise ValidationFailed("Choose a circulated amendment to the sitting's draft.",
                                   {"id": ["Not before the body."]})
        live.paragraph_id, live.amendment_id = amendment.paragraph_id, amendment.id
        label = drafts.amendment_label(draft, amendment)
    live.objections_called_at, live.objections_item = None, ""
    live.oral_draft = None
    _audit(actor, "sitting.set_item", sitting, {"kind": kind, "label": label}, chair=chair)
    item = queries.item_view(live)
    _update(sitting, "item_changed", {"item": item, **queries.positions_view(live)})
    _officers_update(sitting, "script_changed", {"item": live.current_key,
                                                 "text": queries.script_for(sitting.id, live.current_key)})
    return {"item": item}


@command("set_item", "preside")
def set_item(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    live = _live(sitting)
    _not_closed(sitting)
    kind, ident = _item_payload(payload)
    return _set_item(actor, sitting, live, kind, ident, chair)


def _step(actor: Any, sitting: Sitting, step: int, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    live = _live(sitting)
    _not_closed(sitting)
    seen = payload.get("if_item")
    if isinstance(seen, str) and seen and seen != live.current_key:
        # A second click sent before the first one's update arrived: the move is already made.
        return {"item": queries.item_view(live), "duplicate": True}
    draft = db.session.get(Draft, live.draft_id)
    items = queries.agenda(draft)  # type: ignore[arg-type]
    keys = [f"{i['kind']}:{i['id']}" for i in items]
    at = keys.index(live.current_key) if live.current_key in keys else -1
    target = at + step if at >= 0 else 0
    if not 0 <= target < len(items):
        raise InvalidState("There is no " + ("next" if step > 0 else "previous") + " item.")
    return _set_item(actor, sitting, live, items[target]["kind"], items[target]["id"], chair)


command("next_item", "preside")(lambda actor, sitting, payload: _step(actor, sitting, 1, payload))
command("previous_item", "preside")(lambda actor, sitting, payload: _step(actor, sitting, -1, payload))


@command("take_up", "preside")
def take_up(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """Put the current item under discussion (drafting's rules apply: rule 22 for amendments)."""
    _preside(actor, sitting)
    live = _running(sitting)
    if live.amendment_id is not None:
        amendment_services.start_discussion(actor, db.session.get(Amendment, live.amendment_id))
    elif live.paragraph_id is not None:
        drafts.decide_paragraph(actor, db.session.get(Paragraph, live.paragraph_id), "under_discussion")
    else:
        raise InvalidState("Take up an item first.")
    db.session.flush()
    _update(sitting, "item_changed", {"item": queries.item_view(live), **queries.positions_view(live)})
    return {}


@command("call_objections", "preside")
def call_objections(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """Rule 29: "Is there any objection?" is recorded on the current item; delegates who object
    ask for the floor marked objection. The Chair then declares the outcome: nothing follows from
    silence automatically."""
    chair = _preside(actor, sitting)
    live = _running(sitting)
    if not live.current_key:
        raise InvalidState("Take up an item first.")
    live.objections_called_at, live.objections_item = utcnow(), live.current_key
    _audit(actor, "sitting.call_objections", sitting, {"item": live.current_key}, chair=chair)
    _update(sitting, "objections_called", queries.objections_view(live) or {})
    return {}


# --- the speakers list ----------------------------------------------------------------------------------

def _regional_group(payload: Payload, p: Participant) -> RegionalGroup | None:
    code = payload.get("on_behalf_of")
    if code in (None, ""):
        return None
    group = db.session.scalars(sa.select(RegionalGroup).where(RegionalGroup.code == str(code))).first() \
        if isinstance(code, str) else None
    if group is None or p.group is not Group.government or p.member_state not in group.state_codes:
        raise ValidationFailed("A Government speaks only for a regional group its State belongs to.",
                               {"on_behalf_of": ["Choose one of your State's regional groups."]})
    return group


def _kind(payload: Payload) -> SpeakerKind:
    try:
        return SpeakerKind(payload.get("kind") or "speak")
    except ValueError as exc:
        raise ValidationFailed("Choose the kind of request.",
                               {"kind": ["Use speak, point_of_order, reply or objection."]}) from exc


def _add_request(actor: Any, sitting: Sitting, live: LiveSitting | None, p: Participant, payload: Payload,
                 *, chair: bool = False) -> dict[str, Any]:
    kind = _kind(payload)
    group = _regional_group(payload, p)
    if kind is SpeakerKind.objection and (live is None or sitting.state is not SittingState.live
                                          or not live.current_key):
        raise InvalidState("An objection is made on the item before the sitting.")
    existing = db.session.scalars(sa.select(SpeakerRequest).where(
        SpeakerRequest.sitting_id == sitting.id, SpeakerRequest.participant_id == p.id,
        SpeakerRequest.kind == kind, SpeakerRequest.state == RequestState.waiting)).first()
    if existing is not None:
        return {"request_id": existing.id, "position": existing.position, "duplicate": True}
    request = SpeakerRequest(
        sitting_id=sitting.id, participant_id=p.id, kind=kind, category=speakers.category_of(p, group),
        group=p.group, member_state=p.member_state if p.group is Group.government else None,
        on_behalf_of=group.code if group else None, item_key=live.current_key if live else "",
        requested_by_id=actor.id, state=RequestState.waiting)
    db.session.add(request)
    db.session.flush()
    speakers.place(request, [r for r in speakers.waiting(sitting.id) if r.id != request.id],
                   speakers.speakers_order(_meeting(sitting)))
    _audit(actor, "sitting.request_floor", sitting, {"request": request.id, "participant": p.id,
                                                     "kind": kind.value, "on_behalf_of": request.on_behalf_of},
           chair=chair)
    _speakers_changed(sitting, live)
    return {"request_id": request.id, "position": request.position}


@command("request_floor", "floor")
def request_floor(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """For oneself only: any participant or user id in the payload is ignored."""
    live = queries.live_of(sitting)
    invited = bool(live and live.observers_invited)
    if not permissions.can_request_floor(actor, sitting, invited):
        p = permissions.participation(actor, sitting.meeting_id)
        if p is not None and p.capacity is Capacity.observer and sitting.state is not SittingState.closed:
            raise NotAllowed("Observers take the floor when the Chair invites them (rule 5).")
        raise NotAllowed("You cannot ask for the floor in this sitting.")
    if not throttle.allow(actor.id):
        raise Throttled("Too many requests for the floor: wait a moment.")
    p = permissions.participation(actor, sitting.meeting_id)
    assert p is not None
    return _add_request(actor, sitting, live, p, payload)


@command("register_speaker", "preside")
def register_speaker(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """The secretariat (or the Chair) puts a participant who signalled from the floor on the list."""
    if not permissions.can_register_speaker(actor, sitting):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, registers speakers.")
    chair = _chair(actor, sitting)
    _not_closed(sitting)
    participant = db.session.get(Participant, _int(payload, "participant_id"))
    if participant is None or participant.meeting_id != sitting.meeting_id or not participant.active \
            or participant.capacity is Capacity.secretariat \
            or (participant.group is Group.none and participant.capacity is not Capacity.observer):
        raise ValidationFailed("Choose a participant who may take the floor.",
                               {"participant_id": ["Choose a delegate of this meeting."]})
    return _add_request(actor, sitting, queries.live_of(sitting), participant, payload, chair=chair)


def _request(sitting: Sitting, payload: Payload) -> SpeakerRequest:
    request = db.session.get(SpeakerRequest, _int(payload, "request_id"))
    if request is None or request.sitting_id != sitting.id:
        raise NotFound("There is no such request in this sitting.")
    return request


@command("withdraw_request", "floor")
def withdraw_request(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """One's own request only; the Chair removes others' with `remove_request`."""
    request = _request(sitting, payload)
    p = permissions.participation(actor, sitting.meeting_id)
    if p is None or request.participant_id != p.id:
        raise NotAllowed("You can withdraw only your own request.")
    if request.state is not RequestState.waiting:
        return {"state": request.state.value}
    request.state = RequestState.withdrawn
    request.finished_at = utcnow()
    speakers.renumber(speakers.waiting(sitting.id))
    _audit(actor, "sitting.withdraw_request", sitting, {"request": request.id})
    _speakers_changed(sitting, queries.live_of(sitting))
    return {"state": request.state.value}


@command("remove_request", "preside")
def remove_request(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    request = _request(sitting, payload)
    live = queries.live_of(sitting)
    if request.state not in (RequestState.waiting, RequestState.speaking):
        return {"state": request.state.value}
    if request.state is RequestState.speaking and live is not None:
        _finish_current(sitting, live, utcnow())
    request.state = RequestState.removed
    speakers.renumber(speakers.waiting(sitting.id))
    _audit(actor, "sitting.remove_request", sitting, {"request": request.id}, chair=chair)
    _speakers_changed(sitting, live)
    return {"state": request.state.value}


@command("move_request", "preside")
def move_request(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    request = _request(sitting, payload)
    if request.state is not RequestState.waiting:
        raise InvalidState("Only a waiting request is moved.")
    position = _int(payload, "position", low=1, high=10_000)
    speakers.move(speakers.waiting(sitting.id), request, position)  # type: ignore[arg-type]
    _audit(actor, "sitting.move_request", sitting, {"request": request.id, "position": request.position},
           chair=chair)
    _speakers_changed(sitting, queries.live_of(sitting))
    return {"position": request.position}


def _finish_current(sitting: Sitting, live: LiveSitting, now: Any) -> SpeakerRequest | None:
    current = db.session.scalars(sa.select(SpeakerRequest).where(
        SpeakerRequest.sitting_id == sitting.id, SpeakerRequest.state == RequestState.speaking)).first()
    if current is None:
        return None
    current.state = RequestState.done
    current.finished_at = now
    current.spoken_seconds = max(0, int((now - current.granted_at).total_seconds())) if current.granted_at else 0
    if live.timer_request_id == current.id:
        live.timer_started_at = live.timer_seconds = live.timer_request_id = None
    return current


@command("grant_floor", "preside")
def grant_floor(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """Give the floor to the named request (or the first waiting); the countdown starts with the
    speaker's limit (or the sitting's default)."""
    chair = _preside(actor, sitting)
    live = _running(sitting)
    if "if_current" in payload:
        # "Next speaker" names who was speaking when it was clicked: a double click changes nothing.
        current = db.session.scalars(sa.select(SpeakerRequest.id).where(
            SpeakerRequest.sitting_id == sitting.id, SpeakerRequest.state == RequestState.speaking)).first()
        if str(payload["if_current"] or "") != str(current or ""):
            return {"request_id": current, "duplicate": True}
    queue = speakers.waiting(sitting.id)
    if payload.get("request_id") not in (None, ""):
        request = _request(sitting, payload)
        if request.state is not RequestState.waiting:
            raise InvalidState("This request is not waiting for the floor.")
    elif queue:
        request = queue[0]
    else:
        raise InvalidState("Nobody is waiting for the floor.")
    now = utcnow()
    _finish_current(sitting, live, now)
    request.state = RequestState.speaking
    request.granted_at = now
    speakers.renumber([r for r in queue if r.id != request.id])
    live.timer_started_at = now
    live.timer_seconds = request.time_limit_seconds or live.default_limit_seconds
    live.timer_request_id = request.id
    _audit(actor, "sitting.grant_floor", sitting, {"request": request.id, "participant": request.participant_id},
           chair=chair)
    _speakers_changed(sitting, live)
    _update(sitting, "timer_started", queries.timer_view(live) or {})
    return {"request_id": request.id}


@command("finish_speaker", "preside")
def finish_speaker(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    live = _live(sitting)
    done = _finish_current(sitting, live, utcnow())
    if done is None:
        return {}
    _audit(actor, "sitting.finish_speaker", sitting, {"request": done.id, "seconds": done.spoken_seconds},
           chair=chair)
    _speakers_changed(sitting, live)
    _update(sitting, "timer_stopped", {})
    return {"spoken_seconds": done.spoken_seconds}


@command("set_time_limit", "preside")
def set_time_limit(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """A limit for one speaker (`request_id`) or the sitting's default for everyone."""
    chair = _preside(actor, sitting)
    live = _live(sitting)
    seconds = _int(payload, "seconds", low=MIN_LIMIT, high=MAX_LIMIT)
    if payload.get("request_id") in (None, ""):
        live.default_limit_seconds = seconds  # type: ignore[assignment]
        _audit(actor, "sitting.set_time_limit", sitting, {"default": seconds}, chair=chair)
        _update(sitting, "time_limit_changed", {"default": seconds})
        return {"default": seconds}
    request = _request(sitting, payload)
    request.time_limit_seconds = seconds
    if live.timer_request_id == request.id:
        live.timer_seconds = seconds
    _audit(actor, "sitting.set_time_limit", sitting, {"request": request.id, "seconds": seconds}, chair=chair)
    _speakers_changed(sitting, live)
    return {"request_id": request.id, "seconds": seconds}


@command("start_timer", "preside")
def start_timer(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    live = _running(sitting)
    seconds = _int(payload, "seconds", low=MIN_LIMIT, high=MAX_LIMIT)
    live.timer_started_at, live.timer_seconds, live.timer_request_id = utcnow(), seconds, None
    _audit(actor, "sitting.start_timer", sitting, {"seconds": seconds}, chair=chair)
    _update(sitting, "timer_started", queries.timer_view(live) or {})
    return {"timer": queries.timer_view(live)}


@command("stop_timer", "preside")
def stop_timer(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    live = _live(sitting)
    if live.timer_started_at is None:
        return {}
    live.timer_started_at = live.timer_seconds = live.timer_request_id = None
    _audit(actor, "sitting.stop_timer", sitting, {}, chair=chair)
    _update(sitting, "timer_stopped", {})
    return {}


@command("invite_observers", "preside")
def invite_observers(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """Rule 5: observers take the floor only when the Chair invites them."""
    chair = _preside(actor, sitting)
    live = _live(sitting)
    invited = payload.get("invited", True)
    if not isinstance(invited, bool):
        raise ValidationFailed("Say yes or no.", {"invited": ["Use true or false."]})
    live.observers_invited = invited
    _audit(actor, "sitting.invite_observers", sitting, {"invited": invited}, chair=chair)
    _update(sitting, "observers_invited", {"invited": invited})
    return {"invited": invited}


# --- the announcement line, the Chair's script, the officers' room ------------------------------------

@command("announce", "preside")
def announce(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    chair = _preside(actor, sitting)
    live = _live(sitting)
    text = _text(payload, "text", MAX_ANNOUNCEMENT, required=False)
    live.announcement = text
    _audit(actor, "sitting.announce", sitting, {"text": text}, chair=chair)
    _update(sitting, "announcement", {"text": text})
    return {}


@command("set_script", "secretariat")
def set_script(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """The secretariat's notes for the Chair on one item (by default the current one)."""
    if not permissions.can_edit_script(actor, sitting):
        raise NotAllowed("The secretariat prepares the Chair's script.")
    live = _live(sitting)
    item = payload.get("item")
    if isinstance(item, str) and ":" in item:  # the console's item list sends "paragraph:5"
        kind, _, ident = item.partition(":")
        payload = {**payload, "kind": kind, "id": ident}
    if payload.get("kind") is not None:
        kind, ident = _item_payload(payload)
        key = f"{kind}:{ident}"
        draft = db.session.get(Draft, live.draft_id)
        if key not in {f"{i['kind']}:{i['id']}" for i in queries.agenda(draft)}:  # type: ignore[arg-type]
            raise ValidationFailed("Choose an item of the sitting's agenda.", {"id": ["Not on the agenda."]})
    else:
        key = live.current_key
        if not key:
            raise ValidationFailed("Choose an item.", {"kind": ["Required."]})
    text = _text(payload, "text", MAX_SCRIPT, required=False, keep_lines=True)
    note = db.session.scalars(sa.select(ScriptNote).where(ScriptNote.sitting_id == sitting.id,
                                                          ScriptNote.item_key == key)).first()
    if note is None:
        note = ScriptNote(sitting_id=sitting.id, item_key=key)
        db.session.add(note)
    note.text, note.updated_by_id, note.updated_at = text, actor.id, utcnow()
    # The script is the officers' room's: the audit entry says that it changed, not what it says.
    _audit(actor, "sitting.set_script", sitting, {"item": key}, officers=True)
    _officers_update(sitting, "script_changed", {"item": key, "text": text})
    return {"item": key}


@command("officers_message", "officers")
def officers_message(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    if not permissions.can_post_to_officers_room(actor, sitting):
        if permissions.can_view_officers_room(actor, sitting):
            raise InvalidState("The sitting is closed.")
        raise NotAllowed("The officers' room is for the Chair, the Vice-Chairpersons, the Reporter and the "
                         "secretariat.")
    body = _text(payload, "body", MAX_MESSAGE)
    message = OfficerMessage(sitting_id=sitting.id, author_id=actor.id, author_name=drafts.actor_name(actor),
                             body=body)
    db.session.add(message)
    db.session.flush()
    _audit(actor, "sitting.officers_message", sitting, {"message": message.id}, officers=True)
    _officers_update(sitting, "officers_message", queries.message_view(message))
    return {"message_id": message.id}


@command("presence", "preside")
def who_is_connected(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """Who has the sitting open (information only: attendance is the register's)."""
    _preside(actor, sitting)
    return {"connected": queries.connected(sitting.id)}


# --- oral amendments typed on screen (rule 21) ------------------------------------------------------------

def _oral_target(live: LiveSitting, sub: bool) -> tuple[Paragraph, Amendment | None, str, str]:
    """(paragraph, parent amendment, base text, language) of an oral (sub-)amendment on the current item."""
    draft = db.session.get(Draft, live.draft_id)
    assert draft is not None
    if sub:
        if live.amendment_id is None:
            raise ValidationFailed("A sub-amendment amends the amendment before the sitting.",
                                   {"sub_amendment": ["Take up an amendment first."]})
        parent = db.session.get(Amendment, live.amendment_id)
        assert parent is not None
        return parent.paragraph, parent, parent.text, parent.language
    if live.paragraph_id is None:
        raise InvalidState("Take up an item first.")
    paragraph = db.session.get(Paragraph, live.paragraph_id)
    current = drafting_queries.current_text(paragraph.id, draft.original_language)  # type: ignore[union-attr]
    return paragraph, None, current.text if current else "", draft.original_language  # type: ignore[return-value]


def _require_oral(actor: Any, live: LiveSitting) -> Draft:
    draft = db.session.get(Draft, live.draft_id)
    if not permissions.can_record_oral_amendment(actor, draft):
        raise NotAllowed("The secretariat records oral amendments.")
    return draft  # type: ignore[return-value]


def _oral_kind(payload: Payload) -> str:
    kind = payload.get("amendment_kind") or "modify"
    if kind not in ("modify", "delete", "insert_after"):
        raise ValidationFailed("Choose what the amendment does.",
                               {"amendment_kind": ["Use modify, delete or insert_after."]})
    return kind


@command("type_oral_amendment", "secretariat")
def type_oral_amendment(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """The text as the secretariat types it (clients send it throttled); the room sees it change."""
    live = _running(sitting)
    _require_oral(actor, live)
    sub = bool(payload.get("sub_amendment"))
    kind = _oral_kind(payload)
    paragraph, parent, base, language = _oral_target(live, sub)
    text = _text(payload, "text", MAX_ORAL, required=False)
    live.oral_draft = {"paragraph_id": paragraph.id, "parent_id": parent.id if parent else None, "kind": kind,
                       "language": language, "base": base, "text": text}
    oral = queries.oral_view(live)
    _update(sitting, "text_changed", {"oral": oral})
    return {"oral": oral}


@command("cancel_oral_amendment", "secretariat")
def cancel_oral_amendment(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    live = _live(sitting)
    _require_oral(actor, live)
    if live.oral_draft is None:
        return {}
    live.oral_draft = None
    _update(sitting, "text_changed", {"oral": None})
    return {}


def _participant(sitting: Sitting, payload: Payload, field: str, *, required: bool = True) -> Participant | None:
    ident = _int(payload, field, required=required)
    if ident is None:
        return None
    p = db.session.get(Participant, ident)
    if p is None or p.meeting_id != sitting.meeting_id or not p.active:
        raise ValidationFailed("Choose a participant of this meeting.", {field: ["Choose a participant."]})
    return p


def _mover(payload: Payload, moved_by: Participant) -> Mover:
    data = payload.get("mover")
    if data is None:
        mover = amendment_services.mover_for_participant(moved_by)
        if mover is None:
            raise ValidationFailed("Say in whose name it is moved.", {"mover": ["Choose the mover."]})
        return mover
    if not isinstance(data, dict):
        raise ValidationFailed("Say in whose name it is moved.", {"mover": ["Use an object."]})
    try:
        kind = MoverKind(data.get("kind"))
    except ValueError as exc:
        raise ValidationFailed("Say in whose name it is moved.", {"mover": ["Unknown kind of mover."]}) from exc
    states = data.get("states") or []
    if not isinstance(states, list) or not all(isinstance(s, str) for s in states):
        raise ValidationFailed("List the States.", {"mover": ["States are ISO codes."]})
    rg = data.get("regional_group_id")
    return Mover(kind, states=tuple(s.upper() for s in states),
                 regional_group_id=rg if isinstance(rg, int) else None)


@command("record_oral_amendment", "secretariat")
def record_oral_amendment(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """Record the amendment (or sub-amendment) moved from the floor with its mover and seconder;
    it becomes the current item."""
    live = _running(sitting)
    draft = _require_oral(actor, live)
    sub = bool(payload.get("sub_amendment"))
    kind = _oral_kind(payload)
    paragraph, parent, _base, language = _oral_target(live, sub)
    moved_by = _participant(sitting, payload, "moved_by")
    seconded_by = _participant(sitting, payload, "seconded_by", required=False)
    text = payload.get("text")
    if text is None and live.oral_draft:
        text = live.oral_draft.get("text", "")
    amendment = amendment_services.record_oral_amendment(
        actor, draft, paragraph, mover=_mover(payload, moved_by), moved_by=moved_by,  # type: ignore[arg-type]
        kind=AmendmentKind(kind), language=language, text=text if isinstance(text, str) else "",
        explanation=_text(payload, "explanation", 2000, required=False), seconded_by=seconded_by, parent=parent)
    live.oral_draft = None
    db.session.flush()
    _update(sitting, "text_changed", {"oral": None})
    result = _set_item(actor, sitting, live, "amendment", amendment.id, _chair(actor, sitting))
    return {"amendment_id": amendment.id, **result}


# --- positions, statements, votes and decisions (the positions module's services) ----------------------

def _current_item(live: LiveSitting) -> Any:
    item = queries.item_ref(live)
    if item is None:
        raise InvalidState("Take up an item first.")
    return item


def _module(name: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"forum.positions.{name}")
    except ImportError as exc:
        raise InvalidState("This part of the platform is not installed.") from exc


@command("record_position", "floor")
def record_position(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """A group's position on the current item, by its spokesperson or secretary (rule 27)."""
    live = _running(sitting)
    positions = _module("positions")
    group = payload.get("group")
    if not isinstance(group, str) or not group:
        raise ValidationFailed("Name the group.", {"group": ["Required."]})
    position = positions.record_position(actor, _current_item(live), group=group, stance=payload.get("stance"),
                                         statement=_text(payload, "statement", 2000, required=False),
                                         sitting=sitting)
    return {"position_id": position.id}


@command("add_statement", "floor")
def add_statement(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """A Government's attributed statement on the current item (rule 28)."""
    live = _running(sitting)
    positions = _module("positions")
    state = payload.get("member_state")
    if not isinstance(state, str) or not state:
        raise ValidationFailed("Name the State.", {"member_state": ["Required."]})
    regional = payload.get("regional_group")
    statement = positions.add_statement(actor, _current_item(live), member_state=state,
                                        stance=payload.get("stance"),
                                        regional_group=regional if isinstance(regional, str) and regional else None,
                                        text=_text(payload, "text", 2000, required=False), sitting=sitting)
    return {"statement_id": statement.id}


def _vote(sitting: Sitting, payload: Payload) -> Any:
    from_module = _module("vote_models")
    vote = db.session.get(from_module.Vote, _int(payload, "vote_id"))
    if vote is None or getattr(vote, "sitting_id", None) != sitting.id:
        raise NotFound("There is no such vote in this sitting.")
    return vote


@command("open_vote", "preside")
def open_vote(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    _preside(actor, sitting)
    live = _running(sitting)
    votes = _module("votes")
    vote_type = payload.get("vote_type")
    if not isinstance(vote_type, str):
        raise ValidationFailed("Choose the kind of vote.", {"vote_type": ["Required."]})
    majority = payload.get("majority") or "simple"
    vote = votes.open_vote(actor, _current_item(live), vote_type=vote_type, majority=str(majority),
                           sitting=sitting, question=_text(payload, "question", 500, required=False))
    return {"vote_id": vote.id}


@command("close_vote", "preside")
def close_vote(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    _preside(actor, sitting)
    _live(sitting)
    votes = _module("votes")
    vote = votes.close_vote(actor, _vote(sitting, payload))
    return {"vote_id": vote.id}


@command("cast_ballot", "voter")
def cast_ballot(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """The voter is the actor: ids of other people in the payload are never read.

    No `_live()` read here: a vote of this sitting (`_vote`) exists only if it was opened while the
    sitting was live and running, and `votes.cast_ballot` refuses it once the vote or the sitting is
    closed. One statement less per ballot (B2)."""
    votes = _module("votes")
    choice = payload.get("choice")
    if not isinstance(choice, str):
        raise ValidationFailed("Choose for, against or abstain.", {"choice": ["Required."]})
    return dict(votes.cast_ballot(actor, _vote(sitting, payload), choice) or {})


@command("declare_outcome", "preside")
def declare_outcome(actor: Any, sitting: Sitting, payload: Payload) -> dict[str, Any]:
    """Rule 29: the Chair declares; the software records. Never automatic."""
    chair = _preside(actor, sitting)
    live = _running(sitting)
    item = _current_item(live)
    outcome = payload.get("outcome")
    if not isinstance(outcome, str) or not outcome:
        raise ValidationFailed("Choose the outcome.", {"outcome": ["Required."]})
    method = payload.get("method") or "consensus"
    note = _text(payload, "note", 2000, required=False)
    vote = _vote(sitting, payload) if payload.get("vote_id") not in (None, "") else None
    if item.kind == "paragraph" and outcome == "bracketed":
        # Bracketing is a state of the text, not a decision: drafting records it.
        drafts.decide_paragraph(actor, item.paragraph, outcome, note=note)
        _update(sitting, "decision", {"item": item.as_dict(), "outcome": outcome, "method": "none",
                                      "for_chair": chair})
    else:
        decisions = _module("decisions")
        decisions.declare(actor, item, outcome=outcome, method=str(method), sitting=sitting, vote=vote, note=note)
    db.session.flush()
    _update(sitting, "item_changed", {"item": queries.item_view(live), **queries.positions_view(live)})
    return {"outcome": outcome}


def remaining(live: LiveSitting) -> timedelta | None:
    """Time left on the countdown (for the pages rendered without JavaScript)."""
    if live.timer_started_at is None or live.timer_seconds is None:
        return None
    return live.timer_started_at + timedelta(seconds=live.timer_seconds) - utcnow()
