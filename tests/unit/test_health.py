"""`/healthz` (issue #12): the proxy's and the supervisor's check of the database and Redis."""

from __future__ import annotations

from tests.servers import free_port


def test_healthz_answers_ok_when_the_database_answers_and_no_redis_is_configured(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # nothing written, not even a session


def test_healthz_answers_503_naming_redis_when_redis_does_not_answer(app, client):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app.extensions.pop("forum_health_redis", None)
    try:
        response = client.get("/healthz")
    finally:
        app.config["REDIS_URL"] = None
        app.extensions.pop("forum_health_redis", None)
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


def test_healthz_answers_503_when_the_database_does_not_answer(app, client, monkeypatch):
    from forum import health

    monkeypatch.setattr(health.db.session, "execute", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable" and response.json["status"] == "unavailable"
