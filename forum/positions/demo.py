"""The demo's positions, Government statements and a closed internal poll of the Workers' group.

They are recorded through the same services as the pages, by the people who would record them:
the groups' spokespersons and secretaries, the Africa group's coordinator, Government delegates,
and the secretariat taking note in the sitting. Loading twice changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.drafting import queries as drafting_queries
from forum.drafting.models import Amendment, Draft, MoverKind, Paragraph
from forum.extensions import db
from forum.meetings.models import Group, Meeting, Space, SpaceKind
from forum.positions import polls, positions
from forum.positions.items import item_of
from forum.positions.models import Position


def load_positions_demo(meeting: Meeting, users: dict[str, Any]) -> None:
    draft = db.session.scalars(sa.select(Draft).where(Draft.meeting_id == meeting.id)
                               .order_by(Draft.id)).first()
    if draft is None or db.session.scalar(sa.select(sa.func.count()).select_from(Position)
                                          .where(Position.draft_id == draft.id)):
        return
    u = users
    paragraphs = {p.label: p for p in db.session.scalars(drafting_queries.paragraphs_of_draft(draft.id))}
    amendments = list(db.session.scalars(drafting_queries.amendments_of_draft(draft.id)))

    def paragraph(label: str) -> Any:
        return item_of(paragraphs[label])

    def amendment(label: str, kind: MoverKind) -> Any:
        target: Paragraph = paragraphs[label]
        found: Amendment = next(a for a in amendments if a.paragraph_id == target.id and a.mover_kind is kind
                                and a.parent_id is None)
        return item_of(found)

    emp, wkr = u["emp.spokesperson@demo.forum"], u["wkr.spokesperson@demo.forum"]
    emp_sec, wkr_sec = u["emp.secretary@demo.forum"], u["wkr.secretary@demo.forum"]
    sec = u["secretariat2@demo.forum"]
    recruitment = amendment("10", MoverKind.employer_group)
    social_security = amendment("13", MoverKind.regional_group)
    remittances = amendment("3", MoverKind.worker_group)

    # Paragraph 1, adopted: both groups supported it.
    positions.record_position(emp, paragraph("1"), group="employer", stance="support")
    positions.record_position(wkr, paragraph("1"), group="worker", stance="support")
    # Remittances: the Workers' amendment, adopted; the Employers first reserved, then supported.
    positions.record_position(wkr_sec, remittances, group="worker", stance="support",
                              statement="A measurable target makes the commitment real.")
    positions.record_position(emp_sec, remittances, group="employer", stance="reserve",
                              statement="The group is consulting its members on the figure.")
    positions.record_position(emp, remittances, group="employer", stance="support")
    # Recruitment, under discussion: the Workers' caucus polled its members first.
    caucus = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id, Space.kind == SpaceKind.group,
                                                       Space.group == Group.worker)).one()
    poll = polls.open_poll(wkr_sec, caucus, recruitment, question="Can we support the Employers' amendment as it "
                                                                   "stands?", minutes=30)
    for email, choice in (("wkr.brazil@demo.forum", "oppose"), ("wkr.nepal@demo.forum", "oppose"),
                          ("wkr.philippines@demo.forum", "oppose"), ("wkr.kenya@demo.forum", "abstain"),
                          ("wkr.spain@demo.forum", "support"), ("wkr.spokesperson@demo.forum", "oppose")):
        polls.answer_poll(u[email], poll, choice)
    polls.close_poll(wkr_sec, poll)
    positions.record_position(emp, recruitment, group="employer", stance="support")
    positions.record_position(wkr, recruitment, group="worker", stance="oppose",
                              statement="Workers' organizations must take part too: see our sub-amendment.")
    positions.record_position(u["gov.southafrica@demo.forum"], recruitment, group="AFRICA", stance="support")
    # Government statements (rule 28): attributed, listed, never added up.
    positions.add_statement(u["gov.senegal@demo.forum"], recruitment, member_state="SN", regional_group="AFRICA",
                            stance="support", text="Regulation by public authorities is the Africa group's view.")
    positions.add_statement(u["gov.germany@demo.forum"], recruitment, member_state="DE", stance="reserve",
                            text="Germany would like to hear the Workers' sub-amendment first.")
    positions.add_statement(sec, recruitment, member_state="CA", stance="oppose",
                            text="Canada prefers the original text.")
    positions.add_statement(u["gov.southafrica@demo.forum"], social_security, member_state="ZA",
                            regional_group="AFRICA", stance="support")
    # The secretariat takes note of a position stated from the floor, for the Chair.
    positions.record_position(sec, social_security, group="worker", stance="support")
