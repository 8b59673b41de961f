"""Attack tests: helpers shared by tests/security (each test is named after what it attacks)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from forum import create_app
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind
from tests.conftest import PASSWORD


def caucus(meeting: Any, group: str) -> Space:
    return db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id, Space.kind == SpaceKind.group,
                                                     Space.group == Group(group))).one()


def plenary(meeting: Any) -> Space:
    return db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id,
                                                     Space.kind == SpaceKind.plenary)).one()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def strict_app(session_app: Any) -> Any:
    """The same database, with CSRF on as in production."""
    return create_app({**session_app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})


@pytest.fixture
def strict_login(strict_app: Any):
    """Sign in on the CSRF-enforcing app the way a browser does: the token from the login page."""
    def do(user: Any) -> Any:
        client = strict_app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        return client

    return do


def fingerprint() -> dict[str, str]:
    """Every row of every table, hashed per table: a refused attack must leave all of them as they were."""
    import hashlib

    tables: dict[str, str] = {}
    with db.engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name not in present:
                continue
            digest = hashlib.sha256()
            pk = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(sa.select(table).order_by(*pk)):
                digest.update(repr(tuple(row)).encode())
            tables[table.name] = digest.hexdigest()
    return tables
