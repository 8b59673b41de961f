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
        """A session ends after PERMANENT_SESSION_LIFETIME however active (no endless sliding).

        "Remember me" asks for a longer life on a trusted device: REMEMBER_COOKIE_DURATION.
        """
        if "_user_id" not in session:
            return
        now = int(time.time())
        started = session.setdefault("started_at", now)
        lifetime = current_app.config[
            "REMEMBER_COOKIE_DURATION" if session.get("remember") else "PERMANENT_SESSION_LIFETIME"]
        if now - started > lifetime.total_seconds():
            logout_user()
            session.clear()
