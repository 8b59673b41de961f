"""What the report of the meeting keeps: attributed summaries of interventions in the plenary
sittings, the speakers' corrections with their history, and the report's own life (draft,
published to the participants, adopted and frozen).

Only plenary sittings have interventions: nothing said in a caucus has a row here (rule 34, issue #10).
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


class SpeakerCapacity(enum.Enum):
    """In what capacity someone spoke, as the report attributes it ("The Worker Vice-Chairperson said")."""

    chair = "chair"
    employer_vice_chair = "employer_vice_chair"
    worker_vice_chair = "worker_vice_chair"
    government_vice_chair = "government_vice_chair"
    reporter = "reporter"
    government_member = "government_member"
    employer_member = "employer_member"
    worker_member = "worker_member"
    observer = "observer"
    secretariat = "secretariat"


class BehalfKind(enum.Enum):
    group = "group"  # the Employers' or Workers' (or Government) group
    regional_group = "regional_group"  # AFRICA, GRULAC…
    state = "state"  # a member State (e.g. an adviser speaking for the delegation)


class ReportState(enum.Enum):
    draft = "draft"  # the secretariat is writing
    published = "published"  # circulated to the participants: corrections open until the deadline
    adopted = "adopted"  # the body adopted it: frozen


class CorrectionState(enum.Enum):
    proposed = "proposed"
    accepted = "accepted"
    declined = "declined"


class Report(Timestamped, db.Model):
    """One report per meeting; created on first use."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    state: Mapped[ReportState] = mapped_column(StrEnum(ReportState), default=ReportState.draft)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Used only when the programme has no deadline of kind report_corrections.
    correction_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    adopted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    adopted_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    adoption_method: Mapped[str] = mapped_column(sa.String(40), default="")  # consensus | vote:<type>
    adoption_for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    adoption_sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sittings.id", ondelete="SET NULL"))
    adoption_note: Mapped[str] = mapped_column(sa.String(500), default="")
    # The adopted report as it was adopted, per language: what every later export shows.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(default=1)

    @property
    def is_adopted(self) -> bool:
        return self.state is ReportState.adopted


class Intervention(Timestamped, db.Model):
    """One speaker's intervention in a plenary sitting and the secretariat's summary of it."""

    __tablename__ = "interventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    # The request for the floor it was written from: one summary per turn at the floor.
    speaker_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("speaker_requests.id", ondelete="SET NULL"), unique=True)
    capacity: Mapped[SpeakerCapacity] = mapped_column(StrEnum(SpeakerCapacity))
    group: Mapped[Group] = mapped_column(StrEnum(Group))
    member_state: Mapped[str | None] = mapped_column(sa.String(2))
    behalf_kind: Mapped[BehalfKind | None] = mapped_column(StrEnum(BehalfKind))
    on_behalf_of: Mapped[str | None] = mapped_column(sa.String(20))
    # The item, as every position/vote/decision row names it; none for the general discussion.
    draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("drafts.id", ondelete="SET NULL"), index=True)
    paragraph_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="SET NULL"),
                                                     index=True)
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    speaking_seconds: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(sa.Text(), default="")
    # Optimistic concurrency: a save names the version it started from (two officials, one summary).
    version: Mapped[int] = mapped_column(default=1)
    written_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    written_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    speaker: Mapped[Any] = relationship("Participant", lazy="joined")
    sitting: Mapped[Any] = relationship("Sitting", lazy="joined")


class ReportCorrection(Timestamped, db.Model):
    """A speaker's proposed correction to the summary of their own intervention."""

    __tablename__ = "report_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(sa.ForeignKey("interventions.id", ondelete="CASCADE"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text())
    original: Mapped[str] = mapped_column(sa.Text(), default="")  # the summary the speaker corrected
    state: Mapped[CorrectionState] = mapped_column(StrEnum(CorrectionState), default=CorrectionState.proposed,
                                                   index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    # Every step, in order: [{"at", "by", "action", "state", "note"}].
    history: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    intervention: Mapped[Intervention] = relationship(lazy="joined")
    proposed_by: Mapped[Any] = relationship("Participant", lazy="joined")
