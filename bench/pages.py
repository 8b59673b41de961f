"""Page benchmarks B8 and B10 (issue #12), in-process: server time and SQL statements per request.

    python bench/pages.py [--json OUT]        (BENCH_QUICK=1: a thread of 500 posts instead of 2,000)

B8   a thread page of 2,000 posts, as a signed-in Government delegate    baseline: a bare JSON endpoint
B10  the status board of the 300-amendment draft, and its marshalled list  baseline: the same bare endpoint

Throw-away SQLite database with the production pragmas (WAL, synchronous=FULL), the world of
bench/world.py; Werkzeug's test client, so the figures are the server's time without the network.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUICK = os.environ.get("BENCH_QUICK") == "1"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> list[dict[str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="forum-bench-pages-"))
    os.environ["FORUM_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    import world
    from flask_migrate import upgrade
    from sqlalchemy import event

    from forum import create_app, settle_heap
    from forum.extensions import db

    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})

    @app.get("/_bench/bare")
    def bare() -> dict[str, bool]:
        return {"ok": True}

    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    posts = 500 if QUICK else 2000
    started = time.perf_counter()
    w = world.build(app, voters=30, watchers=0, thread_posts=posts)
    print(f"[pages] world: the 300-amendment draft, a thread of {posts} posts ({time.perf_counter() - started:.0f} s)",
          flush=True)

    settle_heap()  # as the server does before it serves (the world built above is the bench's own heap)
    statements = [0]
    with app.app_context():
        # Queries only: the BEGINs the SQLite pragmas issue (forum.db) are transaction control.
        event.listen(db.engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: statements.__setitem__(
            0, statements[0] + (not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")))))

    client = app.test_client()
    response = client.post("/login", data={"email": w["voter_email"], "password": w["password"]})
    assert response.status_code == 302, response.status_code

    def measure(url: str, repeat: int) -> tuple[list[float], int]:
        samples, counts = [], []
        client.get(url)  # warm-up (template compilation)
        for _ in range(repeat):
            statements[0] = 0
            t0 = time.perf_counter()
            r = client.get(url)
            samples.append(time.perf_counter() - t0)
            counts.append(statements[0])
            assert r.status_code == 200, (url, r.status_code)
        return samples, max(counts)

    m, d, t = w["meeting_id"], w["draft_id"], w["thread"]
    bare_s, _ = measure("/_bench/bare", 200)
    base = pct(bare_s, 0.95) * 1000
    rows: list[dict[str, Any]] = []

    def row(ident: str, what: str, samples: list[float], sql: int, target_ms: float, sql_max: int | None) -> None:
        p95 = pct(samples, 0.95) * 1000
        ok = p95 <= target_ms and (sql_max is None or sql <= sql_max)
        rows.append({"id": ident, "mode": "embedded", "what": what, "value": round(p95, 1), "unit": "ms",
                     "target": target_ms, "baseline": round(base, 2), "baseline_what": "bare JSON endpoint p95, ms",
                     "ratio": round(p95 / base, 1), "pass": ok,
                     "note": f"median {pct(samples, 0.5) * 1000:.0f} ms; {sql} SQL statements"
                             + (f" (target <= {sql_max})" if sql_max is not None else "")})
        print(f"  {ident:4} {what:55} p95 {p95:8.1f} ms  (median {pct(samples, 0.5) * 1000:6.1f})  "
              f"target {target_ms:6.0f}  {sql:3} SQL  {'pass' if ok else 'MISS'}", flush=True)

    thread_url = f"/meetings/{m}/spaces/{t['space_id']}/threads/{t['thread_id']}"
    samples, sql = measure(thread_url, 20)
    row("B8", f"thread page, {posts} posts, Government delegate", samples, sql, 250.0, 10)
    samples, sql = measure(f"/meetings/{m}/drafts/{d}/board", 20)
    row("B10", "status board, 60 paragraphs / 300 amendments", samples, sql, 200.0, None)
    samples, sql = measure(f"/meetings/{m}/drafts/{d}/amendments", 20)
    row("B10", "marshalled list, 300 amendments", samples, sql, 200.0, None)
    return rows


if __name__ == "__main__":
    results = main()
    if "--json" in sys.argv:
        Path(sys.argv[sys.argv.index("--json") + 1]).write_text(json.dumps(results, indent=1))
