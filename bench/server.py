"""The benchmarks' server: the app as `flask forum serve` runs it (Werkzeug, threading, simple-websocket),
plus one bare JSON endpoint, the baseline of B3, served by the same app and server.

`python bench/server.py PORT`; configuration from the FORUM_* environment like any deployment.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from forum import create_app
    from forum.extensions import socketio

    app = create_app()

    @app.get("/_bench/bare")
    def bare() -> dict[str, bool]:
        return {"ok": True}

    socketio.run(app, host="127.0.0.1", port=int(sys.argv[1]), allow_unsafe_werkzeug=True, use_reloader=False,
                 log_output=False)


if __name__ == "__main__":
    main()
