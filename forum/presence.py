"""Who is connected: relay information, not state, so it lives in memory or in Redis.

Embedded mode keeps a per-process dictionary; with FORUM_REDIS_URL the sets live in Redis so
that every process sees every connection.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from flask import current_app

_lock = threading.Lock()
_local: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("forum_presence_redis")
    if client is None:
        import redis

        client = current_app.extensions["forum_presence_redis"] = redis.Redis.from_url(url)
    return client


def _prefix() -> str:
    return current_app.config.get("REDIS_PREFIX", "forum:")


def add(room_name: str, user_id: int, sid: str) -> None:
    r = _redis()
    if r is not None:
        r.sadd(f"{_prefix()}presence:{room_name}:{user_id}", sid)
        r.sadd(f"{_prefix()}presence:{room_name}", user_id)
        return
    with _lock:
        _local[room_name][user_id].add(sid)


def remove(room_name: str, user_id: int, sid: str) -> bool:
    """Forget one connection; True when the user has no connection left in the room."""
    r = _redis()
    if r is not None:
        r.srem(f"{_prefix()}presence:{room_name}:{user_id}", sid)
        if r.scard(f"{_prefix()}presence:{room_name}:{user_id}") == 0:
            r.srem(f"{_prefix()}presence:{room_name}", user_id)
            return True
        return False
    with _lock:
        sids = _local[room_name].get(user_id, set())
        sids.discard(sid)
        if not sids:
            _local[room_name].pop(user_id, None)
            return True
        return False


def user_ids(room_name: str) -> set[int]:
    r = _redis()
    if r is not None:
        return {int(x) for x in r.smembers(f"{_prefix()}presence:{room_name}")}
    with _lock:
        return set(_local[room_name])
