"""Admission of new live connections, so that a process takes a burst of them at the pace it can finish them.

After a restart, or when a room's Wi-Fi comes back, every page reconnects within a second or two. A
connect and join takes 10–20 ms of the one interpreter (the WebSocket upgrade, its threads, the token,
the user, the room's snapshot). Taken all at once, a thousand handshakes each get a thousandth of it:
with clients that give up after a second none finishes in time, every abandoned attempt still costs its
work and its threads, and the retries pile up (docs/benchmarks.md, "fourth pass").

So a process lets at most SOCKET_HANDSHAKE_LIMIT new sessions open at a time. A new session is a request
to the Socket.IO path without a `sid`; it holds its place from that request until its Socket.IO `connect`
handler has run (`release_current`), its request has ended, or SOCKET_HANDSHAKE_TIMEOUT has passed (a
client that opens a session and never connects must not hold a place for ever). The next ones wait for a
place, in order, up to SOCKET_HANDSHAKE_WAIT seconds, blocked before Engine.IO creates anything for them;
then the process answers 503 with Retry-After, and the pages' client tries again after its back-off
(1 s doubling to 10 s). Established sockets and everything else the process serves are not counted.

One client address holds at most SOCKET_HANDSHAKE_PER_ADDRESS places, so that whoever opens sessions and
never connects cannot hold the door shut for everyone; a venue behind one NAT still reconnects at the
pace of the process's core (docs/benchmarks.md, fourth pass, item 19).
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from forum.security import forwarded

log = logging.getLogger(__name__)

ENVIRON_KEY = "forum.handshake"
SOCKETIO_PATH = "socket.io"  # Flask-SocketIO's default, which the app and its pages keep
BUSY_BODY = json.dumps({"ok": False, "error": {
    "code": "busy", "message": "The server is taking many connections at once; your page will retry."}}).encode()


class Place:
    """One admitted handshake's place; releasing it twice is harmless."""

    __slots__ = ("_gate", "_key")

    def __init__(self, gate: HandshakeGate, key: int) -> None:
        self._gate, self._key = gate, key

    def release(self) -> None:
        self._gate._release(self._key)


class _Waiter:
    __slots__ = ("address", "given", "place")

    def __init__(self, address: str) -> None:
        self.address = address
        self.given = threading.Event()
        self.place: Place | None = None


class HandshakeGate:
    """WSGI middleware in front of Flask-SocketIO's: admits new Socket.IO sessions up to `limit` at once,
    and up to `per_address` of them from one client address (0: no such share); the next ones wait up to
    `wait` seconds, in order, for a place to be handed to them, then are told to retry."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, path: str, limit: int, timeout: float,
                 wait: float = 0.0, per_address: int = 0, proxy_hops: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.prefix = "/" + path.strip("/") + "/"
        self.limit, self.timeout, self.wait, self.clock = limit, timeout, wait, clock
        self.per_address, self.proxy_hops = per_address, proxy_hops
        self._opening: dict[int, tuple[float, str]] = {}
        self._by_address: Counter[str] = Counter()
        self._waiting: deque[_Waiter] = deque()
        self._keys = itertools.count()
        self._lock = threading.Lock()
        self.refused = 0

    @property
    def opening(self) -> int:
        return len(self._opening)

    def _has_room(self, address: str) -> bool:
        return len(self._opening) < self.limit and not (
            self.per_address and self._by_address[address] >= self.per_address)

    def _take(self, address: str, now: float) -> Place:
        key = next(self._keys)
        self._opening[key] = (now, address)
        self._by_address[address] += 1
        return Place(self, key)

    def _drop(self, key: int) -> bool:
        found = self._opening.pop(key, None)
        if found is None:
            return False
        self._by_address[found[1]] -= 1
        if not self._by_address[found[1]]:
            del self._by_address[found[1]]
        return True

    def _hand_over(self, now: float) -> None:
        """Places that came free go to the longest-waiting sessions that may have them (under the lock)."""
        for waiter in list(self._waiting):
            if len(self._opening) >= self.limit:
                return
            if self._has_room(waiter.address):
                self._waiting.remove(waiter)
                waiter.place = self._take(waiter.address, now)
                waiter.given.set()

    def _forget_stale(self, now: float) -> None:
        stale = now - self.timeout
        for key in [k for k, (since, _) in self._opening.items() if since <= stale]:
            self._drop(key)
        self._hand_over(now)

    def admit(self, address: str = "") -> Place | None:
        """A place, at once or handed over within `wait` seconds; None if none came."""
        with self._lock:
            now = self.clock()
            if not self._has_room(address):
                self._forget_stale(now)
            # Whoever waits could not have this place: every place that comes free is handed over first.
            if self._has_room(address):
                return self._take(address, now)
            waiter = _Waiter(address)
            self._waiting.append(waiter)
        waiter.given.wait(self.wait)
        with self._lock:
            if waiter.place is None:  # nothing was handed over in time
                self._waiting.remove(waiter)
                self.refused += 1
            return waiter.place

    def _release(self, key: int) -> None:
        with self._lock:
            if self._drop(key):
                self._hand_over(self.clock())

    def address_of(self, environ: dict[str, Any]) -> str:
        """The client's address as ProxyFix would see it behind `proxy_hops` proxies (this runs before it)."""
        return (forwarded(environ, "HTTP_X_FORWARDED_FOR", self.proxy_hops)
                or environ.get("REMOTE_ADDR", ""))

    def is_new_session(self, environ: dict[str, Any]) -> bool:
        return (environ.get("PATH_INFO", "").startswith(self.prefix)
                and "sid" not in parse_qs(environ.get("QUERY_STRING", "")))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not self.is_new_session(environ):
            return self.app(environ, start_response)
        place = self.admit(self.address_of(environ))
        if place is None:
            if self.refused % 100 == 1:
                log.warning("Live connections: %d handshakes in progress, new ones refused (503) until some "
                            "finish; %d refused so far", self.opening, self.refused)
            start_response("503 Service Unavailable", [("Content-Type", "application/json"),
                                                       ("Retry-After", "2"), ("Cache-Control", "no-store"),
                                                       ("Content-Length", str(len(BUSY_BODY)))])
            return [BUSY_BODY]
        environ[ENVIRON_KEY] = place
        try:
            # A WebSocket is served inside this call (threading and gevent alike); a polling handshake
            # answers the open packet and returns. Either way the handshake is over when it returns.
            return self.app(environ, start_response)
        finally:
            place.release()


def install(app: Any) -> None:
    """Wrap the app's WSGI callable, Flask-SocketIO's middleware included (call after it is installed)."""
    limit = app.config.get("SOCKET_HANDSHAKE_LIMIT") or 0
    if limit <= 0:
        return
    app.wsgi_app = HandshakeGate(app.wsgi_app, path=SOCKETIO_PATH, limit=limit,
                                 timeout=float(app.config["SOCKET_HANDSHAKE_TIMEOUT"]),
                                 wait=float(app.config["SOCKET_HANDSHAKE_WAIT"]),
                                 per_address=int(app.config.get("SOCKET_HANDSHAKE_PER_ADDRESS") or 0),
                                 proxy_hops=int(app.config.get("PROXY_HOPS") or 0))


def release_current(environ: dict[str, Any]) -> None:
    """The Socket.IO `connect` handler ran (accepted or refused): its session no longer holds a place."""
    place = environ.get(ENVIRON_KEY)
    if place is not None:
        place.release()
