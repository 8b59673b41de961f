"""A burst of new live connections against a real server (forum.handshakes, issue #12).

With one place, a session opened and left unconnected holds it: the next handshake waits for it, then is
told to retry (503, before Engine.IO); pages still answer; and the place comes back, to a handshake
waiting for it, when that session's request ends, when its timeout passes, or, for a socket that
connects, as soon as its `connect` handler has run.
Waits are bounded; nothing asserts on how long something took.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import simple_websocket
import socketio as socketio_client

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.extensions import db
from tests.faults.conftest import Server

pytestmark = [pytest.mark.xdist_group("serial")]


@pytest.fixture
def start(app, database_url, tmp_path):
    """A server with one place for handshakes, waiting `wait` s for it, taken back after `timeout` s."""
    assert database_url.startswith("sqlite")
    started: list[Server] = []

    def start(wait: int, timeout: int) -> Server:
        started.append(Server(database_url, tmp_path, FORUM_SOCKET_HANDSHAKE_LIMIT="1",
                              FORUM_SOCKET_HANDSHAKE_WAIT=str(wait),
                              FORUM_SOCKET_HANDSHAKE_TIMEOUT=str(timeout)).start())
        return started[-1]

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def tokens(make_user):
    with unit_of_work():
        return [create_token(db.session.merge(make_user()), "admission test") for _ in range(2)]


def handshake(url: str) -> requests.Response:
    return requests.get(f"{url}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10)


def unconnected_session(url: str) -> simple_websocket.Client:
    """An Engine.IO session over a WebSocket that never sends Socket.IO's connect: it keeps its place."""
    ws = simple_websocket.Client.connect(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket")
    assert ws.receive(timeout=10).startswith("0")  # Engine.IO's open packet: the session is open
    return ws


def until_admitted(url: str, within: float) -> requests.Response:
    deadline = time.time() + within
    while (answer := handshake(url)).status_code == 503 and time.time() < deadline:
        time.sleep(0.2)
    return answer


def connected(url: str, token: str) -> socketio_client.Client:
    client = socketio_client.Client(reconnection=False)
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client


def test_beyond_the_limit_handshakes_wait_then_are_told_to_retry_and_the_place_comes_back(start, tokens):
    server = start(wait=4, timeout=60)
    holder = unconnected_session(server.url)
    refused = handshake(server.url)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
    assert refused.json()["error"]["code"] == "busy"
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        connected(server.url, tokens[0])
    assert requests.get(f"{server.url}/login", timeout=10).status_code == 200  # pages are not gated

    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(handshake, server.url)  # waits for the place...
        time.sleep(0.5)
        holder.close()  # ...which comes back when the holder's request ends
        assert waiting.result(timeout=10).status_code == 200

    first = connected(server.url, tokens[0])  # stays connected, yet gives its place back on connecting
    second = connected(server.url, tokens[1])
    assert first.connected and second.connected
    assert second.call("unsubscribe", {"room": "none"}, timeout=10)["ok"]
    first.disconnect()
    second.disconnect()


def test_a_session_that_never_connects_loses_its_place_after_the_timeout(start, tokens):
    server = start(wait=0, timeout=3)
    holder = unconnected_session(server.url)
    assert handshake(server.url).status_code == 503
    admitted = until_admitted(server.url, within=3 + 10)
    assert admitted.status_code == 200 and admitted.text.startswith("0")
    client = connected(server.url, tokens[0])
    assert client.connected
    client.disconnect()
    holder.close()
