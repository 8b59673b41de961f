"""The demo's draft conclusions and a morning's worth of amendments (original wording).

The draft takes up the four themes the founding document gives the 2013 High-level Dialogue
(GB.316/POL/1, paragraph 19): the contribution of migration to development, migration in
development planning, irregular migration, and partnerships and cooperation. It is loaded from a
Word file (data/demo_draft_conclusions.docx, built by `demo_docx()`) through the same import the
secretariat uses, then opened for amendments; the amendments come from the three groups, through
the same services as the pages, in every state of the lifecycle. Loading twice changes nothing.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from forum.db import utcnow
from forum.drafting import amendments as amend
from forum.drafting import drafts, importing, queries
from forum.drafting.models import Amendment, Draft, Mover, MoverKind, Paragraph
from forum.extensions import db
from forum.meetings.models import DeadlineKind, Meeting, Participant, RegionalGroup

DOCX_PATH = Path(__file__).resolve().parent / "data" / "demo_draft_conclusions.docx"
TITLE = "Draft conclusions of the Global Tripartite Forum on Labour Migration"
PREAMBLE = ("The Global Tripartite Forum on Labour Migration, having met in Geneva, having discussed the "
            "contribution of labour migration to development, its place in development planning, irregular "
            "migration, and partnerships among countries and with the social partners, adopts the following "
            "conclusions:")
# (part title, [(paragraph, [lettered items])])
PARTS: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("Labour migration and development", (
        ("Migrant workers contribute to the economies and societies of both countries of origin and countries of "
         "destination, through their work, their skills and the resources they send home.", ()),
        ("That contribution is greatest where migration takes place through regular channels, in conditions of "
         "decent work and with full respect for the rights of migrant workers.", ()),
        ("Remittances are private funds; policies should lower the cost of sending them, without treating them as "
         "a substitute for public investment in development.", ()),
        ("Governments, in consultation with employers' and workers' organizations, should:", (
            "collect and share reliable data on labour migration, disaggregated by sex and by sector;",
            "assess labour market needs at all skill levels before opening or closing migration channels;",
            "recognize the skills and qualifications that migrant workers acquire abroad when they return.")),
        ("Return and reintegration policies should help migrant workers put their experience to use in their "
         "countries of origin.", ()),
    )),
    ("Labour migration in development planning", (
        ("Labour migration should be addressed in national employment policies and development plans, rather than "
         "treated only as a question of border management.", ()),
        ("Labour ministries should take part in the design of migration policy alongside other ministries.", ()),
        ("Employers' and workers' organizations should be consulted on migration policy at every stage, from "
         "design to evaluation.", ()),
        ("Bilateral labour migration agreements should conform to international labour standards and be assessed "
         "jointly by the tripartite constituents of the countries concerned.", ()),
        ("Fair recruitment is central: no recruitment fees or related costs should be charged to migrant workers, "
         "and recruitment agencies should be regulated and monitored.", ()),
    )),
    ("Irregular migration, partnerships and cooperation", (
        ("Irregular migration exposes migrant workers to abuse and undermines fair competition between "
         "enterprises; the most effective response is to widen regular channels that match labour market needs.",
         ()),
        ("Migrant workers in an irregular situation remain entitled to their fundamental rights at work, including "
         "wages for work performed.", ()),
        ("Regional economic communities should coordinate social security systems so that migrant workers keep "
         "the benefits they have earned.", ()),
        ("The Office should:", (
            "strengthen its cooperation with the Global Forum on Migration and Development and the Global "
            "Migration Group;",
            "support constituents in applying the Multilateral Framework on Labour Migration;",
            "report to the Governing Body on the follow-up to these conclusions.")),
        ("The Forum should meet periodically to review progress and share experience among governments, employers "
         "and workers.", ()),
    )),
)


def demo_docx() -> bytes:
    """The demo draft as the secretariat would receive it: a Word document with a title, the
    preamble, headings for the parts, numbered paragraphs and lettered items."""
    import docx

    document = docx.Document()
    document.core_properties.author = "Meeting secretariat"
    document.core_properties.title = TITLE
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph(PREAMBLE)
    number = 0
    roman = ("I", "II", "III")
    for index, (title, paragraphs) in enumerate(PARTS):
        document.add_heading(f"{roman[index]}. {title}", level=1)
        for text, items in paragraphs:
            number += 1
            document.add_paragraph(f"{number}. {text}")
            for letter, item in zip("abcdefgh", items, strict=False):
                document.add_paragraph(f"({letter}) {item}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _symbol(meeting: Meeting) -> str:
    return f"{meeting.symbol_prefix}/D.1"


def _before(meeting: Meeting, kind: DeadlineKind) -> datetime:
    """When the demo's written amendments are filed: now, or just before the deadline if it has passed."""
    deadline = queries.deadline_of(meeting.id, kind)
    now = utcnow()
    if deadline is None or now < deadline.due_at:
        return now
    return deadline.due_at - timedelta(hours=1)


def load_draft_demo(meeting: Meeting, users: dict[str, Any]) -> Draft:
    """Import, open and amend the demo draft once; a meeting that has it keeps it as it is."""
    existing = db.session.scalars(sa.select(Draft).where(Draft.meeting_id == meeting.id,
                                                         Draft.symbol == _symbol(meeting))).first()
    if existing is not None:
        return existing
    secretariat = users["secretariat1@demo.forum"]
    structure = importing.parse_docx(DOCX_PATH.read_bytes())
    draft = drafts.create_draft(secretariat, meeting, title=structure.title or TITLE, symbol=_symbol(meeting),
                                original_language="en", structure=structure)
    from forum.languages.demo import after_the_sitting, load_translations

    load_translations(secretariat, draft)  # issue 14: the French and Spanish versions, aligned
    drafts.open_draft(secretariat, draft)
    _amendments(meeting, draft, users)
    after_the_sitting(secretariat, draft)
    return draft


def _amendments(meeting: Meeting, draft: Draft, users: dict[str, Any]) -> None:
    u = users
    sec, chair = u["secretariat1@demo.forum"], u["chair@demo.forum"]
    p = {x.label: x for x in db.session.scalars(queries.paragraphs_of_draft(draft.id))}
    at = _before(meeting, DeadlineKind.amendments)
    africa = db.session.scalars(sa.select(RegionalGroup.id).where(RegionalGroup.code == "AFRICA")).one()

    def text(label: str) -> str:
        current = queries.current_text(p[label].id, "en")
        assert current is not None
        return current.text

    def file(who: str, label: str, mover: Mover, explanation: str, *, kind: str = "modify", old: str = "",
             new: str = "", parent: Amendment | None = None, when: datetime | None = None) -> Amendment:
        base = parent.text if parent is not None else text(label)
        proposed = base.replace(old, new) if kind == "modify" else new
        return amend.file_amendment(u[who], draft, p[label], mover=mover, kind=kind, language="en", text=proposed,
                                    explanation=explanation, parent=parent, at=when or at)

    def submit(who: str, *amendments: Amendment, when: datetime | None = None) -> None:
        for a in amendments:
            amend.submit_amendment(u[who], a, at=when or at)

    def state(code: str) -> Mover:
        return Mover(MoverKind.state, states=(code,))

    workers, employers = Mover(MoverKind.worker_group), Mover(MoverKind.employer_group)
    remittances = file("wkr.secretary@demo.forum", "3", workers,
                       "A measurable target, as in the 2030 Agenda for Sustainable Development.",
                       old="should lower the cost of sending them",
                       new="should bring the cost of sending them below 3 per cent of the amount sent")
    reduce_cost = file("gov.philippines@demo.forum", "3", state("PH"), "Plainer wording.",
                       old="should lower the cost", new="should reduce the cost")
    recruitment = file("emp.spokesperson@demo.forum", "10", employers,
                       "Regulation is the authorities' task; the social partners should take part in it.",
                       old="and recruitment agencies should be regulated and monitored",
                       new="and public authorities should regulate and monitor recruitment agencies with the "
                           "participation of the social partners")
    border = file("gov.canada@demo.forum", "6", state("CA"), "The second half of the sentence adds nothing.",
                  old=", rather than treated only as a question of border management", new="")
    social_security = file("gov.southafrica@demo.forum", "13",
                           Mover(MoverKind.regional_group, regional_group_id=africa, non_supporting=("SN",)),
                           "Several regional economic communities have asked for such assistance.",
                           old="the benefits they have earned.",
                           new="the benefits they have earned, and the Office should provide technical assistance "
                               "to that end.")
    inspection = file("gov.germany@demo.forum", "12", Mover(MoverKind.co_sponsored, states=("DE", "IT")),
                      "Firewalls between labour inspection and immigration enforcement protect all workers.",
                      kind="insert_after",
                      new="Labour inspectorates should be able to enforce labour law for all workers without being "
                          "required to enforce immigration law.")
    consultation = file("emp.secretary@demo.forum", "8", Mover(MoverKind.joint),
                        "Consultation should make a difference to the outcome.",
                        old="should be consulted on migration policy at every stage",
                        new="should be consulted, and their views taken into account, at every stage of migration "
                            "policy")
    delete_rights = file("gov.qatar@demo.forum", "12", state("QA"), "The matter is covered by paragraph 2.",
                         kind="delete")
    channels = file("gov.jordan@demo.forum", "11", state("JO"), "Channels should follow needs, not fix them.",
                    old="widen regular channels that match labour market needs",
                    new="develop regular channels that respond to labour market needs")
    first = (remittances, reduce_cost, recruitment, border, social_security, inspection, consultation, delete_rights,
             channels)
    for a in first:
        submit(_filer(a, u), a)
        amend.validate_amendment(sec, a)
    amend.circulate_amendments(sec, draft, at=at)

    # Seconding (rule 22) and the first decisions, as the sitting went.
    amend.second_amendment(u["gov.mexico@demo.forum"], border)
    amend.second_amendment(u["emp.japan@demo.forum"], reduce_cost)
    amend.second_amendment(u["wkr.nepal@demo.forum"], channels)
    drafts.decide_paragraph(chair, p["preamble"], "deferred", note="The preamble is taken up at the end.")
    drafts.decide_paragraph(chair, p["1"], "under_discussion")
    drafts.decide_paragraph(chair, p["1"], "adopted")
    drafts.decide_paragraph(chair, p["3"], "under_discussion")
    amend.start_discussion(chair, remittances)
    amend.decide_amendment(chair, remittances, "adopted", note="Adopted without objection.")
    amend.decide_amendment(chair, reduce_cost, "fell", note="The words were replaced by amendment D.1.")
    drafts.decide_paragraph(chair, p["3"], "adopted_as_amended")
    drafts.decide_paragraph(chair, p["8"], "under_discussion")
    amend.start_discussion(sec, consultation)
    amend.decide_amendment(sec, consultation, "adopted")
    drafts.decide_paragraph(sec, p["8"], "adopted_as_amended")
    drafts.decide_paragraph(chair, p["12"], "under_discussion")
    amend.decide_amendment(chair, delete_rights, "not_seconded")
    drafts.decide_paragraph(chair, p["12"], "bracketed", note="To be taken up with the proposed new paragraph 12bis.")
    amend.withdraw_amendment(u["gov.jordan@demo.forum"], channels, note="Jordan withdraws its amendment.")
    amend.take_up_amendment(u["gov.brazil@demo.forum"], channels, mover=state("BR"))

    # Paragraph 10 under discussion, with a written sub-amendment from the Workers' group.
    drafts.decide_paragraph(chair, p["10"], "under_discussion")
    amend.start_discussion(chair, recruitment)
    later = _before(meeting, DeadlineKind.sub_amendments)
    sub = file("wkr.spokesperson@demo.forum", "10", workers, "Workers' organizations have a role as well.",
               parent=recruitment, old="with the participation of the social partners",
               new="with the participation of employers' and workers' organizations", when=later)
    submit("wkr.spokesperson@demo.forum", sub, when=later)
    amend.validate_amendment(sec, sub)
    amend.circulate_amendments(sec, draft, at=later)

    # An oral amendment moved from the floor, recorded by the secretariat with its seconder.
    kenya = _participant(meeting, "gov.kenya@demo.forum")
    senegal = _participant(meeting, "gov.senegal@demo.forum")
    drafts.decide_paragraph(chair, p["5"], "under_discussion")
    amend.record_oral_amendment(sec, draft, p["5"], mover=state("KE"), moved_by=kenya, seconded_by=senegal,
                                kind="modify", language="en",
                                text=text("5").replace("help migrant workers", "help returning migrant workers"))

    # Not circulated yet: submitted, returned for clarification, and a caucus's unsubmitted draft.
    data = file("gov.mexico@demo.forum", "4(a)", state("MX"), "Data by age as well.",
                old="disaggregated by sex and by sector", new="disaggregated by sex, age and sector")
    submit("gov.mexico@demo.forum", data)
    forum_meets = file("wkr.secretary@demo.forum", "15", workers, "A fixed rhythm helps the follow-up.",
                       old="should meet periodically", new="should meet every two years")
    submit("wkr.secretary@demo.forum", forum_meets)
    amend.return_amendment(sec, forum_meets, message="Please confirm whether the Workers' group proposes two or "
                                                     "three years, as the group's e-mail said three.")
    file("emp.secretary@demo.forum", "14(c)", employers, "Reporting should include the Employers' and Workers' "
         "groups' views.", old="report to the Governing Body on the follow-up to these conclusions.",
         new="report to the Governing Body on the follow-up to these conclusions, including the views of the "
             "social partners.")

    # A drafting group on fair recruitment (rule 18).
    group = drafts.create_drafting_group(sec, draft, name="Fair recruitment", participant_ids=[
        _participant(meeting, email).id for email in ("gov.philippines@demo.forum", "emp.india@demo.forum",
                                                      "wkr.nepal@demo.forum")],
        mandate="Propose a text for paragraph 10 that both groups can support.")
    drafts.refer_paragraphs(sec, group, [p["10"].id])


def _participant(meeting: Meeting, email: str) -> Participant:
    from forum.accounts.models import User

    return db.session.scalars(sa.select(Participant).join(User, User.id == Participant.user_id).where(
        Participant.meeting_id == meeting.id, User.email == email)).one()


def _filer(amendment: Amendment, users: dict[str, Any]) -> str:
    """The account that filed an amendment (the demo submits in the filer's name)."""
    participant = db.session.get(Participant, amendment.created_by_id)
    return next(email for email, user in users.items() if user.id == participant.user_id)


def paragraph_count(draft: Draft) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Paragraph).where(Paragraph.draft_id == draft.id))
