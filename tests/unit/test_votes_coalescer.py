"""Live ballot counts are coalesced: a few broadcasts per second at most, the latest count wins."""

from __future__ import annotations

import threading

from forum.realtime import Coalescer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make():
    sent: list[tuple[str, str, dict]] = []
    scheduled: list = []
    clock = Clock()
    c = Coalescer(emit=lambda r, e, p: sent.append((r, e, p)), schedule=lambda d, fn: scheduled.append((d, fn)),
                  clock=clock)
    return c, sent, scheduled, clock


def test_first_count_goes_out_at_once_and_a_burst_collapses_into_the_latest():
    c, sent, scheduled, clock = make()
    c.submit("meeting:1", "vote.changed", {"ballots_cast": 1}, 0.5, "vote:1")
    assert sent == [("meeting:1", "vote.changed", {"ballots_cast": 1})]
    for n in range(2, 50):
        clock.now += 0.001
        c.submit("meeting:1", "vote.changed", {"ballots_cast": n}, 0.5, "vote:1")
    assert len(sent) == 1 and len(scheduled) == 1
    delay, flush = scheduled[0]
    assert 0 < delay <= 0.5
    clock.now += delay
    flush()
    assert sent[-1] == ("meeting:1", "vote.changed", {"ballots_cast": 49}) and len(sent) == 2


def test_separate_keys_and_rooms_are_not_merged():
    c, sent, _scheduled, _clock = make()
    c.submit("meeting:1", "vote.changed", {"n": 1}, 0.5, "vote:1")
    c.submit("meeting:1", "vote.changed", {"n": 1}, 0.5, "vote:2")
    c.submit("sitting:3", "update", {"n": 1}, 0.5, "vote:1")
    assert len(sent) == 3


def test_after_a_quiet_interval_the_next_count_goes_out_at_once():
    c, sent, scheduled, clock = make()
    c.submit("r", "e", {"n": 1}, 0.5)
    clock.now += 0.6
    c.submit("r", "e", {"n": 2}, 0.5)
    assert [p["n"] for _r, _e, p in sent] == [1, 2] and not scheduled


def test_concurrent_submissions_send_one_now_and_one_later():
    c, sent, scheduled, _clock = make()
    threads = [threading.Thread(target=c.submit, args=("r", "e", {"n": i}, 0.5)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 1 and len(scheduled) == 1
    scheduled[0][1]()
    assert len(sent) == 2
