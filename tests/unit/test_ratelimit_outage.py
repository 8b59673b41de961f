"""A throttle outage must not stop a vote: with its storage unreachable, forum.ratelimit lets actions through."""

from __future__ import annotations

from forum import ratelimit
from tests.servers import free_port


def test_an_unreachable_rate_limit_storage_lets_the_action_through_and_logs_it(app, monkeypatch):
    warnings: list[str] = []
    monkeypatch.setattr(ratelimit.log, "warning", lambda message, *args: warnings.append(message % args))
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app.extensions.pop(ratelimit._EXT, None)
    try:
        assert ratelimit.hit("socket", 7, "1 per minute") is None
        assert ratelimit.hit("socket", 7, "1 per minute") is None  # not counted, not refused
    finally:
        app.config["REDIS_URL"] = None
        app.extensions.pop(ratelimit._EXT, None)
    assert len(warnings) == 2 and "rate limit storage unavailable" in warnings[0]


def test_a_reachable_storage_still_throttles(app):
    app.extensions.pop(ratelimit._EXT, None)
    assert ratelimit.hit("socket", 8, "1 per minute") is None
    assert ratelimit.hit("socket", 8, "1 per minute") is not None
