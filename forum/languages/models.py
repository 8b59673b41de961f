"""An amendment's text in another of the meeting's languages (rule 20: written in one, circulated in all)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import Timestamped, UTCDateTime, utcnow
from forum.extensions import db


def source_digest(text: str, explanation: str) -> str:
    return hashlib.sha256(f"{text}\n\x00{explanation}".encode()).hexdigest()


class AmendmentTranslation(Timestamped, db.Model):
    """The secretariat's translation of an amendment into one language; one per language, replaced
    when the secretariat corrects it, out of date when the amendment's words change after it."""

    __tablename__ = "amendment_translations"
    __table_args__ = (sa.UniqueConstraint("amendment_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(sa.ForeignKey("amendments.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    text: Mapped[str] = mapped_column(sa.Text(), default="")
    explanation: Mapped[str] = mapped_column(sa.Text(), default="")
    revision: Mapped[int] = mapped_column(default=1)
    # What it translates (a digest of the amendment's text and explanation then): when the movers edit
    # the amendment, the digest no longer matches and the translation shows as out of date.
    source_digest: Mapped[str] = mapped_column(sa.String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    amendment: Mapped[Any] = relationship("Amendment", lazy="select")


class PartTranslation(db.Model):
    """A part's title in another of the meeting's languages (rule 15: parts are titled in each)."""

    __tablename__ = "part_translations"
    __table_args__ = (sa.UniqueConstraint("part_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_parts.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    title: Mapped[str] = mapped_column(sa.String(300))
