"""Error pages (HTML) and error objects (JSON) for every failure a user can meet."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from forum.errors import HTTP_CODES, DomainError

log = logging.getLogger(__name__)

# OperationalErrors that mean "busy, try again" rather than a fault (SQLite, then PostgreSQL).
BUSY_MARKERS = ("database is locked", "database table is locked", "database schema is locked",
                "lock timeout", "could not obtain lock", "deadlock detected", "could not serialize access")
RETRY_AFTER_SECONDS = 5

TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    409: _l("This changed in the meantime"),
    413: _l("The file is too large"),
    422: _l("Some information is not valid"),
    429: _l("Too many requests"),
    503: _l("The service is busy"),
    500: _l("Something went wrong on our side"),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def _respond(status: int, code: str, message: str, fields: dict | None = None):
    if _wants_json():
        body: dict = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return jsonify({"error": body}), status
    template = status if status in TITLES else 500
    return render_template(
        "errors/error.html", status=status, title=str(TITLES.get(template, TITLES[500])), message=message
    ), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return _respond(400, "csrf", _("The form has expired or was sent from elsewhere. "
                                       "Reload the page and try again."))

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        body = exc.localized()
        return _respond(exc.status, exc.code, body["message"], body.get("fields"))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        messages = {
            403: _("Your role in this meeting does not give access to this page."),
            404: _("There is nothing here. Check the address, or go back to your dashboard."),
            413: _("The file is larger than this site accepts. Send a smaller file."),
            429: _("Too many requests in a short time. Wait a moment and try again."),
        }
        return _respond(status, HTTP_CODES.get(status, "error"), messages.get(status, exc.description or ""))

    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.TimeoutError)
    def _database_busy(exc: Exception):
        """A lock held too long (SQLite's busy timeout, PostgreSQL's lock timeout or a deadlock) or no
        free connection: nothing was written, so the client is told to retry, never shown a 500."""
        if isinstance(exc, sa_exc.OperationalError) and not any(m in str(exc) for m in BUSY_MARKERS):
            return _crash(exc)
        log.warning("database busy, answered 503: %s", str(exc).splitlines()[0][:200])
        body, status = _respond(503, "database_busy", _("The database is busy: nothing was saved. "
                                                         "Try again in a few seconds."))
        response = make_response(body, status)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def _crash(exc: Exception):
        log.exception("unhandled error")
        try:
            return _respond(500, "server_error", _("The error has been logged. Try again in a moment."))
        except Exception:  # the error page itself failed: answer plainly
            log.exception("error page failed")
            return "Internal error. It has been logged.", 500, {"Content-Type": "text/plain"}
