"""Group positions, attributed Government statements and internal polls (PROCEDURE.md rules 27–28).

A position is the one current stance of the Employers' group, the Workers' group or a regional
group on an item, with every change kept in `PositionChange`. Governments are never summed into a
position: each Government statement is its own attributed row. Polls live in a space (a caucus or
a regional group's room) and are seen by its members alone (rule 9).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import StrEnum, Timestamped, UTCDateTime, utcnow
from forum.extensions import db

GROUP_HOLDERS = ("employer", "worker")  # the two groups with one position each; regional groups by code


class Stance(enum.Enum):
    support = "support"
    oppose = "oppose"
    reserve = "reserve"
    none = "none"  # no position (yet), or withdrawn


class PollChoice(enum.Enum):
    support = "support"
    oppose = "oppose"
    abstain = "abstain"


class PollState(enum.Enum):
    open = "open"
    closed = "closed"


def item_key(paragraph_id: int | None, amendment_id: int | None) -> str:
    """One string naming the item, so that a unique constraint holds (the FK columns are nullable)."""
    return f"amendment:{amendment_id}" if amendment_id else f"paragraph:{paragraph_id}"


class ItemColumns:
    """The columns that point a row at a paragraph or an amendment of a draft (see items.ItemRef)."""

    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    paragraph_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("draft_paragraphs.id", ondelete="CASCADE"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"), index=True)

    @property
    def item_kind(self) -> str:
        return "amendment" if self.amendment_id else "paragraph"

    @property
    def item_id(self) -> int:
        return self.amendment_id or self.paragraph_id  # type: ignore[return-value]


class Position(ItemColumns, Timestamped, db.Model):
    """The current position of a group (`employer`, `worker`) or a regional group (its code) on an item."""

    __tablename__ = "positions"
    __table_args__ = (sa.UniqueConstraint("item_key", "holder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(sa.String(40))
    holder: Mapped[str] = mapped_column(sa.String(20))
    regional_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regional_groups.id", ondelete="CASCADE"))
    stance: Mapped[Stance] = mapped_column(StrEnum(Stance))
    statement: Mapped[str] = mapped_column(sa.Text(), default="")
    # Who stated it (the spokesperson, secretary or coordinator), and who typed it in.
    stated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    stated_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # The secretariat taking note in the sitting, on the Chair's behalf (rule 8).
    for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    regional_group: Mapped[Any] = relationship("RegionalGroup", lazy="joined")

    @property
    def is_regional(self) -> bool:
        return self.holder not in GROUP_HOLDERS


class PositionChange(db.Model):
    """One recorded change of a position, as it was stated: the history rule 27 keeps."""

    __tablename__ = "position_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(sa.ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    previous_stance: Mapped[Stance | None] = mapped_column(StrEnum(Stance))
    stance: Mapped[Stance] = mapped_column(StrEnum(Stance))
    statement: Mapped[str] = mapped_column(sa.Text(), default="")
    stated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    stated_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Statement(ItemColumns, Timestamped, db.Model):
    """An attributed Government statement: "Government of Kenya, on behalf of the Africa group: support"
    (rule 28). Statements are listed, never counted into a Government position."""

    __tablename__ = "position_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_state: Mapped[str] = mapped_column(sa.String(2), index=True)
    regional_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regional_groups.id", ondelete="SET NULL"))
    stance: Mapped[Stance] = mapped_column(StrEnum(Stance))
    text: Mapped[str] = mapped_column(sa.Text(), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="SET NULL"))

    regional_group: Mapped[Any] = relationship("RegionalGroup", lazy="joined")


class Poll(ItemColumns, Timestamped, db.Model):
    """A quick internal poll of a group or regional group on an item; its space's members alone see it.

    It closes when an officer closes it or when `closes_at` passes: the state is derived on read
    (`is_open`), so no background job is needed.
    """

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(sa.String(300), default="")
    state: Mapped[PollState] = mapped_column(StrEnum(PollState), default=PollState.open)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    def is_open(self, now: datetime | None = None) -> bool:
        if self.state is PollState.closed:
            return False
        return self.closes_at is None or (now or utcnow()) < self.closes_at

    def effective_state(self, now: datetime | None = None) -> PollState:
        return PollState.open if self.is_open(now) else PollState.closed

    def ended_at(self) -> datetime | None:
        """When it closed: by an officer, or at its closing time."""
        if self.closed_at is not None:
            return self.closed_at
        return None if self.is_open() else self.closes_at


class PollAnswer(db.Model):
    """A member's answer; one per member, changeable while the poll is open."""

    __tablename__ = "poll_answers"
    __table_args__ = (sa.UniqueConstraint("poll_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    choice: Mapped[PollChoice] = mapped_column(StrEnum(PollChoice))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
