"""The report of the meeting, assembled from the records (rule 34, issue #10): opening and
composition of the body with the weights in force and their changes, the election of the officers,
the general discussion, then item by item the interventions, amendments, positions, statements,
decisions, reservations and votes, and finally the adoption.

Nothing is retyped: interventions are the secretariat's summaries; amendments, positions,
decisions and votes come from the drafting, positions and votes records through the exports'
snapshot (`forum.exports.model.gather`), which holds the public record alone. Caucus threads and
internal polls are never read. The structure is plain JSON (what the API returns and what adoption
freezes), rendered to DOCX and PDF by the exports' own renderers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from forum.db import utcnow
from forum.drafting import queries as drafting_queries
from forum.drafting.models import Draft, Paragraph, ParagraphText
from forum.exports import content, docx, pdf
from forum.exports.model import Snapshot, format_instant, gather, stance_text
from forum.extensions import db
from forum.labels import office_label
from forum.meetings.models import Meeting, Membership, Office, OfficeRole, Participant, RegionalGroup
from forum.meetings.services import state_name
from forum.positions import weights
from forum.proceedings import queries
from forum.proceedings.models import BehalfKind, Intervention, Report, ReportState, SpeakerCapacity

SCHEMA_VERSION = 1
FORMATS = {"docx": docx.MIMETYPE, "pdf": pdf.MIMETYPE}
OFFICERS = (OfficeRole.chair, OfficeRole.vice_chair, OfficeRole.reporter)


# --- words ------------------------------------------------------------------------------------------------

def capacity_words(capacity: SpeakerCapacity, intervention: Intervention | None = None) -> str:
    state = state_name(intervention.member_state) if intervention is not None and intervention.member_state else ""
    words = {
        SpeakerCapacity.chair: _("The Chairperson"),
        SpeakerCapacity.employer_vice_chair: _("The Employer Vice-Chairperson"),
        SpeakerCapacity.worker_vice_chair: _("The Worker Vice-Chairperson"),
        SpeakerCapacity.government_vice_chair: _("The Government Vice-Chairperson"),
        SpeakerCapacity.reporter: _("The Reporter"),
        SpeakerCapacity.secretariat: _("The representative of the secretariat"),
    }
    if capacity in words:
        return words[capacity]
    if capacity is SpeakerCapacity.government_member:
        return _("The Government member of %(state)s", state=state) if state else _("A Government member")
    if capacity is SpeakerCapacity.employer_member:
        return _("An Employer member (%(state)s)", state=state) if state else _("An Employer member")
    if capacity is SpeakerCapacity.worker_member:
        return _("A Worker member (%(state)s)", state=state) if state else _("A Worker member")
    organisation = intervention.speaker.organisation if intervention is not None else ""
    if organisation or state:
        return _("The observer for %(who)s", who=organisation or state)
    return _("An observer")


def behalf_words(kind: BehalfKind | None, code: str | None, regional_names: dict[str, str]) -> str:
    if kind is None or not code:
        return ""
    if kind is BehalfKind.group:
        return {"employer": _("the Employers' group"), "worker": _("the Workers' group"),
                "government": _("the Government group")}.get(code, code)
    if kind is BehalfKind.regional_group:
        return _("the %(group)s group", group=regional_names.get(code, code))
    return _("the Government of %(state)s", state=state_name(code))


def attribution(intervention: Intervention, regional_names: dict[str, str] | None = None) -> str:
    """"The Government member of Kenya, speaking on behalf of the Africa group" (issue #10)."""
    who = capacity_words(intervention.capacity, intervention)
    behalf = behalf_words(intervention.behalf_kind, intervention.on_behalf_of, regional_names or {})
    return _("%(who)s, speaking on behalf of %(behalf)s", who=who, behalf=behalf) if behalf else who


def regional_names() -> dict[str, str]:
    return dict(db.session.execute(sa.select(RegionalGroup.code, RegionalGroup.name)).all())


def minutes(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


# --- JSON blocks ------------------------------------------------------------------------------------------

def heading(text: str, level: int = 1) -> dict[str, Any]:
    return {"type": "heading", "text": text, "level": level}


def para(text: str, *, lead: str = "", style: str = "body") -> dict[str, Any]:
    return {"type": "para", "lead": lead, "text": text, "style": style}


def table(header: list[str], rows: list[list[str]], caption: str = "") -> dict[str, Any]:
    return {"type": "table", "header": header, "rows": rows, "caption": caption}


def _from_content(block: Any) -> dict[str, Any]:
    """A block of the exports' vocabulary (e.g. a vote's results) as JSON."""
    if isinstance(block, content.Heading):
        return heading(block.text, block.level)
    if isinstance(block, content.Table):
        return table(list(block.header), [list(r) for r in block.rows], block.caption)
    runs = block.runs
    lead = runs[0].text if len(runs) > 1 and runs[0].bold else ""
    return para("".join(r.text for r in (runs[1:] if lead else runs)), lead=lead, style=block.style)


def _intervention_block(i: Intervention, tz: str, names: dict[str, str]) -> dict[str, Any]:
    meta = [format_instant(i.started_at, tz)] if i.started_at else []
    if i.speaking_seconds is not None:
        meta.append(_("speaking time %(time)s", time=minutes(i.speaking_seconds)))
    return {"type": "intervention", "id": i.id, "speaker_id": i.speaker_id, "sitting_id": i.sitting_id,
            "lead": attribution(i, names), "text": i.summary, "meta": ", ".join(meta)}


# --- the sections -----------------------------------------------------------------------------------------

@dataclass
class Context:
    meeting: Meeting
    language: str
    tz: str
    names: dict[str, str]
    sitting_number: dict[int, int]
    sitting_title: dict[int, str]


def composition_changes(meeting: Meeting) -> list[dict[str, Any]]:
    """The composition in force on the first day and on every day a membership changed it, with the
    weights it gives (rules 4 and 31)."""
    first = meeting.starts_on or utcnow().date()
    days = {first} | {d for d in db.session.scalars(
        sa.select(Membership.effective_from).join(Participant, Participant.id == Membership.participant_id)
        .where(Participant.meeting_id == meeting.id, Membership.effective_from > first)) if d}
    if meeting.ends_on is not None:
        days = {d for d in days if d <= meeting.ends_on}
    rows: list[dict[str, Any]] = []
    for day in sorted(days):
        seats = weights.composition(meeting, day)
        counts = {g: len(keys) for g, keys in seats.items()}
        mode, values = weights.weights_for(meeting, counts)
        if rows and rows[-1]["counts"] == counts:
            continue
        rows.append({"day": day.isoformat(), "counts": counts, "weights": values, "mode": mode})
    return rows


MODE_WORDS = {"equal_strength": "equal voting strength", "one_person_one_vote": "one person, one vote",
              "fixed_ratio": "fixed ratio"}


def _opening(ctx: Context, sittings: list[Any]) -> list[dict[str, Any]]:
    m = ctx.meeting
    blocks = [heading(_("Opening of the meeting and composition of the body"))]
    where = ", ".join(x for x in (m.venue, m.starts_on.isoformat() if m.starts_on else "",
                                  m.ends_on.isoformat() if m.ends_on else "") if x)
    held = ngettext("The meeting held %(num)d sitting.", "The meeting held %(num)d sittings.", len(sittings))
    blocks.append(para(held + (f" ({where})" if where else "")))
    if sittings:
        blocks.append(table([_("Sitting"), _("Title"), _("Date and time"), _("Room")],
                            [[str(ctx.sitting_number[s.id]), s.title, format_instant(s.starts_at, ctx.tz), s.room]
                             for s in sittings], _("Sittings")))
    changes = composition_changes(m)
    rows = [[row["day"], *(str(row["counts"][g]) for g in weights.GROUPS),
             ", ".join(f"{g}: {row['weights'][g]}" for g in weights.GROUPS)] for row in changes]
    if rows:
        mode = MODE_WORDS.get(changes[0]["mode"], changes[0]["mode"])
        blocks.append(para(_("Voting members in force and the weight of one member of each group (%(mode)s); "
                             "each later row is a change of the composition.", mode=_(mode))))
        blocks.append(table([_("From"), _("Governments"), _("Employers"), _("Workers"), _("Weights")], rows,
                            _("Composition and weights")))
    return blocks


def _officers(ctx: Context) -> list[dict[str, Any]]:
    offices = list(db.session.scalars(sa.select(Office).join(Participant, Participant.id == Office.participant_id)
                                      .where(Office.meeting_id == ctx.meeting.id, Office.role.in_(OFFICERS),
                                             Participant.removed_at.is_(None))
                                      .order_by(Office.role, Office.id)))
    blocks = [heading(_("Election of the officers"))]
    if not offices:
        return [*blocks, para(_("No officer recorded."), style="note")]
    order = {role: i for i, role in enumerate(OFFICERS)}
    offices.sort(key=lambda o: (order[o.role], o.id))
    rows = []
    for o in offices:
        p = o.participant
        rows.append([str(office_label(o.role)), p.user.name,
                     ", ".join(x for x in (p.group.value.capitalize(), state_name(p.member_state)) if x)])
    blocks.append(para(_("The body elected its officers as follows.")))
    blocks.append(table([_("Office"), _("Name"), _("Group")], rows, _("Officers")))
    return blocks


def _by_sitting(ctx: Context, interventions: list[Intervention], level: int = 2) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    current = None
    for i in interventions:
        if i.sitting_id != current:
            current = i.sitting_id
            blocks.append(heading(_("Sitting %(n)s — %(title)s", n=ctx.sitting_number.get(i.sitting_id, "?"),
                                    title=ctx.sitting_title.get(i.sitting_id, "")), level))
        blocks.append(_intervention_block(i, ctx.tz, ctx.names))
    return blocks


def _item_name(kind: str, label: str) -> str:
    """As the exports' snapshot names an item, to find its votes."""
    if kind == "amendment":
        return _("amendment %(number)s", number=label)
    return _("preamble") if label == "preamble" else _("paragraph %(label)s", label=label)


def _decision_blocks(s: Snapshot, decision: Any) -> list[dict[str, Any]]:
    by = decision.declared_by + (" " + _("(for the Chair)") if decision.for_chair else "")
    text = f"{decision.outcome_label} {content.method_label(decision.method)}; " + _("declared by %(who)s", who=by)
    if decision.sitting:
        text += "; " + _("sitting %(n)s", n=decision.sitting)
    if decision.note and decision.method != "reservation":
        text += f". {decision.note}"
    blocks = [para(text, lead=_("Decision") + ": ")]
    if decision.reservations:
        blocks.append(para("; ".join(decision.reservations), lead=_("Reservation recorded") + ": "))
    return blocks


def _positions_blocks(positions: list[Any], statements: list[Any]) -> list[dict[str, Any]]:
    blocks = []
    for p in positions:
        blocks.append(para(f"{p.stance}" + (f" — {p.statement}" if p.statement else ""), lead=f"{p.group_label}: ",
                           style="meta"))
    for st in statements:
        who = st.state_name + (" " + _("on behalf of %(group)s", group=st.on_behalf_of) if st.on_behalf_of else "")
        blocks.append(para(f"{st.stance}" + (f" — {st.text}" if st.text else ""), lead=f"{who}: ", style="meta"))
    return blocks


def _paragraph_positions(draft_id: int) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """Group positions and Government statements on paragraphs (those on amendments are in the snapshot)."""
    from forum.exports.model import PositionView, StatementView
    from forum.positions.models import Position, Statement

    positions: dict[int, list[Any]] = defaultdict(list)
    statements: dict[int, list[Any]] = defaultdict(list)
    for p in db.session.scalars(sa.select(Position).where(Position.draft_id == draft_id,
                                                          Position.amendment_id.is_(None))
                                .order_by(Position.holder, Position.id)):
        label = {"employer": _("Employers' group"), "worker": _("Workers' group")}.get(
            p.holder, p.regional_group.name if p.regional_group is not None else p.holder)
        positions[p.paragraph_id].append(PositionView(p.holder, label, stance_text(p.stance.value), p.statement or ""))
    for st in db.session.scalars(sa.select(Statement).where(Statement.draft_id == draft_id,
                                                            Statement.amendment_id.is_(None))
                                 .order_by(Statement.created_at, Statement.id)):
        statements[st.paragraph_id].append(StatementView(
            st.member_state, state_name(st.member_state),
            st.regional_group.name if st.regional_group is not None else None, stance_text(st.stance.value),
            st.text or ""))
    return positions, statements


def _draft_blocks(ctx: Context, draft: Draft, on_item: dict[tuple[str, int], list[Intervention]]
                  ) -> list[dict[str, Any]]:
    s = gather(draft, language=ctx.language)
    decisions = {(d.item_kind, d.item_label): d for d in s.all_decisions()}
    votes: dict[str, list[Any]] = defaultdict(list)
    for v in [*(v for sv in s.sittings for v in sv.votes), *s.votes_outside_sittings]:
        votes[v.item].append(v)
    positions, statements = _paragraph_positions(draft.id)
    blocks = [heading(_("Consideration of %(symbol)s: %(title)s", symbol=s.symbol, title=s.title))]
    anything = False
    for pv in s.paragraphs:
        item_blocks: list[dict[str, Any]] = []
        item_blocks += [_intervention_block(i, ctx.tz, ctx.names) for i in on_item.get(("paragraph", pv.id), [])]
        item_blocks += _positions_blocks(positions.get(pv.id, []), statements.get(pv.id, []))
        for a in (a for a in s.amendments if a.paragraph_id == pv.id):
            inner: list[dict[str, Any]] = [_intervention_block(i, ctx.tz, ctx.names)
                                           for i in on_item.get(("amendment", a.id), [])]
            inner += _positions_blocks(a.positions, a.statements)
            if a.decision is not None:
                inner += _decision_blocks(s, a.decision)
            for v in votes.get(_item_name("amendment", a.number), []):
                inner += [_from_content(b) for b in content._vote_blocks(s, v)]
            if inner or a.decided:
                item_blocks.append(para(f"{a.kind_label}: {a.text}" if a.text else a.kind_label,
                                        lead=_("Amendment %(number)s (%(movers)s)", number=a.number,
                                               movers=a.movers) + ": "))
                item_blocks.append(para(a.state_label, lead=_("Outcome") + ": ", style="meta"))
                item_blocks += inner
        decision = decisions.get(("paragraph", pv.label))
        if decision is not None:
            item_blocks += _decision_blocks(s, decision)
        for v in votes.get(_item_name("paragraph", pv.label), []):
            item_blocks += [_from_content(b) for b in content._vote_blocks(s, v)]
        if item_blocks:
            anything = True
            name = _("Preamble") if pv.is_preamble else _("Paragraph %(label)s", label=pv.label)
            blocks.append(heading(name, 2))
            if pv.text(ctx.language):  # the text as it now reads, in the report's language
                blocks.append(para(pv.text(ctx.language), style="quote"))
            blocks += item_blocks
    return blocks if anything else []


def _adoption(ctx: Context, report: Report) -> list[dict[str, Any]]:
    if report.state is not ReportState.adopted:
        return []
    by = report.adopted_by_name + (" " + _("(for the Chair)") if report.adoption_for_chair else "")
    text = _("The body adopted its report %(method)s on %(when)s; declared by %(who)s.",
             method=content.method_label(report.adoption_method), when=format_instant(report.adopted_at, ctx.tz),
             who=by)
    if report.adoption_sitting_id:
        text += " " + _("Sitting %(n)s.", n=ctx.sitting_number.get(report.adoption_sitting_id, "?"))
    blocks = [heading(_("Adoption of the report")), para(text)]
    if report.adoption_note:
        blocks.append(para(report.adoption_note, style="note"))
    return blocks


def status_words(report: Report, tz: str) -> str:
    if report.state is ReportState.adopted:
        return _("Adopted on %(when)s", when=format_instant(report.adopted_at, tz))
    if report.state is ReportState.published:
        deadline = queries.correction_deadline(report)
        return _("Draft report, published on %(when)s; corrections until %(deadline)s",
                 when=format_instant(report.published_at, tz), deadline=format_instant(deadline, tz) or "—")
    return _("Draft report in preparation (not published)")


def languages(meeting: Meeting) -> list[str]:
    """The meeting's languages in which its drafts have text (translations), the original first."""
    drafts = list(db.session.scalars(drafting_queries.drafts_of_meeting(meeting.id)))
    present = set(db.session.scalars(sa.select(ParagraphText.language).distinct()
                                     .join(Paragraph, Paragraph.id == ParagraphText.paragraph_id)
                                     .where(Paragraph.draft_id.in_([d.id for d in drafts])))) if drafts else set()
    present |= {d.original_language for d in drafts}
    ordered = [code for code in meeting.language_list if code in present]
    return ordered or meeting.language_list[:1] or ["en"]


def assemble(meeting: Meeting, language: str, report: Report) -> dict[str, Any]:
    """The whole report as JSON, as it stands now, with the drafts' texts in `language`."""
    tz = meeting.timezone or "UTC"
    sittings = queries.sittings_of(meeting.id)
    ctx = Context(meeting, language, tz, regional_names(), {s.id: n for n, s in enumerate(sittings, start=1)},
                  {s.id: s.title for s in sittings})
    interventions = queries.interventions_of_meeting(meeting.id)
    general = [i for i in interventions if i.draft_id is None and i.paragraph_id is None and i.amendment_id is None]
    on_item: dict[tuple[str, int], list[Intervention]] = defaultdict(list)
    for i in interventions:
        if i.amendment_id is not None:
            on_item[("amendment", i.amendment_id)].append(i)
        elif i.paragraph_id is not None:
            on_item[("paragraph", i.paragraph_id)].append(i)
    sections = [{"key": "opening", "blocks": _opening(ctx, sittings)},
                {"key": "officers", "blocks": _officers(ctx)},
                {"key": "general_discussion",
                 "blocks": [heading(_("General discussion")),
                            *(_by_sitting(ctx, general) or [para(_("No intervention recorded."), style="note")])]}]
    for draft in db.session.scalars(drafting_queries.drafts_of_meeting(meeting.id)):
        blocks = _draft_blocks(ctx, draft, on_item)
        if blocks:
            sections.append({"key": f"draft:{draft.id}", "blocks": blocks})
    if report.state is ReportState.adopted:
        sections.append({"key": "adoption", "blocks": _adoption(ctx, report)})
    return {"schema_version": SCHEMA_VERSION, "language": language, "meeting_id": meeting.id,
            "title": _("Report of the meeting"), "meeting_title": meeting.title, "symbol": symbol(meeting),
            "state": report.state.value, "status": status_words(report, tz), "as_of": utcnow().isoformat(),
            "sections": sections}


def symbol(meeting: Meeting) -> str:
    return f"{meeting.symbol_prefix}/Report"


def current(meeting: Meeting, report: Report, language: str | None = None) -> dict[str, Any]:
    """What the report says now: the frozen text once adopted, else assembled from the records."""
    codes = languages(meeting)
    language = language if language in codes else codes[0]
    if report.state is ReportState.adopted and report.snapshot:
        return report.snapshot.get(language) or next(iter(report.snapshot.values()))
    return assemble(meeting, language, report)


# --- files ------------------------------------------------------------------------------------------------

def document(structure: dict[str, Any]) -> content.Document:
    """The report in the exports' block vocabulary, rendered by their DOCX and PDF writers."""
    from datetime import datetime

    doc = content.Document("report", f"{structure['meeting_title']} — {structure['title']}", structure["symbol"],
                           structure["language"], structure["status"],
                           stated=datetime.fromisoformat(structure["as_of"]))
    doc.blocks += [content.plain(structure["meeting_title"], style="subtitle"),
                   content.plain(structure["symbol"], style="subtitle"),
                   content.plain(structure["title"], style="title"),
                   content.plain(structure["status"], style="meta"), content.PageBreak()]
    for section in structure["sections"]:
        for b in section["blocks"]:
            if b["type"] == "heading":
                doc.blocks.append(content.Heading(b["text"], b["level"]))
            elif b["type"] == "table":
                doc.blocks.append(content.Table(b["header"], b["rows"], b.get("caption", "")))
            else:
                runs = [content.Run(b["lead"] + (": " if b["type"] == "intervention" else ""), bold=True)] \
                    if b.get("lead") else []
                runs.append(content.Run(b["text"]))
                if b.get("meta"):
                    runs.append(content.Run(f" ({b['meta']})", italic=True))
                doc.blocks.append(content.Para(runs, style=b.get("style", "body")))
    return doc


@dataclass(frozen=True)
class ReportFile:
    data: bytes
    filename: str
    mimetype: str


def render_file(structure: dict[str, Any], fmt: str) -> bytes:
    """The report's file from its structure (plain data): called where exports render
    (`service.in_renderer`: the renderer process, within an app context in the reader's locale)."""
    doc = document(structure)
    return docx.render(doc) if fmt == "docx" else pdf.render(doc)


def export(meeting: Meeting, report: Report, fmt: str, language: str | None = None) -> ReportFile:
    """Assemble (reads only), end the read transaction, render where exports render, wait for it."""
    from forum.exports.service import in_renderer

    structure = current(meeting, report, language)
    stem = structure["symbol"].replace("/", "-").replace(" ", "_")
    name = f"{stem}-{structure['state']}-{structure['language']}.{fmt}"
    db.session.rollback()  # nothing was written: this only ends the read transaction
    data = in_renderer(render_file, structure, fmt)
    return ReportFile(data, name, FORMATS[fmt])
