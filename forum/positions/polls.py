"""Internal polls of a group or regional group on an item (rule 27): open, answer, close.

A poll lives in its space: only the space's members see it, answer it and see its result, and its
audit entries and live events carry the space (rules 9 and 11). For anyone else a poll does not
exist (NotFound). A poll closes when an officer closes it or when its time is up; the time is
checked on every read, so nothing runs in the background.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from forum import permissions, realtime
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting import diff
from forum.drafting.drafts import actor_name
from forum.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Space, SpaceKind
from forum.positions import queries
from forum.positions.items import ItemRef
from forum.positions.models import Poll, PollAnswer, PollChoice, PollState

MAX_MINUTES = 24 * 60
MAX_QUESTION = 300


def _space_of(poll: Poll) -> Space:
    return db.session.get(Space, poll.space_id)  # type: ignore[return-value]


def _require_member(actor: Any, space: Space) -> None:
    if not permissions.can_view_polls(actor, space):
        raise NotFound("There is no such poll.")


def _publish(space: Space, poll: Poll, action: str, **extra: Any) -> None:
    """Tell the space's members (and no one else) that a poll changed: counts only, never who chose what."""
    room = realtime.room("space", space.id)
    version = realtime.bump_version(space)
    realtime.publish(room, "poll.changed", {"room": room, "space_id": space.id, "poll_id": poll.id,
                                            "action": action, "state": poll.effective_state().value,
                                            "item": {"kind": poll.item_kind, "id": poll.item_id}, **extra},
                     version=version)


def open_poll(actor: Any, space: Space, item: ItemRef, *, question: str = "", minutes: int | None = None) -> Poll:
    """Open a quick poll (support / oppose / abstain) in a caucus or regional room, for `minutes` or until closed."""
    _require_member(actor, space)
    if not permissions.can_open_poll(actor, space):
        raise NotAllowed("Only the group's spokesperson or secretary (a regional group's coordinator) opens polls.")
    if item.meeting_id != space.meeting_id or (
            item.amendment is not None and not permissions.can_view_amendment(actor, item.amendment)):
        raise NotFound("There is no such item.")
    errors: dict[str, list[str]] = {}
    if question is not None and not isinstance(question, str):
        errors["question"] = ["Enter text."]
        question = ""
    question = diff.normalise(question or "")
    if len(question) > MAX_QUESTION:
        errors["question"] = [f"Use at most {MAX_QUESTION} characters."]
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                or not 1 <= minutes <= MAX_MINUTES):
        errors["minutes"] = [f"Use a whole number of minutes from 1 to {MAX_MINUTES}, or leave it empty."]
    if errors:
        raise ValidationFailed("The poll could not be opened.", errors)
    db.session.execute(sa.select(Space.id).where(Space.id == space.id).with_for_update())  # one opener at a time
    existing = queries.open_poll_on(space.id, item)
    if existing is not None:
        return existing  # one open poll per item and space: a double submission finds it
    now = utcnow()
    poll = Poll(**item.columns(), meeting_id=space.meeting_id, space_id=space.id, question=question,
                state=PollState.open, closes_at=now + timedelta(minutes=minutes) if minutes else None,
                opened_by_id=actor.id, opened_by_name=actor_name(actor), created_at=now)
    db.session.add(poll)
    db.session.flush()
    record(actor, "poll.open", poll, {"item": {"kind": item.kind, "id": item.id}, "label": item.label,
                                      "question": question, "minutes": minutes},
           meeting_id=space.meeting_id, space_id=space.id)
    _publish(space, poll, "opened")
    return poll


def parse_choice(value: Any) -> PollChoice:
    try:
        return PollChoice(value)
    except ValueError as exc:
        raise ValidationFailed("Unknown choice.", {"choice": ["Choose support, oppose or abstain."]}) from exc


def answer_poll(actor: Any, poll: Poll, choice: str) -> PollAnswer:
    """A member's answer; answering again changes it while the poll is open (the same answer: nothing)."""
    space = _space_of(poll)
    _require_member(actor, space)
    if not permissions.can_write_space(actor, space):
        raise NotAllowed("Observers follow the group's polls without answering them.")
    chosen = parse_choice(choice)
    # Answers to one poll are written in turn (PostgreSQL); a close that commits first is seen here.
    db.session.execute(sa.select(Poll.id).where(Poll.id == poll.id).with_for_update())
    db.session.refresh(poll)
    if not poll.is_open():
        raise InvalidState("The poll is closed.")
    p = permissions.participation(actor, space.meeting_id)
    assert p is not None
    answer = queries.answer_of(poll.id, p.id)
    if answer is not None and answer.choice is chosen:
        return answer
    changed = answer is not None
    if answer is None:
        answer = PollAnswer(poll_id=poll.id, participant_id=p.id, choice=chosen)
        db.session.add(answer)
    answer.choice = chosen
    answer.updated_at = utcnow()
    db.session.flush()
    # Who answered is recorded; what they chose stays between them and the count.
    record(actor, "poll.answer", poll, {"changed": changed}, meeting_id=space.meeting_id, space_id=space.id)
    _publish(space, poll, "answered", results=queries.poll_results(poll.id))
    return answer


def close_poll(actor: Any, poll: Poll) -> Poll:
    """Close the poll now; closing a closed poll changes nothing."""
    space = _space_of(poll)
    _require_member(actor, space)
    if not permissions.can_open_poll(actor, space):
        raise NotAllowed("Only the group's spokesperson or secretary (a regional group's coordinator) closes polls.")
    db.session.execute(sa.select(Poll.id).where(Poll.id == poll.id).with_for_update())
    db.session.refresh(poll)
    if poll.state is PollState.closed:
        return poll
    now = utcnow()
    expired = not poll.is_open(now)
    poll.state = PollState.closed
    poll.closed_at = poll.closes_at if expired else now
    poll.closed_by_id = None if expired else actor.id
    record(actor, "poll.close", poll, {"results": queries.poll_results(poll.id), "expired": expired},
           meeting_id=space.meeting_id, space_id=space.id)
    _publish(space, poll, "closed", results=queries.poll_results(poll.id))
    return poll


def spaces_for_polls(actor: Any, meeting_id: int) -> list[Space]:
    """The caucus and regional rooms where the user may open a poll (the item page links them)."""
    p = permissions.participation(actor, meeting_id)
    if p is None:
        return []
    spaces = db.session.scalars(db.select(Space).where(
        Space.meeting_id == meeting_id, Space.kind.in_((SpaceKind.group, SpaceKind.regional))).order_by(Space.id))
    return [s for s in spaces if permissions.poll_officer(p, s)]
