"""Changes to discussions: start a thread, reply, edit, delete, moderate, mark read.

Each service checks permission (forum.permissions), validates, writes, audits with the space named
(so the audit log redacts entries about restricted spaces for non-members, rule 11) and queues its
live events: `thread:<id>` hears of posts, `space:<id>` of its thread list, `user:<id>` of
mentions. Nothing is written when anything is refused. Read markers are the reader's own
bookkeeping and are not audited.

Live events carry codes and ids, never text; each names its room and the subject's new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum import realtime
from forum.audit.services import record
from forum.db import utcnow
from forum.discussions import markdown
from forum.discussions.models import Post, PostMention, PostRemoval, PostRevision, ReadMarker, Thread, sort_key_for
from forum.errors import DomainError, InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Participant, Space
from forum.meetings.notifications import MENTIONED, notify
from forum.permissions import (
    can_edit_post,
    can_hide_post,
    can_lock_thread,
    can_moderate_space,
    can_pin_thread,
    can_start_thread,
    can_unhide_post,
    can_view_amendment,
    can_view_draft,
    can_view_space,
    can_view_thread,
    can_write_space,
    is_space_member,
    may_view_amendment,
)

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_REASON = 300

Errors = dict[str, list[str]]


# --- validation ------------------------------------------------------------------------------------

def _text(value: str | None, field: str, limit: int, missing: str, errors: Errors) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        errors.setdefault(field, []).append(missing)
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"Use at most {limit:,} characters (this has {len(text):,}).")
    return text


def _raise(errors: Errors, message: str) -> None:
    if errors:
        raise ValidationFailed(message, errors)


def _title(value: str | None, errors: Errors) -> str:
    title = " ".join((value or "").split())
    return _text(title, "title", MAX_TITLE, "Give the discussion a title.", errors)


def _body(value: str | None, errors: Errors) -> str:
    return _text(value, "body", MAX_BODY, "Write something first.", errors)


# --- mentions --------------------------------------------------------------------------------------

def _resolve_mentions(space: Space, source: str) -> dict[str, tuple[str, list[int]]]:
    """{casefolded name: (name, user ids)} of the mentioned participants who can see the space.

    A name that matches nobody in the space is left as typed, whether or not such a participant
    exists elsewhere in the meeting: the text says nothing about people outside the space.
    """
    names = {name.casefold() for name in markdown.mentioned_names(source)}
    if not names:
        return {}
    from forum.accounts.models import User

    found: dict[str, tuple[str, list[int]]] = {}
    stmt = (sa.select(Participant).join(User, User.id == Participant.user_id)
            .where(Participant.meeting_id == space.meeting_id, Participant.removed_at.is_(None), User.active))
    for p in db.session.scalars(stmt):
        key = p.user.name.casefold()
        if key in names and is_space_member(p, space):
            found.setdefault(key, (p.user.name, []))[1].append(p.user_id)
    return found


def _render(space: Space, source: str) -> tuple[markdown.Rendered, set[int]]:
    mentions = _resolve_mentions(space, source)
    rendered = markdown.render(source, {key: name for key, (name, _ids) in mentions.items()})
    return rendered, {uid for _name, ids in mentions.values() for uid in ids}


def _notify_mentions(actor: Any, thread: Thread, post: Post, user_ids: set[int]) -> list[int]:
    """Notify the newly mentioned (never the author, never twice for one post)."""
    already = set(db.session.scalars(sa.select(PostMention.user_id).where(PostMention.post_id == post.id)))
    notified = sorted(user_ids - already - {actor.id})
    for user_id in notified:
        db.session.add(PostMention(post_id=post.id, user_id=user_id))
        notify(user_id, thread.meeting_id, MENTIONED, {
            "author": actor.name, "thread_title": thread.title, "meeting_id": thread.meeting_id,
            "space_id": thread.space_id, "thread_id": thread.id, "post_id": post.id,
        })
    return notified


# --- live events -----------------------------------------------------------------------------------

def _tell_thread(thread: Thread, event: str, data: dict[str, Any]) -> None:
    room = realtime.room("thread", thread.id)
    version = realtime.bump_version(thread)
    realtime.publish(room, event, {"room": room, "thread_id": thread.id, **data}, version=version)


def _tell_space(space: Space, event: str, data: dict[str, Any]) -> None:
    room = realtime.room("space", space.id)
    version = realtime.bump_version(space)
    realtime.publish(room, event, {"room": room, "space_id": space.id, **data}, version=version)


# --- threads and posts -----------------------------------------------------------------------------

def _search_text(thread: Thread, post: Post, rendered: markdown.Rendered) -> str:
    return f"{thread.title}\n{rendered.text}" if post.number == 1 else rendered.text


def _add_post(actor: Any, thread: Thread, space: Space, source: str, parent: Post | None) -> Post:
    rendered, mentioned = _render(space, source)
    number = thread.post_count + 1
    now = utcnow()
    post = Post(
        thread_id=thread.id, parent_id=parent.id if parent else None, number=number,
        depth=parent.depth + 1 if parent else 0, sort_key=sort_key_for(number, parent), author_id=actor.id,
        body_source=source, body_html=rendered.html, created_at=now,
    )
    post.search_text = _search_text(thread, post, rendered)
    thread.post_count = number
    thread.last_post_at = now
    db.session.add(post)
    db.session.flush()
    db.session.add(PostRevision(post_id=post.id, revision=1, editor_id=actor.id, body_source=source,
                                body_html=rendered.html, created_at=now))
    _raise_marker(actor.id, thread.id, number)  # one's own post is read
    _notify_mentions(actor, thread, post, mentioned)
    return post


def everyone_in_space_sees(space: Space, amendment: Any) -> bool:
    """Would every member of the space see the amendment? An uncirculated amendment is its movers'
    (rule 23): a thread about it must not tell a wider space that it exists."""
    stmt = sa.select(Participant).where(Participant.meeting_id == space.meeting_id, Participant.removed_at.is_(None))
    return all(may_view_amendment(p, amendment) for p in db.session.scalars(stmt) if is_space_member(p, space))


def _subject(actor: Any, space: Space, paragraph_id: int | None, amendment_id: int | None,
             errors: Errors) -> tuple[Any, Any]:
    """The paragraph or amendment a new thread is about, checked: of this meeting, seen by the
    author and, for an amendment not yet circulated, by every member of the space."""
    from forum.drafting.models import Amendment, Paragraph

    if paragraph_id is not None and amendment_id is not None:
        errors.setdefault("amendment_id", []).append(
            "A discussion is about one paragraph or one amendment, not both.")
        return None, None
    if paragraph_id is not None:
        paragraph = db.session.get(Paragraph, paragraph_id)
        if paragraph is None or paragraph.draft.meeting_id != space.meeting_id \
                or not can_view_draft(actor, paragraph.draft):
            errors.setdefault("paragraph_id", []).append("That paragraph is not one of this meeting's drafts.")
            return None, None
        return paragraph, None
    if amendment_id is not None:
        amendment = db.session.get(Amendment, amendment_id)
        if amendment is None or amendment.draft.meeting_id != space.meeting_id \
                or not can_view_amendment(actor, amendment):
            errors.setdefault("amendment_id", []).append("That amendment is not one of this meeting's.")
            return None, None
        if not amendment.is_circulated and not everyone_in_space_sees(space, amendment):
            errors.setdefault("amendment_id", []).append(
                "This amendment has not been circulated: discuss it only in its movers' own space.")
            return None, None
        return None, amendment
    return None, None


def start_thread(actor: Any, space: Space, *, title: str, body: str, paragraph_id: int | None = None,
                 amendment_id: int | None = None) -> Thread:
    """A new thread with its opening post (number 1), about a draft paragraph or an amendment if given."""
    if not can_view_space(actor, space):
        raise NotFound("No such space.")
    if not can_start_thread(actor, space):
        raise NotAllowed("You can read this space but not write in it.")
    errors: Errors = {}
    title = _title(title, errors)
    body = _body(body, errors)
    paragraph, amendment = _subject(actor, space, paragraph_id, amendment_id, errors)
    _raise(errors, "The discussion could not be started.")
    thread = Thread(meeting_id=space.meeting_id, space_id=space.id, title=title, author_id=actor.id,
                    last_post_at=utcnow(), post_count=0, paragraph_id=paragraph.id if paragraph else None,
                    amendment_id=amendment.id if amendment else None)
    db.session.add(thread)
    db.session.flush()
    post = _add_post(actor, thread, space, body, None)
    record(actor, "thread.start", thread, {"title": title, "post_id": post.id, "paragraph_id": thread.paragraph_id,
                                           "amendment_id": thread.amendment_id},
           meeting_id=space.meeting_id, space_id=space.id)
    _tell_space(space, "thread.created", {"thread_id": thread.id})
    return thread


def _attach_documents(actor: Any, post: Post, document_ids: Iterable[int], message: str) -> None:
    """Attach the chosen documents to a post being written, in the same transaction: any document
    refused (unknown, withdrawn, of another caucus, whatever the reason) refuses the whole change, as
    an error on the form's `attachments` field, so that nothing is written."""
    from forum.documents import services as documents
    from forum.documents.models import Document

    for document_id in dict.fromkeys(document_ids):  # each once, in the order chosen
        document = db.session.get(Document, document_id)
        try:
            if document is None:
                raise NotFound("No such document.")
            documents.attach_document(actor, post, document)
        except DomainError as exc:
            raise ValidationFailed(message, {"attachments": [exc.message]}) from exc


def start_thread_with_attachments(actor: Any, space: Space, *, title: str, body: str,
                                  document_ids: Iterable[int] = (), paragraph_id: int | None = None,
                                  amendment_id: int | None = None) -> Thread:
    """A new thread whose opening post carries documents of its space or of the plenary; all or nothing."""
    thread = start_thread(actor, space, title=title, body=body, paragraph_id=paragraph_id, amendment_id=amendment_id)
    opening = db.session.scalars(sa.select(Post).where(Post.thread_id == thread.id, Post.number == 1)).one()
    _attach_documents(actor, opening, document_ids, "The discussion could not be started.")
    return thread


def reply_with_attachments(actor: Any, thread: Thread, *, body: str, parent_id: int | None = None,
                           document_ids: Iterable[int] = ()) -> Post:
    """A reply carrying documents of the thread's space or of the plenary; all or nothing."""
    post = reply(actor, thread, body=body, parent_id=parent_id)
    _attach_documents(actor, post, document_ids, "The reply could not be posted.")
    return post


def _locked_thread(thread: Thread) -> Thread:
    """The thread re-read with its row locked: post numbers are handed out one at a time."""
    stmt = (sa.select(Thread).where(Thread.id == thread.id).with_for_update(of=Thread)
            .execution_options(populate_existing=True))
    return db.session.scalars(stmt).one()


def reply(actor: Any, thread: Thread, *, body: str, parent_id: int | None = None) -> Post:
    """A reply to the thread, or to one of its posts (`parent_id`)."""
    space = thread.space
    if not can_view_thread(actor, thread):
        raise NotFound("No such discussion.")
    if not can_write_space(actor, space):
        raise NotAllowed("You can read this space but not write in it.")
    thread = _locked_thread(thread)
    if thread.locked and not can_moderate_space(actor, space):
        raise InvalidState("This discussion is locked: it takes no more replies.")
    errors: Errors = {}
    parent = None
    if parent_id is not None:
        parent = db.session.get(Post, parent_id)
        if parent is None or parent.thread_id != thread.id:
            errors["parent_id"] = ["The post you are replying to is not in this discussion."]
        elif parent.removed_at is not None:
            errors["parent_id"] = ["The post you are replying to was removed; reply to the discussion instead."]
    body = _body(body, errors)
    _raise(errors, "The reply could not be posted.")
    post = _add_post(actor, thread, space, body, parent)
    record(actor, "post.create", post, {"thread_id": thread.id, "number": post.number, "parent_id": post.parent_id},
           meeting_id=thread.meeting_id, space_id=space.id)
    _tell_thread(thread, "post.created", {"post_id": post.id, "number": post.number, "parent_id": post.parent_id,
                                          "author_id": actor.id})
    _tell_space(space, "thread.activity", {"thread_id": thread.id, "post_id": post.id, "author_id": actor.id})
    return post


def _post_in(post: Post, thread: Thread | None = None) -> Thread:
    found = db.session.get(Thread, post.thread_id)
    if found is None or (thread is not None and found.id != thread.id):
        raise NotFound("No such post.")
    return found


def edit_post(actor: Any, post: Post, *, body: str) -> Post:
    """The author's new text; the old one stays as a revision. The same text changes nothing."""
    thread = _post_in(post)
    if not can_view_thread(actor, thread):
        raise NotFound("No such post.")
    _check_own(actor, post, thread)
    errors: Errors = {}
    body = _body(body, errors)
    _raise(errors, "The post could not be saved.")
    if body == post.body_source:
        return post
    rendered, mentioned = _render(thread.space, body)
    now = utcnow()
    post.body_source, post.body_html = body, rendered.html
    post.search_text = _search_text(thread, post, rendered)
    post.edited_at = now
    post.edit_count += 1
    db.session.add(PostRevision(post_id=post.id, revision=post.edit_count + 1, editor_id=actor.id,
                                body_source=body, body_html=rendered.html, created_at=now))
    _notify_mentions(actor, thread, post, mentioned)
    record(actor, "post.edit", post, {"thread_id": thread.id, "number": post.number, "revision": post.edit_count + 1},
           meeting_id=thread.meeting_id, space_id=thread.space_id)
    _tell_thread(thread, "post.updated", {"post_id": post.id, "change": "edited"})
    return post


def _check_own(actor: Any, post: Post, thread: Thread) -> None:
    if can_edit_post(actor, post):
        return
    if post.author_id != getattr(actor, "id", None):
        raise NotAllowed("You can change only your own posts.")
    if post.removed_at is not None:
        raise InvalidState("This post was removed; it can no longer be changed.")
    if thread.locked:
        raise InvalidState("This discussion is locked: its posts can no longer be changed.")
    raise NotAllowed("You can read this space but not write in it.")


def delete_post(actor: Any, post: Post) -> Post:
    """The author withdraws a post: it stays in place as "deleted by author", its text hidden."""
    thread = _post_in(post)
    if not can_view_thread(actor, thread):
        raise NotFound("No such post.")
    _check_own(actor, post, thread)
    post.removed_at = utcnow()
    post.removed_by_id = actor.id
    post.removal = PostRemoval.deleted_by_author
    post.removal_reason = ""
    record(actor, "post.delete", post, {"thread_id": thread.id, "number": post.number},
           meeting_id=thread.meeting_id, space_id=thread.space_id)
    _tell_thread(thread, "post.updated", {"post_id": post.id, "change": "deleted"})
    return post


# --- moderation ------------------------------------------------------------------------------------

def _moderated(actor: Any, thread: Thread, allowed: bool) -> None:
    if not can_view_thread(actor, thread):
        raise NotFound("No such discussion.")
    if not allowed:
        raise NotAllowed("Only the moderators of this space can do this.")


def hide_post(actor: Any, post: Post, *, reason: str) -> Post:
    """A moderator hides a post; readers see "hidden by moderator: <reason>"."""
    thread = _post_in(post)
    _moderated(actor, thread, can_moderate_space(actor, thread.space))
    if not can_hide_post(actor, post):
        raise InvalidState("This post is already removed.")
    errors: Errors = {}
    reason = _text(" ".join((reason or "").split()), "reason", MAX_REASON, "Say why the post is hidden.", errors)
    _raise(errors, "The post could not be hidden.")
    post.removed_at = utcnow()
    post.removed_by_id = actor.id
    post.removal = PostRemoval.hidden_by_moderator
    post.removal_reason = reason
    record(actor, "post.hide", post, {"thread_id": thread.id, "number": post.number, "reason": reason},
           meeting_id=thread.meeting_id, space_id=thread.space_id)
    _tell_thread(thread, "post.updated", {"post_id": post.id, "change": "hidden"})
    return post


def unhide_post(actor: Any, post: Post) -> Post:
    """Undo a moderator's hiding (a post deleted by its author stays deleted)."""
    thread = _post_in(post)
    _moderated(actor, thread, can_moderate_space(actor, thread.space))
    if not can_unhide_post(actor, post):
        raise InvalidState("Only a post hidden by a moderator can be shown again.")
    post.removed_at = None
    post.removed_by_id = None
    post.removal = None
    post.removal_reason = ""
    record(actor, "post.unhide", post, {"thread_id": thread.id, "number": post.number},
           meeting_id=thread.meeting_id, space_id=thread.space_id)
    _tell_thread(thread, "post.updated", {"post_id": post.id, "change": "shown"})
    return post


def _set_flag(actor: Any, thread: Thread, flag: str, value: bool, allowed: bool, verb: str) -> bool:
    """A moderator's switch on a thread: recorded and announced only when it changes."""
    _moderated(actor, thread, allowed)
    if getattr(thread, flag) is value:
        return False
    setattr(thread, flag, value)
    record(actor, f"thread.{verb}" if value else f"thread.un{verb}", thread, {"title": thread.title},
           meeting_id=thread.meeting_id, space_id=thread.space_id)
    change = flag if value else f"un{flag}"
    _tell_thread(thread, "thread.updated", {"change": change})
    _tell_space(thread.space, "thread.updated", {"thread_id": thread.id, "change": change})
    return True


def set_pinned(actor: Any, thread: Thread, pinned: bool) -> bool:
    """Pin a thread to the top of its space's list (or unpin it); False if nothing changed."""
    return _set_flag(actor, thread, "pinned", pinned, can_pin_thread(actor, thread), "pin")


def set_locked(actor: Any, thread: Thread, locked: bool) -> bool:
    """Lock a thread (no more replies or edits, except by moderators) or reopen it."""
    return _set_flag(actor, thread, "locked", locked, can_lock_thread(actor, thread), "lock")


# --- read markers ----------------------------------------------------------------------------------

def _raise_marker(user_id: int, thread_id: int, number: int) -> None:
    """Move the marker up to `number`, never down; two tabs at once meet at the unique key."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ReadMarker).values(user_id=user_id, thread_id=thread_id, last_read_number=number,
                                     read_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "thread_id"],
        set_={
            "last_read_number": sa.case(
                (stmt.excluded.last_read_number > ReadMarker.last_read_number, stmt.excluded.last_read_number),
                else_=ReadMarker.last_read_number),
            "read_at": stmt.excluded.read_at,
        },
    )
    db.session.execute(stmt)


def mark_read(actor: Any, thread: Thread, up_to: int) -> None:
    """The reader has seen the thread's posts up to number `up_to`."""
    if not can_view_thread(actor, thread):
        raise NotFound("No such discussion.")
    up_to = max(0, min(up_to, thread.post_count))
    if up_to:
        _raise_marker(actor.id, thread.id, up_to)
