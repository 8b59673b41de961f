"""kill -9 the server during a burst of submissions: after a restart every acknowledged post is
there exactly once, and the thread carries on. (The ballot burst of the votes module will reuse
this harness, `tests.faults.conftest.Server`.)"""

from __future__ import annotations

import threading
import time

import requests
import sqlalchemy as sa

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.discussions.models import Post
from forum.extensions import db
from tests.faults.conftest import Server
from tests.security.conftest import plenary


def test_kill_9_during_a_burst_loses_no_acknowledged_submission(app, database_url, tmp_path, make_meeting,
                                                                make_participant):
    meeting = make_meeting()
    delegates = [make_participant(meeting, group) for group in ("government", "employer", "worker")]
    with unit_of_work():
        tokens = [create_token(db.session.merge(d.user), "burst") for d in delegates]
        thread = discussions.start_thread(db.session.merge(delegates[0].user), plenary(meeting), title="Burst",
                                          body="Start")
    thread_id = thread.id
    server = Server(database_url, tmp_path).start()
    acknowledged: list[str] = []
    lost: list[str] = []

    def submit(token: str, who: int) -> None:
        for n in range(300):
            body = f"delegate {who} point {n}"
            try:
                r = requests.post(f"{server.url}/api/v1/threads/{thread_id}/posts", json={"body": body},
                                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
            except requests.ConnectionError:
                lost.append(body)  # no answer: the client does not know, and must not assume
                return
            if r.status_code == 201:
                acknowledged.append(body)

    try:
        senders = [threading.Thread(target=submit, args=(t, i)) for i, t in enumerate(tokens)]
        for s in senders:
            s.start()
        deadline = time.time() + 30
        while len(acknowledged) < 40 and time.time() < deadline:
            time.sleep(0.01)
        server.kill9()
        for s in senders:
            s.join(30)
        assert len(acknowledged) >= 40 and lost  # killed in the middle of the burst
        server.start()  # the same database, as after a crash
        db.session.rollback()
        bodies = list(db.session.scalars(sa.select(Post.body_source).where(Post.thread_id == thread_id)))
        assert all(bodies.count(b) == 1 for b in acknowledged)  # every acknowledged one, once
        assert len(bodies) == len(set(bodies))  # nothing twice
        after = requests.post(f"{server.url}/api/v1/threads/{thread_id}/posts", json={"body": "after the restart"},
                              headers={"Authorization": f"Bearer {tokens[0]}"}, timeout=10)
        assert after.status_code == 201
    finally:
        server.stop()
