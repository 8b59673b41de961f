"""The database recipes: UTC datetimes, string enums, SQLite pragmas, transactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import Meeting


@pytest.mark.postgres
def test_datetimes_come_back_aware_and_in_utc(app, backend, make_meeting):
    meeting = make_meeting()
    geneva_noon = datetime(2027, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    from forum.meetings.models import Sitting

    with unit_of_work():
        db.session.add(Sitting(meeting_id=meeting.id, title="First sitting", starts_at=geneva_noon))
    db.session.expire_all()
    stored = db.session.scalars(sa.select(Sitting)).one().starts_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2027, 6, 1, 10, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused(app, make_meeting):
    from forum.meetings.models import Sitting

    meeting = make_meeting()
    with pytest.raises(sa.exc.StatementError), unit_of_work():
        db.session.add(Sitting(meeting_id=meeting.id, title="x", starts_at=datetime(2027, 6, 1, 12, 0)))


@pytest.mark.postgres
def test_enums_are_stored_as_their_values(app, backend, make_meeting):
    meeting = make_meeting()
    raw = db.session.execute(sa.text("SELECT body_type, weighting_mode FROM meetings WHERE id = :id"),
                             {"id": meeting.id}).one()
    assert tuple(raw) == ("committee", "equal_strength")


def test_sqlite_pragmas(app):
    assert db.engine.dialect.name == "sqlite"  # the test is not marked postgres: it runs on SQLite alone
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.postgres
def test_unit_of_work_rolls_back_everything_on_error(app, backend, make_user):
    staff = make_user(staff=True)
    from forum.meetings.services import create_meeting

    with pytest.raises(RuntimeError), unit_of_work():
        create_meeting(db.session.merge(staff), title="Lost", symbol_prefix="LOST/1", languages=["en"],
                       timezone="UTC")
        raise RuntimeError("fail after the writes")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


@pytest.mark.postgres
def test_foreign_keys_are_enforced(app, backend):
    from forum.meetings.models import Space, SpaceKind

    with pytest.raises(sa.exc.IntegrityError), unit_of_work():
        db.session.add(Space(meeting_id=424242, kind=SpaceKind.plenary, name="Orphan"))
