"""A meeting with a draft open for amendments and one person of every kind drafting needs.

Shared by the drafting tests (unit, web and real-time): `build()` returns a namespace with the
meeting, its users and participants by role, and a draft of two parts and five paragraphs.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from forum.db import unit_of_work
from forum.drafting import drafts
from forum.drafting.importing import ParsedDraft, ParsedParagraph, ParsedPart
from forum.drafting.models import Draft, Mover, MoverKind, Paragraph
from forum.extensions import db

TEXTS = {
    "1": "Labour migration governed by fair rules benefits countries of origin and destination alike.",
    "2": "Member States should ratify the relevant international labour standards.",
    "3": "Recruitment fees and related costs should not be charged to workers.",
    "3(a)": "Private employment agencies should be licensed.",
    "3(b)": "Complaint mechanisms should be accessible to migrant workers.",
    "4": "Skills of migrant workers should be recognized across borders.",
}


def structure() -> ParsedDraft:
    return ParsedDraft(
        preamble="The tripartite meeting, having met in Geneva, adopts the following conclusions:",
        parts=[
            ParsedPart("Guiding principles", [ParsedParagraph(TEXTS["1"]), ParsedParagraph(TEXTS["2"])]),
            ParsedPart("Fair recruitment", [ParsedParagraph(TEXTS["3"], [TEXTS["3(a)"], TEXTS["3(b)"]]),
                                            ParsedParagraph(TEXTS["4"])]),
        ],
    )


def build(make_user: Any, make_meeting: Any, make_participant: Any, *, open_draft: bool = True) -> SimpleNamespace:
    w = SimpleNamespace()
    w.secretariat = make_user(staff=True, name="Secretariat Officer")
    w.meeting = make_meeting(w.secretariat)
    p = {
        "kenya": make_participant(w.meeting, "government", member_state="KE", name="Kenya Delegate"),
        "kenya_adviser": make_participant(w.meeting, "government", "adviser", member_state="KE"),
        "germany": make_participant(w.meeting, "government", member_state="DE", name="Germany Delegate"),
        "italy": make_participant(w.meeting, "government", member_state="IT"),
        "chair": make_participant(w.meeting, "government", member_state="BR", roles=("chair",), name="The Chair"),
        "senegal": make_participant(w.meeting, "government", member_state="SN"),
        "africa": make_participant(w.meeting, "government", member_state="ZA", roles=("coordinator",),
                                   regional_group="AFRICA", name="Africa Coordinator"),
        "emp_secretary": make_participant(w.meeting, "employer", "adviser", roles=("group_secretary",),
                                          membership="none", name="Employer Secretary"),
        "emp_spokesperson": make_participant(w.meeting, "employer", roles=("spokesperson", "vice_chair")),
        "employer": make_participant(w.meeting, "employer", name="Employer Member"),
        "wkr_secretary": make_participant(w.meeting, "worker", "adviser", roles=("group_secretary",),
                                          membership="none", name="Worker Secretary"),
        "worker": make_participant(w.meeting, "worker", name="Worker Member"),
        "observer": make_participant(w.meeting, "none", "observer"),
        "gov_observer": make_participant(w.meeting, "government", "observer", member_state="TH"),
    }
    w.p = p
    w.u = {role: participant.user for role, participant in p.items()}
    w.u["secretariat"] = w.secretariat
    w.outsider = make_user(staff=True)
    with unit_of_work():
        draft = drafts.create_draft(w.secretariat, db.session.merge(w.meeting), title="Draft conclusions",
                                    symbol=f"{w.meeting.symbol_prefix}/D.1", original_language="en",
                                    structure=structure())
        if open_draft:
            drafts.open_draft(w.secretariat, draft)
    w.draft_id = draft.id
    return w


def draft(w: SimpleNamespace) -> Draft:
    return db.session.get(Draft, w.draft_id)


def para(w: SimpleNamespace, label: str) -> Paragraph:
    return db.session.scalars(db.select(Paragraph).where(Paragraph.draft_id == w.draft_id,
                                                         Paragraph.label == label)).one()


def state(code: str) -> Mover:
    return Mover(MoverKind.state, states=(code,))


EMPLOYERS = Mover(MoverKind.employer_group)
WORKERS = Mover(MoverKind.worker_group)
JOINT = Mover(MoverKind.joint)
