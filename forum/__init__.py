"""Tripartite Forum: where governments, employers and workers negotiate their conclusions."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from forum import config as config_module
from forum import extensions as ext

ROOT = Path(__file__).resolve().parent.parent


def settle_heap() -> None:
    """Put the start-up heap (modules, the app, SQLAlchemy's metadata: ~220,000 objects) out of the
    collector's reach before serving, and make full collections ten times rarer.

    Every full collection stops every thread while it walks the whole heap: 100–170 ms over the
    start-up heap (B10's p95), and still 45–110 ms over what 300 connected sockets hold (~350 objects
    each), often enough to land in a fan-out (B4's p95; docs/benchmarks.md, items 11 and 15). Young
    objects are collected as before; cycles that lived long wait a little longer.
    """
    gc.collect()
    gc.freeze()
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, 100)  # full collections after 100 middle ones instead of 10


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then the given config, then FORUM_* environment variables."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    base = config_module.base_config(os.environ)
    if config and config.get("TESTING"):
        base = config_module.TestingConfig
    app.config.from_object(base)
    if config:
        app.config.update(config)
    app.config.update(config_module.from_environment(os.environ))
    _check_secret_key(app)
    from forum.security import install_log_escaping

    install_log_escaping()  # one log record, one line, whatever names and addresses contain

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    _init_database(app)
    ext.login_manager.init_app(app)
    from forum.accounts import auth

    auth.register(app)
    ext.login_manager.login_view = "accounts.login"
    ext.login_manager.login_message_category = "info"
    ext.csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    ext.limiter.init_app(app)
    ext.babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    _compile_translations(app)

    from forum import errors_views, health, templating
    from forum.accounts.views import bp as accounts_bp
    from forum.audit.views import bp as audit_bp
    from forum.discussions.views import bp as discussions_bp
    from forum.documents.views import bp as documents_bp
    from forum.drafting.views import bp as drafting_bp
    from forum.exports.views import bp as exports_bp
    from forum.languages import views as language_views
    from forum.meetings.views import bp as meetings_bp
    from forum.positions.views import bp as positions_bp
    from forum.positions.vote_views import bp as votes_bp
    from forum.proceedings.views import bp as proceedings_bp
    from forum.sittings.views import bp as sittings_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(drafting_bp)
    app.register_blueprint(discussions_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(positions_bp)
    app.register_blueprint(votes_bp)
    app.register_blueprint(sittings_bp)
    app.register_blueprint(proceedings_bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(language_views.bp)
    language_views.register(app)
    from forum import api

    api.init_app(app)
    app.register_blueprint(documents_bp)
    errors_views.register(app)
    templating.register(app)

    _init_socketio(app)
    from forum import cli

    cli.register(app)
    return app


def _check_secret_key(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production":
        # Production refuses what would make it unsafe, rather than starting and hoping.
        if app.debug or app.config.get("DEBUG"):
            raise RuntimeError("Debug mode is not allowed in production (it runs code sent from a browser).")
        if len(app.config.get("SECRET_KEY") or "") < 16:
            raise RuntimeError("FORUM_SECRET_KEY must be set in production, at least 16 characters "
                               "(e.g. python3 -c 'import secrets; print(secrets.token_hex(32))').")
        if not app.config.get("WTF_CSRF_ENABLED", True):
            raise RuntimeError("FORUM_WTF_CSRF_ENABLED cannot be off in production.")
    if app.config.get("SECRET_KEY"):
        return
    # Development: a key kept in the instance folder, so sessions survive a restart.
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(os.urandom(32).hex())
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _init_database(app: Flask) -> None:
    from sqlalchemy import event

    from forum.db import install_sqlite_pragmas

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    ext.db.init_app(app)
    from forum.discussions.search import include_name, include_object  # search index objects are not models

    ext.migrate.init_app(app, ext.db, render_as_batch=True, compare_type=True, include_name=include_name,
                         include_object=include_object)
    with app.app_context():
        engine = ext.db.engine
        if engine.dialect.name == "sqlite":
            install_sqlite_pragmas(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        else:
            @event.listens_for(engine, "connect")
            def _utc(dbapi_conn: Any, _record: Any) -> None:
                with dbapi_conn.cursor() as cur:
                    cur.execute("SET TIME ZONE 'UTC'")
                dbapi_conn.commit()

    # Importing the models registers them on the metadata.
    from forum import models  # noqa: F401


def _init_socketio(app: Flask) -> None:
    kwargs: dict[str, Any] = {"async_mode": app.config["SOCKETIO_ASYNC_MODE"]}
    if app.config.get("REDIS_URL"):
        kwargs["message_queue"] = app.config["REDIS_URL"]
        kwargs["channel"] = app.config["REDIS_PREFIX"] + "socketio"
    from forum.security import socket_origin_check

    # Same origin only, as seen behind the configured proxies; messages above the size are refused.
    kwargs["cors_allowed_origins"] = socket_origin_check(app)
    kwargs["max_http_buffer_size"] = app.config["SOCKET_MAX_MESSAGE_BYTES"]
    # Handlers are registered before init_app so that Flask-SocketIO keeps them and attaches them
    # to every server it creates (one per app; tests create several).
    from forum import events  # noqa: F401

    ext.socketio.init_app(app, manage_session=False, **kwargs)
    from forum import handshakes

    handshakes.install(app)  # outside Flask-SocketIO's middleware: a refused handshake costs no Engine.IO session


def _compile_translations(app: Flask) -> None:
    """`flask ...` and the tests run on catalogues as fresh as their .po files (make translations)."""
    from forum.i18n import compile_catalogues

    try:
        compile_catalogues()
    except OSError as exc:  # a read-only installation ships its compiled catalogues
        app.logger.warning("Translations not compiled: %s", exc)


def _select_locale() -> str | None:
    languages = ("en", "fr", "es")
    if not has_request_context():  # CLI commands and background work
        return "en"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


def _select_timezone() -> str:
    return "UTC"
