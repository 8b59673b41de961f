"""The database locked for seconds during a burst of writes (a backup tool, a stuck writer): each
request waits for the lock or answers a clean 503 with Retry-After; never a 500, never a lost
acknowledgement. A real server process, a real SQLite lock held by another connection."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.discussions.models import Post
from forum.extensions import db
from tests.faults.conftest import serve
from tests.security.conftest import plenary

BUSY_TIMEOUT_MS = 1500


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    assert database_url.startswith("sqlite:///")  # the embedded mode: PostgreSQL waits for its locks
    yield from serve(database_url, tmp_path_factory.mktemp("locked"), FORUM_SQLITE_BUSY_TIMEOUT_MS=str(BUSY_TIMEOUT_MS))


def hold_write_lock(path: str, seconds: float, held: threading.Event) -> None:
    """Another writer takes the database's write lock and keeps it."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def burst(server: str, token: str, thread_id: int, n: int, label: str) -> list[requests.Response]:
    def send(i: int) -> requests.Response:
        return requests.post(f"{server}/api/v1/threads/{thread_id}/posts", json={"body": f"{label} {i}"},
                             headers={"Authorization": f"Bearer {token}"}, timeout=60)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(send, range(n)))


def test_database_locked_shorter_than_the_busy_timeout_writers_wait(server, database_url, make_meeting,
                                                                    make_participant):
    meeting = make_meeting()
    delegate = make_participant(meeting, "government")
    with unit_of_work():
        token = create_token(db.session.merge(delegate.user), "burst")
        thread = discussions.start_thread(db.session.merge(delegate.user), plenary(meeting), title="Burst",
                                          body="Start")
    held = threading.Event()
    locker = threading.Thread(target=hold_write_lock,
                              args=(database_url.removeprefix("sqlite:///"), BUSY_TIMEOUT_MS / 1000 / 3, held))
    locker.start()
    held.wait(10)
    responses = burst(server, token, thread.id, 10, "waited")
    locker.join(30)
    assert [r.status_code for r in responses] == [201] * 10
    db.session.rollback()
    bodies = set(db.session.scalars(sa.select(Post.body_source).where(Post.thread_id == thread.id)))
    assert {f"waited {i}" for i in range(10)} <= bodies


def test_database_locked_longer_than_the_busy_timeout_answers_503_never_500(server, database_url, make_meeting,
                                                                           make_participant):
    meeting = make_meeting()
    delegate = make_participant(meeting, "government")
    with unit_of_work():
        token = create_token(db.session.merge(delegate.user), "burst")
        thread = discussions.start_thread(db.session.merge(delegate.user), plenary(meeting), title="Burst",
                                          body="Start")
    held = threading.Event()
    locker = threading.Thread(target=hold_write_lock,
                              args=(database_url.removeprefix("sqlite:///"), BUSY_TIMEOUT_MS / 1000 * 3, held))
    locker.start()
    held.wait(10)
    responses = burst(server, token, thread.id, 12, "burst")
    page = requests.post(f"{server}/api/v1/threads/{thread.id}/posts", json={"body": "late"},
                         headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}, timeout=60)
    locker.join(30)
    statuses = [r.status_code for r in [*responses, page]]
    assert set(statuses) <= {201, 503}, statuses
    assert 503 in statuses  # the lock outlasted the wait
    for r in [*responses, page]:
        if r.status_code == 503:
            assert r.headers["Retry-After"] == "5"
            assert r.json()["error"]["code"] == "database_busy"
    # Every acknowledged post is there, once; the refused ones are not; a retry then goes through.
    db.session.rollback()
    bodies = list(db.session.scalars(sa.select(Post.body_source).where(Post.thread_id == thread.id)))
    acknowledged = [f"burst {i}" for i, r in enumerate(responses) if r.status_code == 201]
    refused = [f"burst {i}" for i, r in enumerate(responses) if r.status_code == 503]
    assert all(bodies.count(b) == 1 for b in acknowledged)
    assert not set(refused) & set(bodies)
    retry = requests.post(f"{server}/api/v1/threads/{thread.id}/posts", json={"body": "retried"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert retry.status_code == 201
