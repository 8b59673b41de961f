"""`make bench`: the foundation's (F1–F3), the exports' (E1–E3) and the performance issue's B1–B10
(bench/live.py, bench/pages.py), each against a baseline measured in the same run.

BENCH_QUICK=1 runs B1–B10 with smaller N; BENCH_SCALEOUT=0 leaves out the scale-out mode, BENCH_GEVENT=0
the embedded mode on gevent.
Foundation figures: Uses a throw-away SQLite database with the production pragmas
(WAL, synchronous=FULL).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return f"median {statistics.median(ms):7.2f} ms  p95 {p95:7.2f} ms  ({1000 / statistics.median(ms):7.0f}/s)"


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="forum-bench-"))
    os.environ["FORUM_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from forum import create_app
    from forum.accounts.models import User
    from forum.audit.services import record
    from forum.db import unit_of_work
    from forum.extensions import db
    from forum.meetings.models import Capacity, Group, Participant
    from forum.meetings.services import create_meeting, ensure_spaces

    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})

    @app.get("/_bench/bare")
    def bare():
        return {"ok": True}

    root = Path(__file__).resolve().parent.parent
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
        with unit_of_work():
            staff = User(email="staff@bench", name="Staff", is_staff=True,
                         password_hash=generate_password_hash("bench password"))
            db.session.add(staff)
            db.session.flush()
            meeting = create_meeting(staff, title="Bench", symbol_prefix="B/1", languages=["en"], timezone="UTC")
            users = []
            for i, group in enumerate(["government"] * 12 + ["employer"] * 12 + ["worker"] * 12):
                u = User(email=f"p{i}@bench", name=f"P {i}", password_hash=staff.password_hash)
                db.session.add(u)
                db.session.flush()
                db.session.add(Participant(meeting_id=meeting.id, user_id=u.id, group=Group(group),
                                           capacity=Capacity.delegate,
                                           member_state="KE" if group == "government" else None))
                users.append(u)
            db.session.flush()
            ensure_spaces(staff, meeting)
        meeting_id, staff_id = meeting.id, staff.id
        db.engine.dispose()

        def audit_append():
            with unit_of_work():
                record(db.session.get(User, staff_id), "bench.append", None, {"n": 1, "text": "x" * 200},
                       meeting_id=meeting_id)

        def bare_insert():
            with unit_of_work():
                db.session.execute(db.text(
                    "INSERT INTO notifications (user_id, code, data, created_at) VALUES (:u, 'bench', :d, :t)"),
                    {"u": staff_id, "d": '{"text": "' + "x" * 400 + '"}', "t": "2026-01-01 00:00:00"})

        f1 = timed(audit_append, 300)
        f1_base = timed(bare_insert, 300)

    client = app.test_client()
    client.post("/login", data={"email": "p0@bench", "password": "bench password"})
    f2 = timed(lambda: client.get("/"), 200)
    f2_base = timed(lambda: client.get("/_bench/bare"), 200)

    def sign_in():
        response = app.test_client().post("/login", data={"email": "staff@bench", "password": "bench password"})
        assert response.status_code == 302, response.status_code

    f3 = timed(sign_in, 10)

    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"F1 audit append      {summary(f1)}")
    print(f"   bare insert       {summary(f1_base)}   ratio {statistics.median(f1_base) / statistics.median(f1):.2f}")
    print(f"F2 dashboard         {summary(f2)}")
    print(f"   bare endpoint     {summary(f2_base)}   ratio {statistics.median(f2_base) / statistics.median(f2):.2f}")
    print(f"F3 sign-in (scrypt)  {summary(f3)}")


def performance_table(rows: list[dict]) -> None:
    """B1–B10 (issue #12): one line per figure with its target, its baseline, the ratio, pass or miss."""
    print(f"\n{'id':4} {'mode':9} {'what':62} {'value':>10} {'target':>8} {'baseline':>9} {'ratio':>6}  result")
    for r in sorted(rows, key=lambda r: (int(r["id"][1:]), r["mode"])):
        target = "-" if r["target"] is None else f"{r['target']:g}"
        baseline = "-" if r["baseline"] is None else f"{r['baseline']:g}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:g}"
        result = {True: "pass", False: "MISS", None: "-"}[r["pass"]]
        print(f"{r['id']:4} {r['mode']:9} {r['what'][:62]:62} {r['value']:>8g} {r['unit']:<3} {target:>6} "
              f"{baseline:>9} {ratio:>6}  {result}  {r['note']}")


def live_benchmarks() -> None:
    """B1–B10 in processes of their own: the live sitting (embedded, then scale-out when PostgreSQL and
    Redis are there), then the pages. BENCH_QUICK=1 runs them smaller."""
    import importlib.util
    import json
    import shutil
    import subprocess

    here = Path(__file__).resolve().parent
    out = Path(tempfile.mkdtemp(prefix="forum-bench-results-"))
    runs = [("embedded", [str(here / "live.py"), "embedded"]), ("pages", [str(here / "pages.py")])]
    if shutil.which("redis-server") and os.environ.get("BENCH_SCALEOUT", "1") != "0":
        runs.insert(1, ("scaleout", [str(here / "live.py"), "scaleout"]))
    if importlib.util.find_spec("gevent") and os.environ.get("BENCH_GEVENT", "1") != "0":
        # The embedded mode again on gevent: the figures that decide its async mode (docs/benchmarks.md).
        runs.insert(1, ("gevent", [str(here / "live.py"), "gevent"]))
    rows: list[dict] = []
    for name, argv in runs:
        result = out / f"{name}.json"
        done = subprocess.run([sys.executable, *argv, "--json", str(result)], check=False)
        if done.returncode or not result.exists():
            print(f"{name}: failed (exit {done.returncode}); its figures are missing below")
            continue
        rows += json.loads(result.read_text())
    performance_table(rows)
    print(f"\nfigures as JSON in {out}")


if __name__ == "__main__":
    main()
    # Exports (E1–E3, bench/exports.py): in a process and a database of their own.
    import subprocess

    subprocess.run([sys.executable, str(Path(__file__).with_name("exports.py"))], check=True)
    live_benchmarks()
