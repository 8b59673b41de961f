"""Real-time side of meetings: what a client following a meeting's room gets on (re)joining."""

from __future__ import annotations

from typing import Any

from forum import realtime
from forum.extensions import db
from forum.meetings.models import Meeting


@realtime.snapshot_provider("meeting")
def meeting_snapshot(user: Any, meeting_id: int) -> dict[str, Any]:
    """The meeting's version: a client that missed a `programme.changed` reloads what it shows."""
    meeting = db.session.get(Meeting, meeting_id)
    return {"meeting_id": meeting_id, "version": meeting.version if meeting else 0}
