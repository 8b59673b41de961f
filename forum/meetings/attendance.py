"""The attendance register and substitution notices, kept by the secretariat (rules 3, 8 and 32).

Quorum is counted from this register, never from who is connected; a deputy or an adviser votes in
a member's place only under a notice recorded here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from forum import permissions
from forum.audit.services import record
from forum.db import utcnow
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.live import publish_sitting_update
from forum.meetings.models import (
    AttendanceEntry,
    Capacity,
    Group,
    Meeting,
    MembershipKind,
    Participant,
    Sitting,
    SubstitutionNotice,
)


def local_day(meeting: Meeting, instant: datetime) -> date:
    return instant.astimezone(ZoneInfo(meeting.timezone)).date()


def present(sitting: Sitting) -> dict[str, list[Any]]:
    """The register of a sitting: participant ids and member States marked present."""
    rows = db.session.execute(sa.select(AttendanceEntry.participant_id, AttendanceEntry.member_state)
                              .where(AttendanceEntry.sitting_id == sitting.id)).all()
    return {"participants": sorted(r[0] for r in rows if r[0] is not None),
            "member_states": sorted(r[1] for r in rows if r[1])}


def set_attendance(actor: Any, sitting: Sitting, *, participant_ids: list[int], member_states: list[str]) -> None:
    """Replace the sitting's register with the participants and States given (recorded as a change)."""
    meeting = db.session.get(Meeting, sitting.meeting_id)
    if not permissions.can_keep_attendance(actor, meeting):
        raise NotAllowed("Only the meeting secretariat keeps the attendance register.")
    errors: dict[str, list[str]] = {}
    try:
        ids = {int(i) for i in participant_ids}
    except (TypeError, ValueError):
        ids = set()
        errors["participant_ids"] = ["Choose participants of this meeting."]
    codes = {str(c).strip().upper() for c in member_states if str(c).strip()}
    people = list(db.session.scalars(sa.select(Participant).where(
        Participant.id.in_(ids), Participant.meeting_id == meeting.id, Participant.removed_at.is_(None))))
    if len(people) != len(ids) or any(p.capacity is Capacity.secretariat for p in people):
        errors.setdefault("participant_ids", []).append("Choose participants of this meeting (not the secretariat).")
    states = set(db.session.scalars(sa.select(Participant.member_state).where(
        Participant.meeting_id == meeting.id, Participant.group == Group.government,
        Participant.removed_at.is_(None), Participant.member_state.is_not(None))))
    if codes - states:
        errors["member_states"] = [f"No Government delegation of {', '.join(sorted(codes - states))} is accredited."]
    if errors:
        raise ValidationFailed("The attendance register could not be saved.", errors)
    before = present(sitting)
    added_p = ids - set(before["participants"])
    removed_p = set(before["participants"]) - ids
    added_s = codes - set(before["member_states"])
    removed_s = set(before["member_states"]) - codes
    if not (added_p or removed_p or added_s or removed_s):
        return
    if removed_p:
        db.session.execute(sa.delete(AttendanceEntry).where(AttendanceEntry.sitting_id == sitting.id,
                                                            AttendanceEntry.participant_id.in_(removed_p)))
    if removed_s:
        db.session.execute(sa.delete(AttendanceEntry).where(AttendanceEntry.sitting_id == sitting.id,
                                                            AttendanceEntry.member_state.in_(removed_s)))
    for pid in sorted(added_p):
        db.session.add(AttendanceEntry(sitting_id=sitting.id, participant_id=pid, recorded_by_id=actor.id))
    for code in sorted(added_s):
        db.session.add(AttendanceEntry(sitting_id=sitting.id, member_state=code, recorded_by_id=actor.id))
    db.session.flush()
    change = {"sitting_id": sitting.id, "added": {"participants": sorted(added_p), "member_states": sorted(added_s)},
              "removed": {"participants": sorted(removed_p), "member_states": sorted(removed_s)}}
    record(actor, "attendance.update", sitting, change, meeting_id=meeting.id)
    after = present(sitting)
    publish_sitting_update(sitting, "attendance", {"participants": len(after["participants"]),
                                                   "member_states": len(after["member_states"])})


# --- substitution notices (rule 3) ---------------------------------------------------------------------

def record_substitution(actor: Any, meeting: Meeting, *, substitute: Participant, replaces: Participant,
                        day: date | None = None, sitting: Sitting | None = None, note: str = "") -> SubstitutionNotice:
    """Record a written notice that `substitute` votes in place of `replaces`.

    Committee mode: a deputy of the same group in place of a regular member. Plenary mode: an adviser
    (or substitute) in place of a delegate of the same group and State. The day defaults to the
    sitting's or today's, in the meeting's time zone.
    """
    if not permissions.can_record_substitution(actor, meeting):
        raise NotAllowed("Only the meeting secretariat records substitution notices.")
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = ["Use at most 300 characters."]
    for who, field in ((substitute, "substitute_id"), (replaces, "replaces_id")):
        if who.meeting_id != meeting.id or not who.active:
            errors[field] = ["Choose a participant of this meeting."]
    if sitting is not None and sitting.meeting_id != meeting.id:
        errors["sitting_id"] = ["Choose a sitting of this meeting."]
    if errors:
        raise ValidationFailed("The notice could not be recorded.", errors)
    day = day or (local_day(meeting, sitting.starts_at) if sitting else local_day(meeting, utcnow()))
    if substitute.id == replaces.id:
        errors["substitute_id"] = ["A participant does not replace themselves."]
    elif substitute.group is not replaces.group or substitute.group in (Group.none,):
        errors["substitute_id"] = ["The substitute belongs to the same group as the member replaced."]
    from forum.positions.weights import plenary_mode

    if plenary_mode(meeting):
        if replaces.capacity is not Capacity.delegate:
            errors["replaces_id"] = ["In plenary mode an adviser replaces a delegate."]
        if substitute.capacity not in (Capacity.adviser, Capacity.substitute):
            errors.setdefault("substitute_id", []).append("In plenary mode the substitute is an adviser.")
        if substitute.member_state != replaces.member_state:
            errors.setdefault("substitute_id", []).append("The adviser belongs to the same delegation.")
    elif substitute.group is Group.government:
        errors["substitute_id"] = ["Any Government participant casts its State's ballot: no notice is needed."]
    else:
        if replaces.membership_on(day) is not MembershipKind.regular:
            errors["replaces_id"] = ["Choose a regular member of the group."]
        if substitute.membership_on(day) is not MembershipKind.deputy:
            errors.setdefault("substitute_id", []).append("Only a deputy member replaces a regular member.")
    if errors:
        raise ValidationFailed("The notice could not be recorded.", errors)
    stmt = sa.select(SubstitutionNotice.id).where(
        SubstitutionNotice.meeting_id == meeting.id, SubstitutionNotice.day == day,
        SubstitutionNotice.revoked_at.is_(None),
        sa.or_(SubstitutionNotice.replaces_id == replaces.id, SubstitutionNotice.substitute_id == substitute.id))
    if sitting is not None:
        stmt = stmt.where(sa.or_(SubstitutionNotice.sitting_id.is_(None), SubstitutionNotice.sitting_id == sitting.id))
    clash = db.session.scalar(stmt.limit(1))
    if clash:
        raise InvalidState("A notice for that member or that substitute is already recorded for that day: "
                           "revoke it first.")
    notice = SubstitutionNotice(meeting_id=meeting.id, substitute_id=substitute.id, replaces_id=replaces.id,
                                day=day, sitting_id=sitting.id if sitting else None, note=note,
                                recorded_by_id=actor.id, created_at=utcnow())
    db.session.add(notice)
    db.session.flush()
    record(actor, "substitution.record", notice, {"substitute": substitute.id, "replaces": replaces.id,
                                                  "day": day, "sitting_id": notice.sitting_id, "note": note},
           meeting_id=meeting.id)
    return notice


def revoke_substitution(actor: Any, notice: SubstitutionNotice) -> SubstitutionNotice:
    meeting = db.session.get(Meeting, notice.meeting_id)
    if not permissions.can_record_substitution(actor, meeting):
        raise NotAllowed("Only the meeting secretariat records substitution notices.")
    if notice.revoked_at is not None:
        raise InvalidState("This notice is already revoked.")
    notice.revoked_at = utcnow()
    record(actor, "substitution.revoke", notice, {"substitute": notice.substitute_id,
                                                  "replaces": notice.replaces_id}, meeting_id=meeting.id)
    return notice


def notices_in_force(meeting: Meeting, *, day: date, sitting: Sitting | None,
                     recorded_before: datetime | None = None) -> list[SubstitutionNotice]:
    """Notices that apply to a vote on `day` in `sitting`: for that sitting or for the whole day."""
    stmt = sa.select(SubstitutionNotice).where(
        SubstitutionNotice.meeting_id == meeting.id, SubstitutionNotice.day == day,
        SubstitutionNotice.revoked_at.is_(None))
    if sitting is not None:
        stmt = stmt.where(sa.or_(SubstitutionNotice.sitting_id.is_(None), SubstitutionNotice.sitting_id == sitting.id))
    else:
        stmt = stmt.where(SubstitutionNotice.sitting_id.is_(None))
    if recorded_before is not None:
        stmt = stmt.where(SubstitutionNotice.created_at <= recorded_before)
    return list(db.session.scalars(stmt.order_by(SubstitutionNotice.id)))


def notices_for(meeting: Meeting) -> list[SubstitutionNotice]:
    return list(db.session.scalars(sa.select(SubstitutionNotice).where(SubstitutionNotice.meeting_id == meeting.id)
                                   .order_by(SubstitutionNotice.day.desc(), SubstitutionNotice.id.desc())))
