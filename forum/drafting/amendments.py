"""The amendment workflow (PROCEDURE.md §5, rules 19–26).

draft → submitted → (returned ↔ submitted) → validated → circulated → under discussion →
adopted | adopted as sub-amended | rejected | withdrawn | fell | not seconded | not moved | merged.

Who moves each step is rule 23: the movers file, submit and withdraw; the secretariat validates,
returns and circulates, and records oral amendments and seconders from the floor; the Chair (or
the secretariat on the Chair's behalf, recorded "for the Chair") takes amendments up and declares
their outcomes. The software records and never decides: an adoption changes the text because the
Chair declared it, and what that adoption does to other amendments is flagged, not settled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pycountry
import sqlalchemy as sa

from forum import permissions
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting import diff, marshalling, queries
from forum.drafting.drafts import (
    amendment_event,
    amendment_label,
    clean_text,
    flag,
    for_chair,
    insert_paragraph_after,
    paragraph_event,
    text_changed,
)
from forum.drafting.events import audience, publish_amendment, publish_draft
from forum.drafting.models import (
    ADOPTED,
    LANGUAGES,
    LIVE,
    PARAGRAPH_SETTLED,
    PENDING,
    Amendment,
    AmendmentKind,
    AmendmentSeconder,
    AmendmentSponsor,
    AmendmentState,
    Compilation,
    Draft,
    DraftingGroup,
    Mover,
    MoverKind,
    Paragraph,
    ParagraphState,
    ParagraphText,
)
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import (
    Capacity,
    DeadlineKind,
    Group,
    Meeting,
    Participant,
    RegionalGroup,
    Space,
    SpaceKind,
)

MAX_EXPLANATION = 5000
MAX_MESSAGE = 2000
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish"}
AMENDMENT_RETURNED = "amendment.returned"
Errors = dict[str, list[str]]
DECIDABLE = frozenset({AmendmentState.adopted, AmendmentState.adopted_as_sub_amended, AmendmentState.rejected,
                       AmendmentState.fell, AmendmentState.not_seconded, AmendmentState.not_moved,
                       AmendmentState.merged})


# --- movers (rule 19) ---------------------------------------------------------------------------------

def represented_states(meeting_id: int) -> set[str]:
    """States with a Government participant (not an observer) in the meeting."""
    return set(db.session.scalars(sa.select(Participant.member_state).where(
        Participant.meeting_id == meeting_id, Participant.group == Group.government,
        Participant.capacity != Capacity.observer, Participant.removed_at.is_(None),
        Participant.member_state.is_not(None))))


def check_mover(draft: Draft, mover: Mover) -> Mover:
    """The mover as named by the filer, checked and normalised; bad names are field errors."""
    errors: Errors = {}
    if not isinstance(mover, Mover) or not isinstance(mover.kind, MoverKind):
        raise ValidationFailed("Say in whose name the amendment is moved.", {"mover": ["Choose a mover."]})
    states = tuple(dict.fromkeys((s or "").strip().upper() for s in mover.states if (s or "").strip()))
    non_supporting = tuple(dict.fromkeys((s or "").strip().upper() for s in mover.non_supporting
                                         if (s or "").strip()))
    kind = mover.kind
    if kind in (MoverKind.state, MoverKind.co_sponsored):
        represented = represented_states(draft.meeting_id)
        unknown = [s for s in states if s not in represented]
        if unknown:
            errors["states"] = [f"Not a State represented in this meeting: {', '.join(unknown)}."]
        if kind is MoverKind.state and len(states) != 1:
            errors.setdefault("states", []).append("An amendment of one State names that State.")
        if kind is MoverKind.co_sponsored and len(states) < 2:
            errors.setdefault("states", []).append("Co-sponsored amendments name at least two States.")
        non_supporting = ()
    elif kind is MoverKind.regional_group:
        group = db.session.get(RegionalGroup, mover.regional_group_id) if mover.regional_group_id else None
        if group is None:
            errors["regional_group_id"] = ["Choose the regional group."]
        else:
            outside = [s for s in non_supporting if s not in group.state_codes]
            if outside:
                errors["non_supporting"] = [f"Not members of {group.name}: {', '.join(outside)}."]
        states = ()
    elif kind is MoverKind.drafting_group:
        group = db.session.get(DraftingGroup, mover.drafting_group_id) if mover.drafting_group_id else None
        if group is None or group.draft_id != draft.id:
            errors["drafting_group_id"] = ["Choose a drafting group of this draft."]
        states, non_supporting = (), ()
    else:
        states, non_supporting = (), ()
    if errors:
        raise ValidationFailed("The movers could not be accepted.", errors)
    return Mover(kind=kind, states=states, regional_group_id=mover.regional_group_id if kind is
                 MoverKind.regional_group else None, non_supporting=non_supporting,
                 drafting_group_id=mover.drafting_group_id if kind is MoverKind.drafting_group else None)


def refusal(p: Participant | None, mover: Mover) -> str:
    """Why `p` may not act in `mover`'s name, in the words of rule 19."""
    if p is None:
        return "Only participants of the meeting file amendments."
    if p.capacity is Capacity.observer:
        return "Observers do not file amendments."
    if p.capacity is Capacity.secretariat:
        return "The secretariat does not file amendments; it records oral amendments moved in the sitting."
    kind = mover.kind
    if kind in (MoverKind.employer_group, MoverKind.worker_group, MoverKind.joint):
        if p.group in (Group.employer, Group.worker):
            return ("The Employers' and Workers' groups file amendments through their group secretary or "
                    "spokesperson; members do not file in their own name.")
        return "Only the Employers' or Workers' group files in its name."
    if kind in (MoverKind.state, MoverKind.co_sponsored):
        if p.group is not Group.government:
            if p.group in (Group.employer, Group.worker):
                return ("Employer and Worker members do not file amendments in their own name: their group "
                        "files through its secretary or spokesperson.")
            return "Only a State's Government participants file in its name."
        return "A Government participant files for their own State (co-sponsors are listed with it)."
    if kind is MoverKind.regional_group:
        return "Only the regional group's coordinator files on its behalf."
    if kind is MoverKind.drafting_group:
        return "Only the drafting group's members file its proposed text."
    return "You may not file amendments in this name."


def _set_movers(amendment: Amendment, mover: Mover) -> None:
    amendment.mover_kind = mover.kind
    amendment.regional_group_id = mover.regional_group_id
    amendment.non_supporting = list(mover.non_supporting)
    amendment.drafting_group_id = mover.drafting_group_id
    amendment.sponsors.clear()
    db.session.flush()
    for position, state in enumerate(mover.states):
        amendment.sponsors.append(AmendmentSponsor(position=position, member_state=state))
    for position, group in enumerate(mover.groups, start=len(mover.states)):
        amendment.sponsors.append(AmendmentSponsor(position=position, group=group))


def home_space_id(amendment: Amendment) -> int | None:
    """The space an unsubmitted amendment belongs to (for the audit's redaction, rule 11)."""
    kind = amendment.mover_kind
    stmt = sa.select(Space.id).where(Space.meeting_id == amendment.draft.meeting_id)
    if kind in (MoverKind.state, MoverKind.co_sponsored):
        states = amendment.mover.states
        if not states:
            return None
        stmt = stmt.where(Space.kind == SpaceKind.delegation, Space.member_state == states[0])
    elif kind is MoverKind.regional_group:
        stmt = stmt.where(Space.kind == SpaceKind.regional, Space.regional_group_id == amendment.regional_group_id)
    elif kind in (MoverKind.employer_group, MoverKind.joint):
        stmt = stmt.where(Space.kind == SpaceKind.group, Space.group == Group.employer)
    elif kind is MoverKind.worker_group:
        stmt = stmt.where(Space.kind == SpaceKind.group, Space.group == Group.worker)
    elif kind is MoverKind.drafting_group and amendment.drafting_group is not None:
        return amendment.drafting_group.space_id
    else:
        return None
    return db.session.scalars(stmt.limit(1)).first()


def _audit(actor: Any, action: str, amendment: Amendment, payload: dict[str, Any], *, chair: bool = False) -> None:
    """Before submission an amendment is its movers' space's business; after, the meeting's."""
    space_id = home_space_id(amendment) if amendment.state is AmendmentState.draft else None
    record(actor, action, amendment, {"number": amendment.number, "state": amendment.state.value, **payload},
           meeting_id=amendment.draft.meeting_id, space_id=space_id, for_chair=chair)


# --- shared checks -------------------------------------------------------------------------------------

def _local(meeting: Meeting, instant: datetime) -> str:
    return instant.astimezone(ZoneInfo(meeting.timezone)).strftime("%d %B %Y at %H:%M")


def check_deadline(meeting: Meeting, *, sub_amendment: bool, at: datetime) -> None:
    """Rule 21: written amendments and sub-amendments are filed before the programme's deadline."""
    kind = DeadlineKind.sub_amendments if sub_amendment else DeadlineKind.amendments
    deadline = queries.deadline_of(meeting.id, kind)
    if deadline is not None and at > deadline.due_at:
        what = "sub-amendments" if sub_amendment else "amendments"
        raise InvalidState(f"The deadline for written {what} passed on {_local(meeting, deadline.due_at)} "
                           f"({meeting.timezone} time).", deadline=deadline.due_at.isoformat())


def _check_target(draft: Draft, paragraph: Paragraph, kind: AmendmentKind, language: str,
                  parent: Amendment | None, *, oral: bool = False) -> None:
    if paragraph.draft_id != draft.id:
        raise ValidationFailed("This paragraph belongs to another draft.",
                               {"paragraph_id": ["Choose a paragraph of this draft."]})
    if language not in LANGUAGES:
        raise ValidationFailed("Amendments are written in English, French or Spanish.",
                               {"language": ["Choose English, French or Spanish."]})
    if parent is not None:
        if parent.draft_id != draft.id or parent.paragraph_id != paragraph.id:
            raise ValidationFailed("A sub-amendment amends an amendment to the same paragraph.",
                                   {"parent_id": ["Choose an amendment to this paragraph."]})
        if parent.parent_id is not None:
            raise ValidationFailed("A sub-amendment cannot itself be sub-amended.",
                                   {"parent_id": ["Amend the amendment itself."]})
        label = amendment_label(draft, parent)
        if oral and parent.state is not AmendmentState.under_discussion:
            raise InvalidState(f"Amendment {label} is not under discussion: an oral sub-amendment is moved "
                               "while its amendment is discussed.")
        if parent.state not in PENDING:
            raise InvalidState(f"Amendment {label} is not under discussion (it is "
                               f"{parent.state.value.replace('_', ' ')}): only an amendment before the body "
                               "can be sub-amended.")
        if parent.kind is AmendmentKind.delete:
            raise ValidationFailed("An amendment deleting a paragraph has no words to sub-amend.",
                                   {"parent_id": ["Choose an amendment that changes or adds words."]})
        if kind is not AmendmentKind.modify:
            raise ValidationFailed("A sub-amendment changes the words of the amendment it amends.",
                                   {"kind": ["Edit the amendment's text."]})
        if language != parent.language:
            raise ValidationFailed(f"A sub-amendment is written in the language of its amendment "
                                   f"({LANGUAGE_NAMES[parent.language]}).", {"language": ["Use the same language."]})
        return
    if kind is not AmendmentKind.insert_after and paragraph.state in PARAGRAPH_SETTLED:
        state = "deleted" if paragraph.state is ParagraphState.deleted else "adopted"
        raise InvalidState(f"Paragraph {paragraph.label} has been {state}: it can be amended only if the body "
                           "agrees to reopen it.")


def _check_referred(mover: Mover, paragraph: Paragraph) -> None:
    """Rule 18: a drafting group returns texts for the paragraphs given to it, and for no other."""
    if mover.kind is MoverKind.drafting_group and paragraph.drafting_group_id != mover.drafting_group_id:
        raise ValidationFailed("This paragraph has not been referred to the drafting group: a drafting group "
                               "proposes texts only for the paragraphs given to it.",
                               {"paragraph_id": ["Choose a paragraph referred to the drafting group."]})


def _target_text(paragraph: Paragraph, language: str, parent: Amendment | None) -> tuple[str, int]:
    """The text an amendment is written on: the paragraph's current text in that language, or the
    text of the amendment a sub-amendment amends."""
    if parent is not None:
        return parent.text, parent.revision
    current = queries.current_text(paragraph.id, language)
    if current is None:
        have = sorted({t.language for t in db.session.scalars(
            sa.select(ParagraphText).where(ParagraphText.paragraph_id == paragraph.id))})
        available = ", ".join(LANGUAGE_NAMES[c] for c in have) or "none"
        raise ValidationFailed(
            f"Paragraph {paragraph.label} has no {LANGUAGE_NAMES.get(language, language)} text yet; write the "
            f"amendment in a language the text exists in ({available}).",
            {"language": [f"No {LANGUAGE_NAMES.get(language, language)} text of this paragraph yet."]})
    return current.text, current.version


def _content(kind: AmendmentKind, base: str, text: str | None, explanation: str | None, *,
             explanation_required: bool = True) -> tuple[str, str, diff.Runs]:
    errors: Errors = {}
    explanation = clean_text(explanation, "explanation", errors, limit=MAX_EXPLANATION,
                             required=explanation_required, missing="Explain the amendment's purpose.")
    if kind is AmendmentKind.delete:
        new, runs = "", [{"op": "delete", "text": base}]
    elif kind is AmendmentKind.insert_after:
        new = clean_text(text, "text", errors, missing="Enter the text of the new paragraph.")
        runs = [{"op": "insert", "text": new}]
    else:
        new = clean_text(text, "text", errors, missing="Edit the text as you want it to read; to remove the "
                                                       "whole paragraph, propose deleting it.")
        if new and new == base:
            errors.setdefault("text", []).append("The text is identical to the current text: change some words.")
        runs = diff.word_diff(base, new)
    if errors:
        raise ValidationFailed("The amendment could not be saved.", errors)
    return new, explanation, runs


def _kind(value: AmendmentKind | str) -> AmendmentKind:
    try:
        return AmendmentKind(value)
    except ValueError as exc:
        raise ValidationFailed("Choose what the amendment does.", {"kind": ["Modify, delete or insert after."]}) \
            from exc


def _lock_draft(draft: Draft) -> None:
    """Numbers and compilations are per draft: writers take the draft's row in turn (PostgreSQL)."""
    db.session.execute(sa.select(Draft.id).where(Draft.id == draft.id).with_for_update())


def _stale(amendment: Amendment) -> bool:
    """Was the amendment written on a text that has changed since (rule 25)?"""
    if amendment.kind is AmendmentKind.insert_after:
        return False
    if amendment.parent_id is not None:
        parent = amendment.parent
        return parent is None or parent.revision != amendment.base_version
    current = queries.current_text(amendment.paragraph_id, amendment.language)
    return current is None or current.version != amendment.base_version


# --- filing and editing (rules 19–21) ----------------------------------------------------------------

def file_amendment(actor: Any, draft: Draft, paragraph: Paragraph, *, mover: Mover, kind: AmendmentKind | str,
                   language: str, text: str = "", explanation: str = "", parent: Amendment | None = None,
                   at: datetime | None = None) -> Amendment:
    """A written amendment, saved as a draft that its movers' space sees until it is submitted."""
    at = at or utcnow()
    if not draft.open_for_amendments:
        raise InvalidState("The draft is not open for amendments yet.")
    if paragraph.draft_id != draft.id:
        raise ValidationFailed("This paragraph belongs to another draft.",
                               {"paragraph_id": ["Choose a paragraph of this draft."]})
    kind = _kind(kind)
    p = permissions.participation(actor, draft.meeting_id)
    if not permissions.can_file_amendment(actor, draft):
        raise NotAllowed(refusal(p, mover))
    mover = check_mover(draft, mover)
    if not permissions.can_file_amendment(actor, draft, mover):
        raise NotAllowed(refusal(p, mover))
    _check_target(draft, paragraph, kind, language, parent)
    _check_referred(mover, paragraph)
    meeting = db.session.get(Meeting, draft.meeting_id)
    if mover.kind is not MoverKind.drafting_group:  # a drafting group reports when it is done
        check_deadline(meeting, sub_amendment=parent is not None, at=at)
    base, base_version = _target_text(paragraph, language, parent)
    new, explanation, runs = _content(kind, base, text, explanation)
    amendment = Amendment(
        draft_id=draft.id, paragraph_id=paragraph.id, parent_id=parent.id if parent else None, kind=kind,
        language=language, text=new, base_text=base, base_version=base_version, diff=runs, explanation=explanation,
        state=AmendmentState.draft, mover_kind=mover.kind, created_by_id=p.id if p else None)
    db.session.add(amendment)
    db.session.flush()
    _set_movers(amendment, mover)
    db.session.flush()
    amendment_event(amendment, actor, "create")
    _audit(actor, "amendment.create", amendment, {"paragraph": paragraph.label, "kind": kind.value,
                                                  "language": language})
    publish_amendment(amendment, "create")
    return amendment


def edit_amendment(actor: Any, amendment: Amendment, *, text: str = "", explanation: str = "") -> Amendment:
    """The movers change a draft or a returned amendment. One written on a text that has changed
    since is re-based onto the current text (the form shows that text)."""
    if amendment.state not in (AmendmentState.draft, AmendmentState.returned):
        raise InvalidState("Only a draft or an amendment returned for clarification can be edited.")
    if not permissions.can_edit_amendment(actor, amendment):
        raise NotAllowed("Only the amendment's movers edit it.")
    rebase = amendment.flagged or _stale(amendment)
    if rebase:
        base, base_version = _target_text(amendment.paragraph, amendment.language, amendment.parent)
    else:
        base, base_version = amendment.base_text, amendment.base_version
    new, explanation, runs = _content(amendment.kind, base, text, explanation)
    amendment.text, amendment.explanation, amendment.diff = new, explanation, runs
    amendment.base_text, amendment.base_version = base, base_version
    if rebase:
        amendment.flagged, amendment.flag_reason, amendment.flagged_by_id = False, "", None
    amendment_event(amendment, actor, "edit", from_state=amendment.state, data={"rebased": rebase})
    _audit(actor, "amendment.edit", amendment, {"rebased": rebase})
    publish_amendment(amendment, "edit")
    return amendment


def submit_amendment(actor: Any, amendment: Amendment, *, at: datetime | None = None) -> Amendment:
    """To the secretariat: numbered on first submission (D.7), before the deadline (rule 21)."""
    at = at or utcnow()
    if amendment.state not in (AmendmentState.draft, AmendmentState.returned):
        raise InvalidState("This amendment has been submitted already.")
    if not permissions.can_submit_amendment(actor, amendment):
        raise NotAllowed(refusal(permissions.participation(actor, amendment.draft.meeting_id), amendment.mover))
    draft = amendment.draft
    if amendment.kind is not AmendmentKind.insert_after and amendment.parent_id is None \
            and amendment.paragraph.state in PARAGRAPH_SETTLED:
        raise InvalidState(f"Paragraph {amendment.paragraph.label} has been decided meanwhile; it can be amended "
                           "only if the body agrees to reopen it.")
    if amendment.parent_id is not None and amendment.parent.state not in PENDING:
        raise InvalidState("The amendment it amends is no longer before the body.")
    if _stale(amendment):
        raise InvalidState("The text has changed since this amendment was written: edit it on the current text.")
    if amendment.number is None:
        if amendment.mover_kind is not MoverKind.drafting_group:
            check_deadline(db.session.get(Meeting, draft.meeting_id), sub_amendment=amendment.parent_id is not None,
                           at=at)
        _lock_draft(draft)
        amendment.number = queries.next_amendment_number(draft.id)
    before = amendment.state
    amendment.state = AmendmentState.submitted
    amendment.submitted_at = at
    amendment_event(amendment, actor, "submit", from_state=before)
    _audit(actor, "amendment.submit", amendment, {"paragraph": amendment.paragraph.label})
    publish_amendment(amendment, "submit")
    return amendment


def discard_amendment(actor: Any, amendment: Amendment) -> None:
    """An unsubmitted draft is thrown away by those who may file it (recorded in its space)."""
    if amendment.state is not AmendmentState.draft:
        raise InvalidState("Only an unsubmitted draft can be discarded; a submitted amendment is withdrawn.")
    if not permissions.can_discard_amendment(actor, amendment):
        raise NotAllowed("Only the amendment's movers discard it.")
    users = audience(amendment)
    _audit(actor, "amendment.discard", amendment, {"paragraph": amendment.paragraph.label})
    publish_amendment(amendment, "discard", audience_ids=users)
    db.session.delete(amendment)


# --- the secretariat: validation and circulation (rule 23) -------------------------------------------

def validate_amendment(actor: Any, amendment: Amendment) -> Amendment:
    if not permissions.is_secretariat(actor, amendment.draft.meeting_id):  # type: ignore[arg-type]
        raise NotAllowed("Only the meeting secretariat validates amendments.")
    if amendment.state is not AmendmentState.submitted:
        raise InvalidState("Only a submitted amendment can be validated.")
    amendment.state = AmendmentState.validated
    amendment_event(amendment, actor, "validate", from_state=AmendmentState.submitted)
    _audit(actor, "amendment.validate", amendment, {})
    publish_amendment(amendment, "validate")
    return amendment


def return_amendment(actor: Any, amendment: Amendment, *, message: str) -> Amendment:
    """Back to the movers for clarification, with the secretariat's message (they are notified)."""
    if not permissions.is_secretariat(actor, amendment.draft.meeting_id):  # type: ignore[arg-type]
        raise NotAllowed("Only the meeting secretariat returns amendments for clarification.")
    if amendment.state is not AmendmentState.submitted:
        raise InvalidState("Only a submitted amendment can be returned for clarification.")
    errors: Errors = {}
    message = clean_text(message, "message", errors, limit=MAX_MESSAGE, missing="Say what needs clarifying.")
    if errors:
        raise ValidationFailed("The amendment could not be returned.", errors)
    amendment.state = AmendmentState.returned
    amendment_event(amendment, actor, "return", from_state=AmendmentState.submitted, note=message)
    _audit(actor, "amendment.return", amendment, {"message": message})
    from forum.meetings.notifications import notify

    draft = amendment.draft
    for user_id in mover_user_ids(amendment):
        notify(user_id, draft.meeting_id, AMENDMENT_RETURNED, {
            "draft_id": draft.id, "meeting_id": draft.meeting_id, "amendment_id": amendment.id,
            "amendment": amendment_label(draft, amendment), "symbol": draft.symbol, "message": message})
    publish_amendment(amendment, "return")
    return amendment


def mover_user_ids(amendment: Amendment) -> list[int]:
    """The users who act for the amendment's movers, and whoever filed it."""
    people = db.session.scalars(sa.select(Participant).where(
        Participant.meeting_id == amendment.draft.meeting_id, Participant.removed_at.is_(None)))
    mover = amendment.mover
    return sorted({p.user_id for p in people
                   if p.id == amendment.created_by_id or permissions.acts_for_mover(p, mover)})


def circulate_amendments(actor: Any, draft: Draft, *, at: datetime | None = None) -> Compilation:
    """Make every validated amendment public at once, as a numbered compilation in marshalled order."""
    at = at or utcnow()
    if not permissions.is_secretariat(actor, draft.meeting_id):  # type: ignore[arg-type]
        raise NotAllowed("Only the meeting secretariat circulates amendments.")
    if not draft.open_for_amendments:
        raise InvalidState("The draft is not open for amendments.")
    _lock_draft(draft)
    waiting = list(db.session.scalars(sa.select(Amendment).where(
        Amendment.draft_id == draft.id, Amendment.state == AmendmentState.validated).order_by(Amendment.number)))
    if not waiting:
        raise InvalidState("No validated amendment is waiting to be circulated.")
    number = (db.session.scalar(sa.select(sa.func.max(Compilation.number)).where(
        Compilation.draft_id == draft.id)) or 0) + 1
    compilation = Compilation(draft_id=draft.id, number=number, circulated_at=at, circulated_by_id=actor.id)
    db.session.add(compilation)
    db.session.flush()
    for amendment in waiting:
        amendment.state = AmendmentState.circulated
        amendment.circulated_at = at
        amendment.compilation_id = compilation.id
        amendment_event(amendment, actor, "circulate", from_state=AmendmentState.validated,
                        data={"compilation": number})
    record(actor, "amendments.circulate", compilation,
           {"draft": draft.symbol, "number": number, "amendments": [amendment_label(draft, a) for a in waiting]},
           meeting_id=draft.meeting_id)
    publish_draft(draft, "amendments.circulated", {"compilation": number, "amendment_ids": [a.id for a in waiting]})
    return compilation


# --- seconding (rule 22) ------------------------------------------------------------------------------

def _check_seconder(p: Participant | None, amendment: Amendment) -> None:
    label = amendment_label(amendment.draft, amendment)
    if amendment.state not in PENDING:
        raise InvalidState(f"Amendment {label} is not before the body: it cannot be seconded now.")
    if not amendment.needs_seconder:
        raise InvalidState("Amendments of a group, of both groups jointly, of several States or of a drafting "
                           "group count as seconded (rule 22).")
    if not permissions.is_voting_member(p, amendment.draft.meeting):
        raise NotAllowed("Only a voting member seconds: a State through its Government delegation, or an Employer "
                         "or Worker regular member.")
    assert p is not None
    if p.group is Group.government and p.member_state in amendment.mover.states:
        raise NotAllowed("An amendment is seconded by another member: you cannot second your own State's "
                         "amendment.")
    if permissions.seconder_key(p) in {s.key for s in amendment.seconders}:
        who = "Your State has" if p.group is Group.government else "You have"
        raise InvalidState(f"{who} already seconded amendment {label}.")


def _add_seconder(actor: Any, amendment: Amendment, p: Participant, *, from_floor: bool) -> AmendmentSeconder:
    seconder = AmendmentSeconder(key=permissions.seconder_key(p), participant_id=p.id,
                                 member_state=p.member_state if p.group is Group.government else None,
                                 group=p.group, from_floor=from_floor, recorded_by_id=actor.id)
    amendment.seconders.append(seconder)
    db.session.flush()
    return seconder


def second_amendment(actor: Any, amendment: Amendment) -> AmendmentSeconder:
    """A voting member seconds a single State's amendment in writing."""
    p = permissions.participation(actor, amendment.draft.meeting_id)
    _check_seconder(p, amendment)
    assert p is not None
    seconder = _add_seconder(actor, amendment, p, from_floor=False)
    amendment_event(amendment, actor, "second", from_state=amendment.state, data={"seconder": seconder.key})
    _audit(actor, "amendment.second", amendment, {"seconder": seconder.key})
    publish_amendment(amendment, "second")
    return seconder


def record_seconder(actor: Any, amendment: Amendment, participant: Participant) -> AmendmentSeconder:
    """The secretariat records a seconder from the floor."""
    if not permissions.is_secretariat(actor, amendment.draft.meeting_id):  # type: ignore[arg-type]
        raise NotAllowed("Only the meeting secretariat records seconders from the floor.")
    if participant.meeting_id != amendment.draft.meeting_id or not participant.active:
        raise ValidationFailed("Choose a participant of this meeting.", {"participant_id": ["Not a participant."]})
    _check_seconder(participant, amendment)
    seconder = _add_seconder(actor, amendment, participant, from_floor=True)
    amendment_event(amendment, actor, "second_from_floor", from_state=amendment.state,
                    data={"seconder": seconder.key})
    _audit(actor, "amendment.second", amendment, {"seconder": seconder.key, "from_floor": True})
    publish_amendment(amendment, "second")
    return seconder


# --- withdrawal and take-up (rule 23) ------------------------------------------------------------------

def withdraw_amendment(actor: Any, amendment: Amendment, *, note: str = "") -> Amendment:
    """Only the mover withdraws; its sub-amendments are flagged for the Chair (nothing falls silently)."""
    if amendment.state not in LIVE:
        raise InvalidState("Only an amendment not yet decided can be withdrawn.")
    if not permissions.can_withdraw_amendment(actor, amendment):
        raise NotAllowed("Only the amendment's movers withdraw it.")
    note = diff.normalise(note)[:MAX_MESSAGE]
    before = amendment.state
    amendment.state = AmendmentState.withdrawn
    amendment.withdrawn_from = before.value
    amendment_event(amendment, actor, "withdraw", from_state=before, note=note)
    for sub in queries.sub_amendments_of(amendment.id, LIVE):
        flag(actor, sub, "parent_withdrawn", amendment)
    _audit(actor, "amendment.withdraw", amendment, {"from": before.value, "note": note})
    publish_amendment(amendment, "withdraw")
    return amendment


def take_up_amendment(actor: Any, amendment: Amendment, *, mover: Mover) -> Amendment:
    """Another eligible member takes up a withdrawn, circulated amendment in their own name."""
    draft = amendment.draft
    if amendment.state is not AmendmentState.withdrawn or not amendment.is_circulated:
        raise InvalidState("Only a withdrawn amendment that was circulated can be taken up.")
    mover = check_mover(draft, mover)
    p = permissions.participation(actor, draft.meeting_id)
    if permissions.acts_for_mover(p, amendment.mover):
        raise NotAllowed("The amendment is taken up by another member than the one who withdrew it.")
    if not permissions.can_take_up_amendment(actor, amendment):
        raise NotAllowed("Only another member who may file amendments takes it up.")
    if not permissions.acts_for_mover(p, mover):
        raise NotAllowed(refusal(p, mover))
    previous = {"kind": amendment.mover_kind.value, "states": list(amendment.mover.states),
                "regional_group_id": amendment.regional_group_id}
    amendment.state = AmendmentState(amendment.withdrawn_from or AmendmentState.circulated.value)
    amendment.withdrawn_from = None
    _set_movers(amendment, mover)
    for seconder in list(amendment.seconders):
        if seconder.member_state and seconder.member_state in mover.states:
            amendment.seconders.remove(seconder)  # a State does not second its own amendment
    amendment_event(amendment, actor, "take_up", from_state=AmendmentState.withdrawn,
                    data={"previous": previous, "mover": mover.kind.value, "states": list(mover.states)})
    _audit(actor, "amendment.take_up", amendment, {"previous": previous, "mover": mover.kind.value})
    publish_amendment(amendment, "take_up")
    return amendment


# --- the Chair: discussion and outcomes (rules 23–25) ---------------------------------------------------

def _require_chair(actor: Any, amendment: Amendment) -> bool:
    if not permissions.presides(actor, amendment.draft.meeting_id):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, takes this decision.")
    if not amendment.draft.open_for_amendments:
        raise InvalidState("The draft is not open for amendments.")
    return for_chair(actor, amendment.draft.meeting_id)


def start_discussion(actor: Any, amendment: Amendment) -> Amendment:
    """The Chair takes the amendment up; a single State's amendment must have been seconded (rule 22)."""
    chair = _require_chair(actor, amendment)
    draft = amendment.draft
    label = amendment_label(draft, amendment)
    if amendment.state is not AmendmentState.circulated:
        raise InvalidState(f"Amendment {label} is {amendment.state.value.replace('_', ' ')}: only a circulated "
                           "amendment is taken up.")
    if not amendment.seconded:
        raise InvalidState(f"Amendment {label} has not been seconded and cannot be discussed (rule 22): ask for a "
                           "seconder, or declare it not seconded.")
    if amendment.flagged:
        raise InvalidState(f"The words amendment {label} targets have changed: re-base it or declare it fallen "
                           "first (rule 25).")
    if amendment.parent_id is not None and amendment.parent.state is not AmendmentState.under_discussion:
        raise InvalidState("Take up the amendment it amends first: sub-amendments are discussed within it.")
    if amendment.kind is not AmendmentKind.insert_after and amendment.paragraph.state in PARAGRAPH_SETTLED:
        raise InvalidState(f"Paragraph {amendment.paragraph.label} has been decided: declare the amendment fallen.")
    amendment.state = AmendmentState.under_discussion
    amendment_event(amendment, actor, "discuss", from_state=AmendmentState.circulated, chair=chair)
    _audit(actor, "amendment.discuss", amendment, {}, chair=chair)
    publish_amendment(amendment, "discuss")
    return amendment


def decide_amendment(actor: Any, amendment: Amendment, outcome: AmendmentState | str, *, note: str = "",
                     merged_into: Amendment | None = None, at: datetime | None = None) -> Amendment:
    """Record the outcome the Chair declared. Sub-amendments are decided before their parent, whose
    text then includes those adopted (rule 24); an adoption changes the text and flags the
    amendments whose words it deleted or replaced (rule 25). Nothing is adopted automatically."""
    at = at or utcnow()
    try:
        outcome = AmendmentState(outcome)
    except ValueError as exc:
        raise ValidationFailed("Choose an outcome.", {"outcome": ["Choose an outcome."]}) from exc
    chair = _require_chair(actor, amendment)
    draft = amendment.draft
    label = amendment_label(draft, amendment)
    if outcome is AmendmentState.withdrawn:
        raise NotAllowed("Only the mover withdraws an amendment.")
    if outcome not in DECIDABLE:
        raise ValidationFailed("Choose an outcome.", {"outcome": ["Choose an outcome."]})
    state = amendment.state
    if state not in PENDING:
        raise InvalidState(f"Amendment {label} is {state.value.replace('_', ' ')}: there is nothing to decide.")
    if outcome in (AmendmentState.adopted, AmendmentState.adopted_as_sub_amended, AmendmentState.rejected) \
            and state is not AmendmentState.under_discussion:
        raise InvalidState(f"Amendment {label} has not been taken up: take it up for discussion first.")
    if outcome is AmendmentState.not_moved and state is not AmendmentState.circulated:
        raise InvalidState(f"Amendment {label} was moved: it is under discussion.")
    if outcome is AmendmentState.not_seconded and amendment.seconded:
        raise InvalidState(f"Amendment {label} is seconded (or needs no seconder).")
    note = diff.normalise(note)
    if len(note) > MAX_MESSAGE:
        raise ValidationFailed("The note is too long.", {"note": [f"Use at most {MAX_MESSAGE:,} characters."]})
    open_subs = queries.sub_amendments_of(amendment.id, PENDING)
    if open_subs:
        numbers = ", ".join(amendment_label(draft, s) for s in open_subs)
        raise InvalidState(f"Decide its sub-amendments first ({numbers}): they come before their amendment "
                           "(rule 24).")
    adopted_subs = queries.sub_amendments_of(amendment.id, ADOPTED)
    if outcome is AmendmentState.adopted_as_sub_amended and not adopted_subs:
        raise InvalidState(f"No sub-amendment to {label} was adopted: it is adopted as it stands.")
    if outcome is AmendmentState.adopted and adopted_subs:
        raise InvalidState(f"Sub-amendments to {label} were adopted: it is adopted as sub-amended.")
    if outcome is AmendmentState.merged and (
            merged_into is None or merged_into.id == amendment.id or merged_into.draft_id != draft.id
            or merged_into.paragraph_id != amendment.paragraph_id or merged_into.state not in PENDING):
        raise ValidationFailed("Name the amendment to the same paragraph it was merged into.",
                                   {"merged_into": ["Choose an amendment before the body on this paragraph."]})
    adopting = outcome in ADOPTED
    if adopting:
        if amendment.flagged:
            raise InvalidState(f"The words amendment {label} targets have changed: re-base it or declare it fallen "
                               "(rule 25).")
        if amendment.kind is not AmendmentKind.insert_after and amendment.paragraph.state in PARAGRAPH_SETTLED:
            raise InvalidState(f"Paragraph {amendment.paragraph.label} has been decided already.")
        if _stale(amendment):
            raise InvalidState(f"Amendment {label} was written on an earlier text: re-base it first.")
    amendment.state = outcome
    amendment.decided_at = at
    if outcome is AmendmentState.merged and merged_into is not None:
        amendment.merged_into_id = merged_into.id
    if adopting:
        _apply_adoption(actor, amendment)
    amendment_event(amendment, actor, "decide", from_state=state, note=note, chair=chair,
                    data={"merged_into": merged_into.id if merged_into else None})
    _audit(actor, "amendment.decide", amendment, {"outcome": outcome.value, "note": note,
                                                  "merged_into": merged_into.number if merged_into else None},
           chair=chair)
    publish_amendment(amendment, "decide")
    return amendment


def _apply_adoption(actor: Any, amendment: Amendment) -> None:
    """What the declared adoption does to the text; other amendments are carried over or flagged."""
    draft = amendment.draft
    paragraph = amendment.paragraph
    if amendment.parent_id is not None:
        parent = amendment.parent
        old = parent.text
        parent.text = amendment.text
        parent.revision += 1
        parent.diff = (diff.word_diff(parent.base_text, parent.text) if parent.kind is AmendmentKind.modify
                       else [{"op": "insert", "text": parent.text}])
        amendment_event(parent, actor, "sub_amended", from_state=parent.state,
                        data={"sub_amendment": amendment.id, "revision": parent.revision})
        for sibling in queries.sub_amendments_of(parent.id, LIVE):
            if sibling.id != amendment.id:
                _carry_sub(actor, sibling, old, parent.text, parent.revision, amendment)
        publish_amendment(parent, "sub_amended")
        return
    if amendment.kind is AmendmentKind.modify:
        current = queries.current_text(paragraph.id, amendment.language)
        assert current is not None
        version = current.version + 1
        db.session.add(ParagraphText(paragraph_id=paragraph.id, language=amendment.language, version=version,
                                     text=amendment.text, amendment_id=amendment.id, created_by_id=actor.id))
        db.session.flush()
        text_changed(actor, paragraph, amendment.language, current.text, amendment.text, version, cause=amendment)
        publish_draft(draft, "paragraph.changed", {"paragraph_id": paragraph.id, "action": "amend",
                                                   "amendment_id": amendment.id})
    elif amendment.kind is AmendmentKind.delete:
        doomed = [paragraph, *db.session.scalars(sa.select(Paragraph).where(Paragraph.parent_id == paragraph.id))]
        for p in doomed:
            before = p.state
            p.state = ParagraphState.deleted
            paragraph_event(p, actor, "delete_by_amendment", from_state=before, to_state=ParagraphState.deleted,
                            note=amendment_label(draft, amendment))
            for other in queries.live_amendments_on(p.id):
                if other.id != amendment.id and other.kind is not AmendmentKind.insert_after \
                        and other.parent_id is None:
                    flag(actor, other, "paragraph_deleted", amendment)
        publish_draft(draft, "paragraph.changed", {"paragraph_id": paragraph.id, "action": "delete",
                                                   "amendment_id": amendment.id})
    else:
        inserted = insert_paragraph_after(actor, draft, paragraph, amendment.text, amendment.language, amendment)
        amendment.inserted_paragraph_id = inserted.id
        publish_draft(draft, "paragraph.changed", {"paragraph_id": inserted.id, "action": "insert",
                                                   "amendment_id": amendment.id})


def _carry_sub(actor: Any, sub: Amendment, old: str, new: str, revision: int, cause: Amendment) -> None:
    if sub.flagged:
        return
    merged = diff.rebase(sub.base_text, new, sub.text)
    if sub.text == new or merged == new:
        flag(actor, sub, "change_already_made", cause)
        return
    if merged is None:
        flag(actor, sub, "words_changed", cause)
        return
    sub.base_text, sub.base_version, sub.text = new, revision, merged
    sub.diff = diff.word_diff(new, merged)
    sub.revision += 1
    amendment_event(sub, actor, "rebase_automatic", from_state=sub.state, data={"cause": cause.id})
    publish_amendment(sub, "rebase")


def rebase_amendment(actor: Any, amendment: Amendment, *, text: str = "", note: str = "") -> Amendment:
    """Rule 25: the Chair re-bases a flagged amendment onto the current text (its movers' words,
    as agreed in the room) instead of declaring it fallen."""
    chair = _require_chair(actor, amendment)
    draft = amendment.draft
    label = amendment_label(draft, amendment)
    if amendment.state not in PENDING:
        raise InvalidState(f"Amendment {label} is not before the body.")
    if not amendment.flagged:
        raise InvalidState(f"Amendment {label} is not flagged: its words are unchanged.")
    parent = amendment.parent
    if parent is not None and parent.state not in PENDING:
        raise InvalidState("The amendment it amended is no longer before the body: declare it fallen.")
    if parent is None and amendment.kind is not AmendmentKind.insert_after \
            and amendment.paragraph.state in PARAGRAPH_SETTLED:
        raise InvalidState(f"Paragraph {amendment.paragraph.label} has been decided: declare the amendment fallen.")
    base, base_version = _target_text(amendment.paragraph, amendment.language, parent)
    new, _explanation, runs = _content(amendment.kind, base, text if amendment.kind is not AmendmentKind.delete
                                       else "", amendment.explanation or "-", explanation_required=False)
    if amendment.kind is AmendmentKind.insert_after:
        base, base_version = amendment.base_text, amendment.base_version
    amendment.base_text, amendment.base_version, amendment.text, amendment.diff = base, base_version, new, runs
    amendment.revision += 1
    amendment.flagged, amendment.flag_reason, amendment.flagged_by_id = False, "", None
    note = diff.normalise(note)[:MAX_MESSAGE]
    amendment_event(amendment, actor, "rebase", from_state=amendment.state, note=note, chair=chair,
                    data={"base_version": base_version})
    _audit(actor, "amendment.rebase", amendment, {"base_version": base_version, "note": note}, chair=chair)
    publish_amendment(amendment, "rebase")
    return amendment


def reorder_amendment(actor: Any, amendment: Amendment, direction: str) -> list[int]:
    """Rule 24: the Chair moves an amendment up or down among those on the same paragraph; recorded."""
    chair = _require_chair(actor, amendment)
    draft = amendment.draft
    if direction not in ("up", "down"):
        raise ValidationFailed("Move up or down.", {"direction": ["Up or down."]})
    if not amendment.is_circulated or amendment.parent_id is not None:
        raise InvalidState("Only circulated amendments are ordered; sub-amendments follow their amendment.")
    amendments = list(db.session.scalars(queries.amendments_of_draft(draft.id)))
    order = marshalling.top_level_order(draft, [a for a in amendments if a.is_circulated])
    by_id = {a.id: a for a in amendments}
    index = order.index(amendment.id)
    step = -1 if direction == "up" else 1
    j = index + step
    while 0 <= j < len(order) and by_id[order[j]].paragraph_id != amendment.paragraph_id:
        j += step
    if not 0 <= j < len(order):
        raise InvalidState("It is already " + ("first" if direction == "up" else "last") + " for its paragraph.")
    order[index], order[j] = order[j], order[index]
    draft.marshal_order = list(order)
    _audit(actor, "amendment.reorder", amendment, {"direction": direction, "order": [
        by_id[i].number for i in order]}, chair=chair)
    publish_draft(draft, "marshalled_list.reordered", {"amendment_id": amendment.id, "direction": direction})
    return order


# --- oral amendments and sub-amendments (rule 21) ------------------------------------------------------

def record_oral_amendment(actor: Any, draft: Draft, paragraph: Paragraph, *, mover: Mover, moved_by: Participant,
                          kind: AmendmentKind | str, language: str, text: str = "", explanation: str = "",
                          seconded_by: Participant | None = None, parent: Amendment | None = None,
                          at: datetime | None = None) -> Amendment:
    """The secretariat records an amendment moved from the floor, with its mover and seconder.

    It is public at once; seconded (or needing no seconder) it is under discussion, otherwise it
    waits for a seconder.
    """
    at = at or utcnow()
    if not permissions.can_record_oral_amendment(actor, draft):
        raise NotAllowed("Only the meeting secretariat records oral amendments.")
    if paragraph.draft_id != draft.id:
        raise ValidationFailed("This paragraph belongs to another draft.",
                               {"paragraph_id": ["Choose a paragraph of this draft."]})
    kind = _kind(kind)
    mover = check_mover(draft, mover)
    if moved_by.meeting_id != draft.meeting_id or not moved_by.active:
        raise ValidationFailed("Choose who moved it among the participants.", {"moved_by": ["Not a participant."]})
    if not permissions.acts_for_mover(moved_by, mover):
        raise ValidationFailed(refusal(moved_by, mover), {"moved_by": [refusal(moved_by, mover)]})
    _check_target(draft, paragraph, kind, language, parent, oral=True)
    _check_referred(mover, paragraph)
    base, base_version = _target_text(paragraph, language, parent)
    new, explanation, runs = _content(kind, base, text, explanation, explanation_required=False)
    if seconded_by is not None:
        if not mover.needs_seconder:
            raise ValidationFailed("This amendment needs no seconder (rule 22).",
                                   {"seconded_by": ["Leave empty: it counts as seconded."]})
        if seconded_by.meeting_id != draft.meeting_id or not permissions.is_voting_member(seconded_by,
                                                                                         draft.meeting):
            raise ValidationFailed("The seconder is another voting member.",
                                   {"seconded_by": ["Choose a voting member."]})
        if seconded_by.group is Group.government and seconded_by.member_state in mover.states:
            raise ValidationFailed("A State does not second its own amendment.",
                                   {"seconded_by": ["Choose a member of another delegation or group."]})
    _lock_draft(draft)
    amendment = Amendment(
        draft_id=draft.id, paragraph_id=paragraph.id, parent_id=parent.id if parent else None, kind=kind,
        language=language, text=new, base_text=base, base_version=base_version, diff=runs, explanation=explanation,
        state=AmendmentState.circulated, mover_kind=mover.kind, oral=True, created_by_id=moved_by.id,
        number=queries.next_amendment_number(draft.id), submitted_at=at, circulated_at=at)
    db.session.add(amendment)
    db.session.flush()
    _set_movers(amendment, mover)
    if seconded_by is not None:
        _add_seconder(actor, amendment, seconded_by, from_floor=True)
    if amendment.seconded:
        amendment.state = AmendmentState.under_discussion
    amendment_event(amendment, actor, "oral", data={"moved_by": moved_by.id,
                                                    "seconded_by": seconded_by.id if seconded_by else None})
    _audit(actor, "amendment.oral", amendment, {"paragraph": paragraph.label, "kind": kind.value,
                                                "moved_by": moved_by.id})
    publish_amendment(amendment, "oral")
    return amendment


def mover_for_participant(p: Participant) -> Mover | None:
    """The usual mover in whose name a participant speaks: their State, or their group if they are
    its secretary or spokesperson (the oral amendment form starts from it)."""
    from forum.meetings.models import OfficeRole

    if p.group is Group.government and p.member_state:
        return Mover(MoverKind.state, states=(p.member_state,))
    if p.group in (Group.employer, Group.worker) and p.roles() & {OfficeRole.group_secretary,
                                                                  OfficeRole.spokesperson}:
        return Mover(MoverKind.employer_group if p.group is Group.employer else MoverKind.worker_group)
    return None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
