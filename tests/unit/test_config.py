"""Configuration: defaults, the factory's argument, then FORUM_* variables."""

from __future__ import annotations

import pytest

from forum import create_app
from forum.config import from_environment


def test_environment_variables_override(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("FORUM_PROXY_HOPS", "2")
    monkeypatch.setenv("FORUM_SESSION_COOKIE_SECURE", "true")
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite3")
    assert app.config["PROXY_HOPS"] == 2
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_ENV", "production")
    monkeypatch.delenv("FORUM_SECRET_KEY", raising=False)
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with pytest.raises(RuntimeError, match="FORUM_SECRET_KEY"):
        create_app()


def test_production_starts_with_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_ENV", "production")
    monkeypatch.setenv("FORUM_SECRET_KEY", "s3cret-from-the-operator")
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    app = create_app()
    assert app.config["SECRET_KEY"] == "s3cret-from-the-operator"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_proxy_fix_trusts_the_configured_hops(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "PROXY_HOPS": 1,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'h.sqlite3'}"})

    @app.get("/_addr")
    def _addr():
        from flask import request

        return request.remote_addr or ""

    response = app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "203.0.113.9"


def test_postgres_urls_use_psycopg_3():
    assert from_environment({"FORUM_DATABASE_URL": "postgresql://u@h/db"})["SQLALCHEMY_DATABASE_URI"] == \
        "postgresql://u@h/db"


def test_session_lifetimes_are_read_in_seconds():
    from datetime import timedelta

    values = from_environment({"FORUM_PERMANENT_SESSION_LIFETIME": "3600"})
    assert values["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=1)
