"""B5's promise at the votes module's interval: a ballot every 10 ms for 3 s gives at most 4 count
broadcasts in any second, none later than the interval after the ballot it counts, the last exact."""

from __future__ import annotations

import heapq

from forum.positions.votes import COUNT_INTERVAL
from forum.realtime import Coalescer


def test_live_counts_at_the_votes_interval_are_at_most_four_a_second_and_never_stale():
    now = [0.0]
    sent: list[tuple[float, int]] = []
    timers: list[tuple[float, int, object]] = []
    c = Coalescer(emit=lambda _r, _e, p: sent.append((now[0], p["ballots_cast"])),
                  schedule=lambda delay, fn: heapq.heappush(timers, (now[0] + delay, id(fn), fn)), clock=lambda: now[0])

    def advance(to: float) -> None:
        while timers and timers[0][0] <= to:
            at, _, fn = heapq.heappop(timers)
            now[0] = at
            fn()
        now[0] = to

    cast_at = {}
    for n in range(1, 301):
        advance(n * 0.01)
        cast_at[n] = now[0]
        c.submit("sitting:1", "update", {"ballots_cast": n}, COUNT_INTERVAL, "vote:1")
    advance(10.0)
    times = [t for t, _ in sent]
    assert all(sum(1 for u in times if t <= u < t + 1.0) <= 4 for t in times)
    assert sent[-1][1] == 300
    for n, at in cast_at.items():  # every ballot is in a broadcast within the interval
        shown = next(t for t, count in sent if count >= n)
        assert shown - at <= COUNT_INTERVAL + 1e-9
