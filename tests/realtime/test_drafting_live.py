"""The draft's live room: participants follow it and see circulations and decisions without reload;
news of an amendment not yet circulated reaches only those who may see it (rule 23)."""

from __future__ import annotations

from forum.db import unit_of_work
from forum.drafting import amendments as svc
from forum.drafting.models import Draft
from forum.extensions import db
from tests.drafting_world import EMPLOYERS, WORKERS, build, draft, para


def test_participants_follow_the_draft_and_hear_circulation_and_decisions(make_user, make_meeting, make_participant,
                                                                          login, socket_client):
    w = build(make_user, make_meeting, make_participant)
    room = f"draft:{w.draft_id}"
    sock = socket_client(login(w.u["observer"]))
    ack = sock.emit("subscribe", {"room": room}, callback=True)
    assert ack["ok"] is True
    snapshot = ack["snapshot"]
    assert snapshot["draft_id"] == w.draft_id and [p["label"] for p in snapshot["paragraphs"]][:3] == [
        "preamble", "1", "2"]
    assert snapshot["amendments"] == [] and "server_time" in snapshot
    version = snapshot["version"]
    sock.events()

    with unit_of_work():
        a = svc.file_amendment(w.u["emp_secretary"], draft(w), para(w, "3"), mover=EMPLOYERS, kind="delete",
                               language="en", explanation="Covered by paragraph 4.")
        svc.submit_amendment(w.u["emp_secretary"], a)
        svc.validate_amendment(w.secretariat, a)
    assert sock.events() == []  # not circulated: nothing in the draft's room

    response = login(w.secretariat).post(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/circulate")
    assert response.status_code == 302
    (event,) = sock.events("amendments.circulated")
    payload = event["args"][0]
    assert payload["room"] == room and payload["amendment_ids"] == [a.id]
    assert payload["version"] == version + 1 == db.session.get(Draft, w.draft_id).version

    login(w.u["chair"]).post(f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/amendments/{a.id}/discuss")
    (changed,) = sock.events("amendment.changed")
    assert changed["args"][0]["state"] == "under_discussion" and changed["args"][0]["version"] == version + 2
    again = sock.emit("snapshot", {"room": room}, callback=True)["snapshot"]
    assert [x["id"] for x in again["amendments"]] == [a.id]


def test_news_of_an_uncirculated_amendment_reaches_its_caucus_and_the_secretariat_only(
        make_user, make_meeting, make_participant, login, socket_client):
    w = build(make_user, make_meeting, make_participant)
    worker = socket_client(login(w.u["worker"]))
    employer = socket_client(login(w.u["employer"]))
    secretariat = socket_client(login(w.secretariat))
    for sock in (worker, employer, secretariat):
        assert sock.emit("subscribe", {"room": f"draft:{w.draft_id}"}, callback=True)["ok"]
        sock.events()
    with unit_of_work():
        a = svc.file_amendment(w.u["wkr_secretary"], draft(w), para(w, "1"), mover=WORKERS, kind="delete",
                               language="en", explanation="Workers' draft.")
    assert [e["args"][0]["amendment_id"] for e in worker.events("amendment.changed")] == [a.id]
    assert secretariat.events() == []  # a draft is the caucus's alone
    with unit_of_work():
        svc.submit_amendment(w.u["wkr_secretary"], db.session.merge(a))
    assert [e["args"][0]["action"] for e in secretariat.events("amendment.changed")] == ["submit"]
    assert employer.events() == []
    snap = employer.emit("snapshot", {"room": f"draft:{w.draft_id}"}, callback=True)["snapshot"]
    assert snap["amendments"] == []


def test_an_outsider_cannot_follow_a_draft(make_user, make_meeting, make_participant, login, socket_client):
    w = build(make_user, make_meeting, make_participant)
    sock = socket_client(login(w.outsider))
    ack = sock.emit("subscribe", {"room": f"draft:{w.draft_id}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"
