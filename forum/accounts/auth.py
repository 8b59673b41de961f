"""Loading the signed-in user from the session cookie and checking the session's age."""

from __future__ import annotations

import time

from flask import Flask, current_app, session
from flask_login import logout_user

from forum.accounts.models import User
from forum.extensions import db, login_manager


def user_from_id(value: str) -> User | None:
    """`<id>.<generation>`: a bumped generation ends every session issued before it."""
    user_id, _, generation = value.partition(".")
    if not user_id.isdigit() or not generation.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def register(app: Flask) -> None:
    login_manager.user_loader(user_from_id)

    @app.before_request
    def _absolute_lifetime() -> None:
        """A session ends after PERMANENT_SESSION_LIFETIME however active (no endless sliding),
        or after SESSION_IDLE_TIMEOUT without a request (not for "remember me" on a trusted device).

        "Remember me" asks for a longer life on a trusted device: REMEMBER_COOKIE_DURATION.
        """
        if "_user_id" not in session:
            return
        now = int(time.time())
        started = session.setdefault("started_at", now)
        lifetime = current_app.config[
            "REMEMBER_COOKIE_DURATION" if session.get("remember") else "PERMANENT_SESSION_LIFETIME"]
        idle = current_app.config.get("SESSION_IDLE_TIMEOUT")
        seen = session.get("seen_at", now)
        if now - started > lifetime.total_seconds() or (
                idle and not session.get("remember") and now - seen > idle.total_seconds()):
            logout_user()
            session.clear()
            return
        if now - seen >= 60:  # a minute's precision keeps the cookie from changing on every request
            session["seen_at"] = now
        else:
            session.setdefault("seen_at", now)
