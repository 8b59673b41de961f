"""Reads about positions, statements and polls: select()s and small lists, loaders explicit."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.meetings.models import Office, Participant, RegionalGroup, Sitting, SittingState
from forum.positions.items import ItemRef
from forum.positions.models import (
    GROUP_HOLDERS,
    Poll,
    PollAnswer,
    PollChoice,
    Position,
    PositionChange,
    Statement,
    item_key,
)


def key_of(item: ItemRef) -> str:
    cols = item.columns()
    return item_key(cols["paragraph_id"], cols["amendment_id"])


def _where_item(model: Any, item: ItemRef) -> Any:
    if item.amendment is not None:
        return model.amendment_id == item.amendment.id
    return sa.and_(model.paragraph_id == item.paragraph.id, model.amendment_id.is_(None))  # type: ignore[union-attr]


def holder_order(holder: str) -> tuple[int, str]:
    """Employers, then Workers, then regional groups by code."""
    return (GROUP_HOLDERS.index(holder), "") if holder in GROUP_HOLDERS else (len(GROUP_HOLDERS), holder)


def positions_for_item(item: ItemRef) -> list[Position]:
    rows = db.session.scalars(sa.select(Position).where(_where_item(Position, item)))
    return sorted(rows, key=lambda p: holder_order(p.holder))


def position_of(item: ItemRef, holder: str) -> Position | None:
    return db.session.scalars(sa.select(Position).where(Position.item_key == key_of(item), Position.holder == holder)
                              .execution_options(populate_existing=True)).first()


def statements_for_item(item: ItemRef) -> list[Statement]:
    return list(db.session.scalars(sa.select(Statement).where(_where_item(Statement, item))
                                   .order_by(Statement.created_at, Statement.id)))


def history_for_item(item: ItemRef) -> list[tuple[Position, PositionChange]]:
    """Every change of every position on the item, oldest first."""
    rows = db.session.execute(
        sa.select(Position, PositionChange).join(PositionChange, PositionChange.position_id == Position.id)
        .where(_where_item(Position, item)).order_by(PositionChange.created_at, PositionChange.id))
    return [(p, c) for p, c in rows]


def positions_of_draft(draft_id: int) -> sa.Select:
    """The board needs the regional groups' names, not their member States."""
    return sa.select(Position).where(Position.draft_id == draft_id).options(
        joinedload(Position.regional_group).lazyload(RegionalGroup.states))


def statements_of_draft(draft_id: int) -> sa.Select:
    return sa.select(Statement).where(Statement.draft_id == draft_id).options(
        joinedload(Statement.regional_group).lazyload(RegionalGroup.states)).order_by(Statement.created_at,
                                                                                      Statement.id)


def group_speakers(meeting_id: int) -> list[Participant]:
    """Who states positions in a group's name (spokespersons, group secretaries, coordinators), by name."""
    from forum import permissions

    people = db.session.scalars(sa.select(Participant).where(
        Participant.meeting_id == meeting_id, Participant.removed_at.is_(None),
        Participant.id.in_(sa.select(Office.participant_id).where(Office.meeting_id == meeting_id))))
    return sorted((p for p in people if permissions.position_holders(p)), key=lambda p: p.user.name)


def live_sitting(meeting_id: int) -> Sitting | None:
    """The meeting's sitting in progress, if any: what the secretariat notes there belongs to it."""
    return db.session.scalars(sa.select(Sitting).where(Sitting.meeting_id == meeting_id,
                                                       Sitting.state == SittingState.live)
                              .order_by(Sitting.id)).first()


def regional_group_by_code(code: str) -> RegionalGroup | None:
    return db.session.scalars(sa.select(RegionalGroup).where(RegionalGroup.code == code)).first()


def regional_groups() -> list[RegionalGroup]:
    return list(db.session.scalars(sa.select(RegionalGroup).order_by(RegionalGroup.code)))


# --- polls ---------------------------------------------------------------------------------------------

def polls_of_space(space_id: int) -> sa.Select:
    return sa.select(Poll).where(Poll.space_id == space_id).order_by(Poll.created_at.desc(), Poll.id.desc())


def open_poll_on(space_id: int, item: ItemRef) -> Poll | None:
    """The poll on this item still open in the space, if any (a double submission finds it)."""
    for poll in db.session.scalars(sa.select(Poll).where(Poll.space_id == space_id, _where_item(Poll, item))
                                   .order_by(Poll.id.desc())):
        if poll.is_open():
            return poll
    return None


def answer_of(poll_id: int, participant_id: int) -> PollAnswer | None:
    return db.session.scalars(sa.select(PollAnswer).where(PollAnswer.poll_id == poll_id,
                                                          PollAnswer.participant_id == participant_id)
                              .execution_options(populate_existing=True)).first()


def poll_results(poll_id: int) -> dict[str, int]:
    """Counts per choice (a GROUP BY), with the total."""
    counts: Counter[str] = Counter()
    for choice, n in db.session.execute(sa.select(PollAnswer.choice, sa.func.count()).where(
            PollAnswer.poll_id == poll_id).group_by(PollAnswer.choice)):
        counts[choice.value] = n
    result = {c.value: counts.get(c.value, 0) for c in PollChoice}
    result["total"] = sum(counts.values())
    return result


def results_of_polls(poll_ids: list[int]) -> dict[int, dict[str, int]]:
    """poll_results for many polls in one query (the list of a space's polls)."""
    out = {pid: {**{c.value: 0 for c in PollChoice}, "total": 0} for pid in poll_ids}
    if not poll_ids:
        return out
    for pid, choice, n in db.session.execute(
            sa.select(PollAnswer.poll_id, PollAnswer.choice, sa.func.count())
            .where(PollAnswer.poll_id.in_(poll_ids)).group_by(PollAnswer.poll_id, PollAnswer.choice)):
        out[pid][choice.value] = n
        out[pid]["total"] += n
    return out
