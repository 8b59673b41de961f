"""Admission of new live connections (forum.handshakes): beyond the limit, or beyond its address's share, a
new session waits for a place to be handed over, in order, then is told to retry, before Engine.IO sees it;
a place is given back when the connect handler ran, the request ended, or the timeout passed. The served
behaviour is in tests/faults/test_handshake_admission.py."""

from __future__ import annotations

import threading
import time
from typing import Any

from forum.handshakes import ENVIRON_KEY, HandshakeGate, release_current


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Inner:
    """The wrapped app (Flask-SocketIO's middleware and the app): records what reached it."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.seen.append(environ)
        start_response("200 OK", [])
        return [b"ok"]


def call(gate: HandshakeGate, path: str = "/socket.io/", query: str = "EIO=4&transport=websocket",
         **environ: str):
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(gate({"PATH_INFO": path, "QUERY_STRING": query, **environ}, start_response))
    return answer["status"], answer["headers"], body


def gate(limit: int = 2, timeout: float = 10.0) -> tuple[HandshakeGate, Inner, Clock]:
    inner, clock = Inner(), Clock()
    return HandshakeGate(inner, path="socket.io", limit=limit, timeout=timeout, clock=clock), inner, clock


def test_beyond_the_limit_a_new_session_is_told_to_retry_and_never_reaches_engine_io():
    g, inner, _ = gate(limit=2)
    held = [g.admit(), g.admit()]
    assert all(held) and g.opening == 2
    status, headers, body = call(g)
    assert status.startswith("503") and headers["Retry-After"] == "2" and b'"busy"' in body
    assert inner.seen == [] and g.refused == 1
    held[0].release()
    status, _, _ = call(g)
    assert status == "200 OK" and len(inner.seen) == 1


def test_a_place_is_given_back_when_the_request_ends_and_when_the_connect_handler_ran():
    g, _, _ = gate(limit=1)
    assert call(g)[0] == "200 OK" and g.opening == 0  # the request ended: its place is free
    place = g.admit()
    assert place is not None and g.opening == 1
    release_current({ENVIRON_KEY: place})  # what the `connect` handler does, accepted or refused
    assert g.opening == 0
    place.release()  # twice is harmless
    assert g.opening == 0 and g.admit() is not None
    release_current({})  # a socket that came through no gate (the test client, a gate switched off)


def test_the_gate_hands_its_place_to_the_request_it_admits():
    g, inner, _ = gate(limit=1)
    call(g)
    assert ENVIRON_KEY in inner.seen[0]


def test_established_sockets_and_everything_else_pass_whatever_the_count():
    g, inner, _ = gate(limit=1)
    assert g.admit() is not None
    assert call(g, query="EIO=4&transport=polling&sid=abc")[0] == "200 OK"  # a session already open
    assert call(g, path="/login", query="")[0] == "200 OK"
    assert call(g, path="/socket.io.js", query="")[0] == "200 OK"
    assert len(inner.seen) == 3 and g.refused == 0
    assert call(g, query="EIO=4&transport=polling&t=x")[0].startswith("503")  # a polling handshake counts too


def test_the_next_session_waits_for_a_place_in_order_then_is_told_to_retry():
    g = HandshakeGate(Inner(), path="socket.io", limit=1, timeout=60, wait=5)
    held = g.admit()
    assert held is not None
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(g.admit()))
    waiter.start()
    time.sleep(0.2)
    assert got == []  # still waiting: the place is held
    held.release()
    waiter.join(timeout=5)
    assert got and got[0] is not None and g.opening == 1 and g.refused == 0
    short = HandshakeGate(Inner(), path="socket.io", limit=1, timeout=60, wait=0.2)
    assert short.admit() is not None
    assert short.admit() is None and short.refused == 1  # no place came free within the wait


def test_a_place_held_past_the_timeout_is_taken_back():
    """A client that opens a session and never connects must not keep a place for ever."""
    g, _, clock = gate(limit=1, timeout=10)
    assert g.admit() is not None
    clock.now += 9.9
    assert g.admit() is None
    clock.now += 0.2
    assert g.admit() is not None and g.opening == 1


def test_the_app_installs_the_gate_outside_flask_socketio_unless_switched_off(app):
    from forum import create_app

    assert isinstance(app.wsgi_app, HandshakeGate) and app.wsgi_app.limit == app.config["SOCKET_HANDSHAKE_LIMIT"]
    off = create_app({"TESTING": True, "SOCKET_HANDSHAKE_LIMIT": 0, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not isinstance(off.wsgi_app, HandshakeGate)


def waiting(g: HandshakeGate, address: str, got: list) -> threading.Thread:
    """A session from `address` waiting for a place; what it gets lands in `got` (None: refused)."""
    t = threading.Thread(target=lambda: got.append((address, g.admit(address))))
    t.start()
    deadline = time.time() + 5
    while not any(w.address == address for w in g._waiting) and time.time() < deadline:
        time.sleep(0.01)
    return t


def test_one_address_holds_at_most_its_share_and_other_addresses_are_not_held_up_by_it():
    """An address that opens sessions and never connects cannot take every place."""
    g = HandshakeGate(Inner(), path="socket.io", limit=4, timeout=60, wait=0.2, per_address=2)
    mine = [g.admit("10.0.0.9"), g.admit("10.0.0.9")]
    assert all(mine) and g.admit("10.0.0.9") is None  # its share is taken: it waits, then is refused
    assert g.admit("10.0.0.7") is not None and g.admit("10.0.0.8") is not None  # the others still come in
    assert g.opening == 4 and g.refused == 1


def test_a_freed_place_goes_to_the_longest_waiting_session_that_may_have_it():
    g = HandshakeGate(Inner(), path="socket.io", limit=3, timeout=60, wait=5, per_address=2)
    a1, a2, b1 = g.admit("a"), g.admit("a"), g.admit("b")
    assert a1 and a2 and b1 and g.opening == 3
    got: list = []
    first = waiting(g, "a", got)  # waits: no place, and "a" is at its share anyway
    second = waiting(g, "c", got)
    b1.release()  # one place: "a" is still at its share, so it goes to "c", though "a" waited longer
    second.join(timeout=5)
    assert [(addr, place is not None) for addr, place in got] == [("c", True)]
    a1.release()  # now "a" may have it
    first.join(timeout=5)
    assert [addr for addr, place in got if place] == ["c", "a"] and g.opening == 3 and g.refused == 0


def test_the_address_is_the_one_the_nearest_trusted_proxy_saw():
    inner = Inner()
    direct = HandshakeGate(inner, path="socket.io", limit=4, timeout=60, per_address=1)
    assert direct.address_of({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}) == "203.0.113.5"
    proxied = HandshakeGate(inner, path="socket.io", limit=4, timeout=60, per_address=1, proxy_hops=1)
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.2"}
    assert proxied.address_of(environ) == "198.51.100.2"  # what the client wrote first is not believed
    assert proxied.address_of({"REMOTE_ADDR": "127.0.0.1"}) == "127.0.0.1"
    assert call(proxied, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")[0] == "200 OK"
    held = proxied.admit("198.51.100.2")
    assert held is not None
    assert call(proxied, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")[0].startswith("503")
    assert call(proxied, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.3")[0] == "200 OK"
