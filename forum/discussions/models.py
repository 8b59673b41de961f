"""Threads and nested posts in a space (PROCEDURE.md rule 9), with every edit kept.

Posts are numbered 1, 2, 3… in their thread in the order they were written (`number`, the unit
of read markers), and laid out in tree order by `sort_key`: the numbers of the post's displayed
ancestors and its own, each zero-padded to KEY_DIGITS and concatenated (digits only, so that every
collation orders them alike). Display depth is capped (DISPLAY_DEPTH):
a reply deeper than the cap takes the key of its ancestor at the cap, so it is listed after it in
writing order, flattened, with a "replying to" link. A key therefore has at most
DISPLAY_DEPTH + 1 parts, and paging a thread of any shape is an ORDER BY with LIMIT/OFFSET.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.db import StrEnum, Timestamped, UTCDateTime
from forum.extensions import db

DISPLAY_DEPTH = 3  # replies to the thread are at depth 0; deeper replies are shown at this depth
KEY_DIGITS = 6  # a million posts per thread
SORT_KEY_LENGTH = (DISPLAY_DEPTH + 1) * KEY_DIGITS


class PostRemoval(enum.Enum):
    deleted_by_author = "deleted_by_author"
    hidden_by_moderator = "hidden_by_moderator"


class Thread(Timestamped, db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        sa.Index("ix_threads_space_id_pinned_last_post_at", "space_id", "pinned", "last_post_at"),
        # A thread is about at most one thing of the draft: a paragraph or an amendment.
        sa.CheckConstraint("paragraph_id IS NULL OR amendment_id IS NULL", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[int] = mapped_column(sa.ForeignKey("spaces.id", ondelete="CASCADE"))  # indexed with the list order
    title: Mapped[str] = mapped_column(sa.String(200))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    pinned: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    locked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime())
    post_count: Mapped[int] = mapped_column(default=0)  # posts ever written: the last post's number
    version: Mapped[int] = mapped_column(default=1)
    # Its subject, if any: kept when the thread outlives it (SET NULL), so the talk is never lost.
    paragraph_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("draft_paragraphs.id", ondelete="SET NULL"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendments.id", ondelete="SET NULL"), index=True)

    space: Mapped[Any] = relationship("Space", lazy="joined")
    author: Mapped[Any] = relationship("User", lazy="joined")


class Post(Timestamped, db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        sa.UniqueConstraint("thread_id", "number"),
        sa.Index("ix_posts_thread_id_sort_key", "thread_id", "sort_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    depth: Mapped[int] = mapped_column(default=0)  # true depth: 0 for the opening post and replies to the thread
    sort_key: Mapped[str] = mapped_column(sa.String(SORT_KEY_LENGTH))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body_source: Mapped[str] = mapped_column(sa.Text())  # markdown as written
    body_html: Mapped[str] = mapped_column(sa.Text())  # rendered and sanitised (forum.discussions.markdown)
    search_text: Mapped[str] = mapped_column(sa.Text(), default="")  # plain text (+ title for the opening post)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    edit_count: Mapped[int] = mapped_column(default=0)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    removal: Mapped[PostRemoval | None] = mapped_column(StrEnum(PostRemoval))
    removal_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    thread: Mapped[Thread] = relationship(lazy="raise_on_sql")
    author: Mapped[Any] = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def display_depth(self) -> int:
        return min(self.depth, DISPLAY_DEPTH)

    @property
    def is_opening(self) -> bool:
        return self.number == 1


def sort_key_for(number: int, parent: Post | None) -> str:
    """The tree-order key of a new post (see the module docstring)."""
    own = f"{number:0{KEY_DIGITS}d}"
    if parent is None:
        return own
    prefix = parent.sort_key
    if parent.depth >= DISPLAY_DEPTH:
        prefix = prefix[:DISPLAY_DEPTH * KEY_DIGITS]  # flattened under the ancestor at the cap
    return prefix + own


class PostRevision(Timestamped, db.Model):
    """One version of a post: the first as written, then one per edit; never changed."""

    __tablename__ = "post_revisions"
    __table_args__ = (sa.UniqueConstraint("post_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column()
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(sa.Text())
    body_html: Mapped[str] = mapped_column(sa.Text())


class ReadMarker(db.Model):
    """How far a user has read a thread: the highest post number seen."""

    __tablename__ = "read_markers"
    __table_args__ = (sa.UniqueConstraint("user_id", "thread_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    last_read_number: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PostMention(db.Model):
    """Who a post mentions and was notified: an edit notifies only the newly mentioned."""

    __tablename__ = "post_mentions"
    __table_args__ = (sa.UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
