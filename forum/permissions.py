"""Every access rule of the platform, as plain functions of (user, object).

Rights inside a meeting come only from the user's participation in it (PROCEDURE.md §1–§2);
the global flags allow creating meetings (`is_staff`) and managing accounts (`is_admin`), and
open no meeting space. The role × action table is in docs/permissions.md.

The functions find the participation themselves and cache it on the database session for the
duration of the transaction, so that a page asking twenty questions runs one query.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import (
    Capacity,
    Group,
    Meeting,
    OfficeRole,
    Participant,
    Space,
    SpaceKind,
)

_CACHE = "forum_participation_cache"
OFFICER_ROLES = {OfficeRole.chair, OfficeRole.vice_chair, OfficeRole.reporter}


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def participation(user: Any, meeting: Meeting | int) -> Participant | None:
    """The user's active participation in the meeting, or None."""
    if not _signed_in(user):
        return None
    meeting_id = meeting if isinstance(meeting, int) else meeting.id
    cache = db.session.info.setdefault(_CACHE, {})
    key = (user.id, meeting_id)
    if key not in cache:
        cache[key] = db.session.scalars(
            sa.select(Participant).where(
                Participant.meeting_id == meeting_id,
                Participant.user_id == user.id,
                Participant.removed_at.is_(None),
            )
        ).first()
    return cache[key]


def forget_participations() -> None:
    db.session.info.pop(_CACHE, None)


# --- global --------------------------------------------------------------------------------------

def can_create_meeting(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_staff)


def can_manage_users(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_admin)


# --- meeting -------------------------------------------------------------------------------------

def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    return participation(user, meeting) is not None


def is_secretariat(user: Any, meeting: Meeting) -> bool:
    p = participation(user, meeting)
    return p is not None and p.capacity is Capacity.secretariat


def is_chair(user: Any, meeting: Meeting) -> bool:
    p = participation(user, meeting)
    return p is not None and OfficeRole.chair in p.roles()


def can_manage_meeting(user: Any, meeting: Meeting) -> bool:
    """Settings, accreditation, programme of work: the meeting secretariat (rule 8)."""
    return is_secretariat(user, meeting)


def can_accredit_participants(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_view_participants(user: Any, meeting: Meeting) -> bool:
    return can_view_meeting(user, meeting)


def can_remove_participant(user: Any, participant: Participant) -> bool:
    """The secretariat removes others, explicitly (rule 10); nobody removes themselves."""
    return (participant.removed_at is None and participant.user_id != getattr(user, "id", None)
            and is_secretariat(user, participant.meeting_id))  # type: ignore[arg-type]


def can_restore_participant(user: Any, participant: Participant) -> bool:
    return (participant.removed_at is not None and participant.user_id != getattr(user, "id", None)
            and is_secretariat(user, participant.meeting_id))  # type: ignore[arg-type]


def can_view_notifications(user: Any) -> bool:
    """Anyone signed in reads their own notifications."""
    return _signed_in(user)


def can_manage_programme(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_view_audit(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


def can_view_password_resets(user: Any, meeting: Meeting) -> bool:
    return is_secretariat(user, meeting)


# --- spaces (rule 9) -----------------------------------------------------------------------------

def is_space_member(participant: Participant | None, space: Space) -> bool:
    """Group membership alone decides: no office or global flag opens a caucus."""
    p = participant
    if p is None or not p.active or p.meeting_id != space.meeting_id:
        return False
    kind = space.kind
    if kind is SpaceKind.plenary:
        return True
    if kind is SpaceKind.group:
        return space.group is not None and p.group is space.group and p.capacity is not Capacity.secretariat
    if kind is SpaceKind.officers:
        return p.capacity is Capacity.secretariat or bool(p.roles() & OFFICER_ROLES)
    if kind is SpaceKind.regional:
        return (p.group is Group.government and p.capacity is not Capacity.observer
                and space.regional_group is not None
                and p.member_state in space.regional_group.state_codes)
    if kind is SpaceKind.delegation:
        return (p.group is Group.government and p.capacity is not Capacity.observer
                and p.member_state is not None and p.member_state == space.member_state)
    if kind is SpaceKind.drafting:
        return any(m.participant_id == p.id for m in space.members)
    return False


def can_view_space(user: Any, space: Space) -> bool:
    return is_space_member(participation(user, space.meeting_id), space)


def can_write_space(user: Any, space: Space) -> bool:
    """Members write; observers read only (rule 5)."""
    p = participation(user, space.meeting_id)
    return is_space_member(p, space) and p is not None and p.capacity is not Capacity.observer


def can_view_space_id(user: Any, meeting: Meeting, space_id: int | None) -> bool:
    """For records that name a space (audit entries): no space means meeting-wide."""
    if space_id is None:
        return can_view_meeting(user, meeting)
    space = db.session.get(Space, space_id)
    return space is not None and space.meeting_id == meeting.id and can_view_space(user, space)


def visible_space_ids(user: Any, meeting: Meeting) -> frozenset[int]:
    """The meeting's spaces the user belongs to, in one query: records naming any other space are
    redacted for this user (rule 11), the secretariat included (it sees no caucus, rule 9)."""
    p = participation(user, meeting)
    if p is None:
        return frozenset()
    spaces = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))
    return frozenset(s.id for s in spaces if is_space_member(p, s))


# --- real-time rooms -------------------------------------------------------------------------------

def can_join_room(user: Any, room_name: str) -> bool:
    """Rooms are named by the server; a client may only ask to follow one it may see."""
    if not _signed_in(user):
        return False
    kind, _, rest = room_name.partition(":")
    ident, _, suffix = rest.partition(":")
    if not ident.isdigit():
        return False
    ident_int = int(ident)
    if kind == "user":
        return ident_int == user.id and not suffix
    if kind == "meeting" and not suffix:
        meeting = db.session.get(Meeting, ident_int)
        return meeting is not None and can_view_meeting(user, meeting)
    if kind == "space" and not suffix:
        space = db.session.get(Space, ident_int)
        return space is not None and can_view_space(user, space)
    return False


@sa.event.listens_for(sa.orm.Session, "after_commit")
@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _forget_on_transaction_end(session: sa.orm.Session) -> None:
    session.info.pop(_CACHE, None)
