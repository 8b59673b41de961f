"""The embedded mode's rate-limit counters (forum.ratelimit.MemoryWindows): the same answers as a
moving window, with no sweeper thread (issue #12: `limits`' memory storage spent a tenth of the
server's CPU in a ballot burst starting one every 10 ms)."""

from __future__ import annotations

import threading

import pytest
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from forum import ratelimit
from forum.ratelimit import MemoryWindows


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    return now


def test_a_moving_window_refuses_beyond_its_limit_and_frees_each_slot_as_it_ages(clock):
    limiter = MovingWindowRateLimiter(MemoryWindows())
    item = parse("3 per 10 seconds")
    for offset in (0, 2, 4):
        clock[0] = 1_000_000.0 + offset
        assert limiter.hit(item, "ns", "user-1")
    assert not limiter.hit(item, "ns", "user-1")
    assert limiter.hit(item, "ns", "user-2")  # keys count apart
    stats = limiter.get_window_stats(item, "ns", "user-1")
    assert stats.remaining == 0 and stats.reset_time == pytest.approx(1_000_010.0)  # the oldest hit + 10 s
    clock[0] = 1_000_010.5  # the first hit has left the window, the two others have not
    assert limiter.test(item, "ns", "user-1")
    assert limiter.hit(item, "ns", "user-1")
    assert not limiter.hit(item, "ns", "user-1")
    limiter.clear(item, "ns", "user-1")
    assert limiter.get_window_stats(item, "ns", "user-1").remaining == 3


def test_counting_starts_no_thread_and_old_keys_are_swept(clock):
    storage = MemoryWindows()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("60 per 10 seconds")
    before = threading.active_count()
    for user in range(300):
        assert limiter.hit(item, "socket", str(user))
    assert threading.active_count() == before
    assert len(storage._windows) == 300
    clock[0] += MemoryWindows.SWEEP_EVERY + 11  # all 300 windows are empty now
    assert limiter.hit(item, "socket", "late")
    assert list(storage._windows) == [key for key in storage._windows if "late" in key]


def test_fixed_window_counters_expire(clock):
    storage = MemoryWindows()
    assert storage.incr("k", 10) == 1 and storage.incr("k", 10, amount=2) == 3
    assert storage.get("k") == 3 and storage.get_expiry("k") == pytest.approx(1_000_010.0)
    clock[0] += 10
    assert storage.get("k") == 0
    assert storage.incr("k", 10) == 1
    assert storage.reset() == 1 and storage.get("k") == 0


def test_the_embedded_mode_counts_in_memory_windows_and_the_scale_out_mode_in_redis(app):
    app.extensions.pop("forum_ratelimit", None)
    assert isinstance(ratelimit._limiter().storage, MemoryWindows)
    app.extensions.pop("forum_ratelimit", None)
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    try:
        assert type(ratelimit._limiter().storage).__name__ == "RedisStorage"
    finally:
        app.config["REDIS_URL"] = None
        app.extensions.pop("forum_ratelimit", None)
