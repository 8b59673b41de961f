"""The programme of work's services (PROCEDURE.md rule 13): absolute times in the meeting's zone,
extensions recorded, only the secretariat writes, and every change audited and announced."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from forum import realtime
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings import programme, queries
from forum.meetings.models import AgendaItem, Deadline, DeadlineKind, Meeting, Sitting, SittingState


@pytest.fixture
def meeting(make_user, make_meeting):
    secretariat = make_user(staff=True)
    m = make_meeting(secretariat, timezone="Europe/Zurich", starts_on=date(2027, 3, 26), ends_on=date(2027, 3, 30))
    m.secretariat = secretariat
    return m


@pytest.fixture
def emitted(monkeypatch):
    """The events sent after each commit."""
    sent: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(realtime, "_emit_all", lambda events: sent.extend(events))
    return sent


def reload(meeting: Meeting) -> Meeting:
    return db.session.get(Meeting, meeting.id)


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


# --- rule 13: absolute times in the meeting's zone --------------------------------------------------

def test_rule_13_sitting_time_is_read_in_meeting_zone_and_stored_as_utc(meeting):
    with unit_of_work():
        sitting = programme.schedule_sitting(meeting.secretariat, reload(meeting), title="First sitting",
                                             starts_at=datetime(2027, 3, 26, 10, 0),
                                             ends_at=datetime(2027, 3, 26, 13, 0), room="Room II")
    stored = db.session.get(Sitting, sitting.id)
    assert stored.starts_at == datetime(2027, 3, 26, 9, 0, tzinfo=UTC)  # CET is UTC+1 in March
    assert stored.ends_at == datetime(2027, 3, 26, 12, 0, tzinfo=UTC)
    assert stored.state is SittingState.scheduled


def test_rule_13_deadlines_either_side_of_the_clock_change_keep_their_wall_clock_time(meeting):
    """Europe/Zurich goes from UTC+1 to UTC+2 in the night of 27 to 28 March 2027."""
    with unit_of_work():
        before = programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments",
                                        title="Amendments", due_at=datetime(2027, 3, 27, 18, 0))
        after = programme.set_deadline(meeting.secretariat, reload(meeting), kind="sub_amendments",
                                       title="Sub-amendments", due_at=datetime(2027, 3, 28, 18, 0))
    assert db.session.get(Deadline, before.id).due_at == datetime(2027, 3, 27, 17, 0, tzinfo=UTC)
    assert db.session.get(Deadline, after.id).due_at == datetime(2027, 3, 28, 16, 0, tzinfo=UTC)


def test_rule_13_a_time_the_clocks_skip_is_refused_and_nothing_is_written(meeting):
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments", title="Amendments",
                               due_at=datetime(2027, 3, 28, 2, 30))
    assert "does not exist" in exc.value.fields["due_at"][0]
    assert count(Deadline) == 0
    assert entries("deadline.set") == []


def test_rule_13_a_time_that_occurs_twice_is_refused(make_user, make_meeting):
    secretariat = make_user(staff=True)
    autumn = make_meeting(secretariat, starts_on=date(2027, 10, 30), ends_on=date(2027, 11, 2))
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.set_deadline(secretariat, reload(autumn), kind="other", title="Nominations",
                               due_at=datetime(2027, 10, 31, 2, 30))
    assert "occurs twice" in exc.value.fields["due_at"][0]


def test_rule_13_an_aware_time_is_taken_as_the_instant_it_names(meeting):
    with unit_of_work():
        d = programme.set_deadline(meeting.secretariat, reload(meeting), kind="other", title="Credentials",
                                   due_at=datetime(2027, 3, 26, 16, 0, tzinfo=UTC))
    assert db.session.get(Deadline, d.id).due_at == datetime(2027, 3, 26, 16, 0, tzinfo=UTC)


def test_rule_13_day_bounds_follow_the_meeting_zone_on_a_23_hour_day(meeting):
    """The bulletin's day is the meeting's day: 28 March 2027 lasts 23 hours in Geneva."""
    start, end = queries.day_bounds(reload(meeting), date(2027, 3, 28))
    assert start.astimezone(UTC) == datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)
    with unit_of_work():
        late = programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments", title="Late",
                                      due_at=datetime(2027, 3, 28, 23, 30))
        early = programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments", title="Early",
                                       due_at=datetime(2027, 3, 29, 0, 30))
    on_28 = list(db.session.scalars(queries.deadlines_between(meeting.id, start, end)))
    assert [d.id for d in on_28] == [late.id]
    assert early.id not in [d.id for d in on_28]


# --- rule 13: extensions are recorded ----------------------------------------------------------------

def test_rule_13_extension_keeps_the_original_time_and_is_recorded(meeting, emitted):
    with unit_of_work():
        d = programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments",
                                   title="Written amendments", due_at=datetime(2027, 3, 26, 18, 0))
    with unit_of_work():
        programme.extend_deadline(meeting.secretariat, db.session.get(Deadline, d.id),
                                  due_at=datetime(2027, 3, 27, 12, 0), note="At the request of the Africa group",
                                  granted_by_chair=True)
    with unit_of_work():
        programme.extend_deadline(meeting.secretariat, db.session.get(Deadline, d.id),
                                  due_at=datetime(2027, 3, 27, 15, 0), note="Second extension")
    stored = db.session.get(Deadline, d.id)
    assert stored.original_due_at == datetime(2027, 3, 26, 17, 0, tzinfo=UTC)  # the first time, kept
    assert stored.due_at == datetime(2027, 3, 27, 14, 0, tzinfo=UTC)
    assert stored.extension_note == "Second extension"
    assert stored.extension_by_chair is False  # the latest extension was the secretariat's own
    first, second = sorted(entries("deadline.extend"), key=lambda e: e.seq)
    assert first.for_chair is True and second.for_chair is False
    payload = json.loads(first.payload)
    assert payload["granted_by_chair"] is True
    assert payload["from"].startswith("2027-03-26T17:00") and payload["to"].startswith("2027-03-27T11:00")
    assert payload["note"] == "At the request of the Africa group"
    assert [e[1] for e in emitted].count("programme.changed") == 3


def test_rule_13_an_extension_must_move_the_deadline_later(meeting):
    with unit_of_work():
        d = programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments",
                                   title="Amendments", due_at=datetime(2027, 3, 26, 18, 0))
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.extend_deadline(meeting.secretariat, db.session.get(Deadline, d.id),
                                  due_at=datetime(2027, 3, 26, 17, 0))
    assert "later" in exc.value.fields["due_at"][0]
    stored = db.session.get(Deadline, d.id)
    assert stored.original_due_at is None and stored.due_at == datetime(2027, 3, 26, 17, 0, tzinfo=UTC)


def test_rule_13_an_extended_deadline_moves_only_by_another_extension(meeting):
    with unit_of_work():
        d = programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments",
                                   title="Amendments", due_at=datetime(2027, 3, 26, 18, 0))
    with unit_of_work():
        programme.extend_deadline(meeting.secretariat, db.session.get(Deadline, d.id),
                                  due_at=datetime(2027, 3, 26, 20, 0))
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.edit_deadline(meeting.secretariat, db.session.get(Deadline, d.id), kind="amendments",
                                title="Amendments", due_at=datetime(2027, 3, 26, 16, 0))
    assert "extension" in exc.value.fields["due_at"][0]
    with unit_of_work():  # the title can still be corrected
        programme.edit_deadline(meeting.secretariat, db.session.get(Deadline, d.id), kind="amendments",
                                title="Written amendments", due_at=datetime(2027, 3, 26, 20, 0))
    assert db.session.get(Deadline, d.id).title == "Written amendments"


# --- permissions -------------------------------------------------------------------------------------

def test_only_the_secretariat_keeps_the_programme(meeting, make_participant):
    chair = make_participant(meeting, "government", member_state="KE", roles=("chair",)).user
    delegate = make_participant(meeting, "worker").user
    for actor in (chair, delegate):
        with pytest.raises(NotAllowed), unit_of_work():
            programme.add_agenda_item(actor, reload(meeting), number="1", title="Opening")
        with pytest.raises(NotAllowed), unit_of_work():
            programme.schedule_sitting(actor, reload(meeting), title="Sitting",
                                       starts_at=datetime(2027, 3, 26, 10, 0))
        with pytest.raises(NotAllowed), unit_of_work():
            programme.set_deadline(actor, reload(meeting), kind="amendments", title="A",
                                   due_at=datetime(2027, 3, 26, 18, 0))
        with pytest.raises(NotAllowed), unit_of_work():
            programme.post_announcement(actor, reload(meeting), day=date(2027, 3, 26), body="Hello")
    assert count(AgendaItem) == count(Sitting) == count(Deadline) == 0


def test_secretariat_of_another_meeting_cannot_touch_this_programme(meeting, make_user, make_meeting):
    other_secretariat = make_user(staff=True)
    make_meeting(other_secretariat)
    with unit_of_work():
        d = programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments", title="A",
                                   due_at=datetime(2027, 3, 26, 18, 0))
    with pytest.raises(NotAllowed), unit_of_work():
        programme.extend_deadline(other_secretariat, db.session.get(Deadline, d.id),
                                  due_at=datetime(2027, 3, 27, 18, 0))


# --- validation ----------------------------------------------------------------------------------------

def test_sitting_that_ends_before_it_starts_is_refused(meeting):
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.schedule_sitting(meeting.secretariat, reload(meeting), title="Sitting",
                                   starts_at=datetime(2027, 3, 26, 15, 0), ends_at=datetime(2027, 3, 26, 14, 0))
    assert "ends_at" in exc.value.fields
    assert count(Sitting) == 0


def test_empty_titles_and_numbers_are_refused_field_by_field(meeting):
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.add_agenda_item(meeting.secretariat, reload(meeting), number=" ", title="  ")
    assert set(exc.value.fields) == {"number", "title"}
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.schedule_sitting(meeting.secretariat, reload(meeting), title="",
                                   starts_at=datetime(2027, 3, 26, 10, 0))
    assert set(exc.value.fields) == {"title"}
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.set_deadline(meeting.secretariat, reload(meeting), kind="bogus", title="",
                               due_at=None)  # type: ignore[arg-type]
    assert set(exc.value.fields) == {"kind", "title", "due_at"}


def test_sitting_outside_the_meeting_days_and_deadline_far_away_are_refused(meeting):
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.schedule_sitting(meeting.secretariat, reload(meeting), title="Sitting",
                                   starts_at=datetime(2027, 4, 2, 10, 0))
    assert "meeting's days" in exc.value.fields["starts_at"][0]
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.set_deadline(meeting.secretariat, reload(meeting), kind="report_corrections",
                               title="Corrections", due_at=datetime(2029, 3, 26, 18, 0))
    assert "due_at" in exc.value.fields
    with unit_of_work():  # written amendments before the meeting are normal
        programme.set_deadline(meeting.secretariat, reload(meeting), kind="amendments",
                               title="Written amendments", due_at=datetime(2027, 3, 12, 18, 0))


def test_duplicate_agenda_number_and_foreign_agenda_item_are_refused(meeting, make_user, make_meeting):
    other_secretariat = make_user(staff=True)
    other = make_meeting(other_secretariat)
    with unit_of_work():
        programme.add_agenda_item(meeting.secretariat, reload(meeting), number="1", title="Opening")
        foreign = programme.add_agenda_item(other_secretariat, reload(other), number="1", title="Elsewhere")
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.add_agenda_item(meeting.secretariat, reload(meeting), number="1", title="Again")
    assert "number" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc, unit_of_work():
        programme.schedule_sitting(meeting.secretariat, reload(meeting), title="Sitting",
                                   starts_at=datetime(2027, 3, 26, 10, 0), agenda_item_id=foreign.id)
    assert "agenda_item_id" in exc.value.fields


# --- the rest of the programme --------------------------------------------------------------------------

def test_agenda_items_are_ordered_and_deleting_one_keeps_its_sittings(meeting):
    s = meeting.secretariat
    with unit_of_work():
        two = programme.add_agenda_item(s, reload(meeting), number="2", title="General discussion")
        one = programme.add_agenda_item(s, reload(meeting), number="1", title="Opening", position=0)
        programme.edit_agenda_item(s, db.session.get(AgendaItem, two.id), number="2", title="General discussion",
                                   position=5)
        sitting = programme.schedule_sitting(s, reload(meeting), title="Second sitting",
                                             starts_at=datetime(2027, 3, 26, 15, 0), agenda_item_id=two.id)
    assert [i.number for i in db.session.scalars(queries.agenda_items(meeting.id))] == ["1", "2"]
    with unit_of_work():
        programme.delete_agenda_item(s, db.session.get(AgendaItem, two.id))
    db.session.expire_all()
    kept = db.session.get(Sitting, sitting.id)
    assert kept is not None and kept.agenda_item_id is None
    assert [i.id for i in db.session.scalars(queries.agenda_items(meeting.id))] == [one.id]
    assert len(entries("agenda_item.delete")) == 1


def test_sitting_that_has_begun_cannot_be_edited_or_cancelled(meeting):
    with unit_of_work():
        sitting = programme.schedule_sitting(meeting.secretariat, reload(meeting), title="First sitting",
                                             starts_at=datetime(2027, 3, 26, 10, 0))
    with unit_of_work():
        db.session.get(Sitting, sitting.id).state = SittingState.live
    with pytest.raises(InvalidState), unit_of_work():
        programme.cancel_sitting(meeting.secretariat, db.session.get(Sitting, sitting.id))
    with pytest.raises(InvalidState), unit_of_work():
        programme.edit_sitting(meeting.secretariat, db.session.get(Sitting, sitting.id), title="Renamed",
                               starts_at=datetime(2027, 3, 26, 11, 0))
    assert db.session.get(Sitting, sitting.id) is not None


def test_cancelling_a_sitting_removes_it_and_audits_what_it_was(meeting):
    with unit_of_work():
        sitting = programme.schedule_sitting(meeting.secretariat, reload(meeting), title="Evening sitting",
                                             starts_at=datetime(2027, 3, 26, 19, 0), room="Room XIX")
    with unit_of_work():
        programme.cancel_sitting(meeting.secretariat, db.session.get(Sitting, sitting.id))
    assert db.session.get(Sitting, sitting.id) is None
    (entry,) = entries("sitting.cancel")
    assert json.loads(entry.payload)["room"] == "Room XIX"
    assert entry.object_id == str(sitting.id)


def test_every_change_bumps_the_meeting_version_and_is_published_after_commit(meeting, emitted):
    version = reload(meeting).version
    with unit_of_work():
        item = programme.add_agenda_item(meeting.secretariat, reload(meeting), number="1", title="Opening")
        assert emitted == []  # nothing leaves before the commit
    with unit_of_work():
        programme.post_announcement(meeting.secretariat, reload(meeting), day=date(2027, 3, 26),
                                    body="The Employers' group meets in Room VII at 9.00.")
    assert reload(meeting).version == version + 2
    rooms = {(room, event) for room, event, _ in emitted}
    assert rooms == {(f"meeting:{meeting.id}", "programme.changed")}
    assert emitted[0][2] == {"room": f"meeting:{meeting.id}", "meeting_id": meeting.id, "subject": "agenda_item",
                             "action": "add",
                             "id": item.id, "version": version + 1}
    assert emitted[-1][2]["version"] == version + 2


def test_a_refused_change_publishes_nothing(meeting, emitted):
    with pytest.raises(ValidationFailed), unit_of_work():
        programme.add_agenda_item(meeting.secretariat, reload(meeting), number="", title="")
    assert emitted == []


def test_announcements_belong_to_a_day_and_can_be_deleted(meeting):
    with unit_of_work():
        a = programme.post_announcement(meeting.secretariat, reload(meeting), day=date(2027, 3, 27),
                                        body="Interpretation is available in English, French and Spanish.")
    assert [x.id for x in db.session.scalars(queries.announcements_on(meeting.id, date(2027, 3, 27)))] == [a.id]
    assert list(db.session.scalars(queries.announcements_on(meeting.id, date(2027, 3, 26)))) == []
    with pytest.raises(ValidationFailed), unit_of_work():
        programme.post_announcement(meeting.secretariat, reload(meeting), day=date(2027, 3, 27), body=" ")
    with unit_of_work():
        programme.delete_announcement(meeting.secretariat, db.session.get(type(a), a.id))
    assert list(db.session.scalars(queries.announcements_on(meeting.id, date(2027, 3, 27)))) == []


def test_programme_changes_keep_the_audit_chain_intact(meeting):
    from forum.audit.services import verify_chains

    with unit_of_work():
        d = programme.set_deadline(meeting.secretariat, reload(meeting), kind=DeadlineKind.amendments,
                                   title="Amendments", due_at=datetime(2027, 3, 26, 18, 0))
    with unit_of_work():
        programme.extend_deadline(meeting.secretariat, db.session.get(Deadline, d.id),
                                  due_at=datetime(2027, 3, 27, 18, 0), granted_by_chair=True)
        programme.delete_deadline(meeting.secretariat, db.session.get(Deadline, d.id))
    reports = verify_chains()
    assert all(r.ok for r in reports)


def test_meeting_room_snapshot_gives_the_version(meeting):
    with unit_of_work():
        programme.add_agenda_item(meeting.secretariat, reload(meeting), number="1", title="Opening")
    snap = realtime.snapshot(meeting.secretariat, f"meeting:{meeting.id}")
    assert snap["meeting_id"] == meeting.id
    assert snap["version"] == reload(meeting).version
    assert "server_time" in snap
