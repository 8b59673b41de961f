"""A live sitting on the drafting world's draft, shared by the sittings tests (unit, web, real-time).

`build()` adds a Worker spokesperson (Vice-Chairperson) and a Reporter to tests/drafting_world.py's
meeting, schedules a sitting, and (by default) makes it live on the draft and opens it.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings import programme
from forum.meetings.models import Meeting, Sitting
from forum.sittings import services, throttle
from tests import drafting_world


def build(make_user: Any, make_meeting: Any, make_participant: Any, *, live: bool = True,
          opened: bool = True) -> SimpleNamespace:
    throttle.reset()
    from flask import current_app

    from forum import ratelimit

    current_app.extensions.pop(ratelimit._EXT, None)  # the per-user socket budget, kept per app
    w = drafting_world.build(make_user, make_meeting, make_participant)
    w.p["wkr_spokesperson"] = make_participant(w.meeting, "worker", roles=("spokesperson", "vice_chair"),
                                               name="Worker Spokesperson")
    w.p["reporter"] = make_participant(w.meeting, "government", member_state="FR", roles=("reporter",),
                                       name="The Reporter")
    for role in ("wkr_spokesperson", "reporter"):
        w.u[role] = w.p[role].user
    with unit_of_work():
        meeting = db.session.get(Meeting, w.meeting.id)
        sitting = programme.schedule_sitting(w.secretariat, meeting, title="Third sitting",
                                             starts_at=datetime(2030, 6, 3, 10, 0))
    w.sitting_id = sitting.id
    if live:
        run(w, "secretariat", "make_live", draft_id=w.draft_id)
    if opened:
        run(w, "chair", "open")
    return w


def sitting(w: SimpleNamespace) -> Sitting:
    return db.session.get(Sitting, w.sitting_id)


def run(w: SimpleNamespace, role: str, name: str, **payload: Any) -> dict[str, Any]:
    """Run a command as one of the world's people, in its own transaction, like a socket event."""
    with unit_of_work():
        return services.run_command(w.u[role], sitting(w), name, payload)
