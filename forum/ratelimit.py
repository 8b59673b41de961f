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

import bisect
import functools
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from limits import parse_many
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

_EXT = "forum_ratelimit"
log = logging.getLogger(__name__)


class MemoryWindows(Storage, MovingWindowSupport):
    """The embedded mode's counters: moving windows (and fixed ones) in this process's memory,
    pruned as they are used and swept once a minute by whoever counts next.

    `limits`' own memory storage starts a sweeper thread every 10 ms while any window is open and
    walks every key in it: a tenth of the server's CPU during a burst of 300 ballots, every socket
    event and API request being counted (docs/benchmarks.md, issue #12).
    """

    STORAGE_SCHEME = ["forum-memory"]
    SWEEP_EVERY = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, list[float]]] = {}  # key: (expiry, ascending timestamps)
        self._counters: dict[str, tuple[int, float]] = {}  # key: (count, expires at)
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.SWEEP_EVERY
        self._windows = {k: w for k, w in self._windows.items() if w[1] and w[1][-1] >= now - w[0]}
        self._counters = {k: c for k, c in self._counters.items() if c[1] > now}

    # moving windows (MovingWindowRateLimiter: the login, socket, API and floor throttles)
    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self._lock:
            self._sweep(now)
            _expiry, times = self._windows.setdefault(key, (expiry, []))
            del times[:bisect.bisect_left(times, now - expiry)]
            if len(times) + amount > limit:
                return False
            times.extend([now] * amount)
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        with self._lock:
            times = self._windows.get(key, (expiry, []))[1]
            live = times[bisect.bisect_left(times, now - expiry):]
        return (live[0], len(live)) if live else (now, 0)

    # fixed windows (the Storage interface)
    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            self._sweep(now)
            count, until = self._counters.get(key, (0, 0.0))
            if until <= now:
                count, until = 0, now + expiry
            self._counters[key] = (count + amount, until)
            return count + amount

    def get(self, key: str) -> int:
        count, until = self._counters.get(key, (0, 0.0))
        return count if until > time.time() else 0

    def get_expiry(self, key: str) -> float:
        until = self._counters.get(key, (0, 0.0))[1]
        return until if until > time.time() else time.time()

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)
            self._counters.pop(key, None)

    def reset(self) -> int | None:
        with self._lock:
            count = len(self._windows) + len(self._counters)
            self._windows, self._counters = {}, {}
        return count

    def check(self) -> bool:
        return True


def moving_window(ext_key: str) -> MovingWindowRateLimiter:
    """The app's moving-window limiter named `ext_key`: in Redis when `REDIS_URL` is set (every
    process counts together), else in this process's memory (MemoryWindows)."""
    ext = current_app.extensions.get(ext_key)
    if ext is None:
        uri = current_app.config.get("REDIS_URL") or current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        storage = MemoryWindows() if uri.startswith("memory://") else storage_from_string(uri)
        ext = current_app.extensions[ext_key] = MovingWindowRateLimiter(storage)
    return ext


def _limiter() -> MovingWindowRateLimiter:
    return moving_window(_EXT)


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
