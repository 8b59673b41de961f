"""`/healthz`: is this process able to serve? For the proxy's and the supervisor's checks.

Answers 200 `{"status": "ok", "database": "ok", "redis": "ok" | "not configured"}` when a query
reaches the database and, in the scale-out mode, Redis answers PING; otherwise 503 with the failing
part named as `"unavailable"` (never the error text: the check is open to anyone, as proxies call
it without credentials). It reads nothing of any meeting and writes nothing, not even a session.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app

from forum.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
TIMEOUT_SECONDS = 2


def _database() -> bool:
    try:
        db.session.execute(db.text("SELECT 1"))
        return True
    except Exception:
        log.exception("health check: the database does not answer")
        return False
    finally:
        db.session.rollback()


def _redis() -> bool | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    client = current_app.extensions.get("forum_health_redis")
    if client is None:
        client = current_app.extensions["forum_health_redis"] = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
    try:
        return bool(client.ping())
    except Exception:
        log.warning("health check: Redis does not answer at the configured URL")
        return False


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int, dict[str, str]]:
    database, redis_ok = _database(), _redis()
    body = {"status": "ok", "database": "ok" if database else "unavailable",
            "redis": "not configured" if redis_ok is None else ("ok" if redis_ok else "unavailable")}
    healthy = database and redis_ok is not False
    if not healthy:
        body["status"] = "unavailable"
    return body, 200 if healthy else 503, {"Cache-Control": "no-store"}
