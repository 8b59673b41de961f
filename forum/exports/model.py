"""One gathered, read-only snapshot of a draft at export time: every format renders this, nothing else.

Gathering reads the database once (a handful of queries, no writes, no locks beyond a read
transaction) and copies everything into plain dataclasses, so that rendering — the slow part —
needs neither the session nor the request. Exports gather in the renderer process, in a read
transaction of its own (see `service.py`).

What is in it is the public record only (PROCEDURE.md rules 9, 23, 35): circulated amendments,
the groups' positions and the Governments' statements as recorded in the plenary, decisions and
votes. Polls and anything else of a restricted space are never read; a secret vote contributes its
counts alone.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_datetime
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.drafting import diff, marshalling, queries
from forum.drafting.labels import (
    amendment_state_label,
    kind_label,
    language_label,
    mover_label,
    paragraph_state_label,
)
from forum.drafting.models import (
    ADOPTED,
    LANGUAGES,
    Amendment,
    AmendmentEvent,
    AmendmentKind,
    AmendmentState,
    Draft,
    MoverKind,
    Paragraph,
    ParagraphEvent,
    ParagraphKind,
    ParagraphState,
    roman,
)
from forum.extensions import db
from forum.languages.services import outdated_languages, part_titles
from forum.meetings.models import Group, Sitting, SittingState
from forum.meetings.services import state_name

SCHEMA_VERSION = "1.0"
CHAIR_DELETION = -1  # a paragraph deleted by the Chair's decision, not by an amendment
PENDING_STATES = {ParagraphState.pending, ParagraphState.under_discussion, ParagraphState.deferred,
                  ParagraphState.bracketed}


@dataclass
class Change:
    """A piece of a paragraph's text: unchanged, inserted or deleted by an amendment (rule 26)."""

    op: str  # equal | insert | delete
    text: str
    amendment: str | None = None  # "D.7"; None: the Chair's decision on the paragraph
    author: str = ""  # the movers, as Word shows a tracked change's author
    date: datetime | None = None  # when the change was decided


@dataclass
class ParagraphView:
    id: int
    label: str  # negotiation label (rule 16): 5, 5bis, 3(a)
    kind: str  # preamble | paragraph | subparagraph
    part_id: int | None
    parent_id: int | None
    state: str
    state_label: str
    final: str | None  # final number ("5", "(b)"); None for the preamble and deleted paragraphs
    final_label: str | None  # "5", "5(b)"
    texts: dict[str, str]  # current text per language
    original: dict[str, str]  # the text of the original draft per language ("" for inserted paragraphs)
    changes: dict[str, list[Change]]  # per language, the text with every change marked
    inserted_by: str | None = None
    deleted_by: str | None = None
    amendments: list[str] = field(default_factory=list)  # numbers of circulated amendments on it
    outdated: list[str] = field(default_factory=list)  # languages older than an adopted change (issue 14)

    @property
    def pending(self) -> bool:
        return ParagraphState(self.state) in PENDING_STATES

    @property
    def deleted(self) -> bool:
        return self.state == ParagraphState.deleted.value

    @property
    def is_preamble(self) -> bool:
        return self.kind == ParagraphKind.preamble.value

    def text(self, language: str) -> str:
        return self.texts.get(language, "")


@dataclass
class PartView:
    id: int
    numeral: str  # final Roman numeral
    title: str


@dataclass
class MappingRow:
    label: str
    final: str | None
    state: str
    state_label: str
    note: str = ""


@dataclass
class PositionView:
    group: str  # employer | worker | a regional group code
    group_label: str
    stance: str
    statement: str = ""


@dataclass
class StatementView:
    member_state: str
    state_name: str
    on_behalf_of: str | None
    stance: str
    text: str = ""


@dataclass
class DecisionView:
    item: str  # "paragraph 5" / "amendment D.7", with the draft's symbol
    item_kind: str
    item_label: str
    outcome: str
    outcome_label: str
    method: str  # consensus | vote:<type> | reservation | declared
    declared_by: str
    for_chair: bool
    at: datetime | None
    sitting: int | None  # the sitting's ordinal number
    note: str = ""
    reservations: list[str] = field(default_factory=list)


@dataclass
class VoteView:
    item: str
    vote_type: str  # show_of_hands | record | secret …
    majority: str
    question: str
    opened_at: datetime | None
    closed_at: datetime | None
    sitting: int | None
    quorum: str = ""
    weights: dict[str, Any] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # per group: yes/no/abstain (weighted)
    totals: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""
    names: dict[str, list[str]] = field(default_factory=dict)  # record votes only: choice -> names


@dataclass
class AmendmentView:
    id: int
    number: str  # D.7
    position: int  # in the marshalled list
    depth: int
    parent: str | None
    paragraph_id: int
    paragraph_label: str
    paragraph_final: str | None
    kind: str
    kind_label: str
    language: str
    movers: str
    mover_kind: str
    mover_states: list[str]
    on_behalf_of: str | None
    non_supporting: list[str]
    seconders: list[str]
    oral: bool
    state: str
    state_label: str
    decided: bool
    decided_at: datetime | None
    text: str
    base_text: str
    runs: list[dict[str, str]]
    explanation: str
    compilation: int | None
    group: int | None = None
    positions: list[PositionView] = field(default_factory=list)
    statements: list[StatementView] = field(default_factory=list)
    decision: DecisionView | None = None
    # Issue 14: the secretariat's up-to-date translations, by language: {"text": ..., "explanation": ...}.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def author(self) -> str:
        return f"{self.movers} ({self.number})"


@dataclass
class SittingView:
    number: int
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    state: str
    decisions: list[DecisionView] = field(default_factory=list)
    votes: list[VoteView] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)  # items taken up for discussion, in order


@dataclass
class Snapshot:
    """Everything an export shows, as it stood at `as_of`."""

    schema_version: str
    as_of: datetime
    as_of_text: str  # in the meeting's zone, e.g. "28 Nov 2026, 09:15:00"
    timezone: str
    last_sitting: int | None  # ordinal of the last sitting held by then
    meeting_id: int
    meeting_title: str
    meeting_venue: str
    meeting_dates: str
    draft_id: int
    title: str
    symbol: str
    original_language: str
    languages: list[str]
    language: str  # the language shown
    draft_state: str
    parts: list[PartView]
    paragraphs: list[ParagraphView]
    mapping: list[MappingRow]
    amendments: list[AmendmentView]
    sittings: list[SittingView]
    decisions_outside_sittings: list[DecisionView]
    votes_outside_sittings: list[VoteView] = field(default_factory=list)

    @property
    def status_line(self) -> str:
        """Rule 35 / issue #8: every export says what state it reflects."""
        return status_line(self.as_of_text, self.timezone, self.last_sitting)

    @property
    def finished(self) -> bool:
        return not any(p.pending for p in self.paragraphs)

    def part(self, part_id: int | None) -> PartView | None:
        return next((p for p in self.parts if p.id == part_id), None)

    def amendment(self, number: str) -> AmendmentView | None:
        return next((a for a in self.amendments if a.number == number), None)

    def sections(self) -> list[tuple[PartView | None, list[ParagraphView]]]:
        """Paragraphs grouped under their part in document order; the preamble has no part."""
        out: list[tuple[PartView | None, list[ParagraphView]]] = []
        for p in self.paragraphs:
            part = self.part(p.part_id)
            if out and out[-1][0] is part:
                out[-1][1].append(p)
            else:
                out.append((part, [p]))
        return out

    def language_gaps(self, language: str | None = None) -> tuple[list[str], list[str]]:
        """Issue 14: the paragraphs (not deleted) with no text in the language, and those whose text
        there is older than an adopted change; both empty when that version is complete."""
        language = language or self.language
        live = [p for p in self.paragraphs if not p.deleted]
        return ([p.label for p in live if language not in p.texts],
                [p.label for p in live if language in p.outdated])

    def all_decisions(self) -> list[DecisionView]:
        return [d for s in self.sittings for d in s.decisions] + self.decisions_outside_sittings

    def decision_citation(self, decision: DecisionView) -> str:
        """Rule 35: every exported decision cites its document symbol and paragraph."""
        return f"{self.symbol}, {decision.item}"


def status_line(as_of_text: str, timezone: str, last_sitting: int | None) -> str:
    if last_sitting:
        return _("Status as of %(when)s (%(zone)s), after sitting %(n)s", when=as_of_text, zone=timezone,
                 n=last_sitting)
    return _("Status as of %(when)s (%(zone)s), before the first sitting", when=as_of_text, zone=timezone)


# --- gathering ---------------------------------------------------------------------------------------

def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def _number(draft: Draft, amendment: Amendment) -> str:
    return f"{draft.amendment_prefix}.{amendment.number}" if amendment.number is not None else "—"


def _short_movers(amendment: Amendment) -> str:
    """The movers as a tracked change's author: short, no "on behalf of" sentence."""
    if amendment.mover_kind is MoverKind.regional_group and amendment.regional_group is not None:
        return amendment.regional_group.name
    return mover_label(amendment)


def _seconder_label(s: Any) -> str:
    if s.member_state:
        return state_name(s.member_state)
    name = s.participant.user.name if s.participant is not None and s.participant.user is not None else ""
    group = _("Employers") if s.group is Group.employer else _("Workers") if s.group is Group.worker else ""
    label = f"{name} ({group})" if group else name
    return label + (" — " + _("from the floor") if s.from_floor else "")


def format_instant(value: datetime | None, tz: str) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, "medium", tzinfo=ZoneInfo(tz), locale=str(get_locale() or "en"))


def _final_numbers(paragraphs: list[Any]) -> dict[int, tuple[str, str]]:
    """Rule 16: the final text numbers paragraphs consecutively (deleted ones take no number) and
    letters sub-paragraphs within their paragraph; id -> (own number, full label)."""
    result: dict[int, tuple[str, str]] = {}
    counter = 0
    sub_counter: dict[int, int] = defaultdict(int)
    for p in paragraphs:
        if p.kind is ParagraphKind.preamble or p.state is ParagraphState.deleted:
            continue
        if p.kind is ParagraphKind.subparagraph and p.parent_id in result:
            index = sub_counter[p.parent_id]
            sub_counter[p.parent_id] += 1
            own = f"({_letters(index)})"
            result[p.id] = (own, f"{result[p.parent_id][1]}{own}")
        else:
            counter += 1
            result[p.id] = (str(counter), str(counter))
    return result


def _sittings(meeting_id: int, as_of: datetime) -> tuple[list[SittingView], int | None]:
    """The meeting's sittings numbered in order (1, 2, 3 …), and the last one held by `as_of`."""
    rows = list(db.session.scalars(sa.select(Sitting).where(Sitting.meeting_id == meeting_id)
                                   .order_by(Sitting.starts_at, Sitting.id)))
    sittings = [SittingView(number=i, id=s.id, title=s.title, starts_at=s.starts_at, ends_at=s.ends_at,
                            state=s.state.value) for i, s in enumerate(rows, start=1)]
    held = [view for view, row in zip(sittings, rows, strict=True)
            if row.state is not SittingState.scheduled and _aware(row.starts_at) <= _aware(as_of)]
    return sittings, (held[-1].number if held else None)


@dataclass
class Status:
    """What the exports page says before anything is gathered: two small queries."""

    line: str
    pending: int


def current_status(draft: Draft, as_of: datetime | None = None) -> Status:
    from forum.db import utcnow

    as_of = as_of or utcnow()
    tz = draft.meeting.timezone or "UTC"
    _all, last = _sittings(draft.meeting_id, as_of)
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(Paragraph).where(
        Paragraph.draft_id == draft.id, Paragraph.state.in_(PENDING_STATES))) or 0
    return Status(status_line(format_instant(as_of, tz), tz, last), pending)


def _sitting_at(sittings: list[SittingView], instant: datetime | None) -> int | None:
    """The sitting during which something happened (by time), when the record names none."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    found = None
    for s in sittings:
        start = s.starts_at if s.starts_at.tzinfo else s.starts_at.replace(tzinfo=UTC)
        end = s.ends_at if (s.ends_at is None or s.ends_at.tzinfo) else s.ends_at.replace(tzinfo=UTC)
        if start <= instant and (end is None or instant <= end):
            found = s.number
    return found


def _amendment_view(draft: Draft, entry: marshalling.Entry, by_id: dict[int, Amendment], label_of: dict[int, str],
                    finals: dict[int, tuple[str, str]], compilation_numbers: dict[int, int],
                    extras: dict[str, Any] | None = None) -> AmendmentView:
    a = entry.amendment
    key = ("amendment", a.id)
    return AmendmentView(
        id=a.id, number=_number(draft, a), position=entry.position, depth=entry.depth,
        parent=_number(draft, a.parent) if a.parent_id and a.parent_id in by_id else None,
        paragraph_id=a.paragraph_id, paragraph_label=label_of.get(a.paragraph_id, ""),
        paragraph_final=finals.get(a.paragraph_id, (None, None))[1],
        kind=a.kind.value, kind_label=kind_label(a.kind), language=a.language, movers=mover_label(a),
        mover_kind=a.mover_kind.value, mover_states=list(a.mover.states),
        on_behalf_of=a.regional_group.name if a.mover_kind is MoverKind.regional_group and a.regional_group
        else None, non_supporting=list(a.non_supporting or ()),
        seconders=[_seconder_label(s) for s in a.seconders], oral=a.oral, state=a.state.value,
        state_label=amendment_state_label(a.state), decided=a.decided, decided_at=a.decided_at,
        text=a.text, base_text=a.base_text, runs=list(a.diff or []), explanation=a.explanation,
        compilation=compilation_numbers.get(a.compilation_id or 0), group=entry.group,
        positions=extras["positions"].get(key, []) if extras else [],
        statements=extras["statements"].get(key, []) if extras else [],
        decision=extras["decision_of"].get(key) if extras else None)


def amendment_views(draft: Draft, entries: list[marshalling.Entry]) -> list[AmendmentView]:
    """The views of some marshalled entries alone (one compilation's list), without the record."""
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    by_id = {e.amendment.id: e.amendment for e in entries}
    label_of = {p.id: p.label for p in paragraphs}
    compilation_numbers = {c.id: c.number for c in db.session.scalars(queries.compilations_of_draft(draft.id))}
    return _with_translations([_amendment_view(draft, e, by_id, label_of, _final_numbers(paragraphs),
                                               compilation_numbers) for e in entries], by_id)


def _with_translations(views: list[AmendmentView], by_id: dict[int, Amendment]) -> list[AmendmentView]:
    """Each amendment's translations that still render its words (issue 14), in one query."""
    from forum.languages.services import current, translations_of

    found = translations_of(v.id for v in views)
    for view in views:
        view.translations = {code: {"text": t.text, "explanation": t.explanation}
                             for code, t in found.get(view.id, {}).items() if current(t, by_id[view.id])}
    return views


def gather(draft: Draft, *, as_of: datetime | None = None, language: str | None = None) -> Snapshot:
    """Read the draft and everything the exports show, once. `as_of` is the stated timestamp."""
    from forum.db import utcnow

    as_of = as_of or utcnow()
    meeting = draft.meeting
    tz = meeting.timezone or "UTC"
    languages = [c for c in meeting.language_list if c in LANGUAGES] or [draft.original_language]
    if draft.original_language not in languages:
        languages.insert(0, draft.original_language)
    language = language if language in languages else draft.original_language

    parts_rows = list(db.session.scalars(queries.parts_of_draft(draft.id)))
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    history = queries.text_history(draft.id)
    all_amendments = list(db.session.scalars(queries.amendments_of_draft(draft.id)))
    public = [a for a in all_amendments if a.is_circulated]  # rule 23: the record holds what was circulated
    by_id = {a.id: a for a in all_amendments}
    finals = _final_numbers(paragraphs)
    label_of = {p.id: p.label for p in paragraphs}

    sittings, last_sitting = _sittings(meeting.id, as_of)
    sitting_number = {s.id: s.number for s in sittings}

    # Which adopted amendment deleted each paragraph (its text then shows struck through under its number).
    deleted_by: dict[int, Amendment] = {}
    for a in public:
        if a.kind is AmendmentKind.delete and a.state in ADOPTED:
            deleted_by[a.paragraph_id] = a
            for p in paragraphs:
                if p.parent_id == a.paragraph_id:
                    deleted_by.setdefault(p.id, a)

    def change_of(amendment_id: int | None) -> tuple[str | None, str, datetime | None]:
        if amendment_id == CHAIR_DELETION:
            return None, _("Decision of the Chair"), None
        a = by_id.get(amendment_id) if amendment_id else None
        if a is None:  # a new version without an amendment: the secretariat aligned this language's text
            return None, _("Secretariat (text in this language)"), None
        return _number(draft, a), f"{_short_movers(a)} ({_number(draft, a)})", a.decided_at

    paragraph_views: list[ParagraphView] = []
    for p in paragraphs:
        texts, original, changes = {}, {}, {}
        for lang in languages:
            versions = history.get((p.id, lang), [])
            if not versions:
                continue
            texts[lang] = versions[-1].text
            inserted = versions[0].amendment_id is not None
            original[lang] = "" if inserted else versions[0].text
            chain = [(v.text, v.amendment_id) for v in versions]
            if inserted:
                chain = [("", None), *chain]
            segments = diff.attributed_diff(chain) if len(chain) > 1 else [diff.Segment("equal", chain[0][0])]
            if p.state is ParagraphState.deleted:
                # What stood at the deletion is struck through under the deleting amendment's number.
                doomed = deleted_by[p.id].id if p.id in deleted_by else CHAIR_DELETION
                segments = [s if s.op == "delete" else diff.Segment("delete", s.text, doomed) for s in segments]
            marked = []
            for s in segments:
                if s.op == "equal":
                    marked.append(Change("equal", s.text))
                else:
                    number, author, date = change_of(s.amendment_id)
                    marked.append(Change(s.op, s.text, number, author, date))
            changes[lang] = marked
        first = history.get((p.id, draft.original_language)) or next(
            (history[(p.id, lang)] for lang in languages if (p.id, lang) in history), [])
        inserted_by = by_id.get(first[0].amendment_id) if first and first[0].amendment_id else None
        own, full = finals.get(p.id, (None, None))
        paragraph_views.append(ParagraphView(
            id=p.id, label=p.label, kind=p.kind.value, part_id=p.part_id, parent_id=p.parent_id,
            state=p.state.value, state_label=paragraph_state_label(p.state), final=own, final_label=full,
            texts=texts, original=original, changes=changes,
            inserted_by=_number(draft, inserted_by) if inserted_by else None,
            deleted_by=_number(draft, deleted_by[p.id]) if p.id in deleted_by else None,
            amendments=[_number(draft, a) for a in public if a.paragraph_id == p.id],
            outdated=sorted(outdated_languages({lang: history[(p.id, lang)][-1] for lang in languages
                                                if history.get((p.id, lang))}))))

    parts = []
    part_titles_in = part_titles(draft.id)
    numbered_parts = [part for part in parts_rows]
    for index, part in enumerate(numbered_parts, start=1):
        title = part.title
        if language != draft.original_language:  # issue 14: the part's title in this language, or marked
            title = part_titles_in.get((part.id, language)) or f"[{language_label(draft.original_language)}] {title}"
        parts.append(PartView(id=part.id, numeral=roman(index), title=title))

    mapping = []
    for view in paragraph_views:
        if view.is_preamble:
            continue
        note = ""
        if view.inserted_by:
            note = _("inserted by %(number)s", number=view.inserted_by)
        if view.deleted:
            note = _("deleted by %(number)s", number=view.deleted_by) if view.deleted_by else _("deleted")
        mapping.append(MappingRow(label=view.label, final=view.final_label, state=view.state,
                                  state_label=view.state_label, note=note))

    entries = marshalling.marshalled(draft, public)
    extras = _extras(draft, public, paragraphs, sitting_number, sittings)
    compilation_numbers = {c.id: c.number for c in db.session.scalars(queries.compilations_of_draft(draft.id))}
    amendment_views = _with_translations([_amendment_view(draft, entry, by_id, label_of, finals, compilation_numbers,
                                                          extras) for entry in entries], by_id)

    outside: list[DecisionView] = []
    for decision in extras["decisions"]:
        target = next((s for s in sittings if s.number == decision.sitting), None)
        (target.decisions if target else outside).append(decision)
    votes_outside: list[VoteView] = []
    for vote in extras["votes"]:
        target = next((s for s in sittings if s.number == vote.sitting), None)
        (target.votes if target else votes_outside).append(vote)

    dates = ""
    if meeting.starts_on:
        dates = meeting.starts_on.isoformat() + (f" – {meeting.ends_on.isoformat()}" if meeting.ends_on else "")
    return Snapshot(
        schema_version=SCHEMA_VERSION, as_of=_aware(as_of), as_of_text=format_instant(as_of, tz), timezone=tz,
        last_sitting=last_sitting, meeting_id=meeting.id, meeting_title=meeting.title, meeting_venue=meeting.venue,
        meeting_dates=dates, draft_id=draft.id, title=draft.title, symbol=draft.symbol,
        original_language=draft.original_language, languages=languages, language=language,
        draft_state=draft.state.value, parts=parts, paragraphs=paragraph_views, mapping=mapping,
        amendments=amendment_views, sittings=sittings, decisions_outside_sittings=outside,
        votes_outside_sittings=votes_outside)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def available(module: str) -> bool:
    """Positions, votes and decisions come from modules built alongside this one."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _extras(draft: Draft, public: list[Amendment], paragraphs: list[Any], sitting_number: dict[int, int],
            sittings: list[SittingView]) -> dict[str, Any]:
    """Positions, statements, decisions and votes of the public record, keyed by item."""
    out: dict[str, Any] = {"positions": defaultdict(list), "statements": defaultdict(list), "decisions": [],
                           "decision_of": {}, "votes": [], "decided_items": defaultdict(list)}
    label_of = {p.id: p.label for p in paragraphs}
    number_of = {a.id: _number(draft, a) for a in public}
    paragraph_of = {a.id: a.paragraph_id for a in public}

    def item_name(paragraph_id: int | None, amendment_id: int | None) -> tuple[str, str, str]:
        if amendment_id is not None:
            # Rule 35: a decision on an amendment cites the paragraph it amends as well.
            number = number_of.get(amendment_id, "?")
            target = label_of.get(paragraph_of.get(amendment_id, 0), "?")
            if target == "preamble":
                return "amendment", number, _("amendment %(number)s to the preamble", number=number)
            return "amendment", number, _("amendment %(number)s to paragraph %(label)s", number=number, label=target)
        label = label_of.get(paragraph_id or 0, "?")
        if label == "preamble":
            return "paragraph", label, _("preamble")
        return "paragraph", label, _("paragraph %(label)s", label=label)

    # The Chair's declarations as the votes module records them (method, sitting, vote); items decided
    # through drafting's own pages alone (no Decision row) come from drafting's history.
    _decisions_from_votes_helper(draft, public, item_name, sitting_number, out)
    _decisions_from_drafting(draft, public, paragraphs, item_name, sittings, out)
    _positions_and_statements(draft, public, out)
    _items_taken(public, paragraphs, item_name, sittings)
    out["decisions"].sort(key=lambda d: (_aware(d.at) if d.at else datetime.min.replace(tzinfo=UTC), d.item))
    return out


SAME_DECLARATION = timedelta(seconds=5)


def _items_taken(public: list[Amendment], paragraphs: list[Any], item_name: Any, sittings: list[SittingView]) -> None:
    """The items each sitting took up (amendments taken up for discussion, paragraphs put under
    discussion), in the order they were taken, by the time they were taken."""
    taken: list[tuple[datetime, int, str]] = []
    ids = [a.id for a in public]
    if ids:
        for e in db.session.scalars(sa.select(AmendmentEvent).where(
                AmendmentEvent.amendment_id.in_(ids), AmendmentEvent.action == "discuss")):
            taken.append((_aware(e.created_at), e.id, item_name(None, e.amendment_id)[2]))
    paragraph_ids = [p.id for p in paragraphs]
    if paragraph_ids:
        for e in db.session.scalars(sa.select(ParagraphEvent).where(
                ParagraphEvent.paragraph_id.in_(paragraph_ids), ParagraphEvent.action.in_(("decide", "reopen")),
                ParagraphEvent.to_state == ParagraphState.under_discussion.value)):
            taken.append((_aware(e.created_at), -e.id, item_name(e.paragraph_id, None)[2]))
    for at, _ident, name in sorted(taken):
        number = _sitting_at(sittings, at)
        sitting = next((s for s in sittings if s.number == number), None)
        if sitting is not None and name not in sitting.taken:
            sitting.taken.append(name)


def _declared(out: dict[str, Any], key: tuple[str, int], at: datetime) -> bool:
    """Is drafting's event the state change of a declaration the votes module recorded (same item,
    within seconds)? Then the Decision row, which has the method and the sitting, stands for it."""
    return any(abs(_aware(at) - _aware(when)) <= SAME_DECLARATION for when in out["decided_items"].get(key, ()))


def _decisions_from_drafting(draft: Draft, public: list[Amendment], paragraphs: list[Any], item_name: Any,
                             sittings: list[SittingView], out: dict[str, Any]) -> None:
    """The outcomes the Chair declared, from drafting's own history (used until votes/decisions exist)."""
    ids = [a.id for a in public]
    if ids:
        events = db.session.scalars(sa.select(AmendmentEvent).where(
            AmendmentEvent.amendment_id.in_(ids), AmendmentEvent.action == "decide")
            .order_by(AmendmentEvent.created_at, AmendmentEvent.id))
        states = {a.id: a.state for a in public}
        for e in events:
            if _declared(out, ("amendment", e.amendment_id), e.created_at):
                continue
            kind, label, name = item_name(None, e.amendment_id)
            outcome = e.to_state or states[e.amendment_id].value
            view = DecisionView(item=name, item_kind=kind, item_label=label, outcome=outcome,
                                outcome_label=amendment_state_label(outcome), method="declared",
                                declared_by=e.actor_name, for_chair=e.for_chair, at=e.created_at,
                                sitting=_sitting_at(sittings, e.created_at), note=e.note)
            out["decisions"].append(view)
            out["decision_of"][("amendment", e.amendment_id)] = view
    paragraph_ids = [p.id for p in paragraphs]
    if paragraph_ids:
        events = db.session.scalars(sa.select(ParagraphEvent).where(
            ParagraphEvent.paragraph_id.in_(paragraph_ids), ParagraphEvent.action == "decide",
            ParagraphEvent.to_state != ParagraphState.under_discussion.value)
            .order_by(ParagraphEvent.created_at, ParagraphEvent.id))
        for e in events:
            if _declared(out, ("paragraph", e.paragraph_id), e.created_at):
                continue
            kind, label, name = item_name(e.paragraph_id, None)
            outcome = e.to_state or ""
            view = DecisionView(item=name, item_kind=kind, item_label=label, outcome=outcome,
                                outcome_label=paragraph_state_label(outcome) if outcome else "",
                                method="declared", declared_by=e.actor_name, for_chair=e.for_chair,
                                at=e.created_at, sitting=_sitting_at(sittings, e.created_at), note=e.note)
            out["decisions"].append(view)
            out["decision_of"][("paragraph", e.paragraph_id)] = view


def stance_text(code: str) -> str:
    return {"support": _("support"), "oppose": _("oppose"), "reserve": _("reservation"),
            "none": _("no position")}.get(code, code)


def _holder_label(holder: str, regional: Any) -> str:
    if holder == "employer":
        return _("Employers' group")
    if holder == "worker":
        return _("Workers' group")
    return regional.name if regional is not None else holder


def _quorum_text(quorum: dict[str, Any]) -> str:
    if not quorum:
        return ""
    parts = []
    if quorum.get("rule"):
        parts.append(str(quorum["rule"]).replace("_", " "))
    if quorum.get("required") is not None:
        parts.append(_("required %(n)s", n=quorum["required"]))
    if quorum.get("votes_cast") is not None:
        parts.append(_("votes cast %(n)s", n=quorum["votes_cast"]))
    if quorum.get("reached") is not None:
        parts.append(_("reached") if quorum["reached"] else _("not reached"))
    return ", ".join(parts)


def _decisions_from_votes_helper(draft: Draft, public: list[Amendment], item_name: Any,
                                 sitting_number: dict[int, int], out: dict[str, Any]) -> bool:
    """Decisions and votes as the votes module records them; False when that module is absent.

    A secret vote contributes its totals alone: its choices have no voter and no group. Names are
    listed for record votes only (rule 30).
    """
    if not available("forum.positions.vote_models"):
        return False
    from forum.positions.vote_models import Decision, Vote, VoteState, VoteType

    public_ids = {a.id for a in public}

    def visible(paragraph_id: int | None, amendment_id: int | None) -> bool:
        return amendment_id is None or amendment_id in public_ids

    decided_items: dict[tuple[str, int], list[datetime]] = defaultdict(list)
    for d in db.session.scalars(sa.select(Decision).where(Decision.draft_id == draft.id)
                                .order_by(Decision.created_at, Decision.id)):
        if not visible(d.paragraph_id, d.amendment_id):
            continue
        kind, label, name = item_name(d.paragraph_id, d.amendment_id)
        outcome_label = (amendment_state_label(d.outcome) if kind == "amendment" and d.outcome in AMENDMENT_CODES
                         else paragraph_state_label(d.outcome) if d.outcome in PARAGRAPH_CODES
                         else str(DECISION_OUTCOMES.get(d.outcome, d.outcome.replace("_", " "))))
        view = DecisionView(item=name, item_kind=kind, item_label=label, outcome=d.outcome,
                            outcome_label=outcome_label, method=d.method, declared_by=d.declared_by_name,
                            for_chair=d.for_chair, at=d.created_at, sitting=sitting_number.get(d.sitting_id or 0),
                            note=d.note, reservations=[d.note] if d.method == "reservation" and d.note else [])
        out["decisions"].append(view)
        key = ("amendment", d.amendment_id) if d.amendment_id else ("paragraph", d.paragraph_id)
        out["decision_of"][key] = view
        decided_items[key].append(d.created_at)  # type: ignore[index]
    out["decided_items"] = decided_items
    for v in db.session.scalars(sa.select(Vote).where(Vote.draft_id == draft.id, Vote.state == VoteState.closed)
                                .order_by(Vote.opened_at, Vote.id)):
        if not visible(v.paragraph_id, v.amendment_id):
            continue
        _kind, _label, name = item_name(v.paragraph_id, v.amendment_id)
        results = v.results or {}
        view = VoteView(item=name, vote_type=v.type.value, majority=v.majority.value, question=v.question,
                        opened_at=v.opened_at, closed_at=v.closed_at, sitting=sitting_number.get(v.sitting_id or 0),
                        quorum=_quorum_text(results.get("quorum") or v.quorum or {}),
                        weights=dict(v.weights or {}), outcome=str(results.get("outcome") or ""))
        totals = results.get("totals") or {}
        view.totals = {choice: _count(c) for choice, c in totals.items()}
        if v.type is not VoteType.secret:
            view.results = {group: {choice: _count(c) for choice, c in choices.items()}
                            for group, choices in (results.get("by_group") or {}).items()}
        if v.type is VoteType.record:
            names: dict[str, list[str]] = {}
            for ballot in results.get("ballots") or []:
                names.setdefault(ballot["choice"], []).append(ballot["voter"])
            view.names = names
        out["votes"].append(view)
    return True


AMENDMENT_CODES = {s.value for s in AmendmentState}
DECISION_OUTCOMES = {"reservation": _l("adopted, with a reservation recorded"),
                     "referred": _l("referred to a drafting group"), "reopened": _l("reopened"),
                     "adopted_as_amended": _l("adopted as amended")}
PARAGRAPH_CODES = {s.value for s in ParagraphState}


def _count(value: Any) -> str:
    """"12 (weighted 24)" for a group's or the total count of one choice."""
    if isinstance(value, dict):
        raw, weighted = value.get("raw", 0), value.get("weighted", 0)
        return str(raw) if raw == weighted else f"{raw} ({_('weighted')} {weighted})"
    return str(value)


def _positions_and_statements(draft: Draft, public: list[Amendment], out: dict[str, Any]) -> None:
    """Group positions and Government statements as recorded in the plenary, when the positions
    module is there. Internal polls (a caucus's own) are never read."""
    if not available("forum.positions.models"):
        return
    from forum.positions.models import Position, Statement

    public_ids = {a.id for a in public}
    for p in db.session.scalars(sa.select(Position).where(Position.draft_id == draft.id)
                                .order_by(Position.holder, Position.id)):
        if p.amendment_id is not None and p.amendment_id not in public_ids:
            continue
        key = ("amendment", p.amendment_id) if p.amendment_id else ("paragraph", p.paragraph_id)
        out["positions"][key].append(PositionView(group=p.holder, group_label=_holder_label(p.holder, p.regional_group),
                                                  stance=stance_text(p.stance.value), statement=p.statement or ""))
    for st in db.session.scalars(sa.select(Statement).where(Statement.draft_id == draft.id)
                                 .order_by(Statement.created_at, Statement.id)):
        if st.amendment_id is not None and st.amendment_id not in public_ids:
            continue
        key = ("amendment", st.amendment_id) if st.amendment_id else ("paragraph", st.paragraph_id)
        out["statements"][key].append(StatementView(
            member_state=st.member_state, state_name=state_name(st.member_state),
            on_behalf_of=st.regional_group.name if st.regional_group is not None else None,
            stance=stance_text(st.stance.value), text=st.text or ""))


def language_name(code: str) -> str:
    return language_label(code)
