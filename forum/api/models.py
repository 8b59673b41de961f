"""Idempotency keys of the JSON API: a retried submission returns its first response."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Timestamped
from forum.extensions import db


class IdempotencyKey(Timestamped, db.Model):
    """One `Idempotency-Key` a user sent, with the request it named and the response it got.

    `status_code` is None while the first request is being processed: a concurrent repeat then
    answers 409 instead of running the submission twice.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(200))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None] = mapped_column()
    response_body: Mapped[str | None] = mapped_column(sa.Text())
