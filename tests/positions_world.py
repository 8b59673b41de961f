"""The drafting world (tests/drafting_world.py) with what positions need: a circulated amendment
and a few helpers to name items, spaces and services' calls shortly."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from forum.db import unit_of_work
from forum.drafting import amendments as amend
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind
from forum.positions.items import ItemRef, item_of, load_item
from tests.drafting_world import EMPLOYERS, build, draft, para, state


def build_positions(make_user: Any, make_meeting: Any, make_participant: Any) -> SimpleNamespace:
    """The drafting world, plus the Workers' spokesperson, an Africa-group Senegal adviser and two
    circulated amendments to paragraph 3: Kenya's (seconded) and the Employers' (with a Workers' draft
    that is not circulated)."""
    w = build(make_user, make_meeting, make_participant)
    w.p["wkr_spokesperson"] = make_participant(w.meeting, "worker", roles=("spokesperson", "vice_chair"),
                                               name="Worker Spokesperson")
    w.u["wkr_spokesperson"] = w.p["wkr_spokesperson"].user
    w.p["grulac"] = make_participant(w.meeting, "government", member_state="MX", roles=("coordinator",),
                                     regional_group="GRULAC", name="GRULAC Coordinator")
    w.u["grulac"] = w.p["grulac"].user
    with unit_of_work():
        d = draft(w)
        kenya = amend.file_amendment(w.u["kenya"], d, para(w, "3"), mover=state("KE"), kind="delete", language="en",
                                     explanation="Covered elsewhere.")
        employers = amend.file_amendment(w.u["emp_secretary"], d, para(w, "3"), mover=EMPLOYERS, kind="modify",
                                         language="en", text="Recruitment fees should not be charged to workers.",
                                         explanation="Shorter.")
        for a, who in ((kenya, "kenya"), (employers, "emp_secretary")):
            amend.submit_amendment(w.u[who], a)
            amend.validate_amendment(w.secretariat, a)
        amend.circulate_amendments(w.secretariat, d)
        amend.second_amendment(w.u["germany"], kenya)
        hidden = amend.file_amendment(w.u["kenya"], d, para(w, "4"), mover=state("KE"), kind="delete",
                                      language="en", explanation="Not circulated.")
    w.kenya_amendment, w.employer_amendment, w.hidden_amendment = kenya.id, employers.id, hidden.id
    return w


def paragraph_item(w: SimpleNamespace, label: str) -> ItemRef:
    return item_of(para(w, label))


def amendment_item(w: SimpleNamespace, which: str = "kenya") -> ItemRef:
    ident = {"kenya": w.kenya_amendment, "employers": w.employer_amendment, "hidden": w.hidden_amendment}[which]
    return load_item("amendment", ident)


def space(w: SimpleNamespace, kind: SpaceKind, key: str | None = None) -> Space:
    for s in db.session.scalars(db.select(Space).where(Space.meeting_id == w.meeting.id, Space.kind == kind)):
        if kind is SpaceKind.group and s.group is Group(key):
            return s
        if kind is SpaceKind.regional and s.regional_group is not None and s.regional_group.code == key:
            return s
        if kind in (SpaceKind.plenary, SpaceKind.officers):
            return s
        if kind is SpaceKind.delegation and s.member_state == key:
            return s
    raise LookupError((kind, key))


def user(w: SimpleNamespace, role: str) -> Any:
    return db.session.merge(w.u[role])
