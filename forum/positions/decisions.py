"""What the Chair declares about a paragraph or an amendment, and how (PROCEDURE.md rule 29).

The software records; the Chair decides. `declare` checks who declares, that the method fits the
outcome (a vote only if a closed vote on the item came out that way), drives the item's state
through the drafting services, and stores a `Decision` with its method, sitting and declarer.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum import permissions
from forum.audit.services import record
from forum.drafting import amendments as amendment_services
from forum.drafting import drafts
from forum.drafting.events import publish_draft
from forum.drafting.models import (
    ADOPTED,
    Amendment,
    AmendmentKind,
    AmendmentState,
    DraftingGroup,
    ParagraphState,
)
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.live import publish_sitting_update
from forum.meetings.models import Sitting, SittingState
from forum.positions.items import ItemRef
from forum.positions.vote_models import Decision, Vote, VoteState

PARAGRAPH_OUTCOMES = ("adopted", "adopted_as_amended", "rejected", "deferred", "referred", "reservation", "reopened")
AMENDMENT_OUTCOMES = ("adopted", "adopted_as_amended", "rejected", "fell", "withdrawn", "not_seconded", "not_moved",
                      "merged", "deferred")
OUTCOMES = tuple(dict.fromkeys(PARAGRAPH_OUTCOMES + AMENDMENT_OUTCOMES))
METHODS = ("consensus", "vote", "reservation", "none")
# What a closed vote must have said for a decision to cite it.
VOTE_SAYS = {"adopted": "adopted", "adopted_as_amended": "adopted", "rejected": "rejected"}
MAX_NOTE = 2000


def _method_of(method: Any) -> str:
    if isinstance(method, str) and method.startswith("vote:"):
        return "vote"
    return method if method in METHODS else ""


def declare(actor: Any, item: ItemRef, *, outcome: str, method: str, sitting: Sitting | None = None,
            vote: Vote | None = None, note: str = "", drafting_group: DraftingGroup | None = None,
            merged_into: Amendment | None = None) -> Decision:
    """Record the Chair's declaration on an item and make the item's state follow it.

    Outcomes: adopted, adopted_as_amended, rejected (a paragraph rejected is deleted), deferred,
    referred (to a drafting group), reservation (the text is adopted, the reservation named in the
    note is recorded for the report instead of a vote), reopened (the body's agreement in the note),
    and for amendments fell, not_seconded, not_moved, merged. Methods: consensus, vote (a closed
    vote on the item whose result matches; stored as `vote:<type>`), reservation, none.
    """
    draft = item.draft
    if not permissions.can_declare_decision(actor, draft):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, declares decisions.")
    errors: dict[str, list[str]] = {}
    allowed = PARAGRAPH_OUTCOMES if item.kind == "paragraph" else AMENDMENT_OUTCOMES
    if outcome not in allowed:
        errors["outcome"] = [f"Choose one of: {', '.join(o.replace('_', ' ') for o in allowed)}."]
    base = _method_of(method)
    if not base:
        errors["method"] = ["Choose consensus, vote, reservation or none."]
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [f"Use at most {MAX_NOTE:,} characters."]
    if errors:
        raise ValidationFailed("The decision could not be recorded.", errors)
    if outcome == "withdrawn":
        raise NotAllowed("Only the mover withdraws an amendment (rule 23).")
    if (outcome == "reservation") != (base == "reservation"):
        raise ValidationFailed("A reservation is recorded with the method reservation, and only then.",
                               {"method": ["Use the method reservation with the outcome reservation."]})
    if outcome == "reservation" and not note:
        raise ValidationFailed("Name whose reservation is recorded.", {"note": ["Name who expressed the reservation."]})
    if outcome == "referred" and drafting_group is None:
        raise ValidationFailed("Name the drafting group.", {"drafting_group": ["Choose a drafting group."]})
    if drafting_group is not None and drafting_group.draft_id != draft.id:
        raise ValidationFailed("Name a drafting group of this draft.", {"drafting_group": ["Choose a drafting group."]})
    stored_method = base
    if base == "vote":
        vote = vote or _last_closed_vote(item)
        _check_vote(item, vote, outcome)
        stored_method = f"vote:{vote.type.value}"
    elif vote is not None:
        raise ValidationFailed("A vote is cited only with the method vote.", {"method": ["Use the method vote."]})
    if sitting is None and vote is not None and vote.sitting_id:
        sitting = db.session.get(Sitting, vote.sitting_id)
    if sitting is None:
        sitting = db.session.scalars(sa.select(Sitting).where(
            Sitting.meeting_id == draft.meeting_id, Sitting.state == SittingState.live).order_by(Sitting.id)).first()
    if sitting is not None and sitting.meeting_id != draft.meeting_id:
        raise ValidationFailed("Name a sitting of this meeting.", {"sitting_id": ["Choose a sitting of this meeting."]})
    if item.paragraph is not None:
        _drive_paragraph(actor, item, outcome, note, drafting_group)
    else:
        _drive_amendment(actor, item, outcome, note, merged_into)
    chair = drafts.for_chair(actor, draft.meeting_id)
    decision = Decision(meeting_id=draft.meeting_id, **item.columns(), outcome=outcome, method=stored_method,
                        sitting_id=sitting.id if sitting else None, vote_id=vote.id if vote else None,
                        declared_by_id=actor.id, declared_by_name=drafts.actor_name(actor), for_chair=chair, note=note)
    db.session.add(decision)
    db.session.flush()
    record(actor, "decision.declare", decision, {"item": item.as_dict(), "outcome": outcome, "method": stored_method,
                                                 "vote_id": decision.vote_id, "sitting_id": decision.sitting_id,
                                                 "note": note}, meeting_id=draft.meeting_id, for_chair=chair)
    data = {"decision_id": decision.id, "item": item.as_dict(), "outcome": outcome, "method": stored_method,
            "vote_id": decision.vote_id, "for_chair": chair}
    publish_draft(draft, "item.decided", data)
    if sitting is not None:
        publish_sitting_update(sitting, "decision", data)
    return decision


def _last_closed_vote(item: ItemRef) -> Vote | None:
    column = Vote.paragraph_id if item.kind == "paragraph" else Vote.amendment_id
    return db.session.scalars(sa.select(Vote).where(column == item.id, Vote.state == VoteState.closed)
                              .order_by(Vote.id.desc())).first()


def _check_vote(item: ItemRef, vote: Vote | None, outcome: str) -> None:
    if vote is None:
        raise InvalidState(f"No vote on {item.label} has been closed: put it to the vote first.")
    same = vote.paragraph_id == item.id if item.kind == "paragraph" else vote.amendment_id == item.id
    if not same:
        raise ValidationFailed("That vote was on another item.", {"vote_id": ["Choose a vote on this item."]})
    if vote.state is not VoteState.closed:
        raise InvalidState("The vote is still open: close it and read its result first.")
    result = (vote.results or {}).get("outcome")
    if result == "void":
        raise InvalidState("The vote was void (no quorum): it decides nothing. Vote again or decide otherwise.")
    expected = VOTE_SAYS.get(outcome, "adopted")
    if result != expected:
        raise InvalidState(f"The vote's result was {result}: it does not support declaring "
                           f"{outcome.replace('_', ' ')}.")


def _adopted_amendments(paragraph_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Amendment).where(
        Amendment.paragraph_id == paragraph_id, Amendment.parent_id.is_(None),
        Amendment.kind == AmendmentKind.modify, Amendment.state.in_(ADOPTED))) or 0


def _drive_paragraph(actor: Any, item: ItemRef, outcome: str, note: str, group: DraftingGroup | None) -> None:
    paragraph = item.paragraph
    assert paragraph is not None
    waiting = (ParagraphState.pending, ParagraphState.deferred, ParagraphState.bracketed)
    if outcome == "reopened":
        drafts.decide_paragraph(actor, paragraph, ParagraphState.under_discussion, note=note)
        return
    if outcome in ("deferred", "referred"):
        if paragraph.state is not ParagraphState.deferred:
            drafts.decide_paragraph(actor, paragraph, ParagraphState.deferred, note=note)
        if outcome == "referred":
            drafts.refer_paragraphs(actor, group, [paragraph.id])  # type: ignore[arg-type]
        return
    if outcome == "reservation":
        target = ParagraphState.adopted_as_amended if _adopted_amendments(paragraph.id) else ParagraphState.adopted
    else:
        target = {"adopted": ParagraphState.adopted, "adopted_as_amended": ParagraphState.adopted_as_amended,
                  "rejected": ParagraphState.deleted}[outcome]
    if paragraph.state in waiting:
        drafts.decide_paragraph(actor, paragraph, ParagraphState.under_discussion)
    drafts.decide_paragraph(actor, paragraph, target, note=note)


def _drive_amendment(actor: Any, item: ItemRef, outcome: str, note: str, merged_into: Amendment | None) -> None:
    amendment = item.amendment
    assert amendment is not None
    if outcome == "deferred":
        if amendment.decided:
            raise InvalidState(f"Amendment {item.label} has been disposed of already.")
        return
    target = {"adopted": AmendmentState.adopted, "adopted_as_amended": AmendmentState.adopted_as_sub_amended,
              "rejected": AmendmentState.rejected, "fell": AmendmentState.fell,
              "not_seconded": AmendmentState.not_seconded, "not_moved": AmendmentState.not_moved,
              "merged": AmendmentState.merged}[outcome]
    if target in (AmendmentState.adopted, AmendmentState.adopted_as_sub_amended, AmendmentState.rejected) \
            and amendment.state is AmendmentState.circulated:
        amendment_services.start_discussion(actor, amendment)
    amendment_services.decide_amendment(actor, amendment, target, note=note, merged_into=merged_into)


def decisions_on(item: ItemRef) -> list[Decision]:
    column = Decision.paragraph_id if item.kind == "paragraph" else Decision.amendment_id
    return list(db.session.scalars(sa.select(Decision).where(column == item.id).order_by(Decision.id.desc())))


def latest_decisions(draft_id: int) -> dict[tuple[str, int], Decision]:
    """The latest decision per item of a draft, in one query (for boards and exports)."""
    rows = db.session.scalars(sa.select(Decision).where(Decision.draft_id == draft_id).order_by(Decision.id))
    out: dict[tuple[str, int], Decision] = {}
    for d in rows:
        key = ("amendment", d.amendment_id) if d.amendment_id else ("paragraph", d.paragraph_id)
        out[key] = d  # type: ignore[index]
    return out
