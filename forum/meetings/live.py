"""The one envelope for everything that changes in a live sitting (ARCHITECTURE.md §4, issue #7).

Every committed change that a sitting's clients must see goes out as `update`
`{"sitting_id", "version", "type", "data"}` to the `sitting:<id>` room, with the sitting's
version bumped in the same transaction. It lives here, below sittings and positions, so that votes,
positions and decisions (lower layers) can announce themselves in a sitting without importing it.
`type` is a code from the list in docs/realtime.md; `data` carries codes and values, never sentences.
"""

from __future__ import annotations

from typing import Any

from forum import realtime
from forum.meetings.models import Sitting


def sitting_room(sitting_id: int, suffix: str | None = None) -> str:
    return realtime.room("sitting", sitting_id, suffix)


def publish_sitting_update(sitting: Sitting, type_: str, data: dict[str, Any], *,
                           suffix: str | None = None) -> int:
    """Bump the sitting's version and queue `update` for its room (sent after commit).

    `suffix="officers"` sends it to the officers' channel instead (`sitting:<id>:officers`).
    """
    version = realtime.bump_version(sitting)
    realtime.publish(sitting_room(sitting.id, suffix), "update",
                     {"sitting_id": sitting.id, "version": version, "type": type_, "data": data})
    return version
