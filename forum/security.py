"""Security helpers shared by modules: archive limits, no-store responses, recent sign-in, socket origins.

The rest of the hardening lives where it acts: headers in `forum.templating`, login throttling in
`forum.accounts.throttle`, session lifetimes in `forum.accounts.auth`, socket rate limits in
`forum.ratelimit`. docs/security.md lists them all.
"""

from __future__ import annotations

import functools
import logging
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context, make_response, redirect, request, session, url_for


class UnsafeArchive(ValueError):
    """A ZIP package (DOCX, XLSX, ODT...) that would expand beyond what we accept."""


def check_zip(source: str | Path | IO[bytes], *, max_entries: int | None = None,
              max_expanded: int | None = None) -> None:
    """Refuse a zip bomb from its central directory alone, before anything decompresses it.

    The sizes declared there bound what `zipfile` (and so python-docx, openpyxl...) will ever
    inflate: it stops an entry at its declared size. So counting entries and adding up declared
    sizes is enough; nothing is extracted here. Raises UnsafeArchive, or zipfile.BadZipFile.
    """
    cfg = current_app.config if has_app_context() else {}
    max_entries = max_entries or int(cfg.get("ZIP_MAX_ENTRIES", 10_000))
    max_expanded = max_expanded or int(cfg.get("ZIP_MAX_EXPANDED_MB", 300)) * 1024 * 1024
    with zipfile.ZipFile(source) as package:
        infos = package.infolist()
        if len(infos) > max_entries:
            raise UnsafeArchive(f"{len(infos)} entries, more than {max_entries}")
        total = 0
        for info in infos:
            total += info.file_size
            if total > max_expanded:
                raise UnsafeArchive(f"expands to more than {max_expanded} bytes")


def no_store(view: Callable) -> Callable:
    """Never cached, by the browser or a proxy: ballots, and results before they are announced.

    Signed-in pages are already `no-store` (forum.templating); this covers the rest (a projector
    with a token, JSON for displays) and says so where it matters.
    """
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response

    return wrapper


# --- recent sign-in for sensitive actions ----------------------------------------------------------

AUTH_AT = "auth_at"


def note_authenticated() -> None:
    """The user has just typed their password (sign-in or confirmation)."""
    session[AUTH_AT] = int(time.time())


def recently_authenticated() -> bool:
    max_age = current_app.config.get("REAUTH_MAX_AGE")
    if not max_age:
        return True
    return int(time.time()) - int(session.get(AUTH_AT, 0)) <= max_age.total_seconds()


def recent_auth_required(view: Callable) -> Callable:
    """Sensitive actions (accounts, tokens, reset links) ask for the password again after REAUTH_MAX_AGE.

    A session left open on a shared machine in the venue then cannot hand out accounts or tokens.
    A GET shows the page; only a POST waits for the confirmation, then comes back to the page.
    """
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method == "POST" and not recently_authenticated():
            # The form is sent again after confirming: back to the page it came from.
            return redirect(url_for("accounts.reauthenticate", next=_back_to()))
        return view(*args, **kwargs)

    return wrapper


def _back_to() -> str:
    """The page the form was on (same host only), else the form's own address."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc == request.host and parts.path.startswith("/"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


# --- Socket.IO origins -------------------------------------------------------------------------------

def forwarded(environ: dict, name: str, hops: int) -> str | None:
    """An `X-Forwarded-*` value as ProxyFix reads it behind `hops` trusted proxies: the one the nearest
    of them set (what the client wrote itself comes first and is not believed); None without proxies.

    For the code that sees a request before ProxyFix does (Flask-SocketIO's handshake, forum.handshakes).
    """
    values = [v.strip() for v in environ.get(name, "").split(",") if v.strip()]
    return values[-hops] if hops and len(values) >= hops else None


def socket_origin_check(app: Flask) -> Callable[[str | None, dict], bool]:
    """Same origin only, computed as the app sees itself behind PROXY_HOPS proxies (never `*`).

    Flask-SocketIO answers the handshake before ProxyFix rewrites the environment, and
    Engine.IO's own check believes any X-Forwarded-Host. Here the forwarded values count only when
    proxies are configured, and then only the one the nearest trusted proxy set, as ProxyFix does.
    Extra origins come from SOCKETIO_CORS_ORIGINS (comma-separated).
    """
    extra = app.config.get("SOCKETIO_CORS_ORIGINS") or []
    if isinstance(extra, str):
        extra = [o.strip() for o in extra.split(",") if o.strip()]
    if "*" in extra:
        raise RuntimeError("SOCKETIO_CORS_ORIGINS must name origins; '*' would let any site use a user's session.")
    allowed_extra = {o.rstrip("/") for o in extra}
    hops = int(app.config.get("PROXY_HOPS") or 0)

    def allowed(origin: str | None, environ: dict) -> bool:
        if not origin:
            return True  # not a browser: the session cookie or token decides
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST", "")
        if hops:
            scheme = forwarded(environ, "HTTP_X_FORWARDED_PROTO", hops) or scheme
            host = forwarded(environ, "HTTP_X_FORWARDED_HOST", hops) or host
        return origin.rstrip("/") in allowed_extra or (bool(host) and origin == f"{scheme}://{host}")

    return allowed


# --- logs -----------------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\r": "\\r", "\n": "\\n", "\x1b": "\\x1b", "\x00": "\\x00"})


def _escaped(value: Any) -> Any:
    return value.translate(_ESCAPES) if isinstance(value, str) else value


def install_log_escaping() -> None:
    """Log lines cannot be forged through data: CR, LF, ESC and NUL in a record's arguments (a name,
    an email, an address, a request line) are written escaped, so one record stays one line.

    Data goes into logs as arguments (`log.warning("... %s", name)`), never formatted into the
    message itself; the message, a constant, keeps its own line breaks and colours, and tracebacks
    are formatted apart. Installed once per process.
    """
    factory = logging.getLogRecordFactory()
    if getattr(factory, "forum_escaping", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if isinstance(record.args, tuple):
            record.args = tuple(_escaped(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _escaped(v) for k, v in record.args.items()}
        return record

    make.forum_escaping = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)
