"""The demo's report: summaries of the interventions in its sittings, the draft report published
to the participants, one speaker's correction accepted and another awaiting the secretariat.

Written through the same services as the pages, by the two officials of the secretariat; the
adoption is left to the Chair (the software never adopts). Loading twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from forum.drafting import queries as drafting_queries
from forum.drafting.models import Amendment, Draft, MoverKind
from forum.extensions import db
from forum.meetings.models import Meeting, Participant
from forum.positions.items import ItemRef, item_of
from forum.proceedings import queries, services
from forum.proceedings.models import Intervention

# (sitting index, minutes after its start, speaking seconds, speaker's email, on behalf of, item, summary)
# item: None for the general discussion; ("paragraph", label) or ("amendment", (label, mover kind)).
INTERVENTIONS: tuple[tuple[int, int, int, str, str | None, Any, str], ...] = (
    (0, 5, 240, "chair@demo.forum", None, None,
     "The Chairperson opened the meeting, welcomed the participants and recalled that the Governing Body had "
     "convened the Forum to discuss labour migration and to adopt conclusions."),
    (0, 20, 180, "emp.spokesperson@demo.forum", None, None,
     "The Employer Vice-Chairperson thanked the Office for the background report and said that well-regulated "
     "labour migration answered skills shortages in countries of destination."),
    (0, 26, 185, "wkr.spokesperson@demo.forum", None, None,
     "The Worker Vice-Chairperson said that migrant workers must enjoy equal treatment and that fair recruitment "
     "was the test of any commitment the Forum would make."),
    (1, 10, 150, "gov.southafrica@demo.forum", "AFRICA", None,
     "Speaking on behalf of the Africa group, she stressed the contribution of remittances to development and "
     "called for the portability of social security benefits."),
    (1, 15, 120, "gov.germany@demo.forum", None, None,
     "He described his country's skills partnerships with countries of origin and their joint training schemes."),
    (1, 19, 130, "gov.brazil@demo.forum", "GRULAC", None,
     "Speaking on behalf of GRULAC, she called for regional agreements on the recognition of qualifications."),
    (3, 8, 160, "wkr.spokesperson@demo.forum", None, ("amendment", ("3", MoverKind.worker_group)),
     "Introducing the Workers' amendment, she said that a measurable target would make the commitment on the cost "
     "of remittances real."),
    (3, 14, 90, "emp.spokesperson@demo.forum", None, ("amendment", ("3", MoverKind.worker_group)),
     "The Employer Vice-Chairperson said that his group had consulted its members and could support the figure."),
    (3, 30, 110, "emp.spokesperson@demo.forum", None, ("paragraph", "1"),
     "The Employer Vice-Chairperson supported paragraph 1 as drafted."),
    (4, 6, 170, "emp.spokesperson@demo.forum", None, ("amendment", ("10", MoverKind.employer_group)),
     "Introducing the Employers' amendment on recruitment, he said that licensing by public authorities was the "
     "most effective safeguard."),
    (4, 12, 140, "gov.senegal@demo.forum", "AFRICA", ("amendment", ("10", MoverKind.employer_group)),
     "Speaking on behalf of the Africa group, he supported the amendment: regulation by public authorities was the "
     "group's view."),
    (4, 18, 150, "wkr.spokesperson@demo.forum", None, ("amendment", ("10", MoverKind.employer_group)),
     "The Worker Vice-Chairperson said that workers' organizations must take part in the oversight of recruitment "
     "agencies and announced a sub-amendment."),
)
CORRECTED = ("gov.southafrica@demo.forum",
             "Speaking on behalf of the Africa group, she stressed the contribution of remittances to development, "
             "called for lower transfer costs and for the portability of social security benefits.")
PENDING = ("gov.germany@demo.forum",
           "He described his country's skills partnerships with countries of origin, their joint training schemes "
           "and the recognition of vocational qualifications.")


def _item(draft: Draft | None, spec: Any) -> ItemRef | None:
    if spec is None or draft is None:
        return None
    paragraphs = {p.label: p for p in db.session.scalars(drafting_queries.paragraphs_of_draft(draft.id))}
    kind, what = spec
    if kind == "paragraph":
        return item_of(paragraphs[what]) if what in paragraphs else None
    label, mover = what
    target = paragraphs.get(label)
    found = db.session.scalars(sa.select(Amendment).where(
        Amendment.paragraph_id == target.id, Amendment.mover_kind == mover, Amendment.parent_id.is_(None))
        .order_by(Amendment.id)).first() if target is not None else None
    return item_of(found) if found is not None and found.is_circulated else None


def load_proceedings_demo(meeting: Meeting, users: dict[str, Any]) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(Intervention)
                         .where(Intervention.meeting_id == meeting.id)):
        return
    sittings = queries.sittings_of(meeting.id)
    if not sittings:
        return
    draft = db.session.scalars(sa.select(Draft).where(Draft.meeting_id == meeting.id).order_by(Draft.id)).first()
    writers = (users["secretariat2@demo.forum"], users["secretariat1@demo.forum"])
    people = {p.user.email: p for p in db.session.scalars(
        sa.select(Participant).where(Participant.meeting_id == meeting.id, Participant.removed_at.is_(None)))}
    written: dict[str, Intervention] = {}
    for n, (index, after, seconds, email, behalf, spec, summary) in enumerate(INTERVENTIONS):
        if index >= len(sittings) or email not in people:
            continue
        sitting = sittings[index]
        written[email + str(index)] = services.add_intervention(
            writers[n % 2], sitting, speaker=people[email], summary=summary, item=_item(draft, spec),
            on_behalf_of=behalf, started_at=sitting.starts_at + timedelta(minutes=after), speaking_seconds=seconds)
    if queries.programme_deadline(meeting.id) is None:
        return  # the demo's programme sets the deadline; without it the secretariat publishes by hand
    services.publish_report(writers[0], meeting)
    for (email, text), accept in ((CORRECTED, True), (PENDING, None)):
        target = next((i for key, i in written.items() if key.startswith(email)), None)
        if target is None:
            continue
        correction = services.propose_correction(users[email], target, text)
        if accept:
            services.decide_correction(writers[0], correction, True, "Thank you: the summary now reads so.")
