"""Positions live: everyone following the draft hears of positions and statements after commit (with
the draft's version); a sitting named with them gets its `update`; poll events reach the caucus's
room only, never the draft's room nor anyone outside the caucus (rule 9)."""

from __future__ import annotations

from forum.db import unit_of_work
from forum.drafting.models import Draft
from forum.extensions import db
from forum.meetings.models import SpaceKind
from forum.positions import polls
from tests.positions_world import amendment_item, build_positions, paragraph_item, space, user


def test_positions_and_statements_reach_everyone_following_the_draft(make_user, make_meeting, make_participant,
                                                                       login, socket_client):
    w = build_positions(make_user, make_meeting, make_participant)
    room = f"draft:{w.draft_id}"
    observer = socket_client(login(w.u["observer"]))
    ack = observer.emit("subscribe", {"room": room}, callback=True)
    assert ack["ok"] is True
    version = ack["snapshot"]["version"]
    observer.events()
    item = paragraph_item(w, "2")
    base = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/items/paragraph/{item.id}"
    spokesperson = login(w.u["wkr_spokesperson"])
    response = spokesperson.post(f"{base}/positions/record", data={"position-group": "worker",
                                                                   "position-stance": "oppose"})
    assert response.status_code == 302
    (event,) = observer.events("position.changed")
    payload = event["args"][0]
    assert payload["room"] == room and payload["item"] == {"kind": "paragraph", "id": item.id}
    assert payload["group"] == "worker" and payload["stance"] == "oppose" and payload["previous"] is None
    assert payload["version"] == version + 1 == db.session.get(Draft, w.draft_id).version
    # The same position again: nothing is published.
    spokesperson.post(f"{base}/positions/record", data={"position-group": "worker", "position-stance": "oppose"})
    assert observer.events() == []
    login(w.u["kenya"]).post(f"{base}/statements", data={"statement-member_state": "KE",
                                                         "statement-stance": "support"})
    (event,) = observer.events("statement.added")
    assert event["args"][0]["member_state"] == "KE" and event["args"][0]["version"] == version + 2
    # A refused statement publishes nothing.
    login(w.u["kenya"]).post(f"{base}/statements", data={"statement-member_state": "DE",
                                                         "statement-stance": "support"})
    assert observer.events() == []


def test_poll_events_reach_the_caucus_room_only(make_user, make_meeting, make_participant, login, socket_client):
    w = build_positions(make_user, make_meeting, make_participant)
    caucus = space(w, SpaceKind.group, "worker")
    member = socket_client(login(w.u["worker"]))
    assert member.emit("subscribe", {"room": f"space:{caucus.id}"}, callback=True)["ok"] is True
    others = {}
    for role in ("employer", "chair", "secretariat"):
        sock = socket_client(login(w.u[role]))
        assert sock.emit("subscribe", {"room": f"space:{caucus.id}"}, callback=True)["ok"] is False
        assert sock.emit("subscribe", {"room": f"draft:{w.draft_id}"}, callback=True)["ok"] is True
        others[role] = sock
    for sock in (member, *others.values()):
        sock.events()
    with unit_of_work():
        poll = polls.open_poll(user(w, "wkr_secretary"), db.session.merge(caucus), amendment_item(w, "employers"))
    poll_url = f"/meetings/{w.meeting.id}/spaces/{caucus.id}/polls/{poll.id}"
    assert login(w.u["wkr_spokesperson"]).post(f"{poll_url}/answer", data={"choice": "support"}).status_code == 302
    assert login(w.u["wkr_secretary"]).post(f"{poll_url}/close").status_code == 302
    actions = [e["args"][0]["action"] for e in member.events("poll.changed")]
    assert actions == ["opened", "answered", "closed"]
    for role, sock in others.items():
        assert sock.events() == [], role
