"""What a live sitting keeps in the database: the current item, the speakers list, the timer, the
announcement line, the Chair's script and the officers' messages (issue #7).

Nothing lives only in memory: a server restarted mid-sitting reads everything back from here,
and clients resynchronise with a snapshot. The `Sitting` row of the programme keeps its state
(scheduled, live, suspended, closed) and the version every live update carries.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import StrEnum, Timestamped, UTCDateTime
from forum.extensions import db
from forum.meetings.models import Group


class SpeakerKind(enum.Enum):
    speak = "speak"
    point_of_order = "point_of_order"  # flagged, heard before anyone else
    objection = "objection"  # rule 29: an objection is a request for the floor marked as such
    reply = "reply"  # a right of reply, heard after the list


class SpeakerCategory(enum.Enum):
    """The customary order of the floor (configurable per meeting, `speakers_order`)."""

    spokesperson = "spokesperson"  # the Employer and Worker Vice-Chairpersons (spokespersons)
    regional_group = "regional_group"  # a Government speaking for its regional group
    government = "government"  # a Government for itself
    member = "member"  # an Employer or Worker member
    observer = "observer"  # only when the Chair invites observers (rule 5)


DEFAULT_ORDER = (SpeakerCategory.spokesperson, SpeakerCategory.regional_group, SpeakerCategory.government,
                 SpeakerCategory.member, SpeakerCategory.observer)


class RequestState(enum.Enum):
    waiting = "waiting"
    speaking = "speaking"
    done = "done"
    withdrawn = "withdrawn"
    removed = "removed"


OPEN_REQUESTS = frozenset({RequestState.waiting, RequestState.speaking})


class LiveSitting(Timestamped, db.Model):
    """A sitting of the programme once the secretariat has made it live on a draft."""

    __tablename__ = "live_sittings"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), unique=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    # The current item: a paragraph, or an amendment (then paragraph_id is its paragraph).
    paragraph_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="SET NULL"))
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="SET NULL"))
    announcement: Mapped[str] = mapped_column(sa.String(300), default="")
    made_live_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The countdown as a start time and a duration, so that every client computes the same remainder.
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timer_seconds: Mapped[int | None] = mapped_column()
    timer_request_id: Mapped[int | None] = mapped_column()
    default_limit_seconds: Mapped[int] = mapped_column(default=180)
    # Rule 29: the Chair asked "any objection?" on this item at this time.
    objections_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    objections_item: Mapped[str] = mapped_column(sa.String(40), default="")
    observers_invited: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An oral amendment as the secretariat types it: {paragraph_id, parent_id, kind, language, base, text}.
    oral_draft: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    sitting: Mapped[Any] = relationship("Sitting", lazy="joined")

    @property
    def current_item(self) -> tuple[str, int] | None:
        if self.amendment_id is not None:
            return ("amendment", self.amendment_id)
        if self.paragraph_id is not None:
            return ("paragraph", self.paragraph_id)
        return None

    @property
    def current_key(self) -> str:
        item = self.current_item
        return f"{item[0]}:{item[1]}" if item else ""


class SpeakerRequest(Timestamped, db.Model):
    """A request for the floor; registered before or during the sitting; its place is `position`."""

    __tablename__ = "speaker_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SpeakerKind] = mapped_column(StrEnum(SpeakerKind))
    category: Mapped[SpeakerCategory] = mapped_column(StrEnum(SpeakerCategory))
    group: Mapped[Group] = mapped_column(StrEnum(Group))
    member_state: Mapped[str | None] = mapped_column(sa.String(2))
    on_behalf_of: Mapped[str | None] = mapped_column(sa.String(20))  # a regional group's code
    state: Mapped[RequestState] = mapped_column(StrEnum(RequestState), default=RequestState.waiting, index=True)
    position: Mapped[int] = mapped_column(default=0)
    time_limit_seconds: Mapped[int | None] = mapped_column()
    item_key: Mapped[str] = mapped_column(sa.String(40), default="")  # the item it was asked on
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    spoken_seconds: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    participant: Mapped[Any] = relationship("Participant", lazy="joined")


class ScriptNote(Timestamped, db.Model):
    """The Chair's script for one item, prepared by the secretariat; officers and secretariat only."""

    __tablename__ = "sitting_script_notes"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(sa.String(40))  # "paragraph:5" or "amendment:9"
    text: Mapped[str] = mapped_column(sa.Text(), default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OfficerMessage(Timestamped, db.Model):
    """A short message in the officers' room during the sitting (no other participant sees it)."""

    __tablename__ = "sitting_officer_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.String(500))
