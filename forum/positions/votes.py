"""Votes on paragraphs and amendments (PROCEDURE.md rules 3 and 30–33).

`open_vote` fixes the composition, the weights and the quorum from the registered membership and
the attendance register; `cast_ballot` checks the seat (rule 3) and stores the ballot the way its
type requires; `close_vote` computes and publishes the result. Closing a vote decides nothing: the
Chair declares the outcome through `decisions.declare` (rule 29).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from forum import permissions, realtime
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting.drafts import actor_name, for_chair
from forum.drafting.models import PARAGRAPH_SETTLED, PENDING
from forum.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings import attendance
from forum.meetings.live import publish_sitting_update, sitting_room
from forum.meetings.models import (
    Capacity,
    Group,
    Meeting,
    MembershipKind,
    Participant,
    Sitting,
    SittingState,
    SubstitutionNotice,
)
from forum.meetings.services import setting, state_name
from forum.positions import weights
from forum.positions.items import ItemRef, item_of_row
from forum.positions.vote_models import (
    CHOICES,
    GroupChoice,
    Majority,
    RecordChoice,
    SecretChoice,
    Vote,
    VoteParticipation,
    VoteState,
    VoteType,
)

COUNT_INTERVAL = 0.3  # seconds between live ballot counts at most: <= 4 a second, shown <= 300 ms late (B5)
MAX_QUESTION = 500
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand


# --- opening -----------------------------------------------------------------------------------------------

def _live_sitting(meeting_id: int) -> Sitting | None:
    return db.session.scalars(sa.select(Sitting).where(
        Sitting.meeting_id == meeting_id, Sitting.state == SittingState.live).order_by(Sitting.id)).first()


def open_vote(actor: Any, item: ItemRef, *, vote_type: str, majority: str = "simple", sitting: Sitting | None = None,
              question: str = "") -> Vote:
    """Put an item to the vote: composition, weights and quorum are fixed now and stored (rules 31–32).

    Without a sitting the meeting's live sitting is used; a quorum counted from the attendance
    register needs one.
    """
    draft = item.draft
    if not permissions.can_open_vote(actor, draft):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, puts an item to the vote.")
    errors: dict[str, list[str]] = {}
    try:
        kind = VoteType(vote_type)
    except ValueError:
        kind = None
        errors["vote_type"] = ["Choose show of hands, record vote or secret ballot."]
    try:
        needed = Majority(majority)
    except ValueError:
        needed = None
        errors["majority"] = ["Choose a simple or a two-thirds majority."]
    question = " ".join((question or "").split())
    if len(question) > MAX_QUESTION:
        errors["question"] = [f"Use at most {MAX_QUESTION} characters."]
    meeting = db.session.get(Meeting, draft.meeting_id)
    if sitting is not None and sitting.meeting_id != meeting.id:
        errors["sitting_id"] = ["Choose a sitting of this meeting."]
    if errors:
        raise ValidationFailed("The vote could not be opened.", errors)
    if item.amendment is not None and item.amendment.state not in PENDING:
        raise InvalidState(f"Amendment {item.label} is not before the body: it cannot be put to the vote.")
    if item.amendment is not None and not item.amendment.seconded:
        raise InvalidState(f"Amendment {item.label} has not been seconded: it cannot be discussed or voted on "
                           "(rule 22).")
    if item.amendment is not None and item.amendment.flagged:
        raise InvalidState(f"The words amendment {item.label} targets have changed: re-base it or declare it "
                           "fallen first (rule 25).")
    if item.paragraph is not None and item.paragraph.state in PARAGRAPH_SETTLED:
        raise InvalidState(f"Paragraph {item.label} has been decided: reopen it first.")
    column = Vote.paragraph_id if item.kind == "paragraph" else Vote.amendment_id
    already = db.session.scalar(sa.select(Vote.id).where(Vote.state == VoteState.open, column == item.id).limit(1))
    if already:
        raise InvalidState(f"A vote on {item.label} is already open: close it first.")
    sitting = sitting or _live_sitting(meeting.id)
    if sitting is not None and sitting.state is SittingState.closed:
        raise InvalidState("That sitting is closed.")
    if sitting is None and meeting.quorum_rule.value != "none":
        raise InvalidState("Open the vote in a sitting: its quorum is counted from the sitting's attendance "
                           "register (rule 32).")
    now = utcnow()
    day = attendance.local_day(meeting, now)
    seats = weights.composition(meeting, day)
    counts = {g: len(keys) for g, keys in seats.items()}
    if not any(counts.values()):
        raise InvalidState("No voting member is registered: record the membership first.")
    mode, per_member = weights.weights_for(meeting, counts)
    substitutes = _substitutes(meeting, sitting, day, now, seats)
    quorum = weights.quorum_for(meeting, sitting, seats, substitutes)
    chair = for_chair(actor, meeting.id)
    vote = Vote(meeting_id=meeting.id, **item.columns(), sitting_id=sitting.id if sitting else None, type=kind,
                state=VoteState.open, majority=needed, question=question, weighting=mode, weights=per_member,
                composition={"day": day.isoformat(), "counts": counts, "seats": seats,
                             "mode": "plenary" if weights.plenary_mode(meeting) else "committee"},
                quorum=quorum, for_chair=chair, opened_by_id=actor.id, opened_at=now)
    db.session.add(vote)
    db.session.flush()
    record(actor, "vote.open", vote, {"item": item.as_dict(), "type": kind.value, "majority": needed.value,
                                      "weighting": mode, "weights": per_member, "counts": counts,
                                      "quorum": quorum, "sitting_id": vote.sitting_id},
           meeting_id=meeting.id, for_chair=chair)
    _announce(vote, sitting, "vote_opened", {"vote_id": vote.id, "item": item.as_dict(), "type": kind.value,
                                             "majority": needed.value, "ballots_cast": 0})
    return vote


def _substitutes(meeting: Meeting, sitting: Sitting | None, day: Any, now: Any,
                 seats: dict[str, list[str]]) -> dict[str, int]:
    """Seat -> the participant replacing its holder, from the notices in force (for the quorum)."""
    before = sitting.starts_at if (sitting is not None and weights.plenary_mode(meeting)) else now
    keys = {k for group in seats.values() for k in group}
    out = {}
    for notice in attendance.notices_in_force(meeting, day=day, sitting=sitting, recorded_before=before):
        key = f"participant:{notice.replaces_id}"
        if key in keys:
            out[key] = notice.substitute_id
    return out


# --- eligibility (rule 3) ----------------------------------------------------------------------------------

def seat_for(p: Participant | None, vote: Vote) -> tuple[str, str]:
    """The seat (voter key) and group a participant votes for in this vote, or NotAllowed saying why.

    Committee mode: a Government participant (delegate, substitute or adviser) casts the State's one
    ballot; an Employer or Worker regular member votes individually; a deputy only in place of an
    absent regular member of the group, under a notice. Plenary mode: delegates individually; an
    adviser only under a notice recorded before the sitting. Observers and the secretariat never.
    """
    if p is None or not p.active or p.meeting_id != vote.meeting_id:
        raise NotAllowed("You are not a participant of this meeting.")
    if p.capacity in (Capacity.observer, Capacity.secretariat) or p.group is Group.none:
        raise NotAllowed("Observers and the secretariat do not vote.")
    group = p.group.value
    seats = set(vote.composition.get("seats", {}).get(group, ()))
    plenary = vote.composition.get("mode") == "plenary"
    if p.group is Group.government and not plenary:
        key = f"state:{p.member_state}"
        if key in seats:
            return key, group
        raise NotAllowed("Your State is not a Government member of this body.")
    own = f"participant:{p.id}"
    if own in seats:
        return own, group
    notice = _notice_for(p, vote)
    if notice is None:
        if plenary:
            raise NotAllowed("Only delegates vote; an adviser votes only as a substitute named in a written notice "
                             "recorded before the sitting.")
        if p.membership_on(_vote_day(vote)) is MembershipKind.deputy:
            raise NotAllowed("A deputy member votes only in place of an absent regular member, under a notice "
                             "recorded by the secretariat.")
        raise NotAllowed("You are not a voting member of this body.")
    key = f"participant:{notice.replaces_id}"
    if key not in seats:
        raise NotAllowed("The member you replace is not a voting member of this body.")
    if vote.sitting_id is not None:
        present, _states = weights.attending(db.session.get(Sitting, vote.sitting_id))
        if notice.replaces_id in present:
            raise NotAllowed("The member you replace is present: you cannot vote in their place.")
    return key, group


def _vote_day(vote: Vote) -> Any:
    from datetime import date

    return date.fromisoformat(vote.composition["day"])


def _notice_for(p: Participant, vote: Vote) -> SubstitutionNotice | None:
    sitting = db.session.get(Sitting, vote.sitting_id) if vote.sitting_id else None
    meeting = db.session.get(Meeting, vote.meeting_id)
    plenary = vote.composition.get("mode") == "plenary"
    before = sitting.starts_at if (plenary and sitting is not None) else (vote.opened_at if plenary else utcnow())
    for notice in attendance.notices_in_force(meeting, day=_vote_day(vote), sitting=sitting, recorded_before=before):
        if notice.substitute_id == p.id:
            return notice
    return None


# --- casting -----------------------------------------------------------------------------------------------

def _receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return "-".join(code[i:i + 4] for i in range(0, 12, 4))


def receipt_hash(vote_id: int, code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"forum-receipt:{vote_id}:{normalised}".encode()).hexdigest()


def cast_ballot(actor: Any, vote: Vote, choice: Any) -> dict[str, Any]:
    """Record a ballot, with PUT semantics: while the vote is open a record or show-of-hands voter may
    change their choice if the meeting allows it (setting `ballot_changes_allowed`); otherwise a
    second ballot for the same seat is a conflict. A secret ballot is final and gets a receipt code.

    Returns `{"receipt": code | None, "changed": bool}`; the receipt is shown once and not kept.
    """
    if not isinstance(choice, str) or choice not in CHOICES:
        raise ValidationFailed("Choose for, against or abstain.", {"choice": ["Choose for, against or abstain."]})
    # A shared lock on the vote (PostgreSQL; SQLite writers are serialised already): ballots do not
    # wait for each other, but closing waits for the ballots in flight, and a ballot that waited for
    # a close sees the vote closed. No ballot lands after the count.
    # On SQLite the write transaction (BEGIN IMMEDIATE) already excludes a concurrent close, and the
    # vote and its sitting were read or refreshed inside it: their identity-map copies are current.
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    state = vote.state if sqlite else db.session.scalar(
        sa.select(Vote.state).where(Vote.id == vote.id).with_for_update(read=True))
    if state is not VoteState.open:
        raise InvalidState("This vote is closed: no more ballots are accepted.")
    if vote.sitting_id is not None and _sitting_state(vote.sitting_id, sqlite) is SittingState.closed:
        # The vote window ends with its sitting, even if the Chair did not close the vote first.
        raise InvalidState("The sitting of this vote is closed: no more ballots are accepted.")
    p = permissions.participation(actor, vote.meeting_id)
    key, group = seat_for(p, vote)
    weight = int(vote.weights.get(group, 0))
    existing = db.session.scalars(sa.select(VoteParticipation).where(
        VoteParticipation.vote_id == vote.id, VoteParticipation.voter_key == key)).first()
    # The setting matters for a second ballot, and for a show of hands (whose choice is then linked
    # to its participation until the vote closes); a first record or secret ballot need not read it.
    may_change = (vote.type is not VoteType.secret and (existing is not None or vote.type is VoteType.show_of_hands)
                  and setting(db.session.get(Meeting, vote.meeting_id), "ballot_changes_allowed"))
    if existing is not None:
        if not may_change:
            raise InvalidState(_already(key, vote), already_voted=True)
        return _change(actor, vote, existing, p, key, group, choice)
    participation = VoteParticipation(vote_id=vote.id, voter_key=key, group=group, participant_id=p.id)
    db.session.add(participation)
    receipt = None
    if vote.type is VoteType.record:
        db.session.add(RecordChoice(vote_id=vote.id, voter_key=key, group=group, participant_id=p.id,
                                    choice=choice, weight=weight))
    elif vote.type is VoteType.show_of_hands:
        ballot = GroupChoice(key=secrets.token_hex(16), vote_id=vote.id, group=group, choice=choice, weight=weight)
        db.session.add(ballot)
        if may_change:
            participation.choice_ref = ballot.key
    else:
        receipt = _receipt()
        db.session.add(SecretChoice(key=secrets.token_hex(16), vote_id=vote.id, choice=choice, weight=weight,
                                    receipt_hash=receipt_hash(vote.id, receipt)))
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same seat racing in another transaction (PostgreSQL)
        raise InvalidState(_already(key, vote), already_voted=True) from exc
    payload: dict[str, Any] = {"vote_id": vote.id, "voter": key, "group": group, "cast_by": p.id}
    if vote.type is VoteType.record:
        payload["choice"] = choice  # published anyway; never for the other types
    record(actor, "vote.ballot", vote, payload, meeting_id=vote.meeting_id)
    _count_changed(vote)
    return {"receipt": receipt, "changed": False}


def _sitting_state(sitting_id: int, current: bool) -> SittingState | None:
    """The sitting's state: from the identity map when its copy is current (a live sitting's command
    loaded it in this transaction), else read."""
    if current:
        sitting = db.session.get(Sitting, sitting_id)
        return sitting.state if sitting is not None else None
    return db.session.scalar(sa.select(Sitting.state).where(Sitting.id == sitting_id))


def _already(key: str, vote: Vote) -> str:
    if key.startswith("state:"):
        return f"{state_name(key[6:])} has already voted in this vote."
    return "A ballot for your seat has already been cast in this vote."


def _change(actor: Any, vote: Vote, existing: VoteParticipation, p: Participant, key: str, group: str,
            choice: str) -> dict[str, Any]:
    if vote.type is VoteType.record:
        row = db.session.scalars(sa.select(RecordChoice).where(RecordChoice.vote_id == vote.id,
                                                              RecordChoice.voter_key == key)).one()
        if row.choice == choice:
            return {"receipt": None, "changed": False}
        previous, row.choice, row.participant_id = row.choice, choice, p.id
        payload = {"vote_id": vote.id, "voter": key, "group": group, "cast_by": p.id, "choice": choice,
                   "previous": previous}
    else:
        row = db.session.get(GroupChoice, existing.choice_ref) if existing.choice_ref else None
        if row is None:
            raise InvalidState(_already(key, vote), already_voted=True)
        if row.choice == choice:
            return {"receipt": None, "changed": False}
        row.choice = choice
        payload = {"vote_id": vote.id, "voter": key, "group": group, "cast_by": p.id}
    existing.participant_id = p.id
    record(actor, "vote.ballot_change", vote, payload, meeting_id=vote.meeting_id)
    return {"receipt": None, "changed": True}


def ballots_cast(vote: Vote) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(VoteParticipation)
                             .where(VoteParticipation.vote_id == vote.id)) or 0


def _count_changed(vote: Vote, count: int | None = None) -> None:
    """The live count: coalesced, a number only, no identities; versions are not bumped for it.

    Closing sends a last count with the state `closed` through the same coalescer, so that a count
    still held back from the open vote can never arrive after the vote has closed.
    """
    count = ballots_cast(vote) if count is None else count
    data = {"vote_id": vote.id, "state": vote.state.value, "ballots_cast": count}
    realtime.publish(realtime.room("meeting", vote.meeting_id), "vote.changed", {**data, "action": "ballots_counted"},
                     coalesce=COUNT_INTERVAL, coalesce_key=f"vote:{vote.id}")
    if vote.sitting_id is not None:
        # The sitting's version is not bumped for a count: clients apply the highest count they see.
        # The sitting is usually in this transaction's identity map already (loaded by the command).
        sitting = db.session.get(Sitting, vote.sitting_id)
        version = sitting.version if sitting is not None else None
        realtime.publish(sitting_room(vote.sitting_id), "update",
                         {"sitting_id": vote.sitting_id, "version": version, "type": "ballots_counted", "data": data},
                         coalesce=COUNT_INTERVAL, coalesce_key=f"vote:{vote.id}")


def _announce(vote: Vote, sitting: Sitting | None, type_: str, data: dict[str, Any]) -> None:
    """Opening and closing: in the sitting's envelope when the vote belongs to one, and always as
    `vote.changed` to the meeting's room (the vote pages follow it)."""
    if sitting is None and vote.sitting_id is not None:
        sitting = db.session.get(Sitting, vote.sitting_id)
    if sitting is not None:
        publish_sitting_update(sitting, type_, data)
    action = {"vote_opened": "opened", "vote_closed": "closed"}[type_]
    realtime.publish(realtime.room("meeting", vote.meeting_id), "vote.changed",
                     {"vote_id": vote.id, "state": vote.state.value, "action": action,
                      "ballots_cast": data.get("ballots_cast", 0)})


# --- closing and results (rules 32–33) ----------------------------------------------------------------------

def close_vote(actor: Any, vote: Vote) -> Vote:
    """Close the vote and publish its result; the item is not decided by this (rule 29)."""
    if not permissions.can_close_vote(actor, vote):
        raise NotAllowed("Only the Chair, or the secretariat on the Chair's behalf, closes a vote.")
    # Lock the vote row (PostgreSQL): ballots in flight hold a shared lock, so the count waits for
    # them; a second close waiting here then finds the vote closed.
    state = db.session.scalar(sa.select(Vote.state).where(Vote.id == vote.id).with_for_update())
    if state is not VoteState.open:
        raise InvalidState("This vote is already closed.")
    chair = for_chair(actor, vote.meeting_id)
    vote.state = VoteState.closed
    vote.closed_at = utcnow()
    vote.closed_by_id = actor.id
    db.session.execute(sa.update(VoteParticipation).where(VoteParticipation.vote_id == vote.id)
                       .values(choice_ref=None))
    vote.results = compute_results(vote)
    record(actor, "vote.close", vote, {k: vote.results[k] for k in ("ballots_cast", "totals", "by_group", "quorum",
                                                                     "majority", "outcome") if k in vote.results},
           meeting_id=vote.meeting_id, for_chair=chair)
    _count_changed(vote, vote.results["ballots_cast"])
    _announce(vote, None, "vote_closed", {"vote_id": vote.id, "outcome": vote.results["outcome"],
                                          "ballots_cast": vote.results["ballots_cast"],
                                          "totals": vote.results["totals"]})
    return vote


def _empty() -> dict[str, dict[str, int]]:
    return {c: {"raw": 0, "weighted": 0} for c in CHOICES}


def compute_results(vote: Vote) -> dict[str, Any]:
    """The result from the stored choices alone (the recount runs the same function)."""
    totals = _empty()
    by_group: dict[str, dict[str, dict[str, int]]] = {g: _empty() for g in weights.GROUPS}
    ballots: list[dict[str, Any]] = []
    if vote.type is VoteType.secret:
        rows = db.session.execute(sa.select(SecretChoice.choice, sa.func.count(), sa.func.sum(SecretChoice.weight))
                                  .where(SecretChoice.vote_id == vote.id).group_by(SecretChoice.choice))
        grouped = [(None, c, n, w) for c, n, w in rows]
    else:
        model = RecordChoice if vote.type is VoteType.record else GroupChoice
        grouped = list(db.session.execute(
            sa.select(model.group, model.choice, sa.func.count(), sa.func.sum(model.weight))
            .where(model.vote_id == vote.id).group_by(model.group, model.choice)))
    for group, choice, count, weight in grouped:
        totals[choice]["raw"] += int(count)
        totals[choice]["weighted"] += int(weight or 0)
        if group is not None:
            by_group[group][choice]["raw"] += int(count)
            by_group[group][choice]["weighted"] += int(weight or 0)
    if vote.type is VoteType.record:
        rows = db.session.execute(sa.select(RecordChoice, Participant).outerjoin(
            Participant, Participant.id == RecordChoice.participant_id).where(RecordChoice.vote_id == vote.id))
        names = {}
        for choice_row, person in rows:
            names[choice_row.voter_key] = (choice_row, person)
        for key, (choice_row, person) in names.items():
            ballots.append({"voter": voter_label(key, person), "voter_key": key, "group": choice_row.group,
                            "choice": choice_row.choice, "weight": choice_row.weight})
        ballots.sort(key=lambda b: (weights.GROUPS.index(b["group"]), b["voter"].casefold()))
    quorum = dict(vote.quorum or {})
    cast_raw = totals["for"]["raw"] + totals["against"]["raw"]
    if quorum.get("rule") == "plenary_half":
        quorum["votes_cast"] = cast_raw
        quorum["reached"] = cast_raw >= int(quorum.get("required") or 0)
    reached = bool(quorum.get("reached"))
    carried = weights.majority_reached(vote.majority.value, totals["for"]["weighted"], totals["against"]["weighted"])
    outcome = "void" if not reached else ("adopted" if carried else "rejected")
    results: dict[str, Any] = {
        "ballots_cast": sum(t["raw"] for t in totals.values()),
        "totals": totals, "quorum": quorum, "majority": vote.majority.value, "outcome": outcome,
        "weights": vote.weights,
    }
    if vote.type is not VoteType.secret:
        results["by_group"] = by_group
    if vote.type is VoteType.record:
        results["ballots"] = ballots
    return results


def voter_label(key: str, person: Participant | None) -> str:
    kind, _, ident = key.partition(":")
    if kind == "state":
        return state_name(ident)
    return person.user.name if person is not None and person.user is not None else f"#{ident}"


COMPARED = ("ballots_cast", "totals", "by_group", "quorum", "majority", "outcome", "ballots")


def recount(vote: Vote) -> tuple[bool, dict[str, Any], list[str]]:
    """Recompute a closed vote's result from its stored choices; (matches, recomputed, differences)."""
    if vote.state is not VoteState.closed or vote.results is None:
        raise InvalidState("Only a closed vote has a published result to compare with.")
    again = compute_results(vote)
    published = vote.results
    differences = []
    for name in COMPARED:
        if name == "ballots":
            left = [(b["voter_key"], b["choice"], b["weight"]) for b in published.get(name) or []]
            right = [(b["voter_key"], b["choice"], b["weight"]) for b in again.get(name) or []]
            same = sorted(left) == sorted(right)
        else:
            same = published.get(name) == again.get(name)
        if not same:
            differences.append(name)
    participations = ballots_cast(vote)
    if participations != again["ballots_cast"]:
        differences.append(f"participations ({participations}) differ from ballots ({again['ballots_cast']})")
    return not differences, again, differences


def check_receipt(vote: Vote, code: str) -> bool:
    """Whether a secret ballot under this receipt was counted; says nothing about its choice."""
    if vote.type is not VoteType.secret:
        raise InvalidState("Receipts exist for secret ballots only.")
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise ValidationFailed("Enter your receipt code.", {"receipt": ["Enter the code shown when you voted."]})
    return db.session.scalar(sa.select(sa.func.count()).select_from(SecretChoice).where(
        SecretChoice.vote_id == vote.id, SecretChoice.receipt_hash == receipt_hash(vote.id, code))) > 0


# --- reading -----------------------------------------------------------------------------------------------

def load_vote(vote_id: int, meeting_id: int | None = None) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None or (meeting_id is not None and vote.meeting_id != meeting_id):
        raise NotFound("There is no such vote.")
    return vote


def votes_on(item: ItemRef) -> list[Vote]:
    column = Vote.paragraph_id if item.kind == "paragraph" else Vote.amendment_id
    return list(db.session.scalars(sa.select(Vote).where(column == item.id).order_by(Vote.id.desc())))


def sitting_votes(sitting: Sitting) -> list[dict[str, Any]]:
    """The votes of a sitting as `vote_view` shapes, newest first (for the sitting's snapshot)."""
    rows = db.session.scalars(sa.select(Vote).where(Vote.sitting_id == sitting.id).order_by(Vote.id.desc()))
    return [vote_view(v, None) for v in rows]


def votes_of(meeting: Meeting) -> list[Vote]:
    return list(db.session.scalars(sa.select(Vote).where(Vote.meeting_id == meeting.id).order_by(Vote.id.desc())))


def vote_view(vote: Vote, user: Any) -> dict[str, Any]:
    """The getVote shape (issue #9): totals, by_group and outcome only once closed; by_group absent
    for secret votes; ballots only for record votes. While open, the number of ballots only."""
    item = item_of_row(vote)
    view: dict[str, Any] = {
        "id": vote.id, "type": vote.type.value, "state": vote.state.value, "item": item.as_dict(),
        "question": vote.question, "sitting_id": vote.sitting_id, "majority": vote.majority.value,
        "weighting": vote.weighting, "weights": dict(vote.weights),
        "composition": dict(vote.composition.get("counts", {})),
        "opened_at": vote.opened_at.isoformat(), "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
        "for_chair": vote.for_chair,
        "quorum": {"rule": vote.quorum.get("rule"), "required": vote.quorum.get("required"),
                   "attending": vote.quorum.get("attending"), "reached": None},
        "outcome": None,
    }
    if vote.state is VoteState.open:
        view["ballots_cast"] = ballots_cast(vote)
        return view
    results = vote.results or {}
    view["ballots_cast"] = results.get("ballots_cast", 0)
    view["totals"] = results.get("totals")
    view["quorum"] = {**view["quorum"], "reached": results.get("quorum", {}).get("reached"),
                      "votes_cast": results.get("quorum", {}).get("votes_cast")}
    view["outcome"] = results.get("outcome")
    if vote.type is not VoteType.secret:
        view["by_group"] = {g: {c: v["raw"] for c, v in choices.items()}
                            for g, choices in (results.get("by_group") or {}).items()}
        view["by_group_weighted"] = {g: {c: v["weighted"] for c, v in choices.items()}
                                     for g, choices in (results.get("by_group") or {}).items()}
    if vote.type is VoteType.record:
        view["ballots"] = [{"voter": b["voter"], "group": b["group"], "choice": b["choice"], "weight": b["weight"]}
                           for b in results.get("ballots") or []]
    return view


def opener_name(vote: Vote) -> str:
    from forum.accounts.models import User

    user = db.session.get(User, vote.opened_by_id) if vote.opened_by_id else None
    return actor_name(user) if user else ""
