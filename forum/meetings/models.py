"""The meeting and who takes part in it (PROCEDURE.md §1–§3)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import StrEnum, Timestamped, UTCDateTime
from forum.extensions import db


class BodyType(enum.Enum):
    committee = "committee"
    plenary = "plenary"
    experts = "experts"
    governing_body = "governing_body"


class WeightingMode(enum.Enum):
    equal_strength = "equal_strength"  # rule 31: the three groups weigh the same
    one_person_one_vote = "one_person_one_vote"
    fixed_ratio = "fixed_ratio"


class QuorumRule(enum.Enum):
    none = "none"
    committee = "committee"  # a quorum of voting members in the attendance register
    plenary_half = "plenary_half"  # votes cast must reach half of the delegates attending


class Group(enum.Enum):
    government = "government"
    employer = "employer"
    worker = "worker"
    none = "none"


class Capacity(enum.Enum):
    delegate = "delegate"
    substitute = "substitute"
    adviser = "adviser"
    observer = "observer"
    secretariat = "secretariat"


class MembershipKind(enum.Enum):
    regular = "regular"
    deputy = "deputy"
    none = "none"


class OfficeRole(enum.Enum):
    chair = "chair"
    vice_chair = "vice_chair"
    reporter = "reporter"
    spokesperson = "spokesperson"
    group_secretary = "group_secretary"
    coordinator = "coordinator"


class SpaceKind(enum.Enum):
    plenary = "plenary"
    group = "group"
    regional = "regional"
    drafting = "drafting"
    officers = "officers"
    delegation = "delegation"


class SittingState(enum.Enum):
    scheduled = "scheduled"
    live = "live"
    suspended = "suspended"
    closed = "closed"


class DeadlineKind(enum.Enum):
    amendments = "amendments"
    sub_amendments = "sub_amendments"
    report_corrections = "report_corrections"
    other = "other"


class Meeting(Timestamped, db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    symbol_prefix: Mapped[str] = mapped_column(sa.String(60))
    languages: Mapped[str] = mapped_column(sa.String(40), default="en,fr,es")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Zurich")
    body_type: Mapped[BodyType] = mapped_column(StrEnum(BodyType), default=BodyType.committee)
    weighting_mode: Mapped[WeightingMode] = mapped_column(
        StrEnum(WeightingMode), default=WeightingMode.equal_strength
    )
    quorum_rule: Mapped[QuorumRule] = mapped_column(StrEnum(QuorumRule), default=QuorumRule.committee)
    starts_on: Mapped[date | None] = mapped_column(sa.Date())
    ends_on: Mapped[date | None] = mapped_column(sa.Date())
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    participants: Mapped[list[Participant]] = relationship(back_populates="meeting", lazy="raise_on_sql")
    spaces: Mapped[list[Space]] = relationship(back_populates="meeting", lazy="raise_on_sql")

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def __repr__(self) -> str:
        return f"<Meeting {self.symbol_prefix}>"


class RegionalGroup(db.Model):
    """A regional group of States (Africa, ASPAG, GRULAC, Europe, IMEC, EU): reference data."""

    __tablename__ = "regional_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))

    states: Mapped[list[RegionalGroupState]] = relationship(
        back_populates="regional_group", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def state_codes(self) -> set[str]:
        return {s.member_state for s in self.states}


class RegionalGroupState(db.Model):
    __tablename__ = "regional_group_states"
    __table_args__ = (sa.UniqueConstraint("regional_group_id", "member_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regional_group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("regional_groups.id", ondelete="CASCADE"), index=True
    )
    member_state: Mapped[str] = mapped_column(sa.String(2), index=True)

    regional_group: Mapped[RegionalGroup] = relationship(back_populates="states")


class Participant(Timestamped, db.Model):
    """A user accredited to one meeting."""

    __tablename__ = "participants"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    group: Mapped[Group] = mapped_column(StrEnum(Group))
    capacity: Mapped[Capacity] = mapped_column(StrEnum(Capacity))
    member_state: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    user: Mapped[Any] = relationship("User", lazy="joined")
    offices: Mapped[list[Office]] = relationship(
        back_populates="participant", lazy="selectin", cascade="all, delete-orphan"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="participant", lazy="selectin", cascade="all, delete-orphan",
        order_by="(Membership.effective_from, Membership.id)",
    )

    @property
    def active(self) -> bool:
        return self.removed_at is None

    @property
    def is_secretariat(self) -> bool:
        return self.capacity is Capacity.secretariat and self.active

    @property
    def is_observer(self) -> bool:
        return self.capacity is Capacity.observer

    def roles(self) -> set[OfficeRole]:
        return {o.role for o in self.offices}

    def membership_on(self, day: date) -> MembershipKind:
        """The membership in force on `day` (rule 4): the latest one effective by then."""
        current = MembershipKind.none
        for m in self.memberships:
            if m.effective_from <= day:
                current = m.kind
        return current


class Membership(Timestamped, db.Model):
    """Regular or deputy membership of the deliberating body, effective from a date (rule 4)."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MembershipKind] = mapped_column(StrEnum(MembershipKind))
    effective_from: Mapped[date] = mapped_column(sa.Date())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    participant: Mapped[Participant] = relationship(back_populates="memberships")


class Office(Timestamped, db.Model):
    """An officer role or a group function held by a participant."""

    __tablename__ = "offices"
    __table_args__ = (sa.UniqueConstraint("participant_id", "role", "regional_group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[OfficeRole] = mapped_column(StrEnum(OfficeRole))
    regional_group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("regional_groups.id", ondelete="CASCADE")
    )

    participant: Mapped[Participant] = relationship(back_populates="offices")
    regional_group: Mapped[RegionalGroup | None] = relationship(lazy="joined")


class Space(Timestamped, db.Model):
    """Where threads, documents, polls and rooms live; its kind decides who belongs (rule 9)."""

    __tablename__ = "spaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SpaceKind] = mapped_column(StrEnum(SpaceKind))
    name: Mapped[str] = mapped_column(sa.String(200))
    group: Mapped[Group | None] = mapped_column(StrEnum(Group))
    regional_group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("regional_groups.id", ondelete="CASCADE")
    )
    member_state: Mapped[str | None] = mapped_column(sa.String(2))
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="spaces")
    regional_group: Mapped[RegionalGroup | None] = relationship(lazy="joined")
    members: Mapped[list[SpaceMember]] = relationship(
        back_populates="space", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_restricted(self) -> bool:
        return self.kind is not SpaceKind.plenary


class SpaceMember(Timestamped, db.Model):
    """Named members of a drafting group's space."""

    __tablename__ = "space_members"
    __table_args__ = (sa.UniqueConstraint("space_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )

    space: Mapped[Space] = relationship(back_populates="members")


class AgendaItem(Timestamped, db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)


class Sitting(Timestamped, db.Model):
    """A dated sitting of the programme; the live-sittings module runs it."""

    __tablename__ = "sittings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    room: Mapped[str] = mapped_column(sa.String(100), default="")
    state: Mapped[SittingState] = mapped_column(StrEnum(SittingState), default=SittingState.scheduled)
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    agenda_item: Mapped[AgendaItem | None] = relationship(lazy="joined")


class Deadline(Timestamped, db.Model):
    """A deadline of the programme, as an absolute time; extensions keep the original (rule 13)."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DeadlineKind] = mapped_column(StrEnum(DeadlineKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extension_note: Mapped[str] = mapped_column(sa.String(300), default="")
    extension_by_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class Announcement(Timestamped, db.Model):
    """A line of the daily bulletin."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date(), index=True)
    body: Mapped[str] = mapped_column(sa.Text())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class Notification(Timestamped, db.Model):
    """Something a user should see: a code and data, rendered in the reader's language."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(60))
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AttendanceEntry(Timestamped, db.Model):
    """The secretariat's attendance register for a sitting (rule 32): a participant present, or a
    member State present (its Government delegation, whoever of it is in the room)."""

    __tablename__ = "attendance_entries"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "participant_id"),
                      sa.UniqueConstraint("sitting_id", "member_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"),
                                                       index=True)
    member_state: Mapped[str | None] = mapped_column(sa.String(2))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class SubstitutionNotice(Timestamped, db.Model):
    """A written notice, recorded by the secretariat, that `substitute` (a deputy or an adviser) votes
    in place of `replaces` (an absent regular member or delegate) on a day or in one sitting (rule 3).
    `created_at` is when the secretariat recorded it: plenary mode needs it before the sitting."""

    __tablename__ = "substitution_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    substitute_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    replaces_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date())
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    substitute: Mapped[Participant] = relationship(foreign_keys=[substitute_id], lazy="joined")
    replaces: Mapped[Participant] = relationship(foreign_keys=[replaces_id], lazy="joined")
