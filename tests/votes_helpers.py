"""A meeting ready for voting: the drafting world plus a live sitting with everyone present.

Shared by the votes tests (unit, web, real-time and the race test).
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from forum.db import unit_of_work, utcnow
from forum.extensions import db
from forum.meetings import attendance
from forum.meetings.models import Meeting, Sitting, SittingState
from forum.positions import votes
from forum.positions.items import item_of
from forum.positions.vote_models import Vote
from tests import drafting_world
from tests.drafting_world import para


def build(make_user: Any, make_meeting: Any, make_participant: Any, *, everyone_present: bool = True,
          **settings: Any) -> SimpleNamespace:
    w = drafting_world.build(make_user, make_meeting, make_participant)
    with unit_of_work():
        meeting = db.session.get(Meeting, w.meeting.id)
        if settings:
            meeting.settings = {**(meeting.settings or {}), **settings}
        sitting = Sitting(meeting_id=meeting.id, title="Third sitting", starts_at=utcnow() - timedelta(hours=1),
                          state=SittingState.live)
        db.session.add(sitting)
        db.session.flush()
        w.sitting_id = sitting.id
        if everyone_present:
            attendance.set_attendance(w.secretariat, sitting, participant_ids=[
                w.p[r].id for r in ("emp_spokesperson", "employer", "worker")],
                member_states=["KE", "DE", "IT", "BR", "SN", "ZA"])
    return w


def sitting(w: SimpleNamespace) -> Sitting:
    return db.session.get(Sitting, w.sitting_id)


def open_on(w: SimpleNamespace, label: str = "1", vote_type: str = "record", majority: str = "simple",
            actor: Any = None) -> int:
    with unit_of_work():
        vote = votes.open_vote(db.session.merge(actor or w.u["chair"]), item_of(para(w, label)), vote_type=vote_type,
                               majority=majority, sitting=sitting(w))
    return vote.id


def cast(w: SimpleNamespace, vote_id: int, role: str, choice: str) -> dict[str, Any]:
    with unit_of_work():
        return votes.cast_ballot(db.session.merge(w.u[role]), db.session.get(Vote, vote_id), choice)


def close(w: SimpleNamespace, vote_id: int, actor: Any = None) -> Vote:
    with unit_of_work():
        vote = votes.close_vote(db.session.merge(actor or w.u["chair"]), db.session.get(Vote, vote_id))
    return vote


def vote(vote_id: int) -> Vote:
    db.session.expire_all()
    return db.session.get(Vote, vote_id)
