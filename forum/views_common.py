"""Small helpers shared by the blueprints: pagination, safe redirects, form errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from forum.db import unit_of_work
from forum.errors import DomainError, NotFound
from forum.extensions import db


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: an open redirect would help a phishing mail."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt: sa.Select, per_page: int | None = None) -> Page:
    per_page = per_page or current_app.config["PAGE_SIZE"]
    page = request.args.get("page", 1, type=int) or 1
    if page < 1:
        abort(404)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items, page, per_page, total)


def apply_errors(form: FlaskForm, exc: DomainError) -> None:
    """Attach a service's field errors to the form; the rest becomes the form's own error."""
    placed = False
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(exc.message)


def gate(allowed: bool) -> None:
    """Visible but not allowed: 403 (hidden things were answered 404 by the loader before)."""
    if not allowed:
        abort(403)


def translated(exc: DomainError) -> DomainError:
    """Services speak English message ids; the page shows them in the reader's language."""
    exc.fields = {name: [_(m) for m in messages] for name, messages in exc.fields.items()}
    exc.message = _(exc.message)
    return exc


def attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> tuple[bool, Any]:
    """Run one service in its own transaction; refusals become the form's errors (or a flash).

    Returns (True, result) or (False, the refusal); an unknown object is a 404.
    """
    try:
        with unit_of_work():
            result = action()
    except NotFound:
        abort(404)
    except DomainError as exc:
        translated(exc)
        if form is not None:
            apply_errors(form, exc)
            if exc.message not in form.form_errors:
                form.form_errors.insert(0, exc.message)
        else:
            flash(exc.message, "error")
        return False, exc
    return True, result


def failure_status(form: FlaskForm, failure: Any) -> int:
    """The status of a form page shown again: the refusal's own, 422 for field errors, else 200."""
    if isinstance(failure, DomainError):
        return failure.status
    return 422 if form.errors else 200
