"""Serving: the start-up heap is frozen before the server takes requests (issue #12, B10's p95)."""

from __future__ import annotations

import gc
from typing import Any


def test_forum_serve_freezes_the_start_up_heap_before_it_serves(app, monkeypatch):
    from forum.extensions import socketio

    seen: dict[str, Any] = {}

    def run(flask_app: Any, **options: Any) -> None:
        seen["frozen"] = gc.get_freeze_count()
        seen["threshold"] = gc.get_threshold()
        seen["options"] = options

    monkeypatch.setattr(socketio, "run", run)
    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        result = app.test_cli_runner().invoke(args=["forum", "serve", "--port", "5999"])
    finally:
        gc.unfreeze()  # the test process keeps collecting as before
        gc.set_threshold(*threshold)
    assert result.exit_code == 0, result.output
    # Every object alive at start-up (this test process's too) is out of the collector's reach,
    # and full collections come after 100 middle-generation ones instead of Python's 10.
    assert seen["frozen"] > 10_000
    assert seen["threshold"] == (threshold[0], threshold[1], 100)
    assert seen["options"]["port"] == 5999 and seen["options"]["use_reloader"] is False


def test_settle_heap_leaves_later_objects_collectable():
    from forum import settle_heap

    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        settle_heap()
        frozen = gc.get_freeze_count()

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a  # a reference cycle: only the collector frees it
        del a, b
        assert gc.collect() >= 2
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
