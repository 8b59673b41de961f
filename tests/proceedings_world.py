"""A meeting with a sitting held on the drafting world's draft, for the report's tests (unit, web,
API): the Africa coordinator (for the Africa group) and the Worker Vice-Chairperson took the floor
on paragraph 1 through the speakers list; the secretariat has written nothing yet.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import Sitting
from forum.positions.items import ItemRef, item_of
from forum.proceedings import services
from forum.proceedings.models import Intervention, ReportCorrection
from forum.sittings.models import SpeakerRequest
from tests import sittings_world
from tests.drafting_world import para


def build(make_user: Any, make_meeting: Any, make_participant: Any) -> SimpleNamespace:
    w = sittings_world.build(make_user, make_meeting, make_participant)
    run = sittings_world.run
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "1").id)
    w.requests = {}
    w.requests["africa"] = run(w, "africa", "request_floor", on_behalf_of="AFRICA")["request_id"]
    w.requests["wkr_spokesperson"] = run(w, "wkr_spokesperson", "request_floor")["request_id"]
    for _turn in range(2):
        run(w, "chair", "grant_floor")
    run(w, "chair", "finish_speaker")
    return w


def sitting(w: SimpleNamespace) -> Sitting:
    return db.session.get(Sitting, w.sitting_id)


def request(w: SimpleNamespace, role: str) -> SpeakerRequest:
    return db.session.get(SpeakerRequest, w.requests[role])


def item(w: SimpleNamespace, label: str = "1") -> ItemRef:
    return item_of(para(w, label))


def write(w: SimpleNamespace, role: str, summary: str, *, actor: str = "secretariat", general: bool = False,
          **fields: Any) -> int:
    """The secretariat writes the summary of `role`'s turn at the floor, pre-filled from the list."""
    with unit_of_work():
        req = request(w, role)
        values = services.prefill(req)
        if general:
            values["item"] = None
        values.update(fields)
        intervention = services.add_intervention(db.session.merge(w.u[actor]), sitting(w), summary=summary,
                                                 speaker_request=req, **values)
    return intervention.id


def publish(w: SimpleNamespace, deadline: Any = None) -> None:
    from datetime import timedelta

    from forum.db import utcnow
    from forum.meetings.models import Meeting

    with unit_of_work():
        services.publish_report(db.session.merge(w.secretariat), db.session.get(Meeting, w.meeting.id),
                                deadline=deadline or utcnow() + timedelta(days=3))


def intervention(ident: int) -> Intervention:
    db.session.expire_all()
    return db.session.get(Intervention, ident)


def correction(ident: int) -> ReportCorrection:
    db.session.expire_all()
    return db.session.get(ReportCorrection, ident)
