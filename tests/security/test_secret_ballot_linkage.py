"""Secret suffrage: known secret ballots are cast through every adapter (Kenya by the API, Germany
by the page form, Italy over the socket), then every output channel is inspected for anything
that ties a voter to a choice: API answers, pages, audit entries (log, page, CSV, API), exports,
log lines, real-time payloads and acks, error messages, headers (ETag), and the stored rows
themselves (no time, no voter, no insertion order).

Each voter chose differently (for / against / abstain), so totals alone reveal nothing and any
voter-shaped field next to a choice is a leak.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
import sqlalchemy as sa

from forum import realtime
from forum.accounts.services import create_token
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.extensions import db
from forum.positions.vote_models import SecretChoice, VoteParticipation
from tests import sittings_world
from tests.drafting_world import para

pytestmark = pytest.mark.postgres
CHOICES = ("for", "against", "abstain")
VOTERS = {"kenya": "for", "germany": "against", "italy": "abstain"}
VOTER_FIELDS = {"voter", "voter_key", "cast_by", "participant_id", "user_id", "actor", "actor_id", "name",
                "voter_id", "seat"}


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    w = sittings_world.build(make_user, make_meeting, make_participant)
    sittings_world.run(w, "chair", "set_item", kind="paragraph", id=para(w, "1").id)
    return w


def token(user) -> str:
    with unit_of_work():
        return create_token(db.session.merge(user), "linkage")


def voter_marks(w) -> dict[str, list[str]]:
    """What identifies each voter in an output: seat, State, names, ids, email."""
    marks = {}
    for role, state in (("kenya", "KE"), ("germany", "DE"), ("italy", "IT")):
        user = w.u[role]
        marks[role] = [f"state:{state}", user.name, user.email, f"participant:{w.p[role].id}"]
    return marks


def linked_dicts(node: Any, path: str = "") -> list[str]:
    """Dicts that carry a voter-shaped field and a choice, anywhere in a JSON document."""
    found = []
    if isinstance(node, dict):
        has_voter = bool(VOTER_FIELDS & set(node))
        has_choice = "choice" in node or any(v in CHOICES for v in node.values() if isinstance(v, str))
        if has_voter and has_choice:
            found.append(f"{path}: {node}")
        for key, value in node.items():
            found += linked_dicts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += linked_dicts(value, f"{path}[{i}]")
    return found


def without_tokens(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+|(value=")[^"]+("[^>]*name="csrf_token")', r"\1\2\3", html)


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, str, Any]]:
    """Everything queued for the live channel, whoever it was for."""
    seen: list[tuple[str, str, Any]] = []
    original = realtime.publish

    def spy(room: str, event: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append((room, event, json.loads(json.dumps(data, default=str))))
        return original(room, event, data, *args, **kwargs)

    monkeypatch.setattr(realtime, "publish", spy)
    return seen


def test_secret_ballot_linkage_through_any_output_channel(w, app, login, socket_client, published, caplog):
    caplog.set_level(logging.DEBUG)
    vote_id = sittings_world.run(w, "chair", "open_vote", vote_type="secret")["vote_id"]
    marks = voter_marks(w)
    answers: dict[str, Any] = {}
    headers: dict[str, Any] = {}

    # Kenya through the API.
    api = app.test_client()
    kenya_auth = {"Authorization": f"Bearer {token(w.u['kenya'])}", "Idempotency-Key": "k-1"}
    response = api.put(f"/api/v1/votes/{vote_id}/ballot", json={"choice": VOTERS["kenya"]}, headers=kenya_auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    answers["api kenya"], headers["kenya"] = response.get_json(), response.headers
    # Germany through the page form.
    germany = login(w.u["germany"])
    page = germany.post(f"/meetings/{w.meeting.id}/votes/{vote_id}/ballot",
                        data={"choice": VOTERS["germany"], "confirm": "y"})
    assert page.status_code == 200
    germany_receipt = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", page.get_data(as_text=True)).group(0)
    # Italy over the socket.
    italy = socket_client(login(w.u["italy"]))
    assert italy.emit("join", {"sitting_id": w.sitting_id}, callback=True)["ok"]
    ack = italy.emit("sitting_command", {"sitting_id": w.sitting_id, "command": "cast_ballot", "vote_id": vote_id,
                                         "choice": VOTERS["italy"]}, callback=True)
    assert ack["ok"], ack
    answers["socket ack italy"] = ack
    receipts = [answers["api kenya"]["receipt"], germany_receipt, ack["receipt"]]
    assert all(receipts) and len(set(receipts)) == 3

    # Error messages: a repeat (with the same idempotency key: a secret ballot never replays) and a tampered one.
    again = api.put(f"/api/v1/votes/{vote_id}/ballot", json={"choice": "against"}, headers=kenya_auth)
    assert again.status_code == 409
    tampered = api.put(f"/api/v1/votes/{vote_id}/ballot", json={"choice": "for", "voter_key": "state:DE"},
                       headers={"Authorization": kenya_auth["Authorization"]})
    assert tampered.status_code == 422
    errors = [again.get_data(as_text=True), tampered.get_data(as_text=True),
              json.dumps(italy.emit("sitting_command", {"sitting_id": w.sitting_id, "command": "cast_ballot",
                                                        "vote_id": vote_id, "choice": "for"}, callback=True))]
    for text in errors:
        assert not any(f'"{c}"' in text for c in CHOICES if c != "for") and not any(r in text for r in receipts), text

    # Pages of the open vote, for two voters who chose differently: the same page but for their seat.
    kenya_page = login(w.u["kenya"]).get(f"/meetings/{w.meeting.id}/votes/{vote_id}").get_data(as_text=True)
    germany_page = germany.get(f"/meetings/{w.meeting.id}/votes/{vote_id}").get_data(as_text=True)

    def neutral(html: str, role: str) -> str:
        html = without_tokens(html)
        for mark in marks[role] + [{"kenya": "Kenya", "germany": "Germany"}[role]]:
            html = html.replace(mark, "SEAT")
        return html

    assert neutral(kenya_page, "kenya") == neutral(germany_page, "germany")

    sittings_world.run(w, "chair", "close_vote", vote_id=vote_id)

    # The API's vote after the close, for voters and the secretariat: totals only, identical for all.
    views = []
    for role in ("kenya", "germany", "secretariat", "chair"):
        response = api.get(f"/api/v1/votes/{vote_id}", headers={"Authorization": f"Bearer {token(w.u[role])}"})
        views.append(response.get_json())
        assert "ETag" not in response.headers and "Last-Modified" not in response.headers
    assert all(v == views[0] for v in views)
    view = views[0]
    assert view["totals"] == {c: {"raw": 1, "weighted": view["totals"][c]["weighted"]} for c in CHOICES}
    assert "ballots" not in view and "by_group" not in view and "by_group_weighted" not in view
    assert "ETag" not in headers["kenya"] and "Last-Modified" not in headers["kenya"]
    answers["views"] = views

    # The audit log: the API, the page and the CSV export of the secretariat; the rows themselves.
    secretariat = login(w.u["secretariat"])
    audit = api.get(f"/api/v1/meetings/{w.meeting.id}/audit?per_page=100",
                    headers={"Authorization": f"Bearer {token(w.u['secretariat'])}"})
    assert audit.status_code == 200
    answers["audit api"] = audit.get_json()
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("vote.%"))).all()
    ballots = [r for r in rows if r.action == "vote.ballot"]
    assert len(ballots) == 3
    for row in ballots:
        payload = json.loads(row.payload)
        assert "choice" not in payload and not {str(v) for v in payload.values()} & set(CHOICES), payload
    answers["audit rows"] = [{"actor_id": r.actor_id, **json.loads(r.payload)} for r in rows]
    audit_csv = secretariat.get(f"/meetings/{w.meeting.id}/audit.csv").get_data(as_text=True)
    audit_page = secretariat.get(f"/meetings/{w.meeting.id}/audit").get_data(as_text=True)

    # Exports of the draft (the record names record-vote voters only).
    exports = [secretariat.get(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/exports/{kind}.{fmt}")
               for kind, fmt in (("record", "md"), ("record", "html"), ("final", "md"), ("status", "json"),
                                 ("status", "csv"))]
    texts = [r.get_data(as_text=True) for r in exports if r.status_code == 200]
    assert texts, [r.status_code for r in exports]
    # The channels are exercised: the log names who voted, the record shows the secret result.
    assert w.u["kenya"].name in audit_csv and w.u["germany"].name in audit_page
    assert any("secret ballot" in t.lower() for t in texts)

    # Every JSON output: no object with a voter-shaped field and a choice.
    leaks = linked_dicts(answers)
    for room, event, data in published:
        leaks += [f"{room} {event}: {x}" for x in linked_dicts(data)]
        assert "receipt" not in json.dumps(data), (room, event)
    assert not leaks, "\n".join(leaks)

    # Every text output: no line names a voter next to a choice; receipts appear nowhere.
    labels = {"for": ("For", "for"), "against": ("Against", "against"), "abstain": ("Abstain", "abstain")}
    records = [r.getMessage() for r in caplog.records]
    for name, text in [("audit csv", audit_csv), ("audit page", audit_page), *[("export", t) for t in texts],
                       *[("log", t) for t in records]]:
        assert not any(r in text for r in receipts), name
        for line in text.splitlines():
            for role, choice in VOTERS.items():
                named = any(m in line for m in marks[role])
                chose = any(re.search(rf"\b{label}\b", line) for label in labels[choice])
                assert not (named and chose), (name, line)
        if name == "log":
            assert "choice" not in text and not any(f"'{c}'" in text for c in CHOICES), text


def test_secret_ballot_linkage_through_stored_rows_and_their_order(w):
    """The stored ballot has no time, no voter, no group and no sequence: a random key is its only
    identity, so neither a timestamp nor the storage order can be matched with who voted when."""
    columns = {c.name for c in SecretChoice.__table__.columns}
    assert columns == {"key", "vote_id", "choice", "weight", "receipt_hash"}
    assert SecretChoice.__table__.dialect_options["sqlite"]["with_rowid"] is False
    assert not any(isinstance(c.type, sa.DateTime) or c.autoincrement is True
                   for c in SecretChoice.__table__.columns)
    vote_id = sittings_world.run(w, "chair", "open_vote", vote_type="secret")["vote_id"]
    voters = ["kenya", "germany", "italy", "senegal", "africa", "chair", "worker", "employer"]
    receipts = {}
    for role in voters:
        with unit_of_work():
            from forum.positions import votes
            from forum.positions.vote_models import Vote

            receipts[role] = votes.cast_ballot(db.session.merge(w.u[role]), db.session.get(Vote, vote_id),
                                               "for")["receipt"]
    keys = db.session.scalars(sa.select(SecretChoice.key).where(SecretChoice.vote_id == vote_id)).all()
    assert len(keys) == len(set(keys)) == len(voters)
    assert all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys)
    # The receipt is hashed with the vote only: nothing of the voter goes in, nothing can be derived.
    from forum.positions.votes import receipt_hash

    stored = set(db.session.scalars(sa.select(SecretChoice.receipt_hash)))
    assert {receipt_hash(vote_id, r) for r in receipts.values()} == stored
    participations = db.session.scalars(sa.select(VoteParticipation).where(VoteParticipation.vote_id == vote_id))
    assert all(p.choice_ref is None for p in participations)  # no pointer from a voter to a ballot, ever
