"""Who counts in a vote and how much (PROCEDURE.md rules 3, 4, 31 and 32).

The composition is the registered membership in force on the day the vote opens (rule 4), never who
is connected; the weights follow from it (rule 31) and the quorum from the secretariat's attendance
register (rule 32). All three are computed once, when the vote opens, and stored with the vote.
"""

from __future__ import annotations

import math
from datetime import date
from functools import reduce
from typing import Any

import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import (
    AttendanceEntry,
    BodyType,
    Capacity,
    Group,
    Meeting,
    MembershipKind,
    Participant,
    QuorumRule,
    Sitting,
    WeightingMode,
)

GROUPS = ("government", "employer", "worker")
DEFAULT_FIXED_RATIO = {"government": 2, "employer": 1, "worker": 1}  # the Governing Body's 28:14:14
DEFAULT_QUORUM_FRACTION = 0.5


def equal_strength(g: int, e: int, w: int) -> tuple[int, int, int]:
    """Rule 31: each Government member has E·W votes, each Employer G·W, each Worker G·E, divided by
    their greatest common divisor, so that the three groups weigh the same. A group with no member
    drops out of the products (it has no weight to balance)."""
    return fixed_ratio((g, e, w), (1, 1, 1))


def fixed_ratio(counts: tuple[int, int, int], ratio: tuple[int, int, int]) -> tuple[int, int, int]:
    """Weights per member such that the groups' totals stand in `ratio` (1:1:1 is equal strength):
    member weight of group i = ratio_i × (product of the other non-empty groups' sizes), reduced."""
    present = [n for n in counts if n > 0]
    raw = []
    for i, n in enumerate(counts):
        if n <= 0:
            raw.append(0)
            continue
        others = [m for j, m in enumerate(counts) if j != i and m > 0]
        raw.append(ratio[i] * math.prod(others) if others else ratio[i])
    divisor = reduce(math.gcd, [r for r in raw if r], 0) or 1
    if not present:
        return (0, 0, 0)
    return tuple(r // divisor for r in raw)  # type: ignore[return-value]


def plenary_mode(meeting: Meeting) -> bool:
    """Rule 3: in plenary mode every delegate votes individually; committees vote by State."""
    return meeting.body_type is BodyType.plenary


def _people(meeting: Meeting) -> list[Participant]:
    return list(db.session.scalars(sa.select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.removed_at.is_(None),
        Participant.group.in_([Group.government, Group.employer, Group.worker]),
        Participant.capacity.notin_([Capacity.observer, Capacity.secretariat]))))


def composition(meeting: Meeting, day: date) -> dict[str, list[str]]:
    """The seats of each group on `day`, as voter keys (rules 3 and 4).

    Committee mode: a Government member is a State with a regular member among its participants
    (`state:KE`); Employer and Worker regular members individually (`participant:12`).
    Plenary mode: every delegate individually; a non-Government delegate whose State has no
    delegate of the other non-Government group does not vote.
    """
    seats: dict[str, set[str]] = {g: set() for g in GROUPS}
    people = _people(meeting)
    if plenary_mode(meeting):
        delegates = [p for p in people if p.capacity is Capacity.delegate]
        by_state = {(p.group, p.member_state) for p in delegates if p.member_state}
        for p in delegates:
            if p.group in (Group.employer, Group.worker) and p.member_state:
                other = Group.worker if p.group is Group.employer else Group.employer
                if (other, p.member_state) not in by_state:
                    continue  # may speak but not vote (rule 3)
            seats[p.group.value].add(f"participant:{p.id}")
    else:
        for p in people:
            if p.membership_on(day) is not MembershipKind.regular:
                continue
            if p.group is Group.government:
                if p.member_state:
                    seats["government"].add(f"state:{p.member_state}")
            else:
                seats[p.group.value].add(f"participant:{p.id}")
    return {g: sorted(keys) for g, keys in seats.items()}


def weights_for(meeting: Meeting, counts: dict[str, int]) -> tuple[str, dict[str, int]]:
    """The weighting mode (a setting of the meeting) and the weight of one member of each group."""
    mode = meeting.weighting_mode
    sizes = tuple(counts.get(g, 0) for g in GROUPS)
    if mode is WeightingMode.one_person_one_vote:
        values = tuple(1 if n else 0 for n in sizes)
    elif mode is WeightingMode.fixed_ratio:
        configured = (meeting.settings or {}).get("fixed_ratio") or DEFAULT_FIXED_RATIO
        ratio = tuple(max(1, int(configured.get(g, 1))) for g in GROUPS)
        values = fixed_ratio(sizes, ratio)  # type: ignore[arg-type]
    else:
        values = equal_strength(*sizes)
    return mode.value, dict(zip(GROUPS, values, strict=True))


# --- quorum (rule 32) --------------------------------------------------------------------------------------

def attending(sitting: Sitting | None) -> tuple[set[int], set[str]]:
    """Participant ids and member States the register marks present in the sitting."""
    if sitting is None:
        return set(), set()
    rows = db.session.execute(sa.select(AttendanceEntry.participant_id, AttendanceEntry.member_state)
                              .where(AttendanceEntry.sitting_id == sitting.id)).all()
    return {r[0] for r in rows if r[0] is not None}, {r[1] for r in rows if r[1]}


def quorum_for(meeting: Meeting, sitting: Sitting | None, seats: dict[str, list[str]],
               substitutes: dict[str, int]) -> dict[str, Any]:
    """The quorum as the register stands when the vote opens.

    `committee`: voting members attending (a State present, a member present or represented by a
    deputy with a notice) must reach `quorum_fraction` (setting, default one half) of the members.
    `plenary_half`: the votes cast (for and against) must reach half of the delegates attending;
    `required` is that number, checked when the vote closes.
    `substitutes` maps a seat to the participant who replaces its holder in this vote.
    """
    rule = meeting.quorum_rule
    if rule is QuorumRule.none:
        return {"rule": "none", "attending": None, "members": None, "required": 0, "reached": True}
    people, states = attending(sitting)
    state_of = {}
    if people:
        state_of = dict(db.session.execute(sa.select(Participant.id, Participant.member_state).where(
            Participant.id.in_(people), Participant.group == Group.government)).all())
    states_present = states | {s for s in state_of.values() if s}
    # A Government delegate voting individually (plenary mode) attends when its State is marked present.
    delegate_ids = [int(k.partition(":")[2]) for k in seats.get("government", ()) if k.startswith("participant:")]
    delegate_state = dict(db.session.execute(sa.select(Participant.id, Participant.member_state).where(
        Participant.id.in_(delegate_ids))).all()) if delegate_ids else {}
    members = sum(len(keys) for keys in seats.values())

    def present(key: str) -> bool:
        kind, _, ident = key.partition(":")
        if kind == "state":
            return ident in states_present
        pid = int(ident)
        return pid in people or substitutes.get(key) in people or delegate_state.get(pid) in states


    if rule is QuorumRule.plenary_half:
        delegates = [k for keys in seats.values() for k in keys]
        count = sum(1 for k in delegates if present(k))
        return {"rule": rule.value, "attending": count, "members": members,
                "required": math.ceil(count / 2), "reached": None}
    fraction = float((meeting.settings or {}).get("quorum_fraction", DEFAULT_QUORUM_FRACTION))
    count = sum(1 for keys in seats.values() for k in keys if present(k))
    required = math.ceil(members * fraction)
    return {"rule": rule.value, "attending": count, "members": members, "required": required,
            "fraction": fraction, "reached": count >= required and members > 0}


def majority_reached(majority: str, weighted_for: int, weighted_against: int) -> bool:
    """Rule 32: carried when weighted votes for exceed those against; a two-thirds majority needs at
    least two thirds of the votes cast (abstentions are not votes cast)."""
    if majority == "two_thirds":
        return weighted_for > weighted_against and 3 * weighted_for >= 2 * (weighted_for + weighted_against)
    return weighted_for > weighted_against
