"""The programme and bulletin pages: every participant reads, the secretariat writes, times are
shown in the meeting's zone (PROCEDURE.md rule 13)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings import programme
from forum.meetings.models import AgendaItem, Announcement, Deadline, Meeting, Sitting

# 14–16 June 2027 in Geneva: summer time, UTC+2.
FIRST_DAY = date(2027, 6, 14)


@pytest.fixture
def setup(make_user, make_meeting, make_participant, login):
    secretariat = make_user(staff=True, name="Sécretariat One")
    meeting = make_meeting(secretariat, timezone="Europe/Zurich", starts_on=FIRST_DAY, ends_on=date(2027, 6, 16))
    delegate = make_participant(meeting, "employer").user
    outsider = make_user(staff=True)

    class S:
        pass

    s = S()
    s.meeting, s.secretariat, s.delegate, s.outsider = meeting, secretariat, delegate, outsider
    s.sec = login(secretariat)
    s.dele = login(delegate)
    s.out = login(outsider)
    s.base = f"/meetings/{meeting.id}"
    return s


def meeting_of(s) -> Meeting:
    return db.session.get(Meeting, s.meeting.id)


def add_sitting(s, title: str, start: datetime, **kw) -> Sitting:
    with unit_of_work():
        return programme.schedule_sitting(s.secretariat, meeting_of(s), title=title, starts_at=start, **kw)


def add_deadline(s, title: str, due: datetime, kind: str = "amendments") -> Deadline:
    with unit_of_work():
        return programme.set_deadline(s.secretariat, meeting_of(s), kind=kind, title=title, due_at=due)


# --- who sees what -----------------------------------------------------------------------------------

def test_every_participant_reads_the_programme_but_only_the_secretariat_gets_forms(setup):
    s = setup
    add_sitting(s, "Opening sitting", datetime(2027, 6, 14, 10, 0), room="Room II")
    page = s.dele.get(f"{s.base}/programme")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Opening sitting" in html and "10:00" in html and "Europe/Zurich" in html
    assert "Schedule a sitting" not in html and "/programme/sittings/" not in html
    sec_html = s.sec.get(f"{s.base}/programme").get_data(as_text=True)
    assert "Schedule a sitting" in sec_html and "Set a deadline" in sec_html and "Add an agenda item" in sec_html


def test_non_participants_get_404_on_programme_and_bulletin(setup):
    s = setup
    item = None
    with unit_of_work():
        item = programme.add_agenda_item(s.secretariat, meeting_of(s), number="1", title="Opening")
    for url in (f"{s.base}/programme", f"{s.base}/bulletin", f"{s.base}/bulletin/2027-06-14",
                f"{s.base}/programme/agenda/{item.id}/edit"):
        assert s.out.get(url).status_code == 404, url
    assert s.out.post(f"{s.base}/programme/sittings", data={}).status_code == 404


def test_a_delegate_is_refused_every_change_with_403(setup):
    s = setup
    sitting = add_sitting(s, "Opening sitting", datetime(2027, 6, 14, 10, 0))
    deadline = add_deadline(s, "Amendments", datetime(2027, 6, 14, 18, 0))
    with unit_of_work():
        item = programme.add_agenda_item(s.secretariat, meeting_of(s), number="1", title="Opening")
        note = programme.post_announcement(s.secretariat, meeting_of(s), day=FIRST_DAY, body="Welcome")
    gets = [f"/programme/agenda/{item.id}/edit", f"/programme/agenda/{item.id}/delete",
            f"/programme/sittings/{sitting.id}/edit", f"/programme/sittings/{sitting.id}/cancel",
            f"/programme/deadlines/{deadline.id}/edit", f"/programme/deadlines/{deadline.id}/extend",
            f"/programme/deadlines/{deadline.id}/delete", f"/announcements/{note.id}/delete"]
    posts = [*gets, "/programme/agenda", "/programme/sittings", "/programme/deadlines",
             "/bulletin/2027-06-14/announcements"]
    for path in gets:
        assert s.dele.get(s.base + path).status_code == 403, path
    for path in posts:
        assert s.dele.post(s.base + path, data={"sitting-title": "X", "body": "X"}).status_code == 403, path
    assert db.session.get(Sitting, sitting.id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Announcement)) == 1


# --- the secretariat's forms ----------------------------------------------------------------------------

def test_rule_13_secretariat_schedules_a_sitting_in_local_time(setup):
    s = setup
    with unit_of_work():
        item = programme.add_agenda_item(s.secretariat, meeting_of(s), number="2", title="General discussion")
    response = s.sec.post(f"{s.base}/programme/sittings", data={
        "sitting-title": "Second sitting", "sitting-starts_at": "2027-06-14T14:30",
        "sitting-ends_at": "2027-06-14T17:30", "sitting-room": "Room XII", "sitting-agenda_item_id": str(item.id)})
    assert response.status_code == 302
    sitting = db.session.scalars(sa.select(Sitting)).one()
    assert sitting.starts_at == datetime(2027, 6, 14, 12, 30, tzinfo=UTC)
    assert sitting.agenda_item_id == item.id
    html = s.dele.get(f"{s.base}/programme").get_data(as_text=True)
    assert "14:30–17:30" in html and "General discussion" in html


def test_invalid_sitting_is_shown_again_with_field_errors_and_nothing_saved(setup):
    s = setup
    response = s.sec.post(f"{s.base}/programme/sittings", data={
        "sitting-title": "Backwards", "sitting-starts_at": "2027-06-14T15:00", "sitting-ends_at": "2027-06-14T14:00",
        "sitting-agenda_item_id": "0"})
    assert response.status_code == 422
    assert "The sitting must end after it starts." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sitting)) == 0


def test_rule_13_secretariat_extends_a_deadline_and_everyone_sees_the_original(setup):
    s = setup
    deadline = add_deadline(s, "Written amendments", datetime(2027, 6, 14, 18, 0))
    form = s.sec.get(f"{s.base}/programme/deadlines/{deadline.id}/extend")
    assert form.status_code == 200 and "2027-06-14T18:00" in form.get_data(as_text=True)
    response = s.sec.post(f"{s.base}/programme/deadlines/{deadline.id}/extend", data={
        "due_at": "2027-06-15T12:00", "note": "At the request of the Workers' group", "granted_by_chair": "y"})
    assert response.status_code == 302
    stored = db.session.get(Deadline, deadline.id)
    assert stored.original_due_at == datetime(2027, 6, 14, 16, 0, tzinfo=UTC)
    html = s.dele.get(f"{s.base}/programme").get_data(as_text=True)
    assert "Extended from" in html and "18:00" in html and "12:00" in html
    assert "Granted by the Chairperson." in html
    assert "At the request of the Workers" in html


def test_deleting_asks_for_confirmation_first(setup):
    s = setup
    with unit_of_work():
        item_id = programme.add_agenda_item(s.secretariat, meeting_of(s), number="3", title="Adoption").id
    confirm = s.sec.get(f"{s.base}/programme/agenda/{item_id}/delete")
    assert confirm.status_code == 200
    assert "Delete agenda item 3" in confirm.get_data(as_text=True)
    assert db.session.get(AgendaItem, item_id) is not None  # a GET changes nothing
    assert s.sec.post(f"{s.base}/programme/agenda/{item_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(AgendaItem, item_id) is None


def test_objects_of_another_meeting_are_not_found_through_this_one(setup, make_meeting):
    s = setup
    other = make_meeting(s.secretariat)
    with unit_of_work():
        foreign = programme.add_agenda_item(s.secretariat, db.session.get(Meeting, other.id), number="1",
                                            title="Elsewhere")
    assert s.sec.get(f"{s.base}/programme/agenda/{foreign.id}/edit").status_code == 404


# --- bulletin ---------------------------------------------------------------------------------------------

def test_rule_13_bulletin_groups_items_by_the_meeting_day(setup):
    """23:30 in Geneva is 21:30 UTC the same day; 00:30 is 22:30 UTC the day before."""
    s = setup
    add_deadline(s, "Late-night amendments", datetime(2027, 6, 14, 23, 30))
    add_sitting(s, "Night sitting", datetime(2027, 6, 15, 0, 30))
    day1 = s.dele.get(f"{s.base}/bulletin/2027-06-14").get_data(as_text=True)
    day2 = s.dele.get(f"{s.base}/bulletin/2027-06-15").get_data(as_text=True)
    assert "Late-night amendments" in day1.split("Coming deadlines")[0]
    assert "23:30" in day1
    assert "Night sitting" not in day1
    assert "Night sitting" in day2 and "00:30" in day2
    assert "Late-night amendments" not in day2
    assert "Europe/Zurich (CEST, UTC+02:00)" in day1


def test_bulletin_links_to_the_previous_and_next_days_and_numbers_the_day(setup):
    s = setup
    html = s.dele.get(f"{s.base}/bulletin/2027-06-15").get_data(as_text=True)
    assert f'{s.base}/bulletin/2027-06-14"' in html and f'{s.base}/bulletin/2027-06-16"' in html
    assert "Day 2 of the meeting" in html
    assert 'rel="stylesheet" href="/static/css/programme.css"' in html or "programme.css" in html


def test_bulletin_without_a_day_shows_today_in_the_meeting_zone(setup):
    s = setup
    today = programme.meeting_today(meeting_of(s))
    html = s.dele.get(f"{s.base}/bulletin").get_data(as_text=True)
    assert f'datetime="{today.isoformat()}"' in html


def test_bulletin_refuses_a_malformed_day(setup):
    s = setup
    for bad in ("2027-13-01", "yesterday", "2027-6-1", "1900-01-01"):
        assert s.dele.get(f"{s.base}/bulletin/{bad}").status_code == 404, bad


def test_secretariat_posts_an_announcement_that_participants_read(setup):
    s = setup
    response = s.sec.post(f"{s.base}/bulletin/2027-06-15/announcements",
                          data={"body": "The Workers' group meets at 9.00 in Room VII."})
    assert response.status_code == 302
    assert "The Workers&#39; group meets" in s.dele.get(f"{s.base}/bulletin/2027-06-15").get_data(as_text=True)
    assert "group meets" not in s.dele.get(f"{s.base}/bulletin/2027-06-14").get_data(as_text=True)
    empty = s.sec.post(f"{s.base}/bulletin/2027-06-15/announcements", data={"body": ""})
    assert empty.status_code == 422


def test_programme_and_bulletin_are_linked_from_the_meeting(setup):
    s = setup
    html = s.dele.get(s.base).get_data(as_text=True)
    assert f"{s.base}/programme" in html and f"{s.base}/bulletin" in html


def test_programme_page_query_count_does_not_grow_with_the_programme(setup, app):
    s = setup

    def statements() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert s.dele.get(f"{s.base}/programme").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    with unit_of_work():
        item = programme.add_agenda_item(s.secretariat, meeting_of(s), number="1", title="Opening")
    add_sitting(s, "Sitting 1", datetime(2027, 6, 14, 10, 0), agenda_item_id=item.id)
    d = add_deadline(s, "D1", datetime(2027, 6, 14, 18, 0))
    with unit_of_work():
        programme.extend_deadline(s.secretariat, db.session.get(Deadline, d.id), due_at=datetime(2027, 6, 14, 20, 0))
    few = statements()
    for n in range(2, 8):
        add_sitting(s, f"Sitting {n}", datetime(2027, 6, 15, 8 + n, 0), agenda_item_id=item.id)
        d = add_deadline(s, f"D{n}", datetime(2027, 6, 15, 8 + n, 30))
        with unit_of_work():
            programme.extend_deadline(s.secretariat, db.session.get(Deadline, d.id),
                                      due_at=datetime(2027, 6, 15, 20, n))
    assert statements() <= few


def test_deleting_without_the_form_token_is_refused_when_csrf_is_on(session_app, setup):
    import re

    from forum import create_app
    from tests.conftest import PASSWORD

    s = setup
    with unit_of_work():
        item_id = programme.add_agenda_item(s.secretariat, meeting_of(s), number="1", title="Opening").id
    app = create_app({**session_app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    client = app.test_client()

    def token(url: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]

    signed_in = client.post("/login", data={"email": s.secretariat.email, "password": PASSWORD,
                                            "csrf_token": token("/login")})
    assert signed_in.status_code == 302 and "/login" not in signed_in.headers["Location"], signed_in.data[:300]
    url = f"{s.base}/programme/agenda/{item_id}/delete"
    assert client.post(url).status_code == 400
    assert db.session.get(AgendaItem, item_id) is not None
    deleted = client.post(url, data={"csrf_token": token(url)})
    assert deleted.status_code == 302 and "/programme" in deleted.headers["Location"]
    db.session.rollback()  # end the test's read snapshot
    assert db.session.get(AgendaItem, item_id) is None


def test_pages_carry_the_version_they_were_drawn_at_for_the_live_notice(setup):
    s = setup
    add_sitting(s, "First sitting", datetime(2027, 6, 14, 10, 0))
    version = meeting_of(s).version
    for url in (f"{s.base}/programme", f"{s.base}/bulletin/2027-06-14"):
        html = s.dele.get(url).get_data(as_text=True)
        assert f'data-room="meeting:{s.meeting.id}" data-version="{version}"' in html
        assert "js/programme.js" in html
