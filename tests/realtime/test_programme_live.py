"""Participants following a meeting hear of programme changes, with the meeting's version."""

from __future__ import annotations

from datetime import date


def test_a_participant_following_the_meeting_hears_programme_changes(make_user, make_meeting, make_participant,
                                                                     login, socket_client):
    secretariat = make_user(staff=True)
    meeting = make_meeting(secretariat, starts_on=date(2027, 6, 14), ends_on=date(2027, 6, 16))
    delegate = make_participant(meeting, "worker").user
    sock = socket_client(login(delegate))
    room = f"meeting:{meeting.id}"
    ack = sock.emit("subscribe", {"room": room}, callback=True)
    assert ack["ok"] is True
    version = ack["snapshot"]["version"]
    assert ack["snapshot"]["meeting_id"] == meeting.id and "server_time" in ack["snapshot"]
    sock.events()  # drop what came with the subscription

    response = login(secretariat).post(f"/meetings/{meeting.id}/programme/sittings", data={
        "sitting-title": "First sitting", "sitting-starts_at": "2027-06-14T10:00", "sitting-agenda_item_id": "0"})
    assert response.status_code == 302
    (event,) = sock.events("programme.changed")
    payload = event["args"][0]
    assert payload["room"] == room and payload["subject"] == "sitting" and payload["action"] == "schedule"
    assert payload["version"] == version + 1


def test_an_outsider_cannot_follow_the_meeting(make_user, make_meeting, login, socket_client):
    meeting = make_meeting(make_user(staff=True))
    sock = socket_client(login(make_user(staff=True)))
    ack = sock.emit("subscribe", {"room": f"meeting:{meeting.id}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
