"""Socket.IO handlers of live sittings: `join` (follow a sitting, ack with its state) and
`sitting_command` (one command through `services.run_command`, ack `{ok, ...}` or `{ok, error}`).

Adapters only: the socket's user is re-read from the database on every event (forum.events._actor),
rooms are named by the server, and every change goes through the same services as the pages and
the API. `snapshot {"sitting_id"}` is the core handler's (forum/events.py).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import request
from flask_socketio import join_room
from sqlalchemy import exc as sa_exc

from forum import events as core
from forum import permissions, presence, ratelimit
from forum.db import unit_of_work
from forum.errors import DomainError
from forum.errors_views import BUSY_MARKERS, RETRY_AFTER_SECONDS
from forum.extensions import db, socketio
from forum.meetings.live import sitting_room
from forum.meetings.models import Sitting
from forum.sittings import queries, services

log = logging.getLogger(__name__)


def sitting_id_of(data: Any) -> int | None:
    value = data.get("sitting_id") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _visible_sitting(user: Any, sitting_id: int | None) -> Sitting | None:
    sitting = db.session.get(Sitting, sitting_id) if sitting_id is not None else None
    if sitting is None or not permissions.can_view_sitting(user, sitting):
        return None
    return sitting


@socketio.on("join")
@ratelimit.socket_limited()
def on_join(data: Any) -> dict[str, Any]:
    """Follow a sitting: its room, the officers' room for officers; the ack carries the state."""
    user = core._actor()
    if user is None:
        return core.fail("unauthorized", "Your session has ended. Sign in again.")
    sitting = _visible_sitting(user, sitting_id_of(data))
    if sitting is None:
        db.session.rollback()
        return core.fail("not_found", "No such sitting, or no access to it.")
    rooms = [sitting_room(sitting.id)]
    if permissions.can_view_officers_room(user, sitting):
        rooms.append(sitting_room(sitting.id, "officers"))
    for name in rooms:
        join_room(name)
    # Presence is information for the Chair: recorded without broadcasting it to the whole room.
    presence.add(rooms[0], user.id, request.sid)
    info = core._sockets.get(request.sid)
    if info is not None:
        info["rooms"].add(rooms[0])
    state = queries.state_for(user, sitting)
    db.session.rollback()
    return core.ok(state=state)


@socketio.on("sitting_command")
@ratelimit.socket_limited()
def on_sitting_command(data: Any) -> dict[str, Any]:
    """`{"sitting_id", "command", ...}`: the rest of the object is the command's payload.

    The socket's user is re-read inside the command's own transaction: one transaction per command,
    not a read followed by a write that would read the user again (a ballot burst is mostly this
    path; docs/benchmarks.md, B2).
    """
    if not isinstance(data, dict):
        return {"ok": False, "error": {"code": "bad_request", "message": "Send an object."}}
    sitting_id = sitting_id_of(data)
    payload = {k: v for k, v in data.items() if k not in ("sitting_id", "command")}
    try:
        with unit_of_work():
            user = core._actor()
            if user is None:
                return core.fail("unauthorized", "Your session has ended. Sign in again.")
            sitting = _visible_sitting(user, sitting_id)
            if sitting is None:
                return core.fail("not_found", "No such sitting, or no access to it.")
            result = services.run_command(user, sitting, data.get("command"), payload)
            version = sitting.version
    except DomainError as exc:
        return {"ok": False, "error": exc.localized()}
    except (sa_exc.OperationalError, sa_exc.TimeoutError) as exc:
        db.session.rollback()
        if isinstance(exc, sa_exc.OperationalError) and not any(m in str(exc) for m in BUSY_MARKERS):
            log.exception("sitting command failed")
            return core.fail("server_error", "Something went wrong; nothing was changed.")
        # A lock held too long (SQLite's busy timeout in a burst of ballots): as the HTTP side's 503.
        log.warning("database busy, sitting command refused: %s", str(exc).splitlines()[0][:200])
        busy = core.fail("database_busy", "The database is busy: nothing was changed. Try again in a few seconds.")
        busy["error"]["retry_after"] = RETRY_AFTER_SECONDS
        return busy
    except Exception:  # a bug must answer the client, not leave it waiting for an ack
        log.exception("sitting command failed")
        db.session.rollback()
        return core.fail("server_error", "Something went wrong; nothing was changed.")
    return core.ok(version=version, **result)
