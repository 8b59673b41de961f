"""The demo's positions, statements and the Workers' closed poll: recorded by the people who would
record them, visible where they should be, and loading twice changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from forum import permissions
from forum.accounts.models import User
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings import demo as meeting_demo
from forum.meetings.models import Group, Space, SpaceKind
from forum.positions import board
from forum.positions.models import Poll, PollAnswer, Position, PositionChange, Statement


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr("forum.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Position, PositionChange, Statement, Poll, PollAnswer)}


def account(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def test_the_demo_has_positions_statements_and_a_closed_workers_poll_and_loads_once(app):
    with unit_of_work():
        result = meeting_demo.load_demo()
    first = counts()
    assert first["Position"] >= 8 and first["PositionChange"] == first["Position"] + 1  # the Employers changed once
    assert first["Statement"] == 4
    (poll,) = db.session.scalars(sa.select(Poll)).all()
    assert not poll.is_open() and first["PollAnswer"] == 6
    caucus = db.session.get(Space, poll.space_id)
    assert caucus.kind is SpaceKind.group and caucus.group is Group.worker
    assert permissions.can_view_poll(account("wkr.nepal@demo.forum"), poll)
    for email in ("emp.secretary@demo.forum", "chair@demo.forum", "secretariat1@demo.forum"):
        assert not permissions.can_view_poll(account(email), poll), email
    noted = db.session.scalars(sa.select(Position).where(Position.for_chair.is_(True))).one()
    assert noted.holder == "worker" and noted.recorded_by_name == "Kofi Boateng"
    from forum.drafting.models import Draft

    draft = db.session.scalars(sa.select(Draft).where(Draft.meeting_id == result.meeting.id)).one()
    rows = board.status_board(account("observer.igo@demo.forum"), draft)
    assert sum(1 for r in rows if r["employer"] or r["worker"] or r["regional"] or r["statements"]) == 4
    with unit_of_work():
        meeting_demo.load_demo()
    assert counts() == first
