"""Socket.IO handlers: authentication, following rooms, snapshots and presence.

Handlers are adapters like views: they authenticate, check permissions (forum.permissions),
call services and acknowledge with `{ok, error?, ...}`. Rights are re-read from the database on
every command, so a revoked session or a removed participant loses access at once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app, has_app_context, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, disconnect, join_room, leave_room
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum import handshakes, permissions, presence, ratelimit, realtime
from forum.accounts.auth import user_from_id
from forum.accounts.models import User
from forum.accounts.services import user_for_token
from forum.extensions import db, socketio
from forum.meetings import events as _meeting_events  # noqa: F401  (snapshots of meeting rooms)
from forum.meetings.models import Space

log = logging.getLogger(__name__)

# sid -> (user id, session generation, rooms with presence)
_sockets: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def _token_from(auth: Any) -> str | None:
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return auth["token"]
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    return None


def ok(**data: Any) -> dict[str, Any]:
    return {"ok": True, **data}


def fail(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    try:
        _connect(auth)
    finally:
        handshakes.release_current(request.environ)  # accepted or refused, the handshake is over


def _connect(auth: Any) -> None:
    user: User | None = None
    token = _token_from(auth)
    if token:
        user = user_for_token(token)
    elif current_user and current_user.is_authenticated:
        user = current_user._get_current_object()
    db.session.rollback()
    if user is None:
        raise ConnectionRefusedError({"code": "unauthorized", "message": "Sign in first."})
    cap = current_app.config.get("SOCKET_MAX_CONNECTIONS_PER_USER") or 0
    with _lock:
        # A user's open sockets in this process are capped: tabs and a projector, not a flood.
        if cap and sum(1 for info in _sockets.values() if info["user_id"] == user.id) >= cap:
            raise ConnectionRefusedError({"code": "too_many_connections",
                                          "message": "Too many open connections; close other tabs."})
        _sockets[request.sid] = {"user_id": user.id, "generation": user.session_generation, "rooms": set(),
                                 "token": token}
    join_room(realtime.room("user", user.id))


def socket_info(sid: str) -> dict[str, Any] | None:
    """What connect recorded about a socket (its user id and session generation), or None."""
    return _sockets.get(sid)


def _actor() -> User | None:
    """The socket's user, re-checked against the database; disconnects a revoked session."""
    info = _sockets.get(request.sid)
    if info is None:
        return None
    user = user_from_id(f"{info['user_id']}.{info['generation']}")
    if user is not None and info["token"] and user_for_token(info["token"]) is None:
        user = None  # the token was revoked since the socket connected
    if user is None:
        disconnect()
    return user


def _presence_snapshot(room_name: str) -> list[dict[str, Any]]:
    ids = presence.user_ids(room_name)
    if not ids:
        return []
    users = db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.name))
    return [{"id": u.id, "name": u.name} for u in users]


def _broadcast_presence(room_name: str) -> None:
    socketio.emit("presence.changed", {"room": room_name, "online": _presence_snapshot(room_name)},
                  to=room_name)


def _room_for(data: Any) -> tuple[User, str] | dict[str, Any]:
    """The socket's user and the room it asks for, or the failure to acknowledge with."""
    user = _actor()
    if user is None:
        return fail("unauthorized", "Your session has ended. Sign in again.")
    room_name = data.get("room") if isinstance(data, dict) else None
    if room_name is None and isinstance(data, dict) and "sitting_id" in data:
        from forum.sittings.events import sitting_id_of  # `snapshot {"sitting_id"}` (issue #7)

        ident = sitting_id_of(data)
        room_name = realtime.room("sitting", ident) if ident is not None else None
    if not isinstance(room_name, str) or not permissions.can_join_room(user, room_name):
        # Unknown and forbidden rooms answer alike, so room names reveal nothing.
        return fail("not_found", "No such room, or no access to it.")
    return user, room_name


@socketio.on("subscribe")
@ratelimit.socket_limited()
def on_subscribe(data: Any) -> dict[str, Any]:
    found = _room_for(data)
    if isinstance(found, dict):
        return found
    user, room_name = found
    join_room(room_name)
    snap = realtime.snapshot(user, room_name)
    if room_name.startswith("space:"):
        presence.add(room_name, user.id, request.sid)
        _sockets[request.sid]["rooms"].add(room_name)
        _broadcast_presence(room_name)
        snap["online"] = _presence_snapshot(room_name)
    db.session.rollback()
    return ok(snapshot=snap)


@socketio.on("unsubscribe")
@ratelimit.socket_limited()
def on_unsubscribe(data: Any) -> dict[str, Any]:
    room_name = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room_name, str):
        return fail("validation_failed", "Name a room.")
    leave_room(room_name)
    info = _sockets.get(request.sid)
    if info and room_name in info["rooms"]:
        info["rooms"].discard(room_name)
        if presence.remove(room_name, info["user_id"], request.sid) and room_name.startswith("space:"):
            _broadcast_presence(room_name)
    return ok()


@socketio.on("snapshot")
@ratelimit.socket_limited()
def on_snapshot(data: Any) -> dict[str, Any]:
    """A client that saw a version gap or reconnected asks for the current state."""
    found = _room_for(data)
    if isinstance(found, dict):
        return found
    user, room_name = found
    snap = realtime.snapshot(user, room_name)
    if room_name.startswith("space:"):
        snap["online"] = _presence_snapshot(room_name)
    db.session.rollback()
    if isinstance(data, dict) and "sitting_id" in data and "room" not in data:
        return ok(state=snap, snapshot=snap)
    return ok(snapshot=snap)


@socketio.on("disconnect")
def on_disconnect(*_args: Any) -> None:
    with _lock:
        info = _sockets.pop(request.sid, None)
    if not info:
        return
    for room_name in info["rooms"]:
        # Sitting rooms keep presence for the Chair only: no broadcast to the whole room.
        if presence.remove(room_name, info["user_id"], request.sid) and room_name.startswith("space:"):
            _broadcast_presence(room_name)
    db.session.rollback()


@realtime.snapshot_provider("space")
def _space_snapshot(user: User, space_id: int) -> dict[str, Any]:
    space = db.session.get(Space, space_id)
    return {"space_id": space_id, "version": space.version if space else 0}


# --- rights re-checked when they change -------------------------------------------------------------
# A participant removed, moved to another group or stripped of an office must stop receiving what
# they may no longer see at once, not at their next command: the sockets of every user whose
# participation changed leave the rooms they may no longer join, right after the commit.

_RIGHTS = "forum_rights_changed"


@event.listens_for(Session, "after_flush")
def _note_rights_changes(session: Session, _context: Any) -> None:
    from forum.meetings.models import Membership, Office, Participant, SpaceMember

    changed = session.info.setdefault(_RIGHTS, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Participant) and obj.id is not None:
            changed.add(obj.id)
        elif isinstance(obj, Membership | Office | SpaceMember) and obj.participant_id is not None:
            changed.add(obj.participant_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rights_changes(session: Session, _previous: Any) -> None:
    session.info.pop(_RIGHTS, None)


@event.listens_for(Session, "after_commit")
def _recheck_after_commit(session: Session) -> None:
    participant_ids = session.info.pop(_RIGHTS, None)
    if not participant_ids or not _sockets or not has_app_context() or not getattr(socketio, "server", None):
        return
    # The committed session cannot query any more: re-check in a context (and session) of its own.
    with current_app.app_context():
        try:
            revoke_lost_rooms(participant_ids)
        except Exception:  # never undo or hide the committed change
            log.exception("could not re-check socket rooms")
        finally:
            db.session.remove()


def revoke_lost_rooms(participant_ids: set[int]) -> int:
    """Make these participants' sockets leave every room they may no longer join; count the rooms."""
    from forum.meetings.models import Participant

    user_ids = set(db.session.scalars(db.select(Participant.user_id).where(Participant.id.in_(participant_ids))))
    with _lock:
        targets = [(sid, info) for sid, info in _sockets.items() if info["user_id"] in user_ids]
    server = socketio.server
    left = 0
    for sid, info in targets:
        user = db.session.get(User, info["user_id"])
        for room_name in list(server.rooms(sid, namespace="/")):
            if room_name == sid or room_name.startswith("user:"):
                continue
            if user is not None and user.active and permissions.can_join_room(user, room_name):
                continue
            server.leave_room(sid, room_name, namespace="/")
            info["rooms"].discard(room_name)
            if presence.remove(room_name, info["user_id"], sid) and room_name.startswith("space:"):
                _broadcast_presence(room_name)
            server.emit("room.revoked", {"room": room_name}, to=sid, namespace="/")
            left += 1
    return left


# Live sittings register `join` and `sitting_command` (imported last: they use the helpers above).
from forum.sittings import events as _sitting_events  # noqa: E402,F401

