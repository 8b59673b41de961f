"""Reads about meetings, returning select()s with their loader options explicit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum.meetings.models import (
    AgendaItem,
    Announcement,
    Deadline,
    Group,
    Meeting,
    Office,
    OfficeRole,
    Participant,
    RegionalGroup,
    Sitting,
    Space,
    SpaceKind,
)

SPACE_ORDER = {SpaceKind.plenary: 0, SpaceKind.group: 1, SpaceKind.officers: 2, SpaceKind.regional: 3,
               SpaceKind.drafting: 4, SpaceKind.delegation: 5}


def meetings_of_user(user_id: int) -> sa.Select:
    return (
        sa.select(Participant)
        .join(Meeting, Participant.meeting_id == Meeting.id)
        .where(Participant.user_id == user_id, Participant.removed_at.is_(None))
        .options(selectinload(Participant.meeting))
        .order_by(Meeting.starts_on.desc().nulls_last(), Meeting.id.desc())
    )


def spaces_of_meeting(meeting_id: int) -> sa.Select:
    return (
        sa.select(Space)
        .where(Space.meeting_id == meeting_id)
        .options(selectinload(Space.members))
        .order_by(Space.id)
    )


def participants_of_meeting(meeting_id: int, *, group: Group | None = None, q: str = "") -> sa.Select:
    from forum.accounts.models import User

    stmt = (
        sa.select(Participant)
        .join(User, Participant.user_id == User.id)
        .where(Participant.meeting_id == meeting_id, Participant.removed_at.is_(None))
        .order_by(Participant.group, Participant.member_state, User.name)
    )
    if group is not None:
        stmt = stmt.where(Participant.group == group)
    if q:
        stmt = stmt.where(sa.or_(User.name.icontains(q, autoescape=True),
                                 User.email.icontains(q, autoescape=True)))
    return stmt


def removed_participants_of_meeting(meeting_id: int) -> sa.Select:
    """Participants removed from the meeting, most recent first (the secretariat may restore them)."""
    return (
        sa.select(Participant)
        .where(Participant.meeting_id == meeting_id, Participant.removed_at.is_not(None))
        .order_by(Participant.removed_at.desc(), Participant.id)
    )


def holders(meeting_id: int, role: OfficeRole, group: Group | None = None) -> sa.Select:
    stmt = (
        sa.select(Participant)
        .join(Office, Office.participant_id == Participant.id)
        .where(Office.meeting_id == meeting_id, Office.role == role, Participant.removed_at.is_(None))
    )
    if group is not None:
        stmt = stmt.where(Participant.group == group)
    return stmt


def regional_groups() -> sa.Select:
    return sa.select(RegionalGroup).order_by(RegionalGroup.code)


def day_bounds(meeting: Meeting, day: date) -> tuple[datetime, datetime]:
    """The UTC instants that begin and end `day` in the meeting's time zone."""
    tz = ZoneInfo(meeting.timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def sittings_between(meeting_id: int, start: datetime, end: datetime) -> sa.Select:
    return (
        sa.select(Sitting)
        .where(Sitting.meeting_id == meeting_id, Sitting.starts_at >= start, Sitting.starts_at < end)
        .order_by(Sitting.starts_at)
    )


def deadlines_between(meeting_id: int, start: datetime, end: datetime) -> sa.Select:
    return (
        sa.select(Deadline)
        .where(Deadline.meeting_id == meeting_id, Deadline.due_at >= start, Deadline.due_at < end)
        .order_by(Deadline.due_at)
    )


def announcements_on(meeting_id: int, day: date) -> sa.Select:
    return (
        sa.select(Announcement)
        .where(Announcement.meeting_id == meeting_id, Announcement.day == day)
        .order_by(Announcement.created_at)
    )


# --- programme of work (rule 13) --------------------------------------------------------------------

def agenda_items(meeting_id: int) -> sa.Select:
    return sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(
        AgendaItem.position, AgendaItem.id)


def sittings_of_meeting(meeting_id: int) -> sa.Select:
    return sa.select(Sitting).where(Sitting.meeting_id == meeting_id).order_by(Sitting.starts_at, Sitting.id)


def deadlines_of_meeting(meeting_id: int) -> sa.Select:
    return sa.select(Deadline).where(Deadline.meeting_id == meeting_id).order_by(Deadline.due_at, Deadline.id)


def deadlines_from(meeting_id: int, start: datetime, limit: int = 5) -> sa.Select:
    return deadlines_of_meeting(meeting_id).where(Deadline.due_at >= start).limit(limit)

