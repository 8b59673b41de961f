"""Real-time side of discussions: what a client following `thread:<id>` gets on (re)joining.

Joining is checked by permissions.can_join_room (the thread's space must be visible to the user);
the provider checks again, so that a snapshot never describes a thread the user may not see.
Events themselves are queued by the services: `post.created`, `post.updated`, `thread.updated` in
the thread's room, `thread.created`, `thread.activity`, `thread.updated` in the space's room.
"""

from __future__ import annotations

from typing import Any

from forum import permissions, realtime
from forum.discussions import queries
from forum.discussions.models import Thread
from forum.extensions import db


@realtime.snapshot_provider("thread")
def thread_snapshot(user: Any, thread_id: int) -> dict[str, Any]:
    thread = db.session.get(Thread, thread_id)
    if thread is None or not permissions.can_view_thread(user, thread):
        return {"thread_id": thread_id, "version": 0}
    return queries.thread_summary(thread)
