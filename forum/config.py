"""Configuration: defaults here, overridden by the factory's argument, then by FORUM_* variables."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class Config:
    ENV_NAME = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'forum.sqlite3'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 10_000  # a writer waits this long for the lock, then the request gets 503
    REDIS_URL: str | None = None
    REDIS_PREFIX = "forum:"  # keys and channels, so that several deployments can share a server
    UPLOAD_DIR = str(INSTANCE / "uploads")
    MAX_UPLOAD_MB = 50  # the largest document; requests are capped at the same size (413 beyond)
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    PROXY_HOPS = 0
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # a sitting lasts longer than the default hour
    # Sessions: a sitting can run late into the night; 12 h absolute with a remember cookie of 14 days.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Idle: a page left alone this long signs out (a sitting's live page keeps no HTTP traffic, so
    # not 30 minutes); sensitive account actions ask for the password again after REAUTH_MAX_AGE.
    SESSION_IDLE_TIMEOUT = timedelta(hours=4)
    REAUTH_MAX_AGE = timedelta(minutes=15)
    HSTS_SECONDS = 31_536_000  # sent on HTTPS responses only; 0 turns it off
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Login throttling: an account locks after a few failures; an address tolerates a venue behind NAT.
    LOGIN_ACCOUNT_LIMIT = "5 per 15 minutes"
    LOGIN_ADDRESS_LIMIT = "200 per 15 minutes"
    # Password-reset requests: a few per account, more per address (the venue's NAT); beyond, none sent.
    RESET_ACCOUNT_LIMIT = "3 per hour"
    RESET_ADDRESS_LIMIT = "30 per hour"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    PASSWORD_RESET_HOURS = 24
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    MAIL_FROM = "forum@localhost"
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "fr", "es")
    SOCKETIO_ASYNC_MODE = "threading"
    PAGE_SIZE = 50
    # JSON API: requests per user (a moving window; empty disables), idempotency keys kept this long.
    API_RATE_LIMIT = "600 per minute"
    # Socket.IO: same origin only (plus SOCKETIO_CORS_ORIGINS, comma-separated, never "*"), commands
    # per user across their sockets (forum.ratelimit), sockets per user and process, bytes per message.
    SOCKETIO_CORS_ORIGINS: str | None = None
    SOCKET_RATE_LIMIT = "60 per 10 seconds"
    SOCKET_MAX_CONNECTIONS_PER_USER = 12
    SOCKET_MAX_MESSAGE_BYTES = 64 * 1024
    # New live connections a process lets open at once (forum.handshakes); the next wait, then are told to
    # retry (503), so that a burst of reconnections after a restart is taken at the pace it finishes them.
    SOCKET_HANDSHAKE_LIMIT = 32
    SOCKET_HANDSHAKE_WAIT = 5  # seconds a new session waits for a place before it is told to retry
    SOCKET_HANDSHAKE_PER_ADDRESS = 8  # places one client address may hold (0: no share), behind PROXY_HOPS
    SOCKET_HANDSHAKE_TIMEOUT = 10  # seconds an opened session may hold its place without connecting
    # A live sitting's snapshot part shared by every member, kept per version (joins; 0 turns it off).
    SITTING_SNAPSHOT_CACHE = 64
    # ZIP packages (DOCX, XLSX, ODT...) are refused beyond these, before anything inflates them.
    ZIP_MAX_ENTRIES = 10_000
    ZIP_MAX_EXPANDED_MB = 300
    IDEMPOTENCY_TTL_HOURS = 24


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


_INT_KEYS = {"PROXY_HOPS", "SMTP_PORT", "MAX_CONTENT_LENGTH", "IMPORT_MAX_BYTES", "PAGE_SIZE",
             "PASSWORD_RESET_HOURS", "MAX_UPLOAD_MB", "IDEMPOTENCY_TTL_HOURS", "HSTS_SECONDS",
             "SOCKET_MAX_CONNECTIONS_PER_USER", "SOCKET_MAX_MESSAGE_BYTES", "SOCKET_HANDSHAKE_LIMIT",
             "SOCKET_HANDSHAKE_WAIT", "SOCKET_HANDSHAKE_PER_ADDRESS", "SOCKET_HANDSHAKE_TIMEOUT",
             "ZIP_MAX_ENTRIES", "ZIP_MAX_EXPANDED_MB", "SQLITE_BUSY_TIMEOUT_MS", "SITTING_SNAPSHOT_CACHE"}
_BOOL_KEYS = {"SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "SMTP_STARTTLS", "WTF_CSRF_ENABLED",
              "RATELIMIT_ENABLED", "DEBUG"}
_SECONDS_KEYS = {"PERMANENT_SESSION_LIFETIME", "REMEMBER_COOKIE_DURATION", "SESSION_IDLE_TIMEOUT",
                 "REAUTH_MAX_AGE"}
_RENAMED = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def from_environment(environ: os._Environ | dict) -> dict:
    """Read FORUM_* variables; `FORUM_DATABASE_URL` maps to SQLAlchemy's key."""
    values: dict = {}
    for name, raw in environ.items():
        if not name.startswith("FORUM_") or name == "FORUM_ENV":
            continue
        key = _RENAMED.get(name[6:], name[6:])
        if key in _INT_KEYS:
            values[key] = int(raw)
        elif key in _BOOL_KEYS:
            values[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif key in _SECONDS_KEYS:
            values[key] = timedelta(seconds=int(raw))
        elif key == "SQLALCHEMY_ENGINE_OPTIONS":
            values[key] = json.loads(raw)
        else:
            values[key] = raw
    if "MAX_UPLOAD_MB" in values and "MAX_CONTENT_LENGTH" not in values:
        # Keep the request cap in step with the document limit, so an oversized upload gets the 413 page.
        values["MAX_CONTENT_LENGTH"] = values["MAX_UPLOAD_MB"] * 1024 * 1024
    return values


def base_config(environ: os._Environ | dict) -> type[Config]:
    return {"production": ProductionConfig, "testing": TestingConfig}.get(
        environ.get("FORUM_ENV", "development"), Config
    )
