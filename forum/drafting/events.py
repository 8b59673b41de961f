"""Live side of drafting: the `draft:<id>` room, who hears of an amendment, and the room's snapshot.

A draft's room is every participant's, so it only ever carries what every participant may see:
the text, paragraph decisions and circulated amendments. News of an amendment that is not
circulated yet goes to the user rooms of those who may see it (its movers' space and, once it is
submitted, the secretariat) — never to the draft's room (rule 23).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum import permissions, realtime
from forum.extensions import db
from forum.meetings.models import Participant


def draft_room(draft_id: int) -> str:
    return realtime.room("draft", draft_id)


def publish_draft(draft: Any, event: str, data: dict[str, Any]) -> None:
    """An event for everyone following the draft; bumps the draft's version."""
    room = draft_room(draft.id)
    version = realtime.bump_version(draft)
    realtime.publish(room, event, {"room": room, "draft_id": draft.id, **data}, version=version)


def audience(amendment: Any) -> list[int]:
    """The users who may see an amendment that is not circulated yet (its movers' space and, once
    submitted, the secretariat), found with the same rule as the pages."""
    db.session.flush()
    meeting_id = amendment.draft.meeting_id
    people = db.session.scalars(sa.select(Participant).where(
        Participant.meeting_id == meeting_id, Participant.removed_at.is_(None)))
    users = []
    for p in people:
        if p.is_secretariat:
            if amendment.state.value != "draft":
                users.append(p.user_id)
        elif permissions.in_movers_space(p, amendment):
            users.append(p.user_id)
    return users


def amendment_payload(amendment: Any, action: str) -> dict[str, Any]:
    return {"draft_id": amendment.draft_id, "amendment_id": amendment.id, "paragraph_id": amendment.paragraph_id,
            "number": amendment.number, "state": amendment.state.value, "action": action,
            "flagged": amendment.flagged}


def publish_amendment(amendment: Any, action: str, *, audience_ids: list[int] | None = None) -> None:
    """Tell whoever may see the amendment that it changed (after commit)."""
    data = amendment_payload(amendment, action)
    if amendment.is_circulated:
        publish_draft(amendment.draft, "amendment.changed", data)
        return
    for user_id in audience_ids if audience_ids is not None else audience(amendment):
        realtime.publish(realtime.room("user", user_id), "amendment.changed", data)


@realtime.snapshot_provider("draft")
def draft_snapshot(user: Any, draft_id: int) -> dict[str, Any]:
    """The draft's paragraphs and the amendments this user may see, with the draft's version."""
    from forum.drafting import queries
    from forum.drafting.models import Draft

    draft = db.session.get(Draft, draft_id)
    if draft is None:
        return {"draft_id": draft_id, "version": 0}
    paragraphs = db.session.scalars(queries.paragraphs_of_draft(draft.id))
    amendments = [a for a in db.session.scalars(queries.amendments_of_draft(draft.id))
                  if permissions.can_view_amendment(user, a)]
    return {
        "draft_id": draft.id,
        "version": draft.version,
        "state": draft.state.value,
        "paragraphs": [{"id": p.id, "label": p.label, "state": p.state.value} for p in paragraphs],
        "amendments": [{"id": a.id, "number": a.number, "state": a.state.value, "paragraph_id": a.paragraph_id,
                        "flagged": a.flagged} for a in amendments],
    }
