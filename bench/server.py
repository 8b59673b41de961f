"""The benchmarks' server: the app as `flask forum serve` runs it (Werkzeug, threading, simple-websocket),
or with FORUM_SOCKETIO_ASYNC_MODE=gevent on gevent's WSGI server (greenlets, simple-websocket),
plus one bare JSON endpoint, the baseline of B3, served by the same app and server.

`python bench/server.py PORT`; configuration from the FORUM_* environment like any deployment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if os.environ.get("FORUM_SOCKETIO_ASYNC_MODE") == "gevent":
    # gevent must patch the standard library before anything else imports it (sockets, threads, locks).
    from gevent import monkey

    monkey.patch_all()

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _log_collections() -> None:
    """BENCH_GC_LOG=1: each collection of 5 ms or more, to stderr (the server's log)."""
    import gc
    import time

    started = [0.0]

    def probe(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif (ms := (time.perf_counter() - started[0]) * 1000) >= 5:
            print(f"gc: generation {info['generation']} took {ms:.0f} ms, {info['collected']} collected, "
                  f"{len(gc.get_objects(2)) if info['generation'] == 2 else '-'} in generation 2, "
                  f"{gc.get_freeze_count()} frozen", file=sys.stderr, flush=True)

    gc.callbacks.append(probe)


def main() -> None:
    from forum import create_app, settle_heap
    from forum.extensions import socketio

    app = create_app()

    @app.get("/_bench/bare")
    def bare() -> dict[str, bool]:
        return {"ok": True}

    if os.environ.get("BENCH_GC_LOG"):
        _log_collections()
    settle_heap()  # as `flask forum serve` does
    socketio.run(app, host="127.0.0.1", port=int(sys.argv[1]), allow_unsafe_werkzeug=True, use_reloader=False,
                 log_output=False)


if __name__ == "__main__":
    main()
