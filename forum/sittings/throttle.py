"""Our own limit on requests for the floor (Flask-Limiter does not see socket events).

A moving window per account, kept in Redis in the scale-out mode so that every process counts
the same requests; `SITTING_FLOOR_LIMIT` (default "10 per minute") sets it.
"""

from __future__ import annotations

from flask import current_app
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from forum.ratelimit import moving_window

EXT = "forum_floor_throttle"


def _limiter() -> MovingWindowRateLimiter:
    return moving_window(EXT)


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
