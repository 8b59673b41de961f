"""Votes live: opening, the coalesced ballot count (a number, never who voted), closing and the
decision reach the meeting's room and the sitting's room."""

from __future__ import annotations

import json

import pytest

from forum import realtime
from forum.db import unit_of_work
from forum.extensions import db
from forum.positions import decisions
from forum.positions.items import item_of
from forum.realtime import Coalescer
from tests import votes_helpers as vh
from tests.drafting_world import para


@pytest.fixture
def held(monkeypatch):
    """A fresh coalescer whose delayed flushes the test runs by hand (no timing in tests)."""
    flushes: list = []
    monkeypatch.setattr(realtime, "coalescer", Coalescer(schedule=lambda delay, fn: flushes.append(fn)))
    return flushes


def test_vote_events_reach_the_meeting_room_with_counts_only(make_user, make_meeting, make_participant, login,
                                                             socket_client, held):
    w = vh.build(make_user, make_meeting, make_participant)
    sock = socket_client(login(w.u["observer"]))
    assert sock.emit("subscribe", {"room": f"meeting:{w.meeting.id}"}, callback=True)["ok"]
    sock.events()
    vote_id = vh.open_on(w, vote_type="secret")
    (opened,) = sock.events("vote.changed")
    assert opened["args"][0] == {"vote_id": vote_id, "state": "open", "action": "opened", "ballots_cast": 0}

    vh.cast(w, vote_id, "kenya", "for")
    vh.cast(w, vote_id, "worker", "against")
    vh.cast(w, vote_id, "employer", "abstain")
    counts = [e["args"][0] for e in sock.events("vote.changed")]
    assert counts == [{"vote_id": vote_id, "state": "open", "action": "ballots_counted", "ballots_cast": 1}]
    for flush in held:
        flush()
    counts = [e["args"][0]["ballots_cast"] for e in sock.events("vote.changed")]
    assert counts == [3]  # the burst collapsed into its latest count

    before = len(held)
    vh.close(w, vote_id)
    (closed,) = sock.events("vote.changed")
    assert closed["args"][0]["state"] == "closed" and closed["args"][0]["action"] == "closed"
    # A count held back while the vote was open is superseded by the closing count.
    for flush in held[before:]:
        flush()
    (last,) = sock.events("vote.changed")
    assert last["args"][0] == {"vote_id": vote_id, "state": "closed", "action": "ballots_counted", "ballots_cast": 3}


def test_vote_and_decision_updates_in_the_sitting_room_carry_no_identity(make_user, make_meeting, make_participant,
                                                                          login, socket_client, held):
    w = vh.build(make_user, make_meeting, make_participant)
    sock = socket_client(login(w.secretariat))
    ack = sock.emit("subscribe", {"room": f"sitting:{w.sitting_id}"}, callback=True)
    assert ack["ok"], ack
    sock.events()
    vote_id = vh.open_on(w, vote_type="secret")
    vh.cast(w, vote_id, "kenya", "against")
    vh.close(w, vote_id)
    updates = [e["args"][0] for e in sock.events("update")]
    assert [u["type"] for u in updates] == ["vote_opened", "ballots_counted", "vote_closed"]
    counted = updates[1]
    assert counted["data"] == {"vote_id": vote_id, "state": "open", "ballots_cast": 1}
    # The count does not bump the sitting's version: it is applied by its value, not as a step.
    assert counted["version"] == updates[0]["version"] and updates[2]["version"] == updates[0]["version"] + 1
    text = json.dumps(updates)
    assert "state:" not in text and "participant" not in text and "Kenya" not in text
    assert "against" not in json.dumps(updates[:2])
    with unit_of_work():
        decisions.declare(db.session.merge(w.u["chair"]), item_of(para(w, "1")), outcome="adopted",
                          method="consensus")
    (decision,) = [e["args"][0] for e in sock.events("update")]
    assert decision["type"] == "decision" and decision["data"]["outcome"] == "adopted"
    assert decision["data"]["method"] == "consensus"
