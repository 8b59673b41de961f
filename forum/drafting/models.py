"""Draft conclusions and their amendments (PROCEDURE.md §4–§5).

A draft is parts and paragraphs with stable labels; its words live in `ParagraphText`, one row per
language and version, so that every amendment names the exact text it was written on and every
change of the text names the amendment whose adoption made it. Nothing here decides anything:
the Chairperson's decisions arrive through the services and are recorded as they were declared.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import StrEnum, Timestamped, UTCDateTime
from forum.extensions import db
from forum.meetings.models import Group

LANGUAGES = ("en", "fr", "es")
ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
         (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
# Rule 16: "new paragraph after 5" is 5bis, the next one after 5 is 5ter, and so on.
LATIN_SUFFIXES = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies",
                  "undecies", "duodecies")


def roman(number: int) -> str:
    out = []
    for value, letters in ROMAN:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


class DraftState(enum.Enum):
    preparation = "preparation"  # the secretariat shapes the text; labels may still change
    negotiation = "negotiation"  # open for amendments; labels are stable (rule 16)


class ParagraphKind(enum.Enum):
    preamble = "preamble"
    paragraph = "paragraph"
    subparagraph = "subparagraph"


class ParagraphState(enum.Enum):
    pending = "pending"
    under_discussion = "under_discussion"
    adopted = "adopted"
    adopted_as_amended = "adopted_as_amended"
    deleted = "deleted"
    deferred = "deferred"
    bracketed = "bracketed"


PARAGRAPH_SETTLED = frozenset({ParagraphState.adopted, ParagraphState.adopted_as_amended, ParagraphState.deleted})


class AmendmentKind(enum.Enum):
    modify = "modify"
    delete = "delete"
    insert_after = "insert_after"


class AmendmentState(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"  # returned for clarification
    validated = "validated"
    circulated = "circulated"
    under_discussion = "under_discussion"
    adopted = "adopted"
    adopted_as_sub_amended = "adopted_as_sub_amended"
    rejected = "rejected"
    withdrawn = "withdrawn"
    fell = "fell"
    not_seconded = "not_seconded"
    not_moved = "not_moved"
    merged = "merged"


# Before circulation an amendment is seen by its movers (and the secretariat once submitted).
UNCIRCULATED = frozenset({AmendmentState.draft, AmendmentState.submitted, AmendmentState.returned,
                          AmendmentState.validated})
# Circulated and still to be disposed of: what the body has before it.
PENDING = frozenset({AmendmentState.circulated, AmendmentState.under_discussion})
# Filed and not yet disposed of (what a paragraph's adoption waits for, what falling looks at).
LIVE = frozenset({AmendmentState.submitted, AmendmentState.returned, AmendmentState.validated,
                  AmendmentState.circulated, AmendmentState.under_discussion})
OUTCOMES = frozenset({AmendmentState.adopted, AmendmentState.adopted_as_sub_amended, AmendmentState.rejected,
                      AmendmentState.withdrawn, AmendmentState.fell, AmendmentState.not_seconded,
                      AmendmentState.not_moved, AmendmentState.merged})
ADOPTED = frozenset({AmendmentState.adopted, AmendmentState.adopted_as_sub_amended})


class MoverKind(enum.Enum):
    state = "state"  # one State: must be seconded (rule 22)
    co_sponsored = "co_sponsored"  # several States
    regional_group = "regional_group"  # on behalf of a regional group, listing States that do not support it
    employer_group = "employer_group"
    worker_group = "worker_group"
    joint = "joint"  # the Employers' and Workers' groups jointly
    drafting_group = "drafting_group"  # a drafting group's proposed text (rule 18)


@dataclass(frozen=True)
class Mover:
    """Who moves an amendment, as the filer names it (rule 19)."""

    kind: MoverKind
    states: tuple[str, ...] = ()
    regional_group_id: int | None = None
    non_supporting: tuple[str, ...] = ()
    drafting_group_id: int | None = None

    @property
    def needs_seconder(self) -> bool:
        """Rule 22: only an amendment of a single State needs a seconder."""
        return self.kind is MoverKind.state

    @property
    def groups(self) -> tuple[Group, ...]:
        return {MoverKind.employer_group: (Group.employer,), MoverKind.worker_group: (Group.worker,),
                MoverKind.joint: (Group.employer, Group.worker)}.get(self.kind, ())


class Draft(Timestamped, db.Model):
    """A draft text negotiated paragraph by paragraph (rule 15)."""

    __tablename__ = "drafts"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "symbol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    symbol: Mapped[str] = mapped_column(sa.String(100))
    original_language: Mapped[str] = mapped_column(sa.String(2))
    amendment_prefix: Mapped[str] = mapped_column(sa.String(10), default="D")
    state: Mapped[DraftState] = mapped_column(StrEnum(DraftState), default=DraftState.preparation)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The marshalled list as last arranged by the Chair (amendment ids), or None for the computed order.
    marshal_order: Mapped[list[int] | None] = mapped_column(sa.JSON)
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Any] = relationship("Meeting", lazy="joined")
    parts: Mapped[list[Part]] = relationship(back_populates="draft", cascade="all, delete-orphan",
                                             order_by="Part.position", lazy="raise_on_sql")
    paragraphs: Mapped[list[Paragraph]] = relationship(back_populates="draft", cascade="all, delete-orphan",
                                                       order_by="Paragraph.position", lazy="raise_on_sql")

    @property
    def open_for_amendments(self) -> bool:
        return self.state is DraftState.negotiation


class Part(db.Model):
    """A part of the draft: Roman-numbered and titled (rule 15)."""

    __tablename__ = "draft_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)

    draft: Mapped[Draft] = relationship(back_populates="parts")

    @property
    def numeral(self) -> str:
        return roman(self.number)


class Paragraph(db.Model):
    """A unit of the text that is examined and amended: the preamble, a paragraph or a sub-paragraph.

    `label` is stable once the draft is open for amendments (rule 16); `position` is only the
    document order and may shift when a new paragraph is inserted.
    """

    __tablename__ = "draft_paragraphs"
    __table_args__ = (sa.UniqueConstraint("draft_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    part_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draft_parts.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="CASCADE"))
    kind: Mapped[ParagraphKind] = mapped_column(StrEnum(ParagraphKind), default=ParagraphKind.paragraph)
    label: Mapped[str] = mapped_column(sa.String(30))
    position: Mapped[int] = mapped_column(default=0)
    state: Mapped[ParagraphState] = mapped_column(StrEnum(ParagraphState), default=ParagraphState.pending)
    drafting_group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("drafting_groups.id", ondelete="SET NULL"))

    draft: Mapped[Draft] = relationship(back_populates="paragraphs")
    part: Mapped[Part | None] = relationship(lazy="joined")
    texts: Mapped[list[ParagraphText]] = relationship(
        back_populates="paragraph", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(ParagraphText.language, ParagraphText.version)")

    @property
    def settled(self) -> bool:
        return self.state in PARAGRAPH_SETTLED

    @property
    def display_label(self) -> str:
        return self.label


class ParagraphText(Timestamped, db.Model):
    """The words of a paragraph in one language at one version; a new version never overwrites."""

    __tablename__ = "paragraph_texts"
    __table_args__ = (sa.UniqueConstraint("paragraph_id", "language", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="CASCADE"),
                                              index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    version: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(sa.Text())
    # The adopted amendment this version comes from (None: the original text or a translation).
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    paragraph: Mapped[Paragraph] = relationship(back_populates="texts")


class DraftingGroup(Timestamped, db.Model):
    """A small named tripartite group with its own space, given paragraphs to rework (rule 18)."""

    __tablename__ = "drafting_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("spaces.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    mandate: Mapped[str] = mapped_column(sa.Text(), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    space: Mapped[Any] = relationship("Space", lazy="joined")


class Compilation(db.Model):
    """One circulation by the secretariat: the amendments it made public, in order (rule 23)."""

    __tablename__ = "amendment_compilations"
    __table_args__ = (sa.UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    circulated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    circulated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class Amendment(Timestamped, db.Model):
    """A proposal to change one paragraph (rule 20), with its movers, seconders and fate."""

    __tablename__ = "amendments"
    __table_args__ = (sa.UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    paragraph_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="CASCADE"),
                                              index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    number: Mapped[int | None] = mapped_column()  # given at submission: D.7
    kind: Mapped[AmendmentKind] = mapped_column(StrEnum(AmendmentKind))
    language: Mapped[str] = mapped_column(sa.String(2))
    # modify: the whole text as the mover wants it; insert_after: the new paragraph; delete: empty.
    text: Mapped[str] = mapped_column(sa.Text(), default="")
    # The text it was written on (a paragraph's text at base_version, or its parent's text).
    base_text: Mapped[str] = mapped_column(sa.Text(), default="")
    base_version: Mapped[int] = mapped_column(default=0)
    diff: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    explanation: Mapped[str] = mapped_column(sa.Text(), default="")
    state: Mapped[AmendmentState] = mapped_column(StrEnum(AmendmentState), default=AmendmentState.draft,
                                                  index=True)
    mover_kind: Mapped[MoverKind] = mapped_column(StrEnum(MoverKind))
    regional_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regional_groups.id", ondelete="SET NULL"))
    non_supporting: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    drafting_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("drafting_groups.id", ondelete="SET NULL"))
    oral: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    circulated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    compilation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("amendment_compilations.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="SET NULL"))
    inserted_paragraph_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("draft_paragraphs.id", ondelete="SET NULL"))
    # Rule 25: flagged when an adopted change touched the words it targets; the Chair settles it.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    flag_reason: Mapped[str] = mapped_column(sa.String(40), default="")
    flagged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="SET NULL"))
    withdrawn_from: Mapped[str | None] = mapped_column(sa.String(24))
    revision: Mapped[int] = mapped_column(default=1)  # of `text`: sub-amendments name the one they amend

    draft: Mapped[Draft] = relationship(lazy="select")
    paragraph: Mapped[Paragraph] = relationship(foreign_keys=[paragraph_id], lazy="joined")
    parent: Mapped[Amendment | None] = relationship(remote_side=[id], foreign_keys=[parent_id], lazy="select")
    sponsors: Mapped[list[AmendmentSponsor]] = relationship(
        back_populates="amendment", cascade="all, delete-orphan", lazy="selectin",
        order_by="AmendmentSponsor.position")
    seconders: Mapped[list[AmendmentSeconder]] = relationship(
        back_populates="amendment", cascade="all, delete-orphan", lazy="selectin",
        order_by="AmendmentSeconder.id")
    regional_group: Mapped[Any] = relationship("RegionalGroup", lazy="joined")
    drafting_group: Mapped[DraftingGroup | None] = relationship(lazy="joined")

    @property
    def mover(self) -> Mover:
        return Mover(kind=self.mover_kind,
                     states=tuple(s.member_state for s in self.sponsors if s.member_state),
                     regional_group_id=self.regional_group_id, non_supporting=tuple(self.non_supporting or ()),
                     drafting_group_id=self.drafting_group_id)

    @property
    def needs_seconder(self) -> bool:
        return self.mover_kind is MoverKind.state

    @property
    def seconded(self) -> bool:
        """Rule 22: group, joint, co-sponsored (and drafting group) amendments count as seconded."""
        return not self.needs_seconder or bool(self.seconders)

    @property
    def is_circulated(self) -> bool:
        return self.circulated_at is not None

    @property
    def is_sub_amendment(self) -> bool:
        return self.parent_id is not None

    @property
    def decided(self) -> bool:
        return self.state in OUTCOMES

    @property
    def outcome(self) -> AmendmentState | None:
        return self.state if self.state in OUTCOMES else None


class AmendmentSponsor(db.Model):
    """A State or a group in whose name the amendment is moved; the first is the principal mover."""

    __tablename__ = "amendment_sponsors"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    member_state: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    group: Mapped[Group | None] = mapped_column(StrEnum(Group))

    amendment: Mapped[Amendment] = relationship(back_populates="sponsors")


class AmendmentSeconder(Timestamped, db.Model):
    """A seconder (rule 22): a State, or an Employer or Worker member, in writing or from the floor."""

    __tablename__ = "amendment_seconders"
    # `key` is "state:KE" or "participant:12": a State or a person seconds an amendment once.
    __table_args__ = (sa.UniqueConstraint("amendment_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="SET NULL"))
    member_state: Mapped[str | None] = mapped_column(sa.String(2))
    group: Mapped[Group] = mapped_column(StrEnum(Group))
    from_floor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    amendment: Mapped[Amendment] = relationship(back_populates="seconders")
    participant: Mapped[Any] = relationship("Participant", lazy="joined")


class AmendmentEvent(db.Model):
    """The amendment's history as its page shows it; the audit chain holds the same, tamper-evident."""

    __tablename__ = "amendment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(24))
    to_state: Mapped[str | None] = mapped_column(sa.String(24))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    note: Mapped[str] = mapped_column(sa.Text(), default="")
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ParagraphEvent(db.Model):
    """A paragraph's history: taken up, deferred, bracketed, adopted, reopened (with the agreement)."""

    __tablename__ = "paragraph_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    paragraph_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_paragraphs.id", ondelete="CASCADE"),
                                              index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(24))
    to_state: Mapped[str | None] = mapped_column(sa.String(24))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    for_chair: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    note: Mapped[str] = mapped_column(sa.Text(), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
