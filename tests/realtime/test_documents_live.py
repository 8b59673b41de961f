"""A newly published document reaches, without a reload, everyone who may see it and nobody else."""

from __future__ import annotations

import io
import os

import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind


def pdf() -> io.BytesIO:
    return io.BytesIO(b"%PDF-1.4\n% live " + os.urandom(8).hex().encode() + b"\n%%EOF\n")


def spaces(meeting) -> dict:
    return {(s.kind, s.group): s for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))}


def test_a_published_document_reaches_the_plenary_and_a_caucus_document_its_group_alone(
        make_user, make_meeting, make_participant, login, socket_client):
    secretariat = make_user(staff=True)
    meeting = make_meeting(secretariat, symbol_prefix="TTMLM/2027")
    government = make_participant(meeting, "government").user
    employer = make_participant(meeting, "employer").user
    worker, other_worker = make_participant(meeting, "worker").user, make_participant(meeting, "worker").user
    s = spaces(meeting)
    plenary, workers, employers = (s[(SpaceKind.plenary, None)], s[(SpaceKind.group, Group.worker)],
                                   s[(SpaceKind.group, Group.employer)])

    def follow(user, *rooms):
        http = login(user)
        sock = socket_client(http)
        versions = {}
        for room in rooms:
            ack = sock.emit("subscribe", {"room": room}, callback=True)
            assert ack["ok"] is True, (room, ack)
            versions[room] = ack["snapshot"]["version"]
        sock.events()
        return http, sock, versions

    gov_http, gov_sock, gov_versions = follow(government, f"space:{plenary.id}")
    _, emp_sock, _ = follow(employer, f"space:{plenary.id}", f"space:{employers.id}")
    _, wkr_sock, wkr_versions = follow(other_worker, f"space:{workers.id}")

    response = login(secretariat).post(f"/meetings/{meeting.id}/documents/new", data={
        "space_id": str(plenary.id), "kind": "official", "symbol": "TTMLM/2027/1", "title": "Report",
        "language": "en", "agenda_item_id": "0", "file": (pdf(), "report.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    (event,) = gov_sock.events("document.published")
    payload = event["args"][0]
    room = f"space:{plenary.id}"
    assert payload["room"] == room and payload["space_id"] == plenary.id and payload["kind"] == "official"
    assert payload["version"] == gov_versions[room] + 1
    assert "title" not in payload and "symbol" not in payload  # codes and ids; the page fetches the row
    row = gov_http.get(f"/meetings/{meeting.id}/documents/{payload['document_id']}/row")
    assert row.status_code == 200 and "<tr" in row.get_data(as_text=True) and "Report" in row.get_data(as_text=True)
    assert len(emp_sock.events("document.published")) == 1

    response = login(worker).post(f"/meetings/{meeting.id}/documents/new", data={
        "space_id": str(workers.id), "kind": "working", "title": "Our statement", "language": "en",
        "agenda_item_id": "0", "file": (pdf(), "statement.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    (event,) = wkr_sock.events("document.published")
    caucus_doc = event["args"][0]["document_id"]
    assert event["args"][0]["version"] == wkr_versions[f"space:{workers.id}"] + 1
    assert emp_sock.events("document.published") == [] and gov_sock.events("document.published") == []
    assert gov_http.get(f"/meetings/{meeting.id}/documents/{caucus_doc}/row").status_code == 404
    # ...and the employer cannot follow the workers' room to hear of it.
    ack = emp_sock.emit("subscribe", {"room": f"space:{workers.id}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_found"


def test_withdrawal_and_new_versions_are_announced(make_user, make_meeting, make_participant, login, socket_client):
    meeting = make_meeting(make_user(staff=True))
    worker, other = make_participant(meeting, "worker").user, make_participant(meeting, "worker").user
    workers = spaces(meeting)[(SpaceKind.group, Group.worker)]
    sock = socket_client(login(other))
    assert sock.emit("subscribe", {"room": f"space:{workers.id}"}, callback=True)["ok"]
    client = login(worker)
    response = client.post(f"/meetings/{meeting.id}/documents/new", data={
        "space_id": str(workers.id), "kind": "working", "title": "Draft", "language": "en", "agenda_item_id": "0",
        "file": (pdf(), "d.pdf")}, content_type="multipart/form-data")
    doc_id = int(response.headers["Location"].rsplit("/", 1)[1])
    sock.events()
    client.post(f"/meetings/{meeting.id}/documents/{doc_id}/versions/new", data={"file": (pdf(), "d2.pdf")},
                content_type="multipart/form-data")
    (updated,) = sock.events("document.updated")
    assert updated["args"][0]["document_id"] == doc_id and updated["args"][0]["number"] == 2
    client.post(f"/meetings/{meeting.id}/documents/{doc_id}/withdraw", data={"reason": "Replaced"})
    (withdrawn,) = sock.events("document.withdrawn")
    assert withdrawn["args"][0]["withdrawn"] == [doc_id]
