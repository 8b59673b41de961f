"""Template helpers: navigation context, date formatting in the meeting's zone, headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format
from babel.dates import get_timezone_gmt, get_timezone_name
from babel.numbers import format_decimal
from flask import Flask, g, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forum import i18n, labels, permissions
from forum.meetings.services import state_name


def local_time(value: datetime | None, tz: str = "UTC", fmt: str = "medium") -> str:
    """A UTC instant shown in the meeting's time zone, formatted for the reader's locale."""
    if value is None:
        return ""
    return babel_format(value, fmt, tzinfo=ZoneInfo(tz), locale=get_locale() or "en")


def number(value: Any) -> str:
    """A count or a weighted total written the reader's way (3 570 in French, 3,570 in English)."""
    if value is None or value == "":
        return ""
    return format_decimal(value, locale=get_locale() or "en")


def time_zone_label(tz: str, when: datetime | None = None) -> str:
    """The meeting's time zone as the reader says it, with its offset from UTC now: times on the
    page are the meeting's, wherever the reader sits."""
    locale = get_locale() or "en"
    now = (when or datetime.now(ZoneInfo("UTC"))).astimezone(ZoneInfo(tz))
    return _("Times in the meeting's time zone: %(zone)s (%(offset)s)",
             zone=get_timezone_name(now, locale=locale), offset=get_timezone_gmt(now, locale=locale))


# Pages of a meeting that other modules add to its navigation: (endpoint, label, permission).
MEETING_LINKS: list[tuple[str, Any, Callable[[Any, Any], bool]]] = []


def meeting_link(endpoint: str, label: Any, allowed: Callable[[Any, Any], bool]) -> None:
    MEETING_LINKS.append((endpoint, label, allowed))


def meeting_links(meeting: Any) -> list[dict[str, str]]:
    return [
        {"url": url_for(endpoint, meeting_id=meeting.id), "label": str(label)}
        for endpoint, label, allowed in MEETING_LINKS
        if allowed(current_user, meeting)
    ]


def register(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["state_name"] = state_name
    app.jinja_env.filters["number"] = number
    app.jinja_env.globals["time_zone_label"] = time_zone_label
    app.jinja_env.globals["perm"] = permissions
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["language_names"] = i18n.LANGUAGE_NAMES
    for name in ("group_label", "capacity_label", "office_label", "body_label", "space_kind_label"):
        app.jinja_env.globals[name] = getattr(labels, name)
    app.jinja_env.filters["office_label"] = labels.office_label
    app.jinja_env.globals["meeting_links"] = meeting_links
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _nav():
        return {"current_meeting": g.get("meeting"), "session_locale": session.get("locale")}

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        if current_user and current_user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure and app.config.get("HSTS_SECONDS"):
            # Only over HTTPS (behind a proxy: PROXY_HOPS makes X-Forwarded-Proto count).
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={int(app.config['HSTS_SECONDS'])}; includeSubDomains")
        return response
