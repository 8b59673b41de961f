"""Attacks on ballots through every adapter (page form, API, socket): another committee's vote,
ballots outside the vote window, tampered payloads. A refused ballot stores nothing: every table
is fingerprinted before and compared after (tests/security/conftest.py `fingerprint`).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.extensions import db
from forum.positions.vote_models import GroupChoice, RecordChoice, SecretChoice, VoteParticipation
from tests import sittings_world
from tests.drafting_world import para
from tests.security.conftest import fingerprint as every_table

pytestmark = pytest.mark.postgres  # the refusals must hold on both backends


def fingerprint() -> dict[str, str]:
    """Every table but the tokens' `last_used_at`, which an authenticated request may touch."""
    tables = every_table()
    tables.pop("api_tokens", None)
    return tables


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    """A live, open sitting (the console's world) with the item set, so that socket ballots work too."""
    w = sittings_world.build(make_user, make_meeting, make_participant)
    sittings_world.run(w, "chair", "set_item", kind="paragraph", id=para(w, "1").id)
    return w


def open_vote(w, vote_type="record") -> int:
    return sittings_world.run(w, "chair", "open_vote", vote_type=vote_type)["vote_id"]


def token(user) -> str:
    with unit_of_work():
        return create_token(db.session.merge(user), "attack")


def api_put(app, tok, vote_id, body, raw=None):
    return app.test_client().put(f"/api/v1/votes/{vote_id}/ballot", json=body if raw is None else None,
                                 data=raw, headers={"Authorization": f"Bearer {tok}",
                                                    **({"Content-Type": "application/json"} if raw else {})})


def ballots() -> int:
    return sum(db.session.scalar(sa.select(sa.func.count()).select_from(m)) or 0
               for m in (VoteParticipation, RecordChoice, GroupChoice, SecretChoice))


def joined(socket_client, login, user, sitting_id):
    sock = socket_client(login(user))
    ack = sock.emit("join", {"sitting_id": sitting_id}, callback=True)
    return sock, ack


def ballot_command(sock, sitting_id, vote_id, **extra):
    return sock.emit("sitting_command", {"sitting_id": sitting_id, "command": "cast_ballot", "vote_id": vote_id,
                                         "choice": "for", **extra}, callback=True)


# --- 1. another committee's vote ---------------------------------------------------------------------------

@pytest.mark.parametrize("vote_type", ["record", "show_of_hands", "secret"])
def test_ballot_on_another_committees_vote_is_not_found_by_form_api_or_socket(
        w, app, login, socket_client, make_user, make_meeting, make_participant, vote_type):
    """A voting member of committee A, with a live sitting of A's own, aims at committee B's vote."""
    vote_id = open_vote(w, vote_type)
    a = sittings_world.build(make_user, make_meeting, make_participant)
    attacker = a.u["kenya"]  # a Government delegate with a vote in A, and the same State as B's Kenya
    tok = token(attacker)
    client = login(attacker)
    sock, own = joined(socket_client, login, attacker, a.sitting_id)
    assert own["ok"]
    before = fingerprint()

    for meeting_id in (w.meeting.id, a.meeting.id):
        response = client.post(f"/meetings/{meeting_id}/votes/{vote_id}/ballot",
                               data={"choice": "for", "confirm": "y"})
        assert response.status_code == 404, meeting_id
    response = api_put(app, tok, vote_id, {"choice": "for"})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    # Through B's sitting (not visible to A's delegate) and through A's own sitting (the vote is not in it).
    refused = ballot_command(sock, w.sitting_id, vote_id)
    assert refused["ok"] is False and refused["error"]["code"] == "not_found", refused
    refused = ballot_command(sock, a.sitting_id, vote_id)
    assert refused["ok"] is False and refused["error"]["code"] == "not_found", refused
    assert sock.emit("join", {"sitting_id": w.sitting_id}, callback=True)["error"]["code"] == "not_found"

    db.session.rollback()
    assert fingerprint() == before
    assert ballots() == 0


# --- 3. ballots outside the vote window --------------------------------------------------------------------

def _every_channel_refuses(w, app, login, socket_client, vote_id, word):
    kenya = w.u["kenya"]
    tok = token(kenya)
    sock, _ack = joined(socket_client, login, kenya, w.sitting_id)
    client = login(kenya)
    before = fingerprint()
    page = client.post(f"/meetings/{w.meeting.id}/votes/{vote_id}/ballot", data={"choice": "for", "confirm": "y"})
    assert page.status_code == 409 and word in page.get_data(as_text=True)
    response = api_put(app, tok, vote_id, {"choice": "for"})
    body = response.get_json()
    assert response.status_code == 409 and body["error"]["code"] == "invalid_state" and word in body["error"]["message"]
    ack = ballot_command(sock, w.sitting_id, vote_id)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_state" and word in ack["error"]["message"], ack
    db.session.rollback()
    assert fingerprint() == before


@pytest.mark.parametrize("vote_type", ["record", "show_of_hands", "secret"])
def test_ballot_on_a_closed_vote_is_a_clear_conflict_and_changes_nothing(w, app, login, socket_client, vote_type):
    vote_id = open_vote(w, vote_type)
    sittings_world.run(w, "chair", "close_vote", vote_id=vote_id)
    _every_channel_refuses(w, app, login, socket_client, vote_id, "closed")
    assert ballots() == 0


def test_ballot_on_a_vote_of_a_closed_sitting_is_a_clear_conflict_and_changes_nothing(w, app, login, socket_client):
    """The sitting closed while its vote was still open: the vote window ended with the sitting."""
    vote_id = open_vote(w, "record")
    sittings_world.run(w, "chair", "close")
    _every_channel_refuses(w, app, login, socket_client, vote_id, "closed")
    assert ballots() == 0


# --- 4. tampered ballot payloads ---------------------------------------------------------------------------

TAMPERED = {
    "unknown choice": ({"choice": "yes"}, "choice"),
    "choice missing": ({}, "choice"),
    "extra weight": ({"choice": "for", "weight": 100}, "weight"),
    "extra user_id": ({"choice": "for", "user_id": 1}, "user_id"),
    "extra participant_id": ({"choice": "for", "participant_id": 1}, "participant_id"),
    "extra voter_key": ({"choice": "for", "voter_key": "state:DE"}, "voter_key"),
    "choice a number": ({"choice": 1}, "choice"),
    "choice null": ({"choice": None}, "choice"),
    "choice an array": ({"choice": ["for", "against"]}, "choice"),
    "choice an object": ({"choice": {"$ne": "x"}}, "choice"),
    "choice huge": ({"choice": "for" * 100_000}, "choice"),
}


@pytest.mark.parametrize("vote_type", ["record", "secret"])
@pytest.mark.parametrize("case", list(TAMPERED))
def test_tampered_api_ballot_is_refused_field_by_field_and_stores_nothing(w, app, vote_type, case):
    vote_id = open_vote(w, vote_type)
    tok = token(w.u["kenya"])
    body, field = TAMPERED[case]
    before = fingerprint()
    response = api_put(app, tok, vote_id, body)
    assert response.status_code == 422, (case, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"], error
    assert len(response.get_data()) < 5000  # a huge value is not echoed back
    db.session.rollback()
    assert fingerprint() == before


@pytest.mark.parametrize("raw", [b"[\"for\"]", b"\"for\"", b"{\"choice\": \"for\"", b"null"])
def test_api_ballot_that_is_not_an_object_is_refused_and_stores_nothing(w, app, raw):
    vote_id = open_vote(w)
    tok = token(w.u["kenya"])
    before = fingerprint()
    response = api_put(app, tok, vote_id, None, raw=raw)
    assert response.status_code in (400, 422), response.get_json()
    db.session.rollback()
    assert fingerprint() == before


@pytest.mark.parametrize("payload", [{"choice": "yes"}, {"choice": 1}, {"choice": ["for"]}, {"choice": None},
                                     {"choice": "for" * 100_000}, {"choice": {"$ne": 1}}])
def test_tampered_socket_ballot_is_refused_with_a_field_error_and_stores_nothing(w, login, socket_client, payload):
    vote_id = open_vote(w)
    sock, _ack = joined(socket_client, login, w.u["kenya"], w.sitting_id)
    before = fingerprint()
    ack = sock.emit("sitting_command", {"sitting_id": w.sitting_id, "command": "cast_ballot", "vote_id": vote_id,
                                        **payload}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "validation_failed" and "choice" in ack["error"]["fields"]
    db.session.rollback()
    assert fingerprint() == before


def test_socket_ballot_naming_another_voter_is_cast_for_the_sender_only(w, login, socket_client):
    """`voter_key`, `participant_id`, `user_id`, `weight` in a socket ballot are never read."""
    vote_id = open_vote(w)
    sock, _ack = joined(socket_client, login, w.u["kenya"], w.sitting_id)
    ack = ballot_command(sock, w.sitting_id, vote_id, voter_key="state:DE", participant_id=w.p["germany"].id,
                         user_id=w.u["germany"].id, weight=1000)
    assert ack["ok"], ack
    db.session.rollback()
    rows = db.session.execute(sa.select(RecordChoice.voter_key, RecordChoice.weight)).all()
    assert [r.voter_key for r in rows] == ["state:KE"] and rows[0].weight < 1000
