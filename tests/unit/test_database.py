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


# --- this process's writers queue at the write gate (SQLite) -------------------------------------------------

def _hold_a_write(app, holding, release, log):
    """A writer of this process: takes the write lock and keeps it until told to commit."""
    with app.app_context():
        with unit_of_work() as session:
            session.execute(sa.text("UPDATE meetings SET title = 'held' WHERE 0"))
            holding.set()
            release.wait(10)
        log.append("first committed")
        db.session.remove()


def test_a_second_writer_of_this_process_waits_at_the_gate_not_in_sqlite(app, make_meeting):
    """The second writer goes in after the first commits, without polling SQLite's lock meanwhile
    (its busy handler sleeps up to 100 ms between tries, which a burst of ballots paid in full)."""
    import threading

    from sqlalchemy import event

    make_meeting(title="Before")
    holding, release, log = threading.Event(), threading.Event(), []
    first = threading.Thread(target=_hold_a_write, args=(app, holding, release, log))

    def begins(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN IMMEDIATE") and threading.current_thread() is not first:
            log.append("second began")  # asked SQLite for the write lock

    event.listen(db.engine, "before_cursor_execute", begins)
    try:
        first.start()
        assert holding.wait(10)
        second_done = threading.Event()

        def second():
            with app.app_context():
                with unit_of_work():
                    db.session.execute(sa.update(Meeting).values(title="After"))
                db.session.remove()
            second_done.set()

        threading.Thread(target=second).start()
        assert not second_done.wait(0.3)  # it waits while the first holds the lock …
        assert "second began" not in log  # … at the gate: it has not asked SQLite yet
        release.set()
        assert second_done.wait(10)
        first.join(10)
    finally:
        release.set()
        event.remove(db.engine, "before_cursor_execute", begins)
    assert log == ["first committed", "second began"]
    db.session.expire_all()
    assert db.session.scalars(sa.select(Meeting.title)).all() == ["After"]


def test_a_writer_kept_waiting_past_the_busy_timeout_is_told_the_database_is_busy(app, make_meeting, monkeypatch):
    import threading

    from forum import db as forum_db

    make_meeting(title="Before")
    gate = forum_db._gates[db.engine]
    monkeypatch.setattr(gate, "timeout_s", 0.2)
    holding, release, log = threading.Event(), threading.Event(), []
    first = threading.Thread(target=_hold_a_write, args=(app, holding, release, log))
    first.start()
    try:
        assert holding.wait(10)
        with pytest.raises(sa.exc.OperationalError, match="database is locked"), unit_of_work():
            db.session.execute(sa.update(Meeting).values(title="Lost"))
    finally:
        release.set()
        first.join(10)
    db.session.expire_all()
    assert db.session.scalars(sa.select(Meeting.title)).all() == ["Before"]  # nothing written
    # The gate is free again: the next writer goes in at once.
    with unit_of_work():
        db.session.execute(sa.update(Meeting).values(title="After"))
    assert db.session.scalars(sa.select(Meeting.title)).all() == ["After"]


def test_the_gate_opens_when_the_database_commits_before_the_events_go_out(app, make_meeting, monkeypatch):
    """Sending a change to 300 sockets takes tens of milliseconds: the next writer need not wait for it."""
    import threading

    from forum import db as forum_db
    from forum import realtime

    gate = forum_db._gates[db.engine]
    free_while_sending: list[bool] = []

    def probe() -> None:  # another thread: the gate's lock is re-entrant for this one
        took = gate._lock.acquire(blocking=False)
        if took:
            gate._lock.release()
        free_while_sending.append(took)

    def emit_all(events):
        t = threading.Thread(target=probe)
        t.start()
        t.join(5)

    monkeypatch.setattr(realtime, "_emit_all", emit_all)
    with unit_of_work():
        realtime.publish("meeting:1", "meeting.changed", {"x": 1})
    assert free_while_sending == [True]
    # And a failed unit of work leaves the gate open too.
    with pytest.raises(RuntimeError), unit_of_work():
        raise RuntimeError("fails before the commit")
    probe()
    assert free_while_sending == [True, True]
