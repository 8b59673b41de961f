"""Our own rate limiter for what Flask-Limiter does not see: Socket.IO events, keyed on accounts.

A moving window per (scope, key) in the same storage as the login throttle (memory in the
embedded mode, Redis when `REDIS_URL` is set, so every process counts together):

    wait = ratelimit.hit("socket", user.id, "40 per 10 seconds")   # None, or seconds to wait

Socket handlers take the decorator, which answers a throttled command with the usual ack:

    @socketio.on("speakers.request")
    @ratelimit.socket_limited()          # SOCKET_RATE_LIMIT, per user, across all their sockets
    def on_request(data): ...
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from limits import parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

_EXT = "forum_ratelimit"
log = logging.getLogger(__name__)


def _limiter() -> MovingWindowRateLimiter:
    ext = current_app.extensions.get(_EXT)
    if ext is None:
        uri = current_app.config.get("REDIS_URL") or current_app.config["RATELIMIT_STORAGE_URI"]
        ext = current_app.extensions[_EXT] = MovingWindowRateLimiter(storage_from_string(uri))
    return ext


def _namespace() -> str:
    return current_app.config.get("REDIS_PREFIX", "forum:") + "rate"


def hit(scope: str, key: str | int, limit: str) -> int | None:
    """Count one action; None when allowed, else the seconds until the window lets it through.

    `limit` is one or more limits in the `limits` notation ("40 per 10 seconds; 300 per hour").
    A refused action is not counted, so a client that waits as told gets through.

    When the counters' storage (Redis in the scale-out mode) cannot be reached the action is let
    through and a warning logged: a throttle outage must not stop a vote (every command's rights
    are still checked; tests/scale/test_sittings_scale.py stops Redis mid-vote).
    """
    if not limit or not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    limiter = _limiter()
    items = parse_many(limit)
    try:
        for item in items:
            if not limiter.test(item, _namespace(), scope, str(key)):
                stats = limiter.get_window_stats(item, _namespace(), scope, str(key))
                return max(1, math.ceil(stats.reset_time - time.time()))
        for item in items:
            limiter.hit(item, _namespace(), scope, str(key))
    except Exception as exc:  # the storage is down (redis.ConnectionError and the like)
        log.warning("rate limit storage unavailable, %s %s let through: %s", scope, key, type(exc).__name__)
    return None


def reset() -> None:
    """Forget every counter (tests, and an operator's `flask shell` after a false alarm)."""
    storage: Storage = _limiter().storage
    storage.reset()


def socket_user_id() -> int | None:
    """The user behind the current socket event, as recorded at connect (forum.events)."""
    from forum import events

    info = events.socket_info(request.sid)
    return info["user_id"] if info else None


def socket_limited(limit: str | None = None, scope: str = "socket") -> Callable:
    """Throttle a socket handler per user (across all their sockets and processes).

    Without `limit`, SOCKET_RATE_LIMIT applies; handlers sharing a scope share one budget.
    A throttled command is not run and is acknowledged `{ok: false, error: {code: "throttled"}}`.
    """
    def decorator(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user_id = socket_user_id()
            key = user_id if user_id is not None else f"sid:{request.sid}"
            wait = hit(scope, key, limit or current_app.config.get("SOCKET_RATE_LIMIT", ""))
            if wait is not None:
                return {"ok": False, "error": {"code": "throttled", "retry_after": wait,
                                               "message": "Too many commands in a short time; wait a moment."}}
            return handler(*args, **kwargs)

        return wrapper

    return decorator
