"""Login throttling: per account first, per address second (a venue shares one NAT address)."""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from forum.ratelimit import moving_window

_EXT = "forum_login_throttle"


def _limiter() -> MovingWindowRateLimiter:
    return moving_window(_EXT)  # shared between processes through Redis in the scale-out mode


def _ns() -> str:
    return current_app.config.get("REDIS_PREFIX", "forum:") + "login"


def _items() -> list[tuple[str, object]]:
    return [("account", parse(current_app.config["LOGIN_ACCOUNT_LIMIT"])),
            ("address", parse(current_app.config["LOGIN_ADDRESS_LIMIT"]))]


def blocked(email: str, address: str) -> tuple[str, int] | None:
    """(scope, seconds to wait) when further attempts are refused, else None."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    limiter = _limiter()
    keys = {"account": email.lower(), "address": address}
    for scope, item in _items():
        if not limiter.test(item, _ns(), scope, keys[scope]):
            stats = limiter.get_window_stats(item, _ns(), scope, keys[scope])
            return scope, max(1, math.ceil(stats.reset_time - time.time()))
    return None


def record_failure(email: str, address: str) -> None:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    limiter = _limiter()
    keys = {"account": email.lower(), "address": address}
    for scope, item in _items():
        limiter.hit(item, _ns(), scope, keys[scope])


def clear_account(email: str) -> None:
    limiter = _limiter()
    for scope, item in _items():
        if scope == "account":
            limiter.clear(item, _ns(), scope, email.lower())
