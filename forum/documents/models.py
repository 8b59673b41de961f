"""Documents of a meeting (PROCEDURE.md rule 14): official documents with symbols and reissues,
working files with versions, and their language versions.

An official document is never replaced: it has exactly one stored version and is reissued as a
revision, corrigendum or addendum, a document of its own linked to the original. A working file
gains versions; nothing stored is ever overwritten. The same symbol in English, French and
Spanish is one document: the first published is the family's lead, the others point to it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import StrEnum, Timestamped, UTCDateTime, utcnow
from forum.extensions import db


class DocumentKind(enum.Enum):
    official = "official"  # carries a symbol; reissued, never replaced
    working = "working"  # group drafts, notes, statements; has versions


class DocumentLanguage(enum.Enum):
    en = "en"
    fr = "fr"
    es = "es"
    other = "other"


class ReissueKind(enum.Enum):
    revision = "revision"  # …(Rev.N): supersedes the original and earlier revisions
    corrigendum = "corrigendum"  # …(Corr.), …(Corr.2): corrects it
    addendum = "addendum"  # …/Add.N: adds to it


class Document(Timestamped, db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        # Rule 14: a symbol names one document per language in a meeting, withdrawn ones included.
        sa.UniqueConstraint("meeting_id", "symbol", "language"),
        sa.CheckConstraint("(kind = 'official') = (symbol IS NOT NULL)", name="symbol_iff_official"),
        sa.CheckConstraint("(reissue_of_id IS NULL) = (reissue_kind IS NULL)", name="reissue_has_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(StrEnum(DocumentKind))
    symbol: Mapped[str | None] = mapped_column(sa.String(80))
    language: Mapped[DocumentLanguage] = mapped_column(StrEnum(DocumentLanguage, length=8))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text(), default="")
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    # The draft the document relates to (a background note on the draft conclusions, a group's comments).
    draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("drafts.id", ondelete="SET NULL"), index=True)
    # A reissue points to the original (never to another reissue), with its kind and number.
    reissue_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    reissue_kind: Mapped[ReissueKind | None] = mapped_column(StrEnum(ReissueKind))
    reissue_number: Mapped[int | None] = mapped_column()
    # A language version points to its family's lead (the one published first).
    variant_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    current_version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    version: Mapped[int] = mapped_column(default=1)  # live updates (realtime.bump_version)

    space: Mapped[Any] = relationship("Space")
    meeting: Mapped[Any] = relationship("Meeting")
    agenda_item: Mapped[Any] = relationship("AgendaItem")
    draft: Mapped[Any] = relationship("Draft")
    owner: Mapped[Any] = relationship("User", foreign_keys=[owner_id])
    withdrawn_by: Mapped[Any] = relationship("User", foreign_keys=[withdrawn_by_id])
    reissue_of: Mapped[Document | None] = relationship(remote_side=[id], foreign_keys=[reissue_of_id])
    variant_of: Mapped[Document | None] = relationship(remote_side=[id], foreign_keys=[variant_of_id])
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", lazy="raise_on_sql",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def is_official(self) -> bool:
        return self.kind is DocumentKind.official

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def lead_id(self) -> int:
        """The id of the family this document belongs to (its own id for a lead)."""
        return self.variant_of_id or self.id

    @property
    def original_id(self) -> int:
        """The original (its family's lead) this document reissues or translates, or its own id."""
        return self.reissue_of_id or self.variant_of_id or self.id

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.symbol or self.title!r} {self.language.value}>"


class DocumentVersion(db.Model):
    """One stored file of a document: its content is at UPLOAD_DIR/<sha256 path>, never overwritten."""

    __tablename__ = "document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger())
    file_type: Mapped[str] = mapped_column(sa.String(10))  # detected from the content (storage.TYPES)
    filename: Mapped[str] = mapped_column(sa.String(200))  # sanitised
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[Any] = relationship("User")


class PostAttachment(db.Model):
    """A document attached to a discussion post. Only documents of the post's own space (or of the
    plenary, which every participant reads) are attached, so an attachment never shows a caucus
    document outside its caucus."""

    __tablename__ = "post_attachments"
    __table_args__ = (sa.UniqueConstraint("post_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    attached_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[Document] = relationship()
