"""API operations on discussions: the threads of a meeting's spaces and their posts.

Adapters only: the same permission functions as the pages (a thread is seen by its space's members
alone, rule 9) and the same services (forum/discussions/services.py: start_thread, reply) inside
`unit_of_work()`. A space or thread the caller may not see answers 404, like the pages; title and
body are checked by the services, with the browser's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import g

from forum import permissions
from forum.api.core import MAX_ID, ApiBlueprint, actor, paginate
from forum.api.meetings import current_meeting, in_meeting
from forum.api.schemas import (
    PostInSchema,
    PostSchema,
    ThreadInSchema,
    ThreadPageSchema,
    ThreadQuerySchema,
    ThreadSchema,
)
from forum.db import unit_of_work
from forum.discussions import queries, services
from forum.discussions.models import Post, Thread
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Capacity, Group, Meeting, Space, SpaceKind

blp = ApiBlueprint("api_discussions", __name__, tag="Discussions",
                   description="Threads and posts in the spaces of a meeting (each space's members alone).")


# --- spaces and threads the caller may see --------------------------------------------------------------

def resolve_space(meeting: Meeting, ref: str) -> Space:
    """`plenary`, `caucus` (the caller's own group caucus) or a space id, as a space the caller
    sees; any other space, or one of another meeting, is 404 (ids reveal nothing)."""
    user = actor()
    if ref == "plenary":
        space = db.session.scalars(sa.select(Space).where(
            Space.meeting_id == meeting.id, Space.kind == SpaceKind.plenary)).first()
    elif ref == "caucus":
        p = permissions.participation(user, meeting)
        if p is None or p.group is Group.none or p.capacity is Capacity.secretariat:
            raise ValidationFailed("You have no group caucus in this meeting.",
                                   {"space": ["You belong to no group, so you have no caucus: give a space id."]})
        space = db.session.scalars(sa.select(Space).where(
            Space.meeting_id == meeting.id, Space.kind == SpaceKind.group, Space.group == p.group)).first()
    else:
        space_id = int(ref)
        space = db.session.get(Space, space_id) if space_id <= MAX_ID else None
        if space is not None and space.meeting_id != meeting.id:
            space = None
    if space is None or not permissions.can_view_space(user, space):
        raise NotFound("No such space.")
    return space


def load_thread(thread_id: int) -> Thread:
    thread = db.session.get(Thread, thread_id)
    if thread is None or not permissions.can_view_thread(actor(), thread):
        raise NotFound("No such discussion.")
    g.api_thread = thread
    return thread


def in_thread(view: Callable) -> Callable:
    """Gate an operation under /threads/<thread_id>: 404 unless the caller sees its space, before
    its input is read (put it above `blp.arguments`); the operation finds it in `g.api_thread`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        load_thread(kwargs["thread_id"])
        return view(*args, **kwargs)

    return wrapper


# --- shapes ------------------------------------------------------------------------------------------

def thread_summary_out(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id, "title": thread.title, "space": thread.space_id, "space_kind": thread.space.kind.value,
        "author": thread.author.name if thread.author else None, "post_count": thread.post_count,
        "last_post_at": thread.last_post_at, "pinned": thread.pinned, "locked": thread.locked,
        "paragraph_id": thread.paragraph_id, "amendment_id": thread.amendment_id, "version": thread.version,
    }


def post_out(post: Post) -> dict[str, Any]:
    """A removed post keeps its place in the tree, not its text (as on the thread's page)."""
    removed = post.removed_at is not None
    return {
        "id": post.id, "number": post.number, "parent_id": post.parent_id,
        "author": post.author.name if post.author else None, "author_id": post.author_id,
        "body": "" if removed else post.body_source, "html": "" if removed else post.body_html,
        "created_at": post.created_at, "edited_at": post.edited_at,
        "removed": post.removal.value if removed and post.removal else None,
    }


def thread_out(thread: Thread) -> dict[str, Any]:
    posts = db.session.scalars(queries.posts_in_order(thread.id)).unique()
    return {**thread_summary_out(thread), "posts": [post_out(p) for p in posts]}


# --- operations --------------------------------------------------------------------------------------

@blp.route("/meetings/<id:meeting_id>/threads", methods=["GET"])
@blp.operation("listThreads", 404, 422)
@in_meeting()
@blp.arguments(ThreadQuerySchema, location="query")
@blp.response(200, ThreadPageSchema)
def list_threads(args: dict[str, Any], meeting_id: int):
    """Threads of the spaces the caller belongs to (rule 9)

    Pinned threads first, then the most recently active. `?space=` (an id, `plenary` or `caucus`)
    keeps one space's; a space the caller does not see is 404.
    """
    user, meeting = actor(), current_meeting()
    if args.get("space"):
        space_ids = [resolve_space(meeting, args["space"]).id]
    else:
        space_ids = list(permissions.visible_space_ids(user, meeting))
    stmt = (sa.select(Thread).where(Thread.meeting_id == meeting.id, Thread.space_id.in_(space_ids or [-1]))
            .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc()))
    return paginate(stmt, args, lambda rows: [thread_summary_out(t) for t in rows])


@blp.route("/meetings/<id:meeting_id>/threads", methods=["POST"])
@blp.operation("createThread", 403, 404, 422)
@in_meeting()
@blp.arguments(ThreadInSchema)
@blp.response(201, ThreadSchema)
def create_thread(args: dict[str, Any], meeting_id: int):
    """Start a thread in a space the caller writes in

    `space`: an id, `plenary` or `caucus` (the caller's own group caucus). A space the caller does
    not see is 404; one they read but may not write in (observers) is 403.
    """
    space = resolve_space(current_meeting(), args["space"])
    with unit_of_work():
        thread = services.start_thread(actor(), space, title=args["title"], body=args["body"],
                                       paragraph_id=args["paragraph_id"], amendment_id=args["amendment_id"])
    return thread_out(db.session.get(Thread, thread.id))


@blp.route("/threads/<id:thread_id>", methods=["GET"])
@blp.operation("getThread", 404)
@blp.response(200, ThreadSchema)
def get_thread(thread_id: int):
    """A thread with all its posts, in tree order

    `body` is the markdown source, `html` its sanitised rendering; a removed post keeps its place
    with neither. A thread in a space the caller does not see is 404.
    """
    return thread_out(load_thread(thread_id))


@blp.route("/threads/<id:thread_id>/posts", methods=["POST"])
@blp.operation("createPost", 403, 404, 409, 422)
@in_thread
@blp.arguments(PostInSchema)
@blp.response(201, PostSchema)
def create_post(args: dict[str, Any], thread_id: int):
    """Reply in a thread, or to one of its posts (`parent_id`)

    Observers read but do not write (403); a locked thread takes no replies (409, except from its
    moderators); a `parent_id` of another thread is 422.
    """
    with unit_of_work():
        post = services.reply(actor(), g.api_thread, body=args["body"], parent_id=args["parent_id"])
    return post_out(queries.post_with_author(post.id))
