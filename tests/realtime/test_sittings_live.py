"""The live channel of a sitting: `join`, `sitting_command`, `snapshot {"sitting_id"}` and `update`.

Rights are re-checked on every command, ids of other people in a payload are ignored, malformed
payloads are answered with error objects, officers' news reaches officers only, a client that
missed updates resyncs by version, and a real server process restarted mid-sitting loses nothing.
"""

from __future__ import annotations

import time

import pytest

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.extensions import db
from forum.sittings import services, throttle
from tests.drafting_world import para
from tests.servers import Server
from tests.sittings_world import build, run, sitting


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def joined(w, login, socket_client, role):
    sock = socket_client(login(w.u[role]))
    ack = sock.emit("join", {"sitting_id": w.sitting_id}, callback=True)
    assert ack["ok"] is True, ack
    sock.events()
    return sock, ack["state"]


def updates(sock, type_=None):
    found = [e["args"][0] for e in sock.events("update")]
    return [u for u in found if type_ is None or u["type"] == type_]


def command(sock, w, name, **payload):
    return sock.emit("sitting_command", {"sitting_id": w.sitting_id, "command": name, **payload}, callback=True)


def test_join_acks_with_the_state_version_and_server_time(w, login, socket_client):
    _sock, state = joined(w, login, socket_client, "kenya")
    assert state["sitting_id"] == w.sitting_id and state["state"] == "live"
    assert state["version"] == sitting(w).version and "server_time" in state
    assert state["item"]["label"] == "preamble" and state["you"]["participant_id"] == w.p["kenya"].id
    assert "officers" not in state and "chair" not in state


def test_nobody_joins_a_sitting_they_may_not_see(w, login, socket_client):
    sock = socket_client(login(w.outsider))
    for data in ({"sitting_id": w.sitting_id}, {"sitting_id": 999999}, {"sitting_id": "x"}, ["nope"], None):
        ack = sock.emit("join", data, callback=True)
        assert ack == {"ok": False, "error": {"code": "not_found", "message": ack["error"]["message"]}}
    assert sock.emit("snapshot", {"sitting_id": w.sitting_id}, callback=True)["error"]["code"] == "not_found"


def test_a_command_updates_everyone_in_the_room_once_with_the_next_version(w, login, socket_client):
    chair, state = joined(w, login, socket_client, "chair")
    delegate, _ = joined(w, login, socket_client, "worker")
    ack = command(chair, w, "set_item", kind="paragraph", id=para(w, "3").id)
    assert ack["ok"] is True and ack["version"] == state["version"] + 1
    for sock in (chair, delegate):
        (update,) = updates(sock, "item_changed")
        assert update["sitting_id"] == w.sitting_id and update["version"] == state["version"] + 1
        assert update["data"]["item"]["label"] == "3"


def test_a_delegate_sending_chair_commands_is_refused_over_the_socket(w, login, socket_client):
    sock, state = joined(w, login, socket_client, "kenya")
    for name in ("close", "grant_floor", "announce", "call_objections", "open_vote", "set_script", "next_item"):
        ack = command(sock, w, name, text="x")
        assert ack["ok"] is False and ack["error"]["code"] == "not_allowed", (name, ack)
    assert sitting(w).version == state["version"] and updates(sock) == []


def test_malformed_payloads_are_answered_with_error_objects(w, login, socket_client):
    sock, _ = joined(w, login, socket_client, "chair")
    assert sock.emit("sitting_command", ["announce"], callback=True)["error"]["code"] == "bad_request"
    assert sock.emit("sitting_command", {"command": "announce"}, callback=True)["error"]["code"] == "not_found"
    unknown = command(sock, w, "adopt_everything")
    assert unknown["error"]["code"] == "validation_failed" and "command" in unknown["error"]["fields"]
    bad = command(sock, w, "set_item", kind="paragraph", id="seven")
    assert bad["error"] == {"code": "validation_failed", "message": bad["error"]["message"], "fields": {
        "id": ["Use a whole number."]}}
    assert command(sock, w, "announce", text=["a", "b"])["error"]["fields"] == {"text": ["Use text."]}
    assert command(sock, w, "request_floor", kind={"$ne": 1})["error"]["code"] == "validation_failed"


def test_another_users_id_in_a_payload_is_ignored_or_refused(w, login, socket_client):
    kenya, _ = joined(w, login, socket_client, "kenya")
    germany, _ = joined(w, login, socket_client, "germany")
    ack = command(kenya, w, "request_floor", participant_id=w.p["germany"].id, user_id=w.u["germany"].id)
    assert ack["ok"] is True
    (update,) = updates(germany, "speakers_changed")
    assert [s["participant_id"] for s in update["data"]["waiting"]] == [w.p["kenya"].id]
    refused = command(germany, w, "withdraw_request", request_id=ack["request_id"])
    assert refused["error"]["code"] == "not_allowed"


def test_a_flood_of_floor_requests_is_throttled_per_user(w, login, socket_client):
    throttle.reset()
    sock, _ = joined(w, login, socket_client, "kenya")
    answers = [command(sock, w, "request_floor") for _ in range(25)]
    throttled = [a for a in answers if not a["ok"]]
    assert throttled and all(a["error"]["code"] == "throttled" for a in throttled)
    assert answers[0]["ok"] and sum(1 for a in answers if a["ok"]) < 25
    throttle.reset()


def test_the_officers_room_and_the_script_reach_officers_only(w, login, socket_client):
    chair, _ = joined(w, login, socket_client, "chair")
    reporter, state = joined(w, login, socket_client, "reporter")
    kenya, _ = joined(w, login, socket_client, "kenya")
    assert "officers" in state
    assert command(reporter, w, "officers_message", body="Quorum?")["ok"]
    assert command(socket_client(login(w.secretariat)), w, "set_script", text="Say thanks")["ok"]
    for sock in (chair, reporter):
        assert [u["type"] for u in updates(sock)] == ["officers_message", "script_changed"]
    assert updates(kenya) == []
    assert sitting(w).version == state["version"]  # officers' news does not advance the public version
    refused = command(kenya, w, "officers_message", body="Hello?")
    assert refused["error"]["code"] == "not_allowed"


def test_snapshot_by_sitting_id_and_by_room_answer_the_same_state(w, login, socket_client):
    sock, _ = joined(w, login, socket_client, "worker")
    by_id = sock.emit("snapshot", {"sitting_id": w.sitting_id}, callback=True)
    by_room = sock.emit("snapshot", {"room": f"sitting:{w.sitting_id}"}, callback=True)
    assert by_id["ok"] and by_room["ok"] and by_id["state"]["version"] == by_room["snapshot"]["version"]
    assert by_id["state"]["item"] == by_room["snapshot"]["item"]


def test_a_client_that_reconnects_resyncs_by_version(w, login, socket_client):
    client = login(w.u["kenya"])
    sock = socket_client(client)
    first = sock.emit("join", {"sitting_id": w.sitting_id}, callback=True)["state"]
    sock.disconnect()
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "4").id)
    run(w, "germany", "request_floor")
    run(w, "chair", "announce", text="Back at three")
    again = socket_client(client)
    state = again.emit("join", {"sitting_id": w.sitting_id}, callback=True)["state"]
    assert state["version"] == first["version"] + 3
    assert state["item"]["label"] == "4" and state["announcement"] == "Back at three"
    assert [s["name"] for s in state["speakers"]["waiting"]] == ["Germany Delegate"]


def test_every_command_checks_its_rights_for_every_role(w, login, socket_client):
    """The command × role matrix for the commands whose rule is the sittings' own (positions,
    statements and ballots are the positions module's rules and have their own tests)."""
    mine = run(w, "kenya", "request_floor")
    allowed = {
        "preside": {"chair", "secretariat"},
        "secretariat": {"secretariat"},
        "officers": {"chair", "secretariat", "reporter", "wkr_spokesperson"},
    }
    roles = ("chair", "secretariat", "kenya", "worker", "employer", "observer", "reporter", "wkr_spokesperson")
    socks = {role: socket_client(login(w.u[role])) for role in roles}
    outsider = socket_client(login(w.outsider))
    failures = []
    last = ("close",)
    names = [n for n in services.COMMANDS if n not in last] + list(last)
    for name in names:
        who = services.COMMANDS[name].who
        if who not in allowed and name not in ("request_floor", "withdraw_request"):
            continue
        for role in roles:
            payload = {"request_id": mine["request_id"]} if name == "withdraw_request" else {}
            ack = command(socks[role], w, name, **payload)
            refused = not ack["ok"] and ack["error"]["code"] == "not_allowed"
            if name == "request_floor":
                should = role not in ("secretariat", "observer")
            elif name == "withdraw_request":
                should = role == "kenya"
            else:
                should = role in allowed[who]
            if refused == should:
                failures.append(f"{name} as {role}: {ack}")
        if command(outsider, w, name)["error"]["code"] != "not_found":
            failures.append(f"{name} as an outsider is not not_found")
    assert not failures, "\n".join(failures)


def test_votes_run_from_the_console_and_ballots_from_the_delegates(w, login, socket_client):
    chair, _ = joined(w, login, socket_client, "chair")
    kenya, _ = joined(w, login, socket_client, "kenya")
    command(chair, w, "set_item", kind="paragraph", id=para(w, "2").id)
    refused = command(kenya, w, "open_vote", vote_type="record")
    assert refused["error"]["code"] == "not_allowed"
    opened = command(chair, w, "open_vote", vote_type="record")
    assert opened["ok"], opened
    assert [u["type"] for u in updates(kenya)][-1] == "vote_opened"
    ballot = command(kenya, w, "cast_ballot", vote_id=opened["vote_id"], choice="for", voter_id=w.u["germany"].id)
    assert ballot["ok"], ballot
    state = kenya.emit("snapshot", {"sitting_id": w.sitting_id}, callback=True)["state"]
    assert state["vote"]["state"] == "open" and state["vote"]["ballots_cast"] == 1 and "totals" not in state["vote"]
    closed = command(chair, w, "close_vote", vote_id=opened["vote_id"])
    assert closed["ok"], closed
    state = kenya.emit("snapshot", {"sitting_id": w.sitting_id}, callback=True)["state"]
    assert state["vote"]["state"] == "closed" and state["vote"]["totals"]["for"]["raw"] == 1
    late = command(kenya, w, "cast_ballot", vote_id=opened["vote_id"], choice="against")
    assert late["ok"] is False and late["error"]["code"] == "invalid_state"


# --- a real server process, killed and restarted mid-sitting --------------------------------------------

@pytest.fixture
def server(app, database_url, tmp_path):
    assert database_url.startswith("sqlite")
    s = Server(database_url, tmp_path)
    yield s
    s.kill9()


def _client(url: str, token: str):
    import socketio as socketio_client

    received: list = []
    client = socketio_client.Client(reconnection=False)
    client.on("update", lambda data: received.append(data))
    client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    return client, received


def test_a_server_restarted_mid_sitting_loses_nothing(w, server):
    tokens = {}
    with unit_of_work():
        for role in ("chair", "kenya", "germany"):
            tokens[role] = create_token(db.session.merge(w.u[role]), "restart test")
    server.start()
    chair, _ = _client(server.url, tokens["chair"])
    kenya, _ = _client(server.url, tokens["kenya"])

    def call(client, name, **payload):
        return client.call("sitting_command", {"sitting_id": w.sitting_id, "command": name, **payload}, timeout=10)

    assert call(chair, "set_item", kind="paragraph", id=para(w, "2").id)["ok"]
    request = call(kenya, "request_floor")
    assert request["ok"]
    assert call(chair, "grant_floor")["ok"]
    assert call(chair, "announce", text="Vote at noon")["ok"]
    opened = call(chair, "open_vote", vote_type="show_of_hands")
    assert opened["ok"], opened
    assert call(kenya, "cast_ballot", vote_id=opened["vote_id"], choice="for")["ok"]
    before = kenya.call("join", {"sitting_id": w.sitting_id}, timeout=10)["state"]
    for client in (chair, kenya):
        client.disconnect()

    server.kill9()  # no clean shutdown: what was acknowledged must already be on disk
    server.start()

    kenya, _ = _client(server.url, tokens["kenya"])
    after = kenya.call("join", {"sitting_id": w.sitting_id}, timeout=10)["state"]
    for key in ("version", "state", "item", "speakers", "timer", "announcement"):
        assert after[key] == before[key], key
    assert after["speakers"]["current"]["id"] == request["request_id"]
    assert after["vote"]["state"] == "open" and after["vote"]["ballots_cast"] == 1  # the acknowledged ballot
    again = call(kenya, "cast_ballot", vote_id=opened["vote_id"], choice="for")
    assert again["ok"] is False or again.get("changed") is False  # counted once
    germany, received = _client(server.url, tokens["germany"])
    assert germany.call("join", {"sitting_id": w.sitting_id}, timeout=10)["ok"]
    chair, _ = _client(server.url, tokens["chair"])
    assert call(chair, "finish_speaker")["ok"]  # the sitting carries on
    deadline = time.time() + 10
    while not any(u["type"] == "speakers_changed" for u in received) and time.time() < deadline:
        time.sleep(0.05)
    assert any(u["type"] == "speakers_changed" and u["version"] == after["version"] + 1 for u in received)
    for client in (chair, kenya, germany):
        client.disconnect()


def test_positions_and_statements_are_recorded_from_the_live_view(w, login, socket_client):
    spokesperson, _ = joined(w, login, socket_client, "emp_spokesperson")
    kenya, _ = joined(w, login, socket_client, "kenya")
    command(spokesperson, w, "set_item", kind="paragraph", id=para(w, "2").id)  # not the Chair: refused
    assert updates(kenya) == []
    run(w, "chair", "set_item", kind="paragraph", id=para(w, "2").id)
    kenya.events()
    ack = command(spokesperson, w, "record_position", group="employer", stance="support")
    assert ack["ok"], ack
    assert [u["type"] for u in updates(kenya)] == ["position_recorded"]
    refused = command(socket_client(login(w.u["worker"])), w, "record_position", group="worker", stance="oppose")
    assert refused["error"]["code"] == "not_allowed"
    said = command(kenya, w, "add_statement", member_state="KE", stance="support", text="We support it.")
    assert said["ok"], said
    state = kenya.emit("snapshot", {"sitting_id": w.sitting_id}, callback=True)["state"]
    assert state["positions"] == [{"group": "employer", "stance": "support", "statement": ""}]
    assert [(s["member_state"], s["stance"]) for s in state["statements"]] == [("KE", "support")]


def test_a_voter_who_reconnects_mid_vote_is_counted_once_and_resyncs(w, login, socket_client):
    chair, _ = joined(w, login, socket_client, "chair")
    opened = command(chair, w, "open_vote", vote_type="show_of_hands")
    assert opened["ok"], opened
    client = login(w.u["germany"])
    sock = socket_client(client)
    sock.emit("join", {"sitting_id": w.sitting_id}, callback=True)
    assert command(sock, w, "cast_ballot", vote_id=opened["vote_id"], choice="against")["ok"]
    sock.disconnect()
    again = socket_client(client)
    state = again.emit("join", {"sitting_id": w.sitting_id}, callback=True)["state"]
    assert state["vote"]["state"] == "open" and state["vote"]["ballots_cast"] == 1
    second = command(again, w, "cast_ballot", vote_id=opened["vote_id"], choice="against")
    assert second["ok"] is False or second["changed"] is False
    state = again.emit("snapshot", {"sitting_id": w.sitting_id}, callback=True)["state"]
    assert state["vote"]["ballots_cast"] == 1


def test_a_ballot_over_a_socket_runs_a_bounded_number_of_statements(w, login, socket_client, count_queries):
    """One transaction: the user, the sitting, the participation, the vote, the seat's ballot, two
    inserts, the audit chain's head and entry, the count (B2: 19 statements before 2026-11-28, 13,
    then 12 without the live sitting's read, which a ballot does not need)."""
    chair, _ = joined(w, login, socket_client, "chair")
    opened = command(chair, w, "open_vote", vote_type="record")
    assert opened["ok"], opened
    sock, _ = joined(w, login, socket_client, "germany")
    with count_queries() as counter:
        cast = command(sock, w, "cast_ballot", vote_id=opened["vote_id"], choice="for")
    assert cast["ok"], cast
    assert counter.n <= 12, counter.statements
    assert not any("live_sittings" in s for s in counter.statements)
