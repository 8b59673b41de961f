"""Our own limit on requests for the floor (Flask-Limiter does not see socket events).

A moving window per account, kept in Redis in the scale-out mode so that every process counts
the same requests; `SITTING_FLOOR_LIMIT` (default "10 per minute") sets it.
"""

from __future__ import annotations

from flask import current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXT = "forum_floor_throttle"


def _limiter() -> MovingWindowRateLimiter:
    ext = current_app.extensions.get(EXT)
    if ext is None:
        uri = current_app.config.get("REDIS_URL") or current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        ext = current_app.extensions[EXT] = MovingWindowRateLimiter(storage_from_string(uri))
    return ext


def allow(user_id: int) -> bool:
    """Count one request for the floor; False when the account has asked too often lately."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    item = parse(current_app.config.get("SITTING_FLOOR_LIMIT", "10 per minute"))
    namespace = current_app.config.get("REDIS_PREFIX", "forum:") + "floor"
    return _limiter().hit(item, namespace, str(user_id))


def reset() -> None:
    """Forget every count (tests, and the CLI after an incident)."""
    current_app.extensions.pop(EXT, None)
