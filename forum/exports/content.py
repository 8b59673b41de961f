"""The four documents of the secretariat (issue #8) as plain blocks, built once from a snapshot and
rendered by every format (DOCX, PDF, HTML, Markdown) in the same order with the same words.

Blocks are deliberately few: headings, paragraphs of runs (with a numbering level for the final
text, whose numbers are real list numbering in Word), tables and page breaks. A run may be an
insertion or a deletion that names its amendment, its movers and the decision's date: Word shows
them as tracked changes, the other formats as underlined and struck-through text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from flask_babel import gettext as _

from forum.drafting.diff import Runs
from forum.drafting.labels import language_label
from forum.exports.model import AmendmentView, Change, ParagraphView, SittingView, Snapshot, VoteView

KINDS = ("final", "marked", "compilation", "record")


@dataclass
class Run:
    text: str
    op: str = "equal"  # equal | insert | delete
    bold: bool = False
    italic: bool = False
    amendment: str | None = None
    author: str = ""
    date: datetime | None = None


@dataclass
class Para:
    block: ClassVar[str] = "para"
    runs: list[Run]
    style: str = "body"  # body | meta | note | title | subtitle | quote
    number: str | None = None  # the number shown before the text (negotiation label or final number)
    level: int | None = None  # final text: 0 paragraph, 1 sub-paragraph — numbered by the format itself
    anchor: str | None = None
    tracked: bool = False  # insert/delete runs are tracked changes in Word

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Heading:
    block: ClassVar[str] = "heading"
    text: str
    level: int = 1  # 1 part, 2 section, 3 item
    numeral: str | None = None  # final parts: Roman numeral (numbered by the format in Word)


@dataclass
class Table:
    block: ClassVar[str] = "table"
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class PageBreak:
    block: ClassVar[str] = "page_break"


Block = Para | Heading | Table | PageBreak


@dataclass
class Document:
    kind: str
    title: str  # the document's title: "Draft conclusions — conclusions (final text)"
    symbol: str
    language: str
    status: str
    blocks: list[Block] = field(default_factory=list)
    snapshot: Snapshot | None = None
    stated: datetime | None = None  # the document's date when it has no snapshot (a compilation's circulation)

    @property
    def filename_stem(self) -> str:
        return f"{self.symbol.replace('/', '-').replace(' ', '_')}-{self.kind}-{self.language}"


def plain(text: str, **kw: object) -> Para:
    return Para([Run(text)], **kw)  # type: ignore[arg-type]


def _title_page(s: Snapshot, heading: str) -> list[Block]:
    blocks: list[Block] = [
        plain(s.meeting_title, style="subtitle"),
        plain(s.symbol, style="subtitle"),
        plain(s.title, style="title"),
        plain(heading, style="subtitle"),
    ]
    if s.meeting_venue or s.meeting_dates:
        blocks.append(plain(", ".join(x for x in (s.meeting_venue, s.meeting_dates) if x), style="meta"))
    blocks.append(plain(_("Original language: %(language)s", language=language_label(s.original_language)),
                        style="meta"))
    if s.language != s.original_language:
        blocks.append(plain(_("This text: %(language)s", language=language_label(s.language)), style="meta"))
    blocks.append(plain(s.status_line, style="meta"))
    blocks += _language_warning(s)
    if not s.finished:
        blocks.append(plain(_("Unfinished: paragraphs not yet adopted are marked as pending."), style="meta"))
    return blocks


def _language_warning(s: Snapshot) -> list[Block]:
    """Rule 35 / issue 14: a language version with paragraphs missing or out of date says so first."""
    if s.language == s.original_language:
        return []
    missing, outdated = s.language_gaps()
    blocks: list[Block] = []
    if missing:
        blocks.append(plain(_("Warning: the %(language)s version is incomplete. No %(language)s text yet for "
                              "paragraphs %(labels)s; the %(original)s text is given there instead, marked.",
                              language=language_label(s.language), labels=", ".join(missing),
                              original=language_label(s.original_language)), style="meta"))
    if outdated:
        blocks.append(plain(_("Warning: in the %(language)s version, paragraphs %(labels)s are older than the "
                              "latest adopted change and do not include it yet.",
                              language=language_label(s.language), labels=", ".join(outdated)), style="meta"))
    return blocks


def _pending_note(p: ParagraphView) -> Run | None:
    """An unfinished draft can be exported: what is not yet adopted says so (issue #8)."""
    if not p.pending:
        return None
    if p.state == "pending":
        return Run(f" [{_('pending')}]", italic=True)
    return Run(f" [{_('pending')}: {p.state_label}]", italic=True)


def _final_text(p: ParagraphView, language: str, original: str | None = None) -> str:
    text = p.text(language)
    if not text and original and original != language and p.text(original):
        # Never a blank paragraph: the original's words, saying so (the title page warns as well).
        text = f"[{language_label(original)}] {p.text(original)}"
    if p.state == "bracketed":
        return f"[{text}]"
    return text


def final_document(s: Snapshot) -> Document:
    """Rule 16 and 35: the final text, renumbered, and the table from negotiation labels to numbers."""
    doc = Document("final", _("%(title)s — final text", title=s.title), s.symbol, s.language, s.status_line,
                   snapshot=s)
    doc.blocks += _title_page(s, _("Final text"))
    doc.blocks.append(PageBreak())
    for part, paragraphs in s.sections():
        if part is not None:
            doc.blocks.append(Heading(part.title, 1, part.numeral))
        for p in paragraphs:
            if p.deleted:
                continue
            runs = [Run(_final_text(p, s.language, s.original_language))]
            note = _pending_note(p)
            if note:
                runs.append(note)
            if p.is_preamble:
                doc.blocks.append(Para(runs, style="quote", anchor=f"p{p.id}"))
                continue
            level = 1 if p.kind == "subparagraph" and p.final and p.final.startswith("(") else 0
            doc.blocks.append(Para(runs, number=p.final, level=level, anchor=f"p{p.id}"))
    doc.blocks.append(PageBreak())
    doc.blocks.append(Heading(_("Numbering of the final text"), 1))
    doc.blocks.append(Table([_("Negotiation label"), _("Final number"), _("State"), _("Note")],
                            [[m.label, m.final or "—", m.state_label, m.note] for m in s.mapping],
                            caption=_("Paragraphs as numbered during the negotiation and in the final text")))
    return doc


def _marked_runs(changes: list[Change]) -> list[Run]:
    return [Run(c.text, c.op, amendment=c.amendment, author=c.author, date=c.date) for c in changes]


def marked_document(s: Snapshot) -> Document:
    """The text with every change since the original draft marked, under the negotiation labels."""
    doc = Document("marked", _("%(title)s — changes marked", title=s.title), s.symbol, s.language, s.status_line,
                   snapshot=s)
    doc.blocks += _title_page(s, _("Text with the changes since the original draft"))
    doc.blocks.append(plain(_("Deletions are struck through and insertions underlined; each change names the "
                              "amendment whose adoption made it."), style="note"))
    doc.blocks.append(PageBreak())
    for part, paragraphs in s.sections():
        if part is not None:
            doc.blocks.append(Heading(f"{part.numeral}. {part.title}", 1))
        for p in paragraphs:
            changes = p.changes.get(s.language) or p.changes.get(s.original_language) or []
            runs = _marked_runs(changes)
            refs = sorted({c.amendment for c in changes if c.amendment})
            if refs:
                runs.append(Run(" (" + ", ".join(refs) + ")", italic=True))
            note = _pending_note(p)
            if note:
                runs.append(note)
            number = None if p.is_preamble else p.label
            doc.blocks.append(Para(runs, style="quote" if p.is_preamble else "body", number=number, tracked=True,
                                   anchor=f"p{p.id}"))
    return doc


def diff_runs(runs: Runs) -> list[Run]:
    return [Run(r["text"], r["op"]) for r in runs]


def _paragraph_name(a: AmendmentView) -> str:
    if a.paragraph_label == "preamble":
        return _("Preamble")
    return _("Paragraph %(label)s", label=a.paragraph_label)


def _translation_blocks(a: AmendmentView, language: str | None) -> list[Block]:
    """Issue 14: in another language's compilation, the secretariat's translation, or a marker."""
    if not language or language == a.language:
        return []
    found = a.translations.get(language)
    if found is None:
        return [plain(_("Not yet available in %(language)s: only the original in %(original)s exists.",
                        language=language_label(language), original=language_label(a.language)), style="meta")]
    blocks: list[Block] = []
    label = _("In %(language)s (translation by the secretariat):", language=language_label(language))
    if found["text"]:
        blocks.append(Para([Run(label + " ", bold=True), Run(found["text"])], style="quote"))
    if found["explanation"]:
        blocks.append(Para([Run(_("Explanation") + ": ", bold=True), Run(found["explanation"])], style="note"))
    return blocks


def compilation_blocks(amendments: list[AmendmentView], *, outcomes: bool = True,
                       language: str | None = None) -> list[Block]:
    """The marshalled list (rule 24): one entry per amendment, sub-amendments after their amendment."""
    blocks: list[Block] = []
    if not amendments:
        blocks.append(plain(_("No amendment.")))
    for a in amendments:
        heading = f"{a.number} — {_paragraph_name(a)}"
        if a.parent:
            heading = _("Sub-amendment %(heading)s (to %(parent)s)", heading=heading, parent=a.parent)
        blocks.append(Heading(heading, 3 if a.depth else 2))
        rows = [(_("Moved by"), a.movers)]
        if a.seconders:
            rows.append((_("Seconded by"), "; ".join(a.seconders)))
        elif a.mover_kind == "state":
            rows.append((_("Seconded by"), _("not seconded")))
        rows.append((_("Change"), f"{a.kind_label} ({language_label(a.language)})" + (
            " — " + _("moved orally") if a.oral else "")))
        if a.group:
            rows.append((_("Group"), _("on the same words as other amendments (group %(n)s)", n=a.group)))
        for key, value in rows:
            blocks.append(Para([Run(f"{key}: ", bold=True), Run(value)], style="meta"))
        blocks.append(Para(diff_runs(a.runs) if a.runs else [Run(a.text)], style="quote"))
        if a.explanation:
            blocks.append(Para([Run(_("Explanation") + ": ", bold=True), Run(a.explanation)], style="note"))
        blocks += _translation_blocks(a, language)
        if not outcomes:
            continue
        for position in a.positions:
            blocks.append(Para([Run(f"{position.group_label}: ", bold=True), Run(position.stance + (
                f" — {position.statement}" if position.statement else ""))], style="meta"))
        for statement in a.statements:
            who = statement.state_name + (f" ({statement.on_behalf_of})" if statement.on_behalf_of else "")
            blocks.append(Para([Run(f"{who}: ", bold=True), Run(statement.stance + (
                f" — {statement.text}" if statement.text else ""))], style="meta"))
        outcome = a.state_label
        if a.decision is not None:
            outcome = f"{a.decision.outcome_label or a.state_label} — {method_label(a.decision.method)}"
        blocks.append(Para([Run(_("Outcome") + ": ", bold=True), Run(outcome)], style="meta"))
    return blocks


def compilation_document(s: Snapshot) -> Document:
    doc = Document("compilation", _("%(title)s — compilation of amendments", title=s.title), s.symbol, s.language,
                   s.status_line, snapshot=s)
    doc.blocks += _title_page(s, _("Compilation of amendments, in the order they are taken, with their outcomes"))
    doc.blocks.append(PageBreak())
    doc.blocks += compilation_blocks(s.amendments, language=s.language)
    return doc


def method_label(method: str) -> str:
    if method.startswith("vote:"):
        return _("by vote (%(type)s)", type=vote_type_label(method.split(":", 1)[1]))
    return {"consensus": _("by consensus"), "reservation": _("with reservations"),
            "declared": _("declared by the Chair")}.get(method, method)


def _vote_blocks(s: Snapshot, vote: VoteView) -> list[Block]:
    blocks: list[Block] = [Heading(_("Vote on %(item)s", item=vote.item), 3)]
    facts = [(_("Type"), vote_type_label(vote.vote_type)),
             (_("Majority required"), {"simple": _("simple"), "two_thirds": _("two thirds")}.get(
                 vote.majority, vote.majority))]
    if vote.question:
        facts.insert(0, (_("Question"), vote.question))
    if vote.quorum:
        facts.append((_("Quorum"), vote.quorum))
    if vote.weights:
        facts.append((_("Weights"), ", ".join(f"{k}: {v}" for k, v in vote.weights.items())))
    if vote.outcome:
        facts.append((_("Result"), vote.outcome))
    for key, value in facts:
        blocks.append(Para([Run(f"{key}: ", bold=True), Run(str(value))], style="meta"))
    present = {c for counts in [*vote.results.values(), vote.totals] for c in counts}
    choices = [c for c in CHOICES if c in present] + sorted(present - set(CHOICES))
    if vote.results:
        rows = [[group_label(group), *[str(counts.get(c, "")) for c in choices]]
                for group, counts in vote.results.items()]
        if vote.totals:
            rows.append([_("Total"), *[str(vote.totals.get(c, "")) for c in choices]])
        blocks.append(Table([_("Group"), *[choice_label(c) for c in choices]], rows, caption=_("Results by group")))
    elif vote.totals:
        # A secret ballot: totals only — its choices have no group and no voter (rule 30).
        blocks.append(Table([_("Total"), *[choice_label(c) for c in choices]],
                            [[_("All voters"), *[str(vote.totals.get(c, "")) for c in choices]]],
                            caption=_("Result (secret ballot: totals only)")))
    for choice in [c for c in CHOICES if c in vote.names] + sorted(set(vote.names) - set(CHOICES)):
        blocks.append(Para([Run(f"{choice_label(choice)}: ", bold=True), Run(", ".join(vote.names[choice]))],
                           style="meta"))
    return blocks


CHOICES = ("for", "against", "abstain")


def choice_label(code: str) -> str:
    return {"for": _("For"), "against": _("Against"), "abstain": _("Abstain")}.get(code, code)


def group_label(code: str) -> str:
    return {"government": _("Government group"), "employer": _("Employers' group"),
            "worker": _("Workers' group")}.get(code, code)


def vote_type_label(code: str) -> str:
    return {"record": _("record vote"), "show_of_hands": _("show of hands"),
            "secret": _("secret ballot")}.get(code, code.replace("_", " "))


def _sitting_blocks(s: Snapshot, sitting: SittingView | None, decisions: list, votes: list) -> list[Block]:
    blocks: list[Block] = []
    if sitting is not None:
        from forum.exports.model import format_instant

        blocks.append(Heading(_("Sitting %(n)s — %(title)s", n=sitting.number, title=sitting.title), 1))
        blocks.append(plain(format_instant(sitting.starts_at, s.timezone), style="meta"))
        if sitting.taken:
            blocks.append(Para([Run(_("Items taken") + ": ", bold=True), Run("; ".join(sitting.taken))],
                               style="meta"))
    else:
        blocks.append(Heading(_("Decisions outside a sitting"), 1))
    if decisions:
        blocks.append(Table(
            [_("Item"), _("Decision"), _("Method"), _("Declared by"), _("Note")],
            [[s.decision_citation(d), d.outcome_label, method_label(d.method),
              d.declared_by + (" " + _("(for the Chair)") if d.for_chair else ""), d.note] for d in decisions],
            caption=_("Decisions")))
        for d in decisions:
            if d.reservations:
                blocks.append(Para([Run(_("Reservations on %(item)s", item=d.item) + ": ", bold=True),
                                    Run("; ".join(d.reservations))], style="meta"))
    else:
        blocks.append(plain(_("No decision recorded."), style="note"))
    for vote in votes:
        blocks += _vote_blocks(s, vote)
    return blocks


def record_document(s: Snapshot) -> Document:
    """Per sitting: the items taken, decisions and methods, reservations, and every vote."""
    doc = Document("record", _("%(title)s — record of decisions", title=s.title), s.symbol, s.language,
                   s.status_line, snapshot=s)
    doc.blocks += _title_page(s, _("Record of decisions and votes"))
    doc.blocks.append(PageBreak())
    any_sitting = False
    for sitting in s.sittings:
        if not sitting.decisions and not sitting.votes and not sitting.taken:
            continue
        any_sitting = True
        doc.blocks += _sitting_blocks(s, sitting, sitting.decisions, sitting.votes)
    if s.decisions_outside_sittings or s.votes_outside_sittings:
        doc.blocks += _sitting_blocks(s, None, s.decisions_outside_sittings, s.votes_outside_sittings)
    elif not any_sitting:
        doc.blocks.append(plain(_("No decision recorded."), style="note"))
    return doc


BUILDERS = {"final": final_document, "marked": marked_document, "compilation": compilation_document,
            "record": record_document}


def build(kind: str, snapshot: Snapshot) -> Document:
    return BUILDERS[kind](snapshot)
