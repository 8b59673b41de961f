"""An online backup taken during a burst of writes, restored into a fresh instance as
docs/deployment.md §5 says: the copy passes SQLite's integrity check, `verify-audit` against its
own manifest, and every stored file it names is there with its hash. Real processes throughout:
the server, the operator's `forum backup`, then `db upgrade` and `verify-audit` on the copy."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from forum import create_app
from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.extensions import db
from tests.conftest import ROOT, IsolatingClient
from tests.faults.conftest import serve
from tests.security.conftest import caucus, plenary


def flask(database_url: str, uploads: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FORUM_DATABASE_URL": database_url, "FORUM_SECRET_KEY": "faults-test-secret",
           "FORUM_UPLOAD_DIR": str(uploads)}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def test_online_backup_during_a_burst_restores_into_a_fresh_instance_that_verifies(
        app, database_url, tmp_path, make_meeting, make_participant):
    live_uploads = tmp_path / "live-uploads"
    meeting = make_meeting()
    delegate = make_participant(meeting, "worker")
    # Some stored files first, through the upload form, into the folder the server uses.
    uploader = create_app({**app.config, "UPLOAD_DIR": str(live_uploads)})
    uploader.test_client_class = IsolatingClient
    client = uploader.test_client()
    assert client.post("/login", data={"email": delegate.user.email, "password": "correct horse battery"}
                       ).status_code == 302
    for n in range(3):
        pdf = b"%PDF-1.4\n% " + os.urandom(4096 + n) + b"\n%%EOF"
        response = client.post(f"/meetings/{meeting.id}/documents/new", data={
            "space_id": str(caucus(meeting, "worker").id), "kind": "working", "title": f"Annex {n}", "language": "en",
            "agenda_item_id": "0", "file": (io.BytesIO(pdf), f"annex-{n}.pdf")}, content_type="multipart/form-data")
        assert response.status_code == 302
    with unit_of_work():
        token = create_token(db.session.merge(delegate.user), "burst")
        thread = discussions.start_thread(db.session.merge(delegate.user), plenary(meeting), title="Burst",
                                          body="Start")
    thread_id = thread.id

    server = serve(database_url, tmp_path, FORUM_UPLOAD_DIR=str(live_uploads))
    url = next(server)
    try:
        acknowledged: list[int] = []
        failures: list[object] = []
        stop = threading.Event()

        def write() -> None:
            n = 0
            while not stop.is_set() and n < 200:
                try:
                    r = requests.post(f"{url}/api/v1/threads/{thread_id}/posts", json={"body": f"burst {n}"},
                                      headers={"Authorization": f"Bearer {token}"}, timeout=60)
                except requests.RequestException as exc:
                    failures.append(repr(exc))
                    return
                if r.status_code == 201:
                    acknowledged.append(n)
                else:
                    failures.append((r.status_code, r.text[:300]))
                n += 1

        writers = [threading.Thread(target=write) for _ in range(3)]
        for w in writers:
            w.start()
        deadline = time.time() + 30
        while len(acknowledged) < 20 and time.time() < deadline:
            time.sleep(0.05)
        backup_dir = tmp_path / "backup"
        result = flask(database_url, live_uploads, "forum", "backup", str(backup_dir))
        acknowledged_before_end = len(acknowledged)
        stop.set()
        for w in writers:
            w.join(60)
    finally:
        server.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert failures == []
    assert acknowledged_before_end > 20  # the backup ran while the writes went on

    # Restore into a fresh instance (docs/deployment.md §5, SQLite).
    fresh = tmp_path / "fresh"
    (fresh / "uploads").parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(backup_dir / "forum.sqlite3", fresh / "forum.sqlite3")
    shutil.copytree(backup_dir / "uploads", fresh / "uploads")
    fresh_url = f"sqlite:///{fresh / 'forum.sqlite3'}"
    conn = sqlite3.connect(fresh / "forum.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        restored_posts = conn.execute("SELECT count(*) FROM posts WHERE thread_id = ?", (thread_id,)).fetchone()[0]
        files = conn.execute("SELECT sha256 FROM document_versions").fetchall()
    finally:
        conn.close()
    assert 1 + 20 <= restored_posts <= 1 + len(acknowledged)
    for (sha,) in files:
        stored = fresh / "uploads" / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["database"]["kind"] == "sqlite"
    upgraded = flask(fresh_url, fresh / "uploads", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    verified = flask(fresh_url, fresh / "uploads", "forum", "verify-audit", "--anchor",
                     str(backup_dir / "manifest.json"))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    lines = verified.stdout.splitlines()
    assert lines and all(line.startswith("OK ") for line in lines)
    assert any(line.startswith(f"OK meeting:{meeting.id} ") for line in lines)
