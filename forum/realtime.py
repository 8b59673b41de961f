"""Real-time core: server-named rooms, join checks, versions, and publishing after commit.

Services call `publish(room, event, data)` inside a unit of work; the events wait on the session
and are emitted only when the transaction commits (discarded on rollback). Every payload carries
codes and data, never sentences, plus the subject's version so that clients can detect gaps.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
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
            session: Session | None = None, coalesce: float | None = None, coalesce_key: str = "") -> None:
    """Queue an event for `room_name`; it is sent after the current transaction commits.

    With `coalesce=seconds` the event is merged with others of the same room, event and
    `coalesce_key` sent after it: at most one goes out per interval, the latest (live counts).
    """
    from forum.extensions import db

    session = session or db.session()
    payload = dict(data)
    if version is not None:
        payload["version"] = version
    if coalesce:
        payload = _Coalesced(payload, coalesce, coalesce_key)  # type: ignore[assignment]
    session.info.setdefault(_PENDING, []).append((room_name, event_name, payload))


def bump_version(obj: Any) -> int:
    """Increment a followed subject's version in the committing transaction."""
    obj.version = (obj.version or 0) + 1
    return obj.version


def _emit(room_name: str, event_name: str, payload: dict[str, Any]) -> None:
    from forum.extensions import socketio

    if not getattr(socketio, "server", None):
        return
    try:
        socketio.emit(event_name, payload, to=room_name)
    except Exception:  # a broken socket must never undo a committed change
        log.exception("could not emit %s to %s", event_name, room_name)


def _emit_all(events: list[tuple[str, str, dict[str, Any]]]) -> None:
    from forum.extensions import socketio

    if not getattr(socketio, "server", None):
        return
    for room_name, event_name, payload in events:
        if isinstance(payload, _Coalesced):
            coalescer.submit(room_name, event_name, payload.data, payload.interval, payload.key)
        else:
            _emit(room_name, event_name, payload)


class _Coalesced:
    """A queued payload that goes through the coalescer after commit."""

    __slots__ = ("data", "interval", "key")

    def __init__(self, data: dict[str, Any], interval: float, key: str) -> None:
        self.data, self.interval, self.key = data, interval, key


def _schedule(delay: float, fn: Callable[[], None]) -> None:
    from forum.extensions import socketio

    def later() -> None:
        socketio.sleep(delay)
        fn()

    socketio.start_background_task(later)


class Coalescer:
    """At most one emission per (room, event, key) and interval; the latest payload wins.

    The first event of a quiet period goes out at once; later ones within the interval are held and
    the newest of them is sent when the interval ends. Thread-safe: ballots commit on many threads.
    """

    def __init__(self, emit: Callable[[str, str, dict[str, Any]], None] = _emit,
                 schedule: Callable[[float, Callable[[], None]], None] = _schedule,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._emit, self._schedule, self._clock = emit, schedule, clock
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str, str], float] = {}
        self._held: dict[tuple[str, str, str], dict[str, Any]] = {}

    def submit(self, room_name: str, event_name: str, payload: dict[str, Any], interval: float, key: str = "") -> None:
        slot = (room_name, event_name, key)
        with self._lock:
            now = self._clock()
            if len(self._last) > 10_000:  # forget slots quiet for a minute (finished votes)
                self._last = {k: t for k, t in self._last.items() if now - t < 60 or k in self._held}
            if slot in self._held:  # a flush is already scheduled: replace what it will send
                self._held[slot] = payload
                return
            wait = self._last.get(slot, float("-inf")) + interval - now
            if wait <= 0:
                self._last[slot] = now
                send = True
            else:
                self._held[slot] = payload
                send = False
        if send:
            self._emit(room_name, event_name, payload)
        else:
            self._schedule(wait, lambda: self._flush(slot))

    def _flush(self, slot: tuple[str, str, str]) -> None:
        with self._lock:
            payload = self._held.pop(slot, None)
            if payload is not None:
                self._last[slot] = self._clock()
        if payload is not None:
            self._emit(slot[0], slot[1], payload)


coalescer = Coalescer()


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
