"""The demo's attendance register and one weighted record vote, closed and not yet declared.

The secretariat marks the second sitting's attendance; the Chair puts the first paragraph still
pending to a record vote in it; members vote; the Chair closes it. The decision is left to whoever
tries the demo: the paragraph's page offers *Declare the decision*. Loading twice changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.drafting.models import Draft, Paragraph, ParagraphKind, ParagraphState
from forum.errors import NotAllowed
from forum.extensions import db
from forum.meetings import attendance
from forum.meetings.models import Capacity, Group, Meeting, Participant, Sitting
from forum.positions import votes
from forum.positions.items import item_of
from forum.positions.vote_models import Vote

CHAIR = "chair@demo.forum"
SECRETARIAT = "secretariat2@demo.forum"
AGAINST = {"emp.nigeria@demo.forum", "emp.argentina@demo.forum", "emp.india@demo.forum"}
ABSTAIN = {"gov.qatar@demo.forum", "emp.japan@demo.forum"}
ABSENT = {"gov.jordan@demo.forum", "wkr.australia@demo.forum"}


def load_votes_demo(meeting: Meeting, users: dict[str, Any]) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(Vote.meeting_id == meeting.id)):
        return
    draft = db.session.scalars(sa.select(Draft).where(Draft.meeting_id == meeting.id).order_by(Draft.id)).first()
    sitting = db.session.scalars(sa.select(Sitting).where(Sitting.meeting_id == meeting.id, Sitting.title ==
                                                          "Second sitting")).first()
    if draft is None or sitting is None or not draft.open_for_amendments:
        return
    paragraph = db.session.scalars(sa.select(Paragraph).where(
        Paragraph.draft_id == draft.id, Paragraph.kind == ParagraphKind.paragraph,
        Paragraph.state.in_([ParagraphState.pending, ParagraphState.under_discussion])).order_by(Paragraph.position)
    ).first()
    if paragraph is None:
        return
    people = list(db.session.scalars(sa.select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.removed_at.is_(None),
        Participant.group.in_([Group.government, Group.employer, Group.worker]),
        Participant.capacity.notin_([Capacity.observer, Capacity.secretariat]))))
    email = {p.id: p.user.email for p in people}
    present = [p for p in people if email[p.id] not in ABSENT]
    attendance.set_attendance(users[SECRETARIAT], sitting,
                              participant_ids=[p.id for p in present if p.group is not Group.government],
                              member_states=sorted({p.member_state for p in present
                                                    if p.group is Group.government and p.member_state}))
    vote = votes.open_vote(users[CHAIR], item_of(paragraph), vote_type="record", sitting=sitting,
                           question=f"Shall paragraph {paragraph.label} be adopted as it stands?")
    voted: set[str] = set()
    for p in present:
        try:
            seat, _group = votes.seat_for(p, vote)
        except NotAllowed:  # advisers and non-members have no seat of their own
            continue
        if seat in voted:
            continue
        voted.add(seat)
        address = email[p.id]
        choice = "against" if address in AGAINST else "abstain" if address in ABSTAIN else "for"
        votes.cast_ballot(p.user, vote, choice)
    votes.close_vote(users[CHAIR], vote)
