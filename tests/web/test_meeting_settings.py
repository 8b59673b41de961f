"""The secretariat's meeting settings: what can change once a meeting exists, recorded."""

from __future__ import annotations

import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.extensions import db
from forum.meetings.models import Meeting, Space, SpaceKind
from forum.meetings.services import setting


def test_the_secretariat_edits_the_meeting_and_its_rules(make_user, make_meeting, login):
    staff = make_user(staff=True)
    meeting = make_meeting(staff)
    client = login(staff)
    page = client.get(f"/meetings/{meeting.id}/settings")
    assert page.status_code == 200
    assert b'checked id="membership_effective_next_day"' in page.data or \
        b'id="membership_effective_next_day" name="membership_effective_next_day" type="checkbox" value="y" checked' \
        in page.data  # the default is shown ticked
    response = client.post(f"/meetings/{meeting.id}/settings", data={
        "title": "Renamed meeting", "venue": "Geneva", "starts_on": "2027-06-01", "ends_on": "2027-06-03",
        "participants_share_in_plenary": "y"})
    assert response.status_code == 302
    stored = db.session.get(Meeting, meeting.id)
    assert stored.title == "Renamed meeting" and stored.venue == "Geneva"
    assert setting(stored, "participants_share_in_plenary") is True
    assert setting(stored, "membership_effective_next_day") is False  # the unticked box
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "meeting.update")).one()
    assert "participants_share_in_plenary" in entry.payload


def test_participants_share_in_the_plenary_once_the_meeting_allows_it(make_user, make_meeting, make_participant,
                                                                      login):
    from forum import permissions

    staff = make_user(staff=True)
    meeting = make_meeting(staff)
    worker = make_participant(meeting, "worker")
    plenary = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id,
                                                        Space.kind == SpaceKind.plenary)).one()
    assert not permissions.can_upload_to_space(worker.user, plenary)
    login(staff).post(f"/meetings/{meeting.id}/settings", data={"title": meeting.title,
                                                                "participants_share_in_plenary": "y"})
    db.session.expire_all()
    assert permissions.can_upload_to_space(worker.user, db.session.get(Space, plenary.id))


def test_dates_out_of_order_are_refused_and_nothing_changes(make_user, make_meeting, login):
    staff = make_user(staff=True)
    meeting = make_meeting(staff, title="Original title")
    response = login(staff).post(f"/meetings/{meeting.id}/settings", data={
        "title": "Changed", "starts_on": "2027-06-03", "ends_on": "2027-06-01"})
    assert response.status_code == 422 and b"cannot end before it starts" in response.data
    assert db.session.get(Meeting, meeting.id).title == "Original title"


def test_only_the_secretariat_changes_the_meeting(make_meeting, make_participant, login, make_user):
    meeting = make_meeting()
    chair = make_participant(meeting, "government", roles=("chair",))
    assert login(chair.user).post(f"/meetings/{meeting.id}/settings", data={"title": "Mine"}).status_code == 403
    assert login(make_user(admin=True)).get(f"/meetings/{meeting.id}/settings").status_code == 404
    assert db.session.get(Meeting, meeting.id).title != "Mine"


def test_rule_4_the_secretariat_sets_and_clears_the_cut_off_time(make_user, make_meeting, login):
    from datetime import time

    from forum.meetings.services import membership_cutoff_of

    staff = make_user(staff=True)
    meeting = make_meeting(staff)
    client = login(staff)
    page = client.get(f"/meetings/{meeting.id}/settings").get_data(as_text=True)
    assert 'name="membership_cutoff"' in page and 'type="time"' in page
    keep = {"title": meeting.title, "membership_effective_next_day": "y"}
    assert client.post(f"/meetings/{meeting.id}/settings",
                       data={**keep, "membership_cutoff": "18:00"}).status_code == 302
    assert membership_cutoff_of(db.session.get(Meeting, meeting.id)) == time(18, 0)
    assert 'value="18:00"' in client.get(f"/meetings/{meeting.id}/settings").get_data(as_text=True)
    refused = client.post(f"/meetings/{meeting.id}/settings", data={**keep, "membership_cutoff": "25:00"})
    assert refused.status_code == 422 and b'id="membership_cutoff-error"' in refused.data
    assert membership_cutoff_of(db.session.get(Meeting, meeting.id)) == time(18, 0)
    assert client.post(f"/meetings/{meeting.id}/settings", data={**keep, "membership_cutoff": ""}).status_code == 302
    assert membership_cutoff_of(db.session.get(Meeting, meeting.id)) is None
