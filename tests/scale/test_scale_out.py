"""The scale-out mode for real: two server processes, PostgreSQL and the Redis message queue.

Flask-SocketIO's test client cannot run with a message queue, so these tests start real
server processes and connect real Socket.IO clients to them.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
import requests
import socketio as socketio_client

from tests.conftest import service_missing
from tests.servers import Server

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.scale, pytest.mark.xdist_group("serial")]
REDIS_URL = os.environ.get("FORUM_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        service_missing("Redis", str(exc))
    return REDIS_URL


@pytest.fixture
def servers(app, backend, database_url, redis_url, tmp_path):
    prefix = f"forumtest:{uuid.uuid4().hex[:8]}:"
    env = {"FORUM_REDIS_URL": redis_url, "FORUM_SECRET_KEY": "scale-test-secret", "FORUM_REDIS_PREFIX": prefix,
           # Scripted sign-ins below post no CSRF token; the test servers listen on loopback only.
           "FORUM_WTF_CSRF_ENABLED": "false"}
    started: list[Server] = []
    try:
        for _ in range(2):
            started.append(Server(database_url, tmp_path, **env).start())
        yield [s.url for s in started]
    finally:
        for s in started:
            s.stop()
        import redis

        r = redis.Redis.from_url(redis_url)
        for key in r.scan_iter(f"{prefix}*"):
            r.delete(key)


def token_for(user) -> str:
    from forum.accounts.services import create_token
    from forum.db import unit_of_work
    from forum.extensions import db

    with unit_of_work():
        return create_token(db.session.merge(user), "scale test")


def connect(url: str, token: str) -> tuple[socketio_client.Client, list]:
    received: list = []
    client = socketio_client.Client(reconnection=False)
    client.on("*", lambda event, data: received.append((event, data)))
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client, received


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_an_event_from_one_process_reaches_a_socket_on_another(servers, make_meeting, make_participant):
    from forum.extensions import db
    from forum.meetings.models import Space, SpaceKind

    meeting = make_meeting()
    a = make_participant(meeting, "worker", name="Amina on process A")
    b = make_participant(meeting, "worker", name="Bruno on process B")
    caucus = db.session.scalars(db.select(Space).where(Space.meeting_id == meeting.id, Space.kind == SpaceKind.group,
                                                       Space.group == a.group)).one()
    room = f"space:{caucus.id}"
    client_a, received_a = connect(servers[0], token_for(a.user))
    client_b, _ = connect(servers[1], token_for(b.user))
    try:
        ack_a = client_a.call("subscribe", {"room": room}, timeout=10)
        assert ack_a["ok"]
        ack_b = client_b.call("subscribe", {"room": room}, timeout=10)
        assert ack_b["ok"]
        # Presence is kept in Redis: the process serving B sees A, connected to the other process.
        assert {u["name"] for u in ack_b["snapshot"]["online"]} == {a.user.name, b.user.name}
        # And B's arrival, emitted by process B, reaches A on process A through the queue.
        assert wait_for(lambda: any(e == "presence.changed" and len(d["online"]) == 2 for e, d in received_a))
    finally:
        client_a.disconnect()
        client_b.disconnect()


def test_anonymous_sockets_are_refused_by_a_real_server(servers):
    client = socketio_client.Client(reconnection=False)
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        client.connect(servers[0], transports=["websocket"], wait_timeout=5)


def test_a_caucus_stays_closed_across_processes(servers, make_meeting, make_participant):
    from forum.extensions import db
    from forum.meetings.models import Space, SpaceKind

    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    employer = make_participant(meeting, "employer")
    caucus = db.session.scalars(db.select(Space).where(Space.meeting_id == meeting.id, Space.kind == SpaceKind.group,
                                                       Space.group == worker.group)).one()
    client_w, _ = connect(servers[0], token_for(worker.user))
    client_e, received_e = connect(servers[1], token_for(employer.user))
    try:
        assert client_e.call("subscribe", {"room": f"space:{caucus.id}"}, timeout=10)["ok"] is False
        assert client_w.call("subscribe", {"room": f"space:{caucus.id}"}, timeout=10)["ok"] is True
        time.sleep(0.5)
        assert not [e for e, d in received_e if e == "presence.changed"]
    finally:
        client_w.disconnect()
        client_e.disconnect()


def test_login_throttle_is_shared_between_processes(servers, make_user):
    from tests.conftest import PASSWORD

    user = make_user()
    for i in range(5):  # failures spread over both processes
        response = requests.post(f"{servers[i % 2]}/login", data={"email": user.email, "password": "wrong"},
                                 timeout=5, allow_redirects=False)
        assert response.status_code == 200
    for url in servers:
        response = requests.post(f"{url}/login", data={"email": user.email, "password": PASSWORD}, timeout=5,
                                 allow_redirects=False)
        assert response.status_code == 429
