"""Documents of the demo meeting: the Office's background report (a PDF made with reportlab), an
information note (a DOCX made with python-docx), both official and in the plenary, and a working
file of the Workers' group with two versions. Loading again finds them and adds nothing.

The wording is the demo's own; the files are generated, so no document ships with the code.
"""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa

from forum.documents import services
from forum.documents.models import Document, DocumentKind
from forum.extensions import db
from forum.meetings.models import AgendaItem, Group, Meeting, Space, SpaceKind

SECRETARIAT = "secretariat1@demo.forum"
WORKERS_SECRETARY = "wkr.secretary@demo.forum"

REPORT_TITLE = "Fair recruitment and the recognition of skills of migrant workers: report for discussion"
REPORT_PARAGRAPHS = (
    ("Introduction",
     "This report has been prepared by the Office as a basis for the discussions of the first meeting of the "
     "Global Tripartite Forum on Labour Migration. It draws together what governments, employers' and workers' "
     "organizations have reported on two questions the Forum has chosen to take up first."),
    ("Recruitment",
     "Many migrant workers pay fees to find work abroad and start their employment in debt. Contract "
     "substitution, the retention of identity documents and misleading information about wages and working "
     "conditions are reported from every region. Several countries have introduced licensing of recruitment "
     "agencies and joint liability of employers and agencies; their experience is uneven."),
    ("Skills and qualifications",
     "Migrant workers are often employed below their level of skill because their qualifications are not "
     "recognized in the country of destination. Mutual recognition arrangements, the assessment of skills "
     "acquired at work and cooperation between training institutions can help."),
    ("Points for discussion",
     "1. What should governments and the social partners do to ensure that workers pay no recruitment fees or "
     "related costs? 2. How can skills be recognized across borders in a way that employers trust and workers "
     "can afford? 3. What follow-up should the Forum ask of the Office?"),
)

NOTE_TITLE = "Information note on the organization of the meeting"
NOTE_PARAGRAPHS = (
    "The meeting is held in Geneva over three days. Sittings take place in Room II; the groups meet in the "
    "mornings before the first sitting.",
    "Documents are published on the platform in English, French and Spanish as they become available. "
    "Printed copies are not distributed.",
    "Written amendments to the draft conclusions are filed through the platform before the deadline shown "
    "on the programme. The secretariat circulates the compilation the next morning.",
    "Participants who wish to take the floor ask for it through the platform or by raising their name plate.",
)

WORKING_TITLE = "Workers' group: points for the general discussion on fair recruitment"
WORKING_V1 = """# Points for the general discussion on fair recruitment

Draft of the group secretariat, for discussion in the group.

- No recruitment fees or related costs charged to workers, in any form.
- Joint liability of employers and recruitment agencies.
- Workers keep their own identity documents.
"""
WORKING_V2 = WORKING_V1 + """- Access to complaint mechanisms in the country of origin and of destination.

*Revised after the group meeting of the first morning.*
"""


def background_report_pdf() -> bytes:
    """The background report as a small PDF (deterministic: the same bytes on every run)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    out = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(out, pagesize=A4, title=REPORT_TITLE, author="The Office", invariant=1)
    story: list[Any] = [Paragraph(REPORT_TITLE, styles["Title"]), Spacer(1, 12)]
    for heading, text in REPORT_PARAGRAPHS:
        story += [Paragraph(heading, styles["Heading2"]), Paragraph(text, styles["BodyText"]), Spacer(1, 6)]
    doc.build(story)
    return out.getvalue()


def information_note_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = NOTE_TITLE
    document.add_heading(NOTE_TITLE, level=1)
    for text in NOTE_PARAGRAPHS:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _space(meeting: Meeting, kind: SpaceKind, group: Group | None = None) -> Space:
    stmt = sa.select(Space).where(Space.meeting_id == meeting.id, Space.kind == kind)
    if group is not None:
        stmt = stmt.where(Space.group == group)
    return db.session.scalars(stmt).one()


def _exists(meeting: Meeting, **where: Any) -> bool:
    stmt = sa.select(Document.id).where(Document.meeting_id == meeting.id,
                                        *(getattr(Document, k) == v for k, v in where.items()))
    return db.session.scalars(stmt).first() is not None


def load_demo_documents(meeting: Meeting, users: dict[str, Any]) -> None:
    """Publish what is missing, as the secretariat and the Workers' group secretary would."""
    secretariat, workers_secretary = users[SECRETARIAT], users[WORKERS_SECRETARY]
    plenary = _space(meeting, SpaceKind.plenary)
    workers = _space(meeting, SpaceKind.group, Group.worker)
    items = {i.number: i.id for i in db.session.scalars(sa.select(AgendaItem)
                                                         .where(AgendaItem.meeting_id == meeting.id))}
    report_symbol = f"{meeting.symbol_prefix}/1"
    if not _exists(meeting, symbol=report_symbol):
        services.publish_document(
            secretariat, plenary, kind=DocumentKind.official, symbol=report_symbol, title=REPORT_TITLE,
            language="en", file=io.BytesIO(background_report_pdf()), filename="background-report.pdf",
            agenda_item_id=items.get("2"),
            description="The Office's report for the general discussions under items 2 and 3.")
    note_symbol = f"{meeting.symbol_prefix}/INF/1"
    if not _exists(meeting, symbol=note_symbol):
        services.publish_document(
            secretariat, plenary, kind=DocumentKind.official, symbol=note_symbol, title=NOTE_TITLE,
            language="en", file=io.BytesIO(information_note_docx()), filename="information-note.docx",
            agenda_item_id=items.get("1"))
    if not _exists(meeting, space_id=workers.id, title=WORKING_TITLE):
        draft = services.publish_document(
            workers_secretary, workers, kind=DocumentKind.working, title=WORKING_TITLE, language="en",
            file=io.BytesIO(WORKING_V1.encode()), filename="fair-recruitment-points.md",
            agenda_item_id=items.get("2"), note="First draft")
        services.add_version(workers_secretary, draft, file=io.BytesIO(WORKING_V2.encode()),
                             filename="fair-recruitment-points.md", note="After the group meeting")
