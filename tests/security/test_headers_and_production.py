"""Clickjacking, sniffing, inline script, caching of private pages, HTTPS downgrade; and a
production start that refuses what would make it unsafe (no key, debug, no CSRF, demo accounts)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from forum import create_app
from forum.security import no_store
from tests.conftest import ROOT, IsolatingClient


def test_clickjacking_and_sniffing_headers_on_every_page(client, make_user, login):
    for response in (client.get("/login"), login(make_user()).get("/"), client.get("/no/such/page")):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
        assert response.headers["X-Frame-Options"] == "DENY"
        # Exfiltration: scripts may only talk to this site ('self' covers its own ws/wss), not any host.
        connect = csp.split("connect-src", 1)[1].split(";")[0].split()
        assert connect == ["'self'"]


def test_inline_script_injected_into_a_template_would_not_run():
    """The CSP forbids inline script; the templates rely on none (data goes in JSON blocks)."""
    offending = []
    for path in (ROOT / "templates").rglob("*.html"):
        source = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", source):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offending.append(f"{path.name}: {tag}")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", source):
            offending.append(f"{path.name}: an inline event handler")
        if "javascript:" in source:
            offending.append(f"{path.name}: a javascript: address")
    assert offending == []


def test_signed_in_pages_are_never_cached(make_user, login):
    response = login(make_user()).get("/")
    assert "no-store" in response.headers["Cache-Control"]


def test_no_store_hook_for_ballots_and_unannounced_results():
    """forum.security.no_store: for pages a token or the public may read (projector, results JSON)."""
    app = Flask(__name__)

    @app.get("/result")
    @no_store
    def result():
        return {"for": 3}

    response = app.test_client().get("/result")
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Pragma"] == "no-cache"


def test_https_downgrade_is_refused_by_hsts_on_https_only(app):
    proxied = create_app({**app.config, "PROXY_HOPS": 1})
    proxied.test_client_class = IsolatingClient
    client = proxied.test_client()
    secure = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = client.get("/login")
    assert "Strict-Transport-Security" not in plain.headers  # over plain HTTP it would be ignored or wrong


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_ENV", "production")
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("FORUM_SECRET_KEY", "a-long-operator-chosen-secret-key")
    return monkeypatch


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("FORUM_SECRET_KEY", None, "FORUM_SECRET_KEY"),
    ("FORUM_SECRET_KEY", "secret", "at least 16"),
    ("FORUM_DEBUG", "1", "Debug mode"),
    ("FORUM_WTF_CSRF_ENABLED", "false", "CSRF"),
])
def test_production_refuses_an_unsafe_configuration(production, variable, value, message):
    if value is None:
        production.delenv(variable)
    else:
        production.setenv(variable, value)
    with pytest.raises(RuntimeError, match=message):
        create_app()


def test_production_starts_with_debug_off_and_secure_cookies(production):
    app = create_app()
    assert app.debug is False and app.config["SESSION_COOKIE_SECURE"] is True


def test_production_has_no_default_admin_and_refuses_the_demo(production):
    """A fresh production database holds no account; the demo's published passwords never load."""
    from flask_migrate import upgrade

    from forum.accounts.models import User
    from forum.extensions import db

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
    result = app.test_cli_runner().invoke(args=["forum", "demo"])
    assert result.exit_code == 1 and "production never loads them" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        db.session.remove()
        db.engine.dispose()
