"""Votes, who voted, what was voted, and the Chair's decisions (PROCEDURE.md rules 29–33).

Who voted (`VoteParticipation`, one row per seat and vote, unique in the database) is kept apart
from what was voted. A record vote stores the choice with the voter; a show of hands stores it with
the group only; a secret vote stores it under a random key, with no time and no link to the voter,
and is final. Choice rows of show-of-hands and secret votes have random primary keys (and no rowid
on SQLite) so that not even their storage order follows the order in which people voted.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import StrEnum, Timestamped, UTCDateTime
from forum.extensions import db

CHOICES = ("for", "against", "abstain")
VOTE_GROUPS = ("government", "employer", "worker")


class VoteType(enum.Enum):
    show_of_hands = "show_of_hands"
    record = "record"
    secret = "secret"


class VoteState(enum.Enum):
    open = "open"
    closed = "closed"


class Majority(enum.Enum):
    simple = "simple"
    two_thirds = "two_thirds"


def random_key() -> str:
    return secrets.token_hex(16)


class Vote(db.Model):
    """A vote on a paragraph or an amendment, with the weights, composition and quorum it used."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    paragraph_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="CASCADE"),
                                                     index=True)
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"),
                                                     index=True)
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="SET NULL"), index=True)
    type: Mapped[VoteType] = mapped_column(StrEnum(VoteType))
    state: Mapped[VoteState] = mapped_column(StrEnum(VoteState), default=VoteState.open)
    majority: Mapped[Majority] = mapped_column(StrEnum(Majority), default=Majority.simple)
    question: Mapped[str] = mapped_column(sa.String(500), default="")
    # Rule 31: how weights were computed, the weights per group and the composition they came from.
    weighting: Mapped[str] = mapped_column(sa.String(24))
    weights: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    composition: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Rule 32: the rule, who attended and what was required, from the register when the vote opened.
    quorum: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    results: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_open(self) -> bool:
        return self.state is VoteState.open


class VoteParticipation(db.Model):
    """Who voted: one row per seat (`state:KE`, `participant:12`) and vote, enforced by the database.

    `participant_id` is who actually cast it (a State's delegate or adviser, a deputy in a member's
    place). `choice_ref` points at a show-of-hands choice only while the vote is open and only when
    the meeting lets voters change their ballot; closing the vote clears it.
    """

    __tablename__ = "vote_participations"
    __table_args__ = (sa.UniqueConstraint("vote_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(sa.String(40))
    group: Mapped[str] = mapped_column(sa.String(24))
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    choice_ref: Mapped[str | None] = mapped_column(sa.String(32))


class RecordChoice(db.Model):
    """A record vote's ballot: published with the voter (rule 30)."""

    __tablename__ = "vote_record_choices"
    __table_args__ = (sa.UniqueConstraint("vote_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    voter_key: Mapped[str] = mapped_column(sa.String(40))
    group: Mapped[str] = mapped_column(sa.String(24))
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    choice: Mapped[str] = mapped_column(sa.String(10))
    weight: Mapped[int] = mapped_column()


class GroupChoice(db.Model):
    """A show-of-hands ballot: the group and the choice, nobody's name (rule 30)."""

    __tablename__ = "vote_group_choices"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_key)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    group: Mapped[str] = mapped_column(sa.String(24))
    choice: Mapped[str] = mapped_column(sa.String(10))
    weight: Mapped[int] = mapped_column()


class SecretChoice(db.Model):
    """A secret ballot: a random key, the choice and its weight; no time, no voter, no group.

    `receipt_hash` lets the voter, who alone holds the receipt code, check that it was counted.
    """

    __tablename__ = "vote_secret_choices"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_key)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    choice: Mapped[str] = mapped_column(sa.String(10))
    weight: Mapped[int] = mapped_column()
    receipt_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class Decision(Timestamped, db.Model):
    """What the Chair declared about an item, how (method) and where (rule 29)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    paragraph_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="CASCADE"),
                                                     index=True)
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"),
                                                     index=True)
    outcome: Mapped[str] = mapped_column(sa.String(24))
    method: Mapped[str] = mapped_column(sa.String(40))
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="SET NULL"), index=True)
    vote_id: Mapped[int | None] = mapped_column(sa.ForeignKey("votes.id", ondelete="SET NULL"), index=True)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    declared_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    note: Mapped[str] = mapped_column(sa.Text(), default="")
