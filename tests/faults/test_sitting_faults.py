"""Faults in a live sitting, against a real server process (issues #7 and #12).

- kill -9 during a burst of ballots: after the restart every acknowledged ballot is there, none
  twice, the vote still open, the sitting where it was (a restart mid-sitting loses nothing);
- a delegate's connection cut while a vote opens and closes: on reconnecting it resyncs to the
  closed vote and its result from the snapshot, by version.
Waits are bounded; nothing asserts on how long something took.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import socketio as socketio_client

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.extensions import db
from tests.faults.conftest import Server
from tests.sittings_world import build

pytestmark = [pytest.mark.xdist_group("serial")]

SEATS = ("kenya", "germany", "italy", "senegal", "africa", "employer", "emp_spokesperson", "worker",
         "wkr_spokesperson")


@pytest.fixture
def w(app, database_url, make_user, make_meeting, make_participant):
    assert database_url.startswith("sqlite")
    w = build(make_user, make_meeting, make_participant)
    # More Worker members (each votes individually in committee mode) make the burst a burst.
    for i in range(15):
        role = f"worker{i}"
        w.p[role] = make_participant(w.meeting, "worker", name=f"Worker member {i}")
        w.u[role] = w.p[role].user
    w.seats = (*SEATS, *(f"worker{i}" for i in range(15)))
    with unit_of_work():
        w.tokens = {role: create_token(db.session.merge(w.u[role]), "faults test")
                    for role in ("chair", *w.seats)}
    return w


@pytest.fixture
def server(w, database_url, tmp_path):
    s = Server(database_url, tmp_path).start()
    yield s
    s.stop()


class Client:
    def __init__(self, url: str, token: str, sitting_id: int) -> None:
        self.sitting_id = sitting_id
        self.updates: list[dict[str, Any]] = []
        self.sio = socketio_client.Client(reconnection=False)
        self.sio.on("update", self.updates.append)
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        ack = self.sio.call("join", {"sitting_id": sitting_id}, timeout=10)
        assert ack["ok"], ack
        self.state = ack["state"]

    def command(self, name: str, **payload: Any) -> dict[str, Any]:
        return self.sio.call("sitting_command", {"sitting_id": self.sitting_id, "command": name, **payload},
                             timeout=15)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def ballots(vote_id: int) -> list[tuple[str, int]]:
    db.session.rollback()
    return [tuple(row) for row in db.session.execute(db.text(
        "SELECT v.voter_key, p.user_id FROM vote_participations v JOIN participants p ON p.id = v.participant_id "
        "WHERE v.vote_id = :v"), {"v": vote_id}).all()]


def test_kill_9_during_a_ballot_burst_keeps_every_acknowledged_ballot_once_and_the_vote_open(w, server):
    chair = Client(server.url, w.tokens["chair"], w.sitting_id)
    voters = {role: Client(server.url, w.tokens[role], w.sitting_id) for role in w.seats}
    assert chair.command("announce", text="Voting now")["ok"]
    opened = chair.command("open_vote", vote_type="record")
    assert opened["ok"], opened
    vote_id = opened["vote_id"]
    before = chair.sio.call("snapshot", {"sitting_id": w.sitting_id}, timeout=10)["state"]
    acked: list[str] = []
    enough = threading.Event()

    def cast(role: str) -> None:
        try:
            ack = voters[role].command("cast_ballot", vote_id=vote_id, choice="for")
        except Exception:  # the server died under it: no acknowledgement, no promise
            return
        if ack.get("ok"):
            acked.append(role)
            if len(acked) >= 5:
                enough.set()

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(cast, role) for role in w.seats]
        assert enough.wait(30)
        server.kill9()
        for f in futures:
            f.result(timeout=30)
    for c in (chair, *voters.values()):
        c.close()

    recorded = ballots(vote_id)
    keys = [key for key, _user in recorded]
    assert len(keys) == len(set(keys))  # no seat twice
    assert {w.u[role].id for role in acked} <= {user for _key, user in recorded}  # every acknowledged ballot
    server.start()
    kenya = Client(server.url, w.tokens["kenya"], w.sitting_id)
    after = kenya.state
    assert after["vote"]["state"] == "open" and after["vote"]["ballots_cast"] == len(recorded)
    for key in ("version", "state", "item", "announcement"):
        assert after[key] == before[key], key  # the sitting is where it was: nothing lost in the restart
    # The voters carry on: each seat ends up counted exactly once.
    for role in w.seats:
        c = Client(server.url, w.tokens[role], w.sitting_id)
        ack = c.command("cast_ballot", vote_id=vote_id, choice="for")
        assert ack["ok"] or ack["error"]["code"] == "invalid_state", ack
        c.close()
    keys = [key for key, _user in ballots(vote_id)]
    assert len(keys) == len(set(keys)) == len(w.seats)  # one each, the ones cast before the kill included
    kenya.close()


def test_a_delegate_cut_off_while_a_vote_opens_and_closes_resyncs_to_the_result(w, server):
    chair = Client(server.url, w.tokens["chair"], w.sitting_id)
    germany = Client(server.url, w.tokens["germany"], w.sitting_id)
    kenya = Client(server.url, w.tokens["kenya"], w.sitting_id)
    seen = kenya.state["version"]
    kenya.sio.eio.disconnect(abort=True)  # the network goes: no goodbye to the server

    opened = chair.command("open_vote", vote_type="record")
    assert opened["ok"], opened
    assert germany.command("cast_ballot", vote_id=opened["vote_id"], choice="against")["ok"]
    closed = chair.command("close_vote", vote_id=opened["vote_id"])
    assert closed["ok"], closed

    again = Client(server.url, w.tokens["kenya"], w.sitting_id)  # reconnects and joins: the snapshot
    state = again.state
    assert state["version"] == closed["version"] > seen  # the gap it missed is bridged by the snapshot
    assert state["vote"]["state"] == "closed"
    assert state["vote"]["totals"]["against"]["raw"] == 1 and state["vote"]["totals"]["for"]["raw"] == 0
    late = again.command("cast_ballot", vote_id=opened["vote_id"], choice="for")
    assert late["ok"] is False and late["error"]["code"] == "invalid_state"
    for c in (chair, germany, again):
        c.close()


def test_a_ballot_meeting_a_lock_held_past_the_busy_timeout_answers_database_busy_and_counts_nothing(
        w, database_url, tmp_path):
    """The socket side of tests/faults/test_database_locked.py: `database_busy` with `retry_after`,
    never `server_error`; nothing written; the retry after the lock is released is counted once."""
    import sqlite3
    import time

    s = Server(database_url, tmp_path, FORUM_SQLITE_BUSY_TIMEOUT_MS="300").start()
    try:
        chair = Client(s.url, w.tokens["chair"], w.sitting_id)
        kenya = Client(s.url, w.tokens["kenya"], w.sitting_id)
        opened = chair.command("open_vote", vote_type="record")
        assert opened["ok"], opened
        vote_id = opened["vote_id"]
        locker = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
        locker.execute("BEGIN IMMEDIATE")  # another writer (a backup tool, a stuck process) keeps the lock
        try:
            ack = kenya.command("cast_ballot", vote_id=vote_id, choice="for")
        finally:
            time.sleep(0.1)
            locker.execute("ROLLBACK")
            locker.close()
        assert ack["ok"] is False and ack["error"]["code"] == "database_busy", ack
        assert ack["error"]["retry_after"] > 0 and ack["error"]["message"]
        assert ballots(vote_id) == []
        again = kenya.command("cast_ballot", vote_id=vote_id, choice="for")
        assert again["ok"], again
        assert [key for key, _user in ballots(vote_id)] == ["state:KE"]
        chair.close()
        kenya.close()
    finally:
        s.stop()
