"""Ballot attacks against a real server process (`flask forum serve`, as an operator runs it), on
SQLite and PostgreSQL: twenty racing ballots of one seat through the API and through sockets, a
duplicate ballot after a dropped response, and every Chair/secretariat command of the sittings
dispatcher sent by a delegate over a real socket.

The page form's race is tests/web/test_votes_race.py (record, show of hands, secret).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from forum.accounts.services import create_token
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import Sitting
from forum.positions.vote_models import GroupChoice, RecordChoice, SecretChoice, Vote, VoteParticipation
from forum.sittings import services
from tests import sittings_world
from tests.drafting_world import para
from tests.security.conftest import fingerprint
from tests.servers import Server

pytestmark = pytest.mark.postgres
RACERS = 20
CHOICE_MODEL = {"record": RecordChoice, "show_of_hands": GroupChoice, "secret": SecretChoice}


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    w = sittings_world.build(make_user, make_meeting, make_participant)
    sittings_world.run(w, "chair", "set_item", kind="paragraph", id=para(w, "1").id)
    return w


@pytest.fixture
def server(app, backend, database_url, tmp_path):
    s = Server(database_url, tmp_path).start()
    yield s
    s.stop()


def token(user) -> str:
    with unit_of_work():
        return create_token(db.session.merge(user), "live attack")


def open_vote(w, vote_type: str) -> int:
    return sittings_world.run(w, "chair", "open_vote", vote_type=vote_type)["vote_id"]


def count(model) -> int:
    db.session.rollback()  # a fresh snapshot: what the server committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def all_at_once(calls: list) -> list[Any]:
    """Run the calls in threads released together by a barrier; their results in call order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # reported by the assertion, not lost in a thread
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def socket_to(url: str, tok: str):
    import socketio as socketio_client

    client = socketio_client.Client(reconnection=False)
    client.connect(url, auth={"token": tok}, transports=["websocket"], wait_timeout=10)
    return client


# --- 2. the double-vote race -------------------------------------------------------------------------------

@pytest.mark.parametrize("vote_type", ["record", "show_of_hands", "secret"])
def test_double_vote_race_of_twenty_api_ballots_for_one_seat_counts_once(w, server, vote_type):
    vote_id = open_vote(w, vote_type)
    # Kenya's delegate and adviser hold the same seat (one ballot per State): ten requests each.
    tokens = [token(w.u["kenya"]), token(w.u["kenya_adviser"])]
    sessions = [requests.Session() for _ in range(RACERS)]

    def put(i: int):
        return lambda: sessions[i].put(f"{server.url}/api/v1/votes/{vote_id}/ballot", json={"choice": "for"},
                                       headers={"Authorization": f"Bearer {tokens[i % 2]}",
                                                "Idempotency-Key": str(uuid.uuid4())}, timeout=60)

    responses = all_at_once([put(i) for i in range(RACERS)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (RACERS - 1), statuses
    assert all(r.json()["error"]["code"] == "invalid_state" for r in responses if r.status_code == 409)
    assert count(VoteParticipation) == 1 and count(CHOICE_MODEL[vote_type]) == 1
    assert sum(count(m) for m in CHOICE_MODEL.values()) == 1


@pytest.mark.parametrize("vote_type", ["record", "show_of_hands", "secret"])
def test_double_vote_race_of_twenty_socket_ballots_for_one_seat_counts_once(w, server, vote_type):
    vote_id = open_vote(w, vote_type)
    tokens = [token(w.u["kenya"]), token(w.u["kenya_adviser"])]
    clients = [socket_to(server.url, tokens[i % 2]) for i in range(RACERS)]
    try:
        message = {"sitting_id": w.sitting_id, "command": "cast_ballot", "vote_id": vote_id, "choice": "against"}
        acks = all_at_once([lambda c=c: c.call("sitting_command", message, timeout=60) for c in clients])
    finally:
        # Together: each client's close waits for the server's closing frame (seconds each, in turn).
        all_at_once([c.disconnect for c in clients])
    assert not [a for a in acks if isinstance(a, Exception)], acks
    oks = [a for a in acks if a["ok"]]
    refused = [a for a in acks if not a["ok"]]
    assert len(oks) == 1, acks
    assert len(refused) == RACERS - 1 and {a["error"]["code"] for a in refused} == {"invalid_state"}, refused
    assert count(VoteParticipation) == 1 and count(CHOICE_MODEL[vote_type]) == 1
    assert sum(count(m) for m in CHOICE_MODEL.values()) == 1


# --- 7. a duplicate ballot after a dropped response --------------------------------------------------------

@pytest.mark.parametrize("vote_type", ["record", "show_of_hands"])
def test_duplicate_ballot_after_a_dropped_response_replays_the_first_answer(w, server, vote_type):
    """The client never saw the first answer and sends the same request again with its key."""
    vote_id = open_vote(w, vote_type)
    headers = {"Authorization": f"Bearer {token(w.u['kenya'])}", "Idempotency-Key": str(uuid.uuid4())}
    url = f"{server.url}/api/v1/votes/{vote_id}/ballot"
    first = requests.put(url, json={"choice": "for"}, headers=headers, timeout=30)
    again = requests.put(url, json={"choice": "for"}, headers=headers, timeout=30)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content  # byte for byte: the stored answer, not a new one
    assert count(VoteParticipation) == 1 and count(CHOICE_MODEL[vote_type]) == 1
    ballots = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "vote.ballot"))
    assert ballots == 1
    # The same key with another body is not a replay: refused, nothing changes.
    other = requests.put(url, json={"choice": "against"}, headers=headers, timeout=30)
    assert other.status_code in (409, 422) and count(VoteParticipation) == 1


def test_duplicate_secret_ballot_after_a_dropped_response_is_a_documented_conflict(w, server):
    """A secret ballot's receipt is never stored, so its answer cannot be replayed: the repeat is
    409 'already voted' (the ballot was counted) and there is still one ballot."""
    vote_id = open_vote(w, "secret")
    headers = {"Authorization": f"Bearer {token(w.u['kenya'])}", "Idempotency-Key": str(uuid.uuid4())}
    url = f"{server.url}/api/v1/votes/{vote_id}/ballot"
    first = requests.put(url, json={"choice": "for"}, headers=headers, timeout=30)
    assert first.status_code == 200 and first.json()["receipt"]
    again = requests.put(url, json={"choice": "for"}, headers=headers, timeout=30)
    assert again.status_code == 409 and "already voted" in again.json()["error"]["message"]
    assert first.json()["receipt"] not in again.text
    assert count(VoteParticipation) == 1 and count(SecretChoice) == 1


# --- 6. Chair and secretariat commands from a delegate -----------------------------------------------------

def _payloads(w) -> dict[str, dict[str, Any]]:
    """Well-formed payloads, so that a refusal can only come from the rights."""
    request_id = sittings_world.run(w, "germany", "request_floor")["request_id"]
    vote_id = open_vote(w, "record")
    item = {"kind": "paragraph", "id": para(w, "1").id}
    return {
        "make_live": {"draft_id": w.draft_id}, "set_item": item, "take_up": item,
        "register_speaker": {"participant_id": w.p["germany"].id}, "remove_request": {"request_id": request_id},
        "move_request": {"request_id": request_id, "position": 1}, "grant_floor": {"request_id": request_id},
        "set_time_limit": {"seconds": 60}, "start_timer": {"seconds": 60}, "invite_observers": {"open": True},
        "announce": {"text": "The sitting is suspended."}, "set_script": {"text": "Script", "kind": "paragraph",
                                                                           "id": para(w, "1").id},
        "presence": {"participant_id": w.p["germany"].id, "present": False},
        "type_oral_amendment": {"text": "new words"}, "cancel_oral_amendment": {},
        "record_oral_amendment": {"text": "new words"}, "open_vote": {"vote_type": "secret"},
        "close_vote": {"vote_id": vote_id}, "declare_outcome": {"outcome": "adopted", "method": "vote",
                                                                  "vote_id": vote_id},
        "officers_message": {"text": "A word to the officers"},
    }


def test_chair_only_socket_commands_from_a_delegate_are_refused_without_any_change(w, server):
    """Every command reserved to the Chair or the secretariat, sent by Kenya's delegate over a real
    socket with a well-formed payload: `not_allowed`, no row changes, no version bump, and nobody
    following the sitting receives anything."""
    payloads = _payloads(w)
    reserved = [name for name, c in services.COMMANDS.items() if c.who in ("preside", "secretariat", "officers")]
    assert {"close", "open_vote", "close_vote", "declare_outcome", "grant_floor", "make_live"} <= set(reserved)
    delegate = socket_to(server.url, token(w.u["kenya"]))
    watcher = socket_to(server.url, token(w.u["germany"]))
    seen: list = []
    watcher.on("update", seen.append)
    try:
        for client in (delegate, watcher):
            assert client.call("join", {"sitting_id": w.sitting_id}, timeout=30)["ok"]
        db.session.rollback()
        before, version = fingerprint(), db.session.get(Sitting, w.sitting_id).version
        failures = []
        for name in reserved:
            ack = delegate.call("sitting_command", {"sitting_id": w.sitting_id, "command": name,
                                                    **payloads.get(name, {})}, timeout=30)
            if ack.get("ok") is not False or ack["error"]["code"] != "not_allowed":
                failures.append(f"{name}: {ack}")
        # A last round trip on the watcher's socket: anything published would have arrived before it.
        assert watcher.call("snapshot", {"sitting_id": w.sitting_id}, timeout=30)["ok"]
    finally:
        delegate.disconnect()
        watcher.disconnect()
    assert not failures, "\n".join(failures)
    db.session.rollback()
    assert db.session.get(Sitting, w.sitting_id).version == version
    after = fingerprint()
    after.pop("api_tokens", None), before.pop("api_tokens", None)
    assert after == before
    assert seen == []
    assert db.session.get(Vote, payloads["close_vote"]["vote_id"]).is_open
