"""Cross-site WebSocket hijacking and oversized messages, against a real server process.

Engine.IO checks the Origin and the message size before Flask sees anything, and Flask-SocketIO's
test client skips both, so these tests start `flask forum serve` as an operator does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio as socketio_client
import websocket

from tests.servers import serve


def _serve(database_url: str, folder: Path, **env: str) -> Iterator[str]:
    with serve(database_url, folder, FORUM_ENV="development", **env) as url:
        yield url


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory) -> Iterator[str]:
    yield from _serve(database_url, tmp_path_factory.mktemp("direct"))


@pytest.fixture(scope="module")
def proxied_server(database_url, tmp_path_factory) -> Iterator[str]:
    """As deployed behind one TLS proxy at https://forum.example.org."""
    yield from _serve(database_url, tmp_path_factory.mktemp("proxied"), FORUM_PROXY_HOPS="1")


def handshake(url: str, origin: str | None, **headers: str) -> int:
    """Engine.IO's opening request (polling), as a browser sends it from a page at `origin`."""
    if origin:
        headers["Origin"] = origin
    return requests.get(f"{url}/socket.io/", params={"EIO": "4", "transport": "polling"}, headers=headers,
                        timeout=5).status_code


def websocket_opens(url: str, origin: str, **headers: str) -> bool:
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    try:
        conn = websocket.create_connection(ws_url, origin=origin, header=[f"{k}: {v}" for k, v in headers.items()],
                                           timeout=5)
    except websocket.WebSocketBadStatusException:
        return False
    conn.close()
    return True


def token_for(user) -> str:
    from forum.accounts.services import create_token
    from forum.db import unit_of_work
    from forum.extensions import db

    with unit_of_work():
        return create_token(db.session.merge(user), "handshake test")


def test_cross_site_websocket_handshake_with_a_foreign_origin_is_refused(server):
    assert handshake(server, "https://evil.example") == 400
    assert not websocket_opens(server, "https://evil.example")


def test_same_origin_handshake_is_accepted(server):
    assert handshake(server, server) == 200
    assert websocket_opens(server, server)


def test_a_foreign_origin_cannot_pass_itself_off_with_forwarded_headers_without_a_proxy(server):
    """Engine.IO alone believes X-Forwarded-Host; with no proxy configured we do not."""
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    assert handshake(server, "https://evil.example", **forged) == 400
    assert not websocket_opens(server, "https://evil.example", **forged)


def test_behind_the_proxy_the_public_origin_is_same_origin(proxied_server):
    public = {"X-Forwarded-Host": "forum.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    assert handshake(proxied_server, "https://forum.example.org", **public) == 200
    assert websocket_opens(proxied_server, "https://forum.example.org", **public)


def test_behind_the_proxy_a_foreign_origin_is_refused(proxied_server):
    public = {"X-Forwarded-Host": "forum.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    assert handshake(proxied_server, "https://evil.example", **public) == 400
    # The client's own X-Forwarded-Host comes first; the proxy appends the real one: only that counts.
    spoofed = {**public, "X-Forwarded-Host": "evil.example, forum.example.org"}
    assert handshake(proxied_server, "https://evil.example", **spoofed) == 400
    assert not websocket_opens(proxied_server, "https://evil.example", **spoofed)


def test_an_oversized_socket_message_is_refused_and_the_server_carries_on(server, make_user):
    token = token_for(make_user())
    client = socketio_client.Client(reconnection=False)
    client.connect(server, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        assert client.call("snapshot", {"room": "space:0"}, timeout=10)["ok"] is False  # alive and answering
        client.emit("snapshot", {"room": "space:1", "padding": "x" * 200_000})
        deadline = time.time() + 10
        while client.connected and time.time() < deadline:
            time.sleep(0.05)
        assert not client.connected  # the server dropped the connection instead of reading it
    finally:
        client.disconnect()
    again = socketio_client.Client(reconnection=False)
    again.connect(server, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        assert again.call("snapshot", {"room": "space:0"}, timeout=10)["ok"] is False
    finally:
        again.disconnect()
