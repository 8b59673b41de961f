"""The speakers list: the customary order of the floor, the Chair's changes to it, speaking time.

A new request takes its place by kind (points of order first, then objections, then the list,
rights of reply last) and, within the list, by category in the order the meeting sets
(`speakers_order`, default: the Employer and Worker Vice-Chairpersons, Governments for regional
groups, individual Governments, Employer and Worker members, observers). The Chair may then move
anyone; positions are stored, so the list survives a restart exactly as the Chair left it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import Capacity, Group, Meeting, OfficeRole, Participant, RegionalGroup
from forum.sittings.models import (
    DEFAULT_ORDER,
    RequestState,
    SpeakerCategory,
    SpeakerKind,
    SpeakerRequest,
)

KIND_RANK = {SpeakerKind.point_of_order: 0, SpeakerKind.objection: 1, SpeakerKind.speak: 2, SpeakerKind.reply: 3}
SPOKESPERSON_ROLES = {OfficeRole.vice_chair, OfficeRole.spokesperson}


def speakers_order(meeting: Meeting) -> list[SpeakerCategory]:
    """The meeting's order of categories; unknown names are ignored, missing ones come last."""
    configured = (meeting.settings or {}).get("speakers_order") or []
    order: list[SpeakerCategory] = []
    for name in configured:
        try:
            category = SpeakerCategory(name)
        except ValueError:
            continue
        if category not in order:
            order.append(category)
    return order + [c for c in DEFAULT_ORDER if c not in order]


def category_of(p: Participant, on_behalf_of: RegionalGroup | None) -> SpeakerCategory:
    if p.capacity is Capacity.observer:
        return SpeakerCategory.observer
    if p.group is Group.government:
        return SpeakerCategory.regional_group if on_behalf_of is not None else SpeakerCategory.government
    if p.roles() & SPOKESPERSON_ROLES:
        return SpeakerCategory.spokesperson
    return SpeakerCategory.member


def rank(request: SpeakerRequest, order: list[SpeakerCategory]) -> tuple[int, int]:
    kind = KIND_RANK[request.kind]
    return (kind, order.index(request.category) if request.kind is SpeakerKind.speak else 0)


def waiting(sitting_id: int) -> list[SpeakerRequest]:
    return list(db.session.scalars(
        sa.select(SpeakerRequest).where(SpeakerRequest.sitting_id == sitting_id,
                                        SpeakerRequest.state == RequestState.waiting)
        .order_by(SpeakerRequest.position, SpeakerRequest.id)))


def renumber(requests: list[SpeakerRequest]) -> None:
    for index, request in enumerate(requests, start=1):
        request.position = index


def place(new: SpeakerRequest, queue: list[SpeakerRequest], order: list[SpeakerCategory]) -> list[SpeakerRequest]:
    """Insert after the last waiting request that comes before it or with it in the customary order
    (so a point of order jumps the queue and equals keep the order they asked in)."""
    mine = rank(new, order)
    at = 0
    for index, other in enumerate(queue):
        if rank(other, order) <= mine:
            at = index + 1
    result = [*queue[:at], new, *queue[at:]]
    renumber(result)
    return result


def move(queue: list[SpeakerRequest], request: SpeakerRequest, to_position: int) -> list[SpeakerRequest]:
    """The Chair's reorder: put the request at `to_position` (1-based, clamped)."""
    rest = [r for r in queue if r.id != request.id]
    at = min(max(to_position, 1), len(rest) + 1) - 1
    result = [*rest[:at], request, *rest[at:]]
    renumber(result)
    return result


def speaking_times(sitting_id: int) -> dict[str, Any]:
    """Seconds spoken, totalled per group and per State (shown to the Chair): GROUP BY, no loops."""
    done = sa.and_(SpeakerRequest.sitting_id == sitting_id, SpeakerRequest.state == RequestState.done)
    groups = db.session.execute(
        sa.select(SpeakerRequest.group, sa.func.sum(SpeakerRequest.spoken_seconds), sa.func.count())
        .where(done).group_by(SpeakerRequest.group))
    states = db.session.execute(
        sa.select(SpeakerRequest.member_state, sa.func.sum(SpeakerRequest.spoken_seconds), sa.func.count())
        .where(done, SpeakerRequest.member_state.is_not(None)).group_by(SpeakerRequest.member_state)
        .order_by(SpeakerRequest.member_state))
    return {
        "groups": {g.value: {"seconds": int(s or 0), "turns": n} for g, s, n in groups},
        "states": {code: {"seconds": int(s or 0), "turns": n} for code, s, n in states},
    }
