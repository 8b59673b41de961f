"""Changes to drafts: creating one (blank, from a structure or an import), shaping it in
preparation, opening it for amendments, texts in other languages, paragraph decisions, drafting
groups and line numbering (PROCEDURE.md §4).

Every service checks its permission (forum.permissions), writes, records the audit entry and
queues the live event; none commits. Bad input raises a DomainError and changes nothing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum import permissions
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting import diff, queries
from forum.drafting.events import publish_amendment, publish_draft
from forum.drafting.importing import MAX_PARAGRAPHS, MAX_TEXT, MAX_TITLE, ParsedDraft, ParsedParagraph, check_size
from forum.drafting.models import (
    ADOPTED,
    LANGUAGES,
    LATIN_SUFFIXES,
    LIVE,
    PARAGRAPH_SETTLED,
    PENDING,
    Amendment,
    AmendmentEvent,
    AmendmentKind,
    AmendmentState,
    Draft,
    DraftingGroup,
    DraftState,
    Paragraph,
    ParagraphEvent,
    ParagraphKind,
    ParagraphState,
    ParagraphText,
    Part,
)
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Capacity, Group, Meeting, Participant, Space, SpaceKind, SpaceMember

PREAMBLE_LABEL = "preamble"
MAX_DRAFTING_GROUP = 25
LINE_LENGTH_DEFAULT = 80
Errors = dict[str, list[str]]


# --- shared helpers ----------------------------------------------------------------------------------

def for_chair(actor: Any, meeting_id: int) -> bool:
    """Rule 8: a decision taken by someone who is not the Chair is the secretariat's, for the Chair."""
    return not permissions.is_chair(actor, meeting_id)  # type: ignore[arg-type]


def actor_name(actor: Any) -> str:
    return (getattr(actor, "name", "") or getattr(actor, "email", "") or "system")[:200]


def paragraph_event(paragraph: Paragraph, actor: Any, action: str, *, from_state: ParagraphState | None = None,
                    to_state: ParagraphState | None = None, note: str = "", chair: bool = False) -> None:
    db.session.add(ParagraphEvent(
        paragraph_id=paragraph.id, action=action, from_state=from_state.value if from_state else None,
        to_state=to_state.value if to_state else None, actor_id=getattr(actor, "id", None),
        actor_name=actor_name(actor), for_chair=chair, note=note, created_at=utcnow()))


def amendment_event(amendment: Amendment, actor: Any, action: str, *, from_state: AmendmentState | None = None,
                    note: str = "", chair: bool = False, data: dict[str, Any] | None = None) -> None:
    db.session.add(AmendmentEvent(
        amendment_id=amendment.id, action=action, from_state=from_state.value if from_state else None,
        to_state=amendment.state.value, actor_id=getattr(actor, "id", None), actor_name=actor_name(actor),
        for_chair=chair, note=note, data=data or {}, created_at=utcnow()))


def clean_text(value: str | None, field: str, errors: Errors, *, limit: int = MAX_TEXT, required: bool = True,
               missing: str = "Enter the text.") -> str:
    text = diff.normalise(value)
    if required and not text:
        errors.setdefault(field, []).append(missing)
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"Use at most {limit:,} characters.")
    return text


def _raise(errors: Errors, message: str) -> None:
    if errors:
        raise ValidationFailed(message, errors)


# --- creating a draft --------------------------------------------------------------------------------

def _check_draft_fields(meeting: Meeting, title: str, symbol: str, language: str, prefix: str,
                        draft: Draft | None = None) -> tuple[str, str, str]:
    errors: Errors = {}
    title = clean_text(title, "title", errors, limit=MAX_TITLE, missing="Enter a title.")
    symbol = (symbol or "").strip()
    if not symbol:
        errors["symbol"] = ["Enter the draft's symbol, e.g. TTMLM/2027/D.1."]
    elif len(symbol) > 100 or any(c.isspace() for c in symbol):
        errors["symbol"] = ["Use at most 100 characters, without spaces."]
    else:
        clash = db.session.scalar(sa.select(Draft.id).where(Draft.meeting_id == meeting.id, Draft.symbol == symbol))
        if clash is not None and (draft is None or clash != draft.id):
            errors["symbol"] = ["Another draft of this meeting has this symbol."]
    if language not in LANGUAGES or language not in meeting.language_list:
        errors["original_language"] = ["Choose one of the meeting's languages (English, French or Spanish)."]
    prefix = (prefix or "").strip()
    if not prefix or len(prefix) > 10 or not prefix.replace(".", "").isalnum():
        errors["amendment_prefix"] = ["Use one to ten letters or digits, e.g. D."]
    _raise(errors, "The draft could not be saved.")
    return title, symbol, prefix


def create_draft(actor: Any, meeting: Meeting, *, title: str, symbol: str, original_language: str,
                 structure: ParsedDraft | None = None, amendment_prefix: str = "D") -> Draft:
    """A new draft in preparation, empty or with the parts and paragraphs of `structure`."""
    if not permissions.can_create_draft(actor, meeting):
        raise NotAllowed("Only the meeting secretariat creates drafts.")
    title, symbol, prefix = _check_draft_fields(meeting, title, symbol, original_language, amendment_prefix)
    structure = structure or ParsedDraft()
    check_size(structure.unit_count())
    errors: Errors = {}
    for part in structure.parts:
        if not part.title or len(part.title) > MAX_TITLE:
            errors.setdefault("structure", []).append("Every part needs a title of at most 300 characters.")
    for p in structure.all_paragraphs():
        if len(p.text) > MAX_TEXT or any(len(s) > MAX_TEXT for s in p.subparagraphs):
            errors.setdefault("structure", []).append(f"Paragraphs have at most {MAX_TEXT:,} characters.")
        if not p.text and not p.subparagraphs:
            errors.setdefault("structure", []).append("A paragraph has no text.")
    _raise(errors, "The draft could not be saved.")
    draft = Draft(meeting_id=meeting.id, title=title, symbol=symbol, original_language=original_language,
                  amendment_prefix=prefix, state=DraftState.preparation, created_by_id=actor.id)
    db.session.add(draft)
    db.session.flush()
    position = 0
    if structure.preamble:
        _new_paragraph(draft, actor, None, None, ParagraphKind.preamble, structure.preamble, position)
        position += 1
    for p in structure.paragraphs:
        position = _add_parsed(draft, actor, None, p, position)
    for index, parsed_part in enumerate(structure.parts, start=1):
        part = Part(draft_id=draft.id, number=index, title=parsed_part.title, position=index)
        db.session.add(part)
        db.session.flush()
        for p in parsed_part.paragraphs:
            position = _add_parsed(draft, actor, part, p, position)
    db.session.flush()
    relabel(draft)
    record(actor, "draft.create", draft, {"title": title, "symbol": symbol, "language": original_language,
                                          "parts": len(structure.parts), "paragraphs": structure.unit_count()},
           meeting_id=meeting.id)
    from forum import realtime

    realtime.publish(realtime.room("meeting", meeting.id), "drafts.changed",
                     {"room": realtime.room("meeting", meeting.id), "draft_id": draft.id, "action": "create"})
    return draft


def _new_paragraph(draft: Draft, actor: Any, part: Part | None, parent: Paragraph | None, kind: ParagraphKind,
                   text: str, position: int) -> Paragraph:
    paragraph = Paragraph(draft_id=draft.id, part_id=part.id if part else None,
                          parent_id=parent.id if parent else None, kind=kind, label=f"~new{position}",
                          position=position, state=ParagraphState.pending)
    db.session.add(paragraph)
    db.session.flush()
    db.session.add(ParagraphText(paragraph_id=paragraph.id, language=draft.original_language, version=1,
                                 text=text, created_by_id=getattr(actor, "id", None)))
    return paragraph


def _add_parsed(draft: Draft, actor: Any, part: Part | None, parsed: ParsedParagraph, position: int) -> int:
    paragraph = _new_paragraph(draft, actor, part, None, ParagraphKind.paragraph, parsed.text, position)
    position += 1
    for sub in parsed.subparagraphs:
        _new_paragraph(draft, actor, part, paragraph, ParagraphKind.subparagraph, sub, position)
        position += 1
    return position


def relabel(draft: Draft) -> None:
    """In preparation: parts numbered I, II, …; paragraphs 1, 2, … through the whole text;
    sub-paragraphs (a), (b), …; the preamble first. Once the draft is open labels never change."""
    if draft.state is not DraftState.preparation:
        raise InvalidState("Labels are stable once the draft is open for amendments (rule 16).")
    parts = list(db.session.scalars(queries.parts_of_draft(draft.id)))
    part_rank = {part.id: rank for rank, part in enumerate(parts, start=1)}
    for rank, part in enumerate(parts, start=1):
        part.number, part.position = rank, rank
    paragraphs = list(db.session.scalars(queries.paragraphs_of_draft(draft.id)))
    tops = [p for p in paragraphs if p.parent_id is None]
    children: dict[int, list[Paragraph]] = {}
    for p in paragraphs:
        if p.parent_id is not None:
            children.setdefault(p.parent_id, []).append(p)
    tops.sort(key=lambda p: (p.kind is not ParagraphKind.preamble, part_rank.get(p.part_id, 0) if p.part_id else 0,
                             p.position, p.id))
    ordered: list[tuple[Paragraph, str]] = []
    number = 0
    for top in tops:
        if top.kind is ParagraphKind.preamble:
            ordered.append((top, PREAMBLE_LABEL))
            continue
        number += 1
        ordered.append((top, str(number)))
        for index, child in enumerate(sorted(children.get(top.id, []), key=lambda c: (c.position, c.id))):
            child.part_id = top.part_id
            ordered.append((child, f"{number}({_letters(index)})"))
    for p, _label in ordered:  # two passes: the unique (draft, label) holds at every flush
        p.label = f"~{p.id}"
    db.session.flush()
    for position, (p, label) in enumerate(ordered):
        p.label, p.position = label, position
    db.session.flush()


def _letters(index: int) -> str:
    """a … z, then aa, bb, … as drafts do."""
    letter = chr(ord("a") + index % 26)
    return letter * (index // 26 + 1)


# --- shaping a draft in preparation ---------------------------------------------------------------

def _require_edit(actor: Any, draft: Draft) -> None:
    if draft.state is not DraftState.preparation:
        raise InvalidState("The draft is open for amendments: its text changes only through amendments now.")
    if not permissions.can_edit_draft(actor, draft):
        raise NotAllowed("Only the meeting secretariat shapes a draft.")


def _structure_changed(actor: Any, draft: Draft, action: str, payload: dict[str, Any]) -> None:
    record(actor, action, draft, payload, meeting_id=draft.meeting_id)
    publish_draft(draft, "draft.changed", {"action": action.removeprefix("draft.")})


def update_draft(actor: Any, draft: Draft, *, title: str, symbol: str, amendment_prefix: str,
                 preamble: str) -> Draft:
    _require_edit(actor, draft)
    meeting = db.session.get(Meeting, draft.meeting_id)
    title, symbol, prefix = _check_draft_fields(meeting, title, symbol, draft.original_language, amendment_prefix,
                                                draft)
    errors: Errors = {}
    preamble = clean_text(preamble, "preamble", errors, required=False)
    _raise(errors, "The draft could not be saved.")
    draft.title, draft.symbol, draft.amendment_prefix = title, symbol, prefix
    existing = db.session.scalars(sa.select(Paragraph).where(
        Paragraph.draft_id == draft.id, Paragraph.kind == ParagraphKind.preamble)).first()
    if preamble and existing is None:
        _new_paragraph(draft, actor, None, None, ParagraphKind.preamble, preamble, -1)
    elif preamble and existing is not None:
        _set_original_text(existing, draft, preamble)
    elif existing is not None:
        db.session.delete(existing)
    db.session.flush()
    relabel(draft)
    _structure_changed(actor, draft, "draft.update", {"title": title, "symbol": symbol, "preamble": bool(preamble)})
    return draft


def _set_original_text(paragraph: Paragraph, draft: Draft, text: str) -> None:
    current = queries.current_text(paragraph.id, draft.original_language)
    if current is None:
        db.session.add(ParagraphText(paragraph_id=paragraph.id, language=draft.original_language, version=1,
                                     text=text))
    else:
        current.text = text  # in preparation the text has no history yet


def add_part(actor: Any, draft: Draft, *, title: str) -> Part:
    _require_edit(actor, draft)
    errors: Errors = {}
    title = clean_text(title, "title", errors, limit=MAX_TITLE, missing="Enter the part's title.")
    _raise(errors, "The part could not be added.")
    part = Part(draft_id=draft.id, number=0, title=title, position=10**6)
    db.session.add(part)
    db.session.flush()
    relabel(draft)
    _structure_changed(actor, draft, "draft.add_part", {"part_id": part.id, "title": title})
    return part


def edit_part(actor: Any, part: Part, *, title: str) -> Part:
    draft = db.session.get(Draft, part.draft_id)
    _require_edit(actor, draft)
    errors: Errors = {}
    title = clean_text(title, "title", errors, limit=MAX_TITLE, missing="Enter the part's title.")
    _raise(errors, "The part could not be saved.")
    part.title = title
    _structure_changed(actor, draft, "draft.edit_part", {"part_id": part.id, "title": title})
    return part


def remove_part(actor: Any, part: Part) -> None:
    """Removes the part and its paragraphs (the page asks for confirmation first)."""
    draft = db.session.get(Draft, part.draft_id)
    _require_edit(actor, draft)
    payload = {"part_id": part.id, "title": part.title}
    db.session.delete(part)
    db.session.flush()
    relabel(draft)
    _structure_changed(actor, draft, "draft.remove_part", payload)


def add_paragraph(actor: Any, draft: Draft, *, text: str, part: Part | None = None,
                  parent: Paragraph | None = None) -> Paragraph:
    """A paragraph at the end of a part (or of the text), or a sub-paragraph at the end of `parent`."""
    _require_edit(actor, draft)
    errors: Errors = {}
    text = clean_text(text, "text", errors)
    if part is not None and part.draft_id != draft.id:
        errors["part_id"] = ["This part belongs to another draft."]
    if parent is not None and (parent.draft_id != draft.id or parent.kind is not ParagraphKind.paragraph):
        errors["parent_id"] = ["Sub-paragraphs go under a numbered paragraph of this draft."]
    _raise(errors, "The paragraph could not be added.")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Paragraph).where(Paragraph.draft_id == draft.id))
    if count >= MAX_PARAGRAPHS:
        raise ValidationFailed(f"A draft has at most {MAX_PARAGRAPHS:,} paragraphs.", {"text": ["Draft is full."]})
    if parent is not None:
        paragraph = _new_paragraph(draft, actor, None, parent, ParagraphKind.subparagraph, text, 10**6)
    else:
        if part is None:  # "at the end of the text": in its last part, if it has parts
            part = db.session.scalars(queries.parts_of_draft(draft.id).order_by(None).order_by(
                Part.position.desc(), Part.id.desc()).limit(1)).first()
        paragraph = _new_paragraph(draft, actor, part, None, ParagraphKind.paragraph, text, 10**6)
    db.session.flush()
    relabel(draft)
    _structure_changed(actor, draft, "draft.add_paragraph", {"paragraph_id": paragraph.id, "label": paragraph.label})
    return paragraph


def edit_paragraph(actor: Any, paragraph: Paragraph, *, text: str) -> Paragraph:
    draft = db.session.get(Draft, paragraph.draft_id)
    _require_edit(actor, draft)
    errors: Errors = {}
    text = clean_text(text, "text", errors)
    _raise(errors, "The paragraph could not be saved.")
    _set_original_text(paragraph, draft, text)
    _structure_changed(actor, draft, "draft.edit_paragraph", {"paragraph_id": paragraph.id, "label": paragraph.label})
    return paragraph


def remove_paragraph(actor: Any, paragraph: Paragraph) -> None:
    draft = db.session.get(Draft, paragraph.draft_id)
    _require_edit(actor, draft)
    payload = {"paragraph_id": paragraph.id, "label": paragraph.label}
    db.session.delete(paragraph)
    db.session.flush()
    relabel(draft)
    _structure_changed(actor, draft, "draft.remove_paragraph", payload)


def open_draft(actor: Any, draft: Draft) -> Draft:
    """Open the draft for amendments: from now on its labels are stable (rule 16)."""
    _require_edit(actor, draft)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Paragraph).where(
        Paragraph.draft_id == draft.id, Paragraph.kind != ParagraphKind.preamble))
    if not count:
        raise InvalidState("Add at least one paragraph before opening the draft for amendments.")
    draft.state = DraftState.negotiation
    draft.opened_at = utcnow()
    _structure_changed(actor, draft, "draft.open", {"paragraphs": count})
    return draft


# --- texts in other languages -------------------------------------------------------------------------

def set_translation(actor: Any, paragraph: Paragraph, *, language: str, text: str) -> ParagraphText:
    """A paragraph's text in another of the meeting's languages, aligned with the original.

    A new version never overwrites the old one: amendments written on it keep naming their base, and
    those the change touches are re-based or flagged like after an adoption (rule 25).
    """
    draft = db.session.get(Draft, paragraph.draft_id)
    if not permissions.can_translate_draft(actor, draft):
        raise NotAllowed("Only the meeting secretariat adds the texts in other languages.")
    meeting = db.session.get(Meeting, draft.meeting_id)
    errors: Errors = {}
    if language not in LANGUAGES or language not in meeting.language_list:
        errors["language"] = ["Choose one of the meeting's languages."]
    elif language == draft.original_language:
        errors["language"] = ["The original text changes only through amendments; choose another language."]
    text = clean_text(text, "text", errors)
    _raise(errors, "The text could not be saved.")
    current = queries.current_text(paragraph.id, language)
    if current is not None and current.text == text:
        raise ValidationFailed("The text is the same as the current one.", {"text": ["Nothing changed."]})
    version = (current.version + 1) if current else 1
    new = ParagraphText(paragraph_id=paragraph.id, language=language, version=version, text=text,
                        created_by_id=actor.id)
    db.session.add(new)
    db.session.flush()
    if current is not None:
        text_changed(actor, paragraph, language, current.text, text, version, cause=None)
    record(actor, "paragraph.translate", paragraph, {"label": paragraph.label, "language": language,
                                                     "version": version}, meeting_id=draft.meeting_id)
    publish_draft(draft, "paragraph.changed", {"paragraph_id": paragraph.id, "action": "translate",
                                               "language": language})
    return new


# --- rule 25: what a change of the text does to the amendments written on it ------------------------

def flag(actor: Any, amendment: Amendment, reason: str, cause: Amendment | None) -> None:
    """Flag for the Chair: the amendment's words were changed; it is declared fallen or re-based."""
    if amendment.flagged:
        return
    amendment.flagged = True
    amendment.flag_reason = reason
    amendment.flagged_by_id = cause.id if cause else None
    amendment_event(amendment, actor, "flag", from_state=amendment.state,
                    data={"reason": reason, "cause": cause.id if cause else None})
    publish_amendment(amendment, "flag")


def _carry_over(actor: Any, amendment: Amendment, old_target: str, new_target: str, new_version: int,
                cause: Amendment | None) -> None:
    """Re-base one live amendment (and its sub-amendments) from `old_target` onto `new_target`."""
    if amendment.flagged:
        return
    if amendment.kind is AmendmentKind.delete:
        amendment.base_text, amendment.base_version = new_target, new_version
        return
    merged = diff.rebase(amendment.base_text, new_target, amendment.text)
    if amendment.text == new_target or merged == new_target:
        flag(actor, amendment, "change_already_made", cause)
        return
    if merged is None:
        flag(actor, amendment, "words_changed", cause)
        return
    before = amendment.text
    amendment.base_text, amendment.base_version, amendment.text = new_target, new_version, merged
    amendment.diff = diff.word_diff(new_target, merged)
    amendment.revision += 1
    amendment_event(amendment, actor, "rebase_automatic", from_state=amendment.state,
                    data={"base_version": new_version, "cause": cause.id if cause else None})
    publish_amendment(amendment, "rebase")
    for sub in queries.sub_amendments_of(amendment.id, LIVE):
        _carry_over(actor, sub, before, merged, amendment.revision, cause)


def text_changed(actor: Any, paragraph: Paragraph, language: str, old: str, new: str, version: int,
                 cause: Amendment | None) -> None:
    """The paragraph's `language` text went from `old` to `new`: carry the live amendments over, or
    flag those whose words were deleted or replaced, and those written in another language (their
    text no longer matches what was agreed). Nothing falls silently."""
    for other in queries.live_amendments_on(paragraph.id):
        if other.parent_id is not None or (cause is not None and other.id == cause.id):
            continue
        if other.kind is AmendmentKind.insert_after:
            continue  # it adds after the paragraph; the paragraph's words are not its target
        if other.language != language:
            if cause is not None and other.kind is AmendmentKind.modify:
                flag(actor, other, "other_language_changed", cause)
            continue
        _carry_over(actor, other, old, new, version, cause)


# --- paragraph decisions (rules 17 and 29) ------------------------------------------------------------

PARAGRAPH_MOVES: dict[ParagraphState, set[ParagraphState]] = {
    ParagraphState.pending: {ParagraphState.under_discussion, ParagraphState.deferred, ParagraphState.bracketed},
    ParagraphState.under_discussion: {ParagraphState.adopted, ParagraphState.adopted_as_amended,
                                      ParagraphState.deleted, ParagraphState.deferred, ParagraphState.bracketed},
    ParagraphState.deferred: {ParagraphState.under_discussion},
    ParagraphState.bracketed: {ParagraphState.under_discussion},
    ParagraphState.adopted: {ParagraphState.under_discussion},
    ParagraphState.adopted_as_amended: {ParagraphState.under_discussion},
    ParagraphState.deleted: {ParagraphState.under_discussion},
}


def decide_paragraph(actor: Any, paragraph: Paragraph, state: ParagraphState | str, *, note: str = "") -> Paragraph:
    """Record what the Chair declared about a paragraph: taken up, deferred, bracketed, adopted
    (as amended), deleted, or reopened — the last only with the body's agreement, recorded.

    The software records; nothing is adopted automatically.
    """
    draft = db.session.get(Draft, paragraph.draft_id)
    if not permissions.can_decide_paragraph(actor, draft):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, decides on paragraphs.")
    try:
        target = ParagraphState(state)
    except ValueError as exc:
        raise ValidationFailed("Unknown decision.", {"state": ["Choose a decision."]}) from exc
    current = paragraph.state
    if target not in PARAGRAPH_MOVES[current]:
        raise InvalidState(f"Paragraph {paragraph.label} is {current.value.replace('_', ' ')}: it cannot become "
                           f"{target.value.replace('_', ' ')} from there.")
    note = diff.normalise(note)
    if len(note) > 2000:
        raise ValidationFailed("The note is too long.", {"note": ["Use at most 2,000 characters."]})
    reopening = current in PARAGRAPH_SETTLED
    if reopening and not note:
        raise ValidationFailed("Reopening an adopted paragraph needs the body's agreement: record it.",
                               {"note": ["Record how the body agreed to reopen the paragraph (rule 29)."]})
    if target in PARAGRAPH_SETTLED:
        pending = [a for a in queries.live_amendments_on(paragraph.id) if a.state in PENDING]
        if pending:
            numbers = ", ".join(amendment_label(draft, a) for a in pending)
            raise InvalidState(f"Amendments to paragraph {paragraph.label} are still before the body ({numbers}): "
                               "dispose of them first.", amendments=[a.id for a in pending])
        adopted = db.session.scalar(sa.select(sa.func.count()).select_from(Amendment).where(
            Amendment.paragraph_id == paragraph.id, Amendment.parent_id.is_(None),
            Amendment.kind == AmendmentKind.modify, Amendment.state.in_(ADOPTED)))
        if target is ParagraphState.adopted_as_amended and not adopted:
            raise InvalidState(f"No amendment to paragraph {paragraph.label} was adopted: it is adopted as it stands.")
        if target is ParagraphState.adopted and adopted:
            raise InvalidState(f"Amendments to paragraph {paragraph.label} were adopted: it is adopted as amended.")
    chair = for_chair(actor, draft.meeting_id)
    paragraph.state = target
    action = "reopen" if reopening else "decide"
    paragraph_event(paragraph, actor, action, from_state=current, to_state=target, note=note, chair=chair)
    if target in PARAGRAPH_SETTLED:
        for other in queries.live_amendments_on(paragraph.id):
            if other.kind is not AmendmentKind.insert_after and other.parent_id is None:
                flag(actor, other, "paragraph_settled", None)
    record(actor, f"paragraph.{action}", paragraph, {"label": paragraph.label, "from": current.value,
                                                    "to": target.value, "note": note},
           meeting_id=draft.meeting_id, for_chair=chair)
    publish_draft(draft, "paragraph.changed", {"paragraph_id": paragraph.id, "action": action,
                                               "state": target.value})
    return paragraph


def amendment_label(draft: Draft, amendment: Amendment) -> str:
    return f"{draft.amendment_prefix}.{amendment.number}" if amendment.number else f"#{amendment.id}"


# --- drafting groups (rule 18) ------------------------------------------------------------------------

def create_drafting_group(actor: Any, draft: Draft, *, name: str, participant_ids: list[int],
                          mandate: str = "") -> DraftingGroup:
    """A small named tripartite group with its own space; its members see and write there alone."""
    if not permissions.can_manage_drafting_groups(actor, draft):
        raise NotAllowed("Only the meeting secretariat sets up drafting groups.")
    errors: Errors = {}
    name = clean_text(name, "name", errors, limit=150, missing="Name the drafting group.")
    mandate = clean_text(mandate, "mandate", errors, limit=2000, required=False)
    ids = list(dict.fromkeys(participant_ids))
    members = list(db.session.scalars(sa.select(Participant).where(
        Participant.id.in_(ids), Participant.meeting_id == draft.meeting_id, Participant.removed_at.is_(None))))
    if len(members) != len(ids):
        errors.setdefault("participant_ids", []).append("Choose participants of this meeting.")
    if any(m.capacity in (Capacity.observer, Capacity.secretariat) for m in members):
        errors.setdefault("participant_ids", []).append("Observers and the secretariat are not members of a drafting "
                                                        "group.")
    groups = {m.group for m in members}
    if not {Group.government, Group.employer, Group.worker} <= groups:
        errors.setdefault("participant_ids", []).append("A drafting group is tripartite: name Government, Employer "
                                                        "and Worker members.")
    if len(ids) > MAX_DRAFTING_GROUP:
        errors.setdefault("participant_ids", []).append(f"A drafting group is small: at most {MAX_DRAFTING_GROUP}.")
    _raise(errors, "The drafting group could not be set up.")
    space = Space(meeting_id=draft.meeting_id, kind=SpaceKind.drafting, name=f"Drafting group: {name}")
    db.session.add(space)
    db.session.flush()
    for m in members:
        db.session.add(SpaceMember(space_id=space.id, participant_id=m.id))
    group = DraftingGroup(draft_id=draft.id, space_id=space.id, name=name, mandate=mandate, created_by_id=actor.id)
    db.session.add(group)
    db.session.flush()
    db.session.refresh(space)
    record(actor, "space.create", space, {"kind": "drafting", "name": space.name}, meeting_id=draft.meeting_id)
    record(actor, "drafting_group.create", group, {"name": name, "members": sorted(ids)},
           meeting_id=draft.meeting_id)
    from forum import realtime

    meeting = db.session.get(Meeting, draft.meeting_id)
    realtime.bump_version(meeting)
    realtime.publish(realtime.room("meeting", meeting.id), "meeting.spaces_changed", {"meeting_id": meeting.id},
                     version=meeting.version)
    publish_draft(draft, "draft.changed", {"action": "drafting_group"})
    return group


def refer_paragraphs(actor: Any, group: DraftingGroup, paragraph_ids: list[int]) -> list[Paragraph]:
    """Give paragraphs to a drafting group to rework; it returns a proposed text as an amendment."""
    draft = db.session.get(Draft, group.draft_id)
    if not permissions.can_manage_drafting_groups(actor, draft):
        raise NotAllowed("Only the meeting secretariat refers paragraphs to a drafting group.")
    if not draft.open_for_amendments:
        raise InvalidState("Open the draft for amendments first.")
    paragraphs = list(db.session.scalars(sa.select(Paragraph).where(
        Paragraph.id.in_(paragraph_ids), Paragraph.draft_id == draft.id)))
    if not paragraphs or len(paragraphs) != len(set(paragraph_ids)):
        raise ValidationFailed("Choose paragraphs of this draft.", {"paragraph_ids": ["Choose paragraphs."]})
    settled = [p.label for p in paragraphs if p.state in PARAGRAPH_SETTLED]
    if settled:
        raise InvalidState(f"Paragraph {', '.join(settled)} is already decided.")
    for p in paragraphs:
        p.drafting_group_id = group.id
        paragraph_event(p, actor, "refer", to_state=p.state, note=group.name)
    record(actor, "drafting_group.refer", group, {"paragraphs": [p.label for p in paragraphs]},
           meeting_id=draft.meeting_id)
    publish_draft(draft, "draft.changed", {"action": "refer", "drafting_group_id": group.id})
    return paragraphs


# --- optional line numbers ----------------------------------------------------------------------------

def line_numbering(meeting: Meeting) -> tuple[bool, int]:
    settings = meeting.settings or {}
    return bool(settings.get("draft_line_numbers")), int(settings.get("draft_line_length") or LINE_LENGTH_DEFAULT)


def set_line_numbering(actor: Any, meeting: Meeting, *, enabled: bool, line_length: int | None) -> None:
    """A meeting setting: number the lines of its drafts (off by default), at a given line length."""
    if not permissions.can_change_line_numbering(actor, meeting):
        raise NotAllowed("Only the meeting secretariat changes how drafts are shown.")
    length = line_length or LINE_LENGTH_DEFAULT
    if not 30 <= length <= 200:
        raise ValidationFailed("Choose a line length between 30 and 200 characters.",
                               {"line_length": ["Between 30 and 200 characters."]})
    meeting.settings = {**(meeting.settings or {}), "draft_line_numbers": bool(enabled), "draft_line_length": length}
    record(actor, "meeting.line_numbers", meeting, {"enabled": bool(enabled), "line_length": length},
           meeting_id=meeting.id)
    from forum import realtime

    realtime.publish(realtime.room("meeting", meeting.id), "drafts.changed",
                     {"room": realtime.room("meeting", meeting.id), "action": "line_numbers"})


def next_label(draft: Draft, target: Paragraph) -> str:
    """Rule 16: the label of a new paragraph after `target` — 5bis, then 5ter, …"""
    base = target.label
    for suffix in LATIN_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    taken = set(db.session.scalars(sa.select(Paragraph.label).where(Paragraph.draft_id == draft.id)))
    for suffix in LATIN_SUFFIXES:
        if f"{base}{suffix}" not in taken:
            return f"{base}{suffix}"
    n = len(LATIN_SUFFIXES) + 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def insert_paragraph_after(actor: Any, draft: Draft, target: Paragraph, text: str, language: str,
                           amendment: Amendment) -> Paragraph:
    """The paragraph an adopted insert_after amendment creates: labelled after its target, placed
    right after it (and its sub-paragraphs), pending the Chair's decision on it."""
    descendants = list(db.session.scalars(sa.select(Paragraph).where(Paragraph.parent_id == target.id)))
    last = max([target.position, *(d.position for d in descendants)])
    db.session.execute(sa.update(Paragraph).where(Paragraph.draft_id == draft.id, Paragraph.position > last)
                       .values(position=Paragraph.position + 1))
    kind = ParagraphKind.subparagraph if target.kind is ParagraphKind.subparagraph else ParagraphKind.paragraph
    if target.kind is ParagraphKind.preamble:
        kind = ParagraphKind.paragraph
    paragraph = Paragraph(draft_id=draft.id, part_id=target.part_id, parent_id=target.parent_id, kind=kind,
                          label=next_label(draft, target), position=last + 1, state=ParagraphState.pending)
    db.session.add(paragraph)
    db.session.flush()
    db.session.add(ParagraphText(paragraph_id=paragraph.id, language=language, version=1, text=text,
                                 amendment_id=amendment.id, created_by_id=getattr(actor, "id", None)))
    paragraph_event(paragraph, actor, "insert", to_state=ParagraphState.pending,
                    note=amendment_label(draft, amendment))
    return paragraph
