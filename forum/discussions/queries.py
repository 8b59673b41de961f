"""Reads of discussions, as select()s with their loader options explicit, and small aggregates.

Unread counts are one GROUP BY over the posts of the listed threads joined to the reader's read
markers: a post is unread when its number is above the marker, it is not removed and it is not
the reader's own.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from forum.accounts.models import User
from forum.discussions.models import Post, PostRevision, ReadMarker, Thread
from forum.extensions import db
from forum.meetings.models import Space


def threads_of_space(space_id: int) -> sa.Select:
    """Pinned threads first, then the most recently active."""
    return (
        sa.select(Thread)
        .where(Thread.space_id == space_id)
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )


def threads_about(space_ids: Collection[int], *, paragraph_id: int | None = None,
                  amendment_id: int | None = None) -> sa.Select:
    """Threads about a paragraph or an amendment in the given spaces (the reader's visible ones:
    the permission filter is in the SQL), the most recently active first."""
    subject = Thread.paragraph_id == paragraph_id if paragraph_id is not None else Thread.amendment_id == amendment_id
    return (
        sa.select(Thread)
        .where(subject, Thread.space_id.in_(list(space_ids) or [-1]))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
    )


def thread_in_space(thread_id: int, space_id: int) -> Thread | None:
    """The thread if it is in that space, with the space and its named members (which decide who
    sees a drafting group's space) in the same statement: a thread page asks for them at once."""
    stmt = (sa.select(Thread).where(Thread.id == thread_id, Thread.space_id == space_id)
            .options(joinedload(Thread.space).joinedload(Space.members)))
    return db.session.scalars(stmt).unique().first()


def thread_count(space_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Thread).where(Thread.space_id == space_id)) or 0


def _unread_rows(user_id: int) -> sa.Select:
    marker = aliased(ReadMarker)
    return (
        sa.select(Post.thread_id, sa.func.count(Post.id))
        .outerjoin(marker, sa.and_(marker.thread_id == Post.thread_id, marker.user_id == user_id))
        .where(
            Post.number > sa.func.coalesce(marker.last_read_number, 0),
            Post.removed_at.is_(None),
            sa.or_(Post.author_id.is_(None), Post.author_id != user_id),
        )
        .group_by(Post.thread_id)
    )


def unread_counts(user_id: int, thread_ids: Collection[int]) -> dict[int, int]:
    """{thread id: unread posts} for the given threads (threads with none are left out)."""
    if not thread_ids:
        return {}
    stmt = _unread_rows(user_id).where(Post.thread_id.in_(list(thread_ids)))
    return {thread_id: n for thread_id, n in db.session.execute(stmt)}


def unread_counts_in_space(user_id: int, space_id: int) -> dict[int, int]:
    stmt = _unread_rows(user_id).join(Thread, Thread.id == Post.thread_id).where(Thread.space_id == space_id)
    return {thread_id: n for thread_id, n in db.session.execute(stmt)}


def last_read_number(user_id: int, thread_id: int) -> int:
    return db.session.scalar(sa.select(ReadMarker.last_read_number).where(
        ReadMarker.user_id == user_id, ReadMarker.thread_id == thread_id)) or 0


def posts_in_order(thread_id: int) -> sa.Select:
    """The thread's posts in tree order (see models), with their authors."""
    return (
        sa.select(Post)
        .where(Post.thread_id == thread_id)
        .options(joinedload(Post.author))
        .order_by(Post.sort_key)
    )


def post_with_author(post_id: int) -> Post | None:
    return db.session.scalars(sa.select(Post).where(Post.id == post_id).options(joinedload(Post.author))).first()


def posts_page(thread_id: int, page: int, per_page: int) -> list[Post]:
    stmt = posts_in_order(thread_id).limit(per_page).offset((page - 1) * per_page)
    return list(db.session.scalars(stmt))


def position_of(post: Post) -> int:
    """How many posts come before `post` in tree order: its page is position // per_page + 1."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Post)
        .where(Post.thread_id == post.thread_id, Post.sort_key < post.sort_key)
    ) or 0


def first_unread_post(thread_id: int, user_id: int, after_number: int) -> Post | None:
    """The earliest-written post the reader has not seen (their own and removed posts aside)."""
    return db.session.scalars(
        sa.select(Post)
        .where(Post.thread_id == thread_id, Post.number > after_number, Post.removed_at.is_(None),
               sa.or_(Post.author_id.is_(None), Post.author_id != user_id))
        .order_by(Post.number)
        .limit(1)
    ).first()


def post_authors(post_ids: Collection[int]) -> dict[int, str]:
    """{post id: its author's name}, for "replying to" links to posts that are not on the page."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        sa.select(Post.id, User.name).join(User, User.id == Post.author_id).where(Post.id.in_(list(post_ids))))
    return {post_id: name for post_id, name in rows}


def revisions_of(post_id: int) -> sa.Select:
    """Newest first, with their editors."""
    return (
        sa.select(PostRevision, User.name)
        .outerjoin(User, User.id == PostRevision.editor_id)
        .where(PostRevision.post_id == post_id)
        .order_by(PostRevision.revision.desc())
    )


def thread_summary(thread: Thread) -> dict[str, Any]:
    return {"thread_id": thread.id, "version": thread.version, "post_count": thread.post_count,
            "locked": thread.locked, "pinned": thread.pinned}
