"""Real-time core: server-named rooms, join checks, versions, and publishing after commit.

Services call `publish(room, event, data)` inside a unit of work; the events wait on the session
and are emitted only when the transaction commits (discarded on rollback). Every payload carries
codes and data, never sentences, plus the subject's version so that clients can detect gaps.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "forum_pending_events"


def room(kind: str, ident: int | str, suffix: str | None = None) -> str:
    name = f"{kind}:{ident}"
    return f"{name}:{suffix}" if suffix else name


def server_time() -> str:
    return datetime.now(UTC).isoformat()


def publish(room_name: str, event_name: str, data: dict[str, Any], *, version: int | None = None,
            session: Session | None = None) -> None:
    """Queue an event for `room_name`; it is sent after the current transaction commits."""
    from forum.extensions import db

    session = session or db.session()
    payload = dict(data)
    if version is not None:
        payload["version"] = version
    session.info.setdefault(_PENDING, []).append((room_name, event_name, payload))


def bump_version(obj: Any) -> int:
    """Increment a followed subject's version in the committing transaction."""
    obj.version = (obj.version or 0) + 1
    return obj.version


def _emit_all(events: list[tuple[str, str, dict[str, Any]]]) -> None:
    from forum.extensions import socketio

    if not getattr(socketio, "server", None):
        return
    for room_name, event_name, payload in events:
        try:
            socketio.emit(event_name, payload, to=room_name)
        except Exception:  # a broken socket must never undo a committed change
            log.exception("could not emit %s to %s", event_name, room_name)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    events = session.info.pop(_PENDING, None)
    if events:
        _emit_all(events)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)


def disconnect_user(user_id: int, keep_sid: str | None = None) -> int:
    """Disconnect every socket of a user (logout, password change, deactivation)."""
    from forum.extensions import socketio

    server = getattr(socketio, "server", None)
    if server is None:
        return 0
    sids = [sid for sid, _ in server.manager.get_participants("/", room("user", user_id))]
    for sid in sids:
        if sid != keep_sid:
            server.disconnect(sid, namespace="/")
    return len(sids)


# --- snapshots -------------------------------------------------------------------------------------
# Each module registers how to describe its subject to a client that (re)joins its room.

SnapshotProvider = Any
_snapshots: dict[str, SnapshotProvider] = {}


def snapshot_provider(kind: str):
    def decorator(fn: SnapshotProvider) -> SnapshotProvider:
        _snapshots[kind] = fn
        return fn

    return decorator


def snapshot(user: Any, room_name: str) -> dict[str, Any]:
    kind, _, rest = room_name.partition(":")
    ident = rest.partition(":")[0]
    provider = _snapshots.get(kind)
    data = provider(user, int(ident)) if provider and ident.isdigit() else {}
    return {"room": room_name, "server_time": server_time(), **data}
