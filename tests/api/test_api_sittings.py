"""API operations on sittings (createSitting, getSittingState, sittingCommand, setAttendance): for
each, success, bad input (422), no token (401), not allowed (403) and not visible (404). Responses
are checked against the OpenAPI document by the `api` client."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import AttendanceEntry, Sitting, SittingState
from forum.sittings.models import LiveSitting
from tests import sittings_world as sw
from tests.drafting_world import para


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return sw.build(make_user, make_meeting, make_participant)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def command(api, w, who, name, **fields):
    return api(w.u[who]).post(f"/sittings/{w.sitting_id}/commands", {"command": name, **fields})


# --- createSitting --------------------------------------------------------------------------------------

def test_create_sitting_and_make_it_live_on_a_draft(api, w):
    path = f"/meetings/{w.meeting.id}/sittings"
    response = api(w.secretariat).post(path, {"title": "Fourth sitting", "starts_at": "2030-06-04T10:00:00+02:00",
                                              "room": "Room II", "draft_id": w.draft_id})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "scheduled" and body["room"] == "Room II"
    assert db.session.scalars(sa.select(LiveSitting).where(LiveSitting.sitting_id == body["id"])).one().draft_id \
        == w.draft_id
    plain = api(w.secretariat).post(path, {"title": "Fifth sitting", "starts_at": "2030-06-05T10:00:00Z"})
    assert plain.status_code == 201
    listed = api(w.u["worker"]).get(path).get_json()
    assert {s["title"] for s in listed["items"]} >= {"Fourth sitting", "Fifth sitting"}


def test_create_sitting_refusals(api, w):
    path = f"/meetings/{w.meeting.id}/sittings"
    before = count(Sitting)
    missing = api(w.secretariat).post(path, {"title": ""})
    assert missing.status_code == 422 and {"title", "starts_at"} <= set(missing.get_json()["error"]["fields"])
    naive = api(w.secretariat).post(path, {"title": "T", "starts_at": "2030-06-04T10:00:00"})
    assert naive.status_code == 422 and "starts_at" in naive.get_json()["error"]["fields"]
    bad_draft = api(w.secretariat).post(path, {"title": "T", "starts_at": "2030-06-04T10:00:00Z", "draft_id": 999999})
    assert bad_draft.status_code == 422 and "draft_id" in bad_draft.get_json()["error"]["fields"]
    assert api(None).post(path, {"title": "T", "starts_at": "2030-06-04T10:00:00Z"}).status_code == 401
    assert api(w.u["chair"]).post(path, {"title": "T", "starts_at": "2030-06-04T10:00:00Z"}).status_code == 403
    assert api(w.outsider).post(path, {"title": "T", "starts_at": "2030-06-04T10:00:00Z"}).status_code == 404
    assert count(Sitting) == before  # all or nothing, the live link included


# --- getSittingState ------------------------------------------------------------------------------------

def test_get_sitting_state(api, w):
    path = f"/sittings/{w.sitting_id}/state"
    delegate = api(w.u["kenya"]).get(path).get_json()
    assert delegate["state"] == "live" and delegate["live"] and delegate["draft_id"] == w.draft_id
    assert delegate["item"]["label"] == "preamble"  # the first item still open
    assert "attendance" not in delegate and "chair" not in delegate and "agenda" not in delegate  # the console's
    api(w.secretariat).put(f"/sittings/{w.sitting_id}/attendance", {"member_states": ["KE"]})
    secretariat = api(w.secretariat).get(path).get_json()
    assert secretariat["attendance"] == {"participants": [], "member_states": ["KE"]} and "chair" in secretariat
    assert [a["label"] for a in secretariat["agenda"]][:2] == ["preamble", "1"]
    assert api(None).get(path).status_code == 401
    assert api(w.outsider).get(path).status_code == 404
    assert api(w.u["kenya"]).get("/sittings/999999/state").status_code == 404


# --- sittingCommand -------------------------------------------------------------------------------------

def test_sitting_commands_are_the_sockets(api, w):
    announced = command(api, w, "chair", "announce", text="We resume at three.")
    assert announced.status_code == 200, announced.get_json()
    assert announced.get_json()["ok"] and announced.get_json()["state"]["announcement"] == "We resume at three."
    moved = command(api, w, "chair", "set_item", item={"kind": "paragraph", "id": para(w, "2").id})
    assert moved.status_code == 200 and moved.get_json()["state"]["item"]["label"] == "2"
    objections = command(api, w, "secretariat", "call_objections")
    assert objections.status_code == 200 and objections.get_json()["state"]["objections"]
    suspended = command(api, w, "chair", "suspend")
    assert suspended.get_json()["result"] == {"state": "suspended"}
    assert command(api, w, "chair", "resume").get_json()["state"]["state"] == "live"
    assert command(api, w, "chair", "close").get_json()["state"]["state"] == "closed"
    assert db.session.get(Sitting, w.sitting_id).state is SittingState.closed


def test_sitting_command_refusals(api, w):
    unknown = command(api, w, "chair", "dance")
    assert unknown.status_code == 422 and "command" in unknown.get_json()["error"]["fields"]
    assert api(w.u["chair"]).post(f"/sittings/{w.sitting_id}/commands", {}).status_code == 422
    bad_item = command(api, w, "chair", "set_item", item={"kind": "paragraph", "id": 999999})
    assert bad_item.status_code == 422
    assert command(api, w, "chair", "resume").get_json()["result"] == {"state": "live"}  # live already: unchanged
    begun = command(api, w, "secretariat", "make_live", draft_id=999999)
    assert begun.status_code == 409 and begun.get_json()["error"]["code"] == "invalid_state"  # only a scheduled one
    assert command(api, w, "chair", "open").get_json()["result"] == {"state": "live"}  # already: unchanged
    assert command(api, w, "worker", "suspend").status_code == 403
    assert command(api, w, "kenya", "announce", text="Hello").status_code == 403
    assert api(None).post(f"/sittings/{w.sitting_id}/commands", {"command": "suspend"}).status_code == 401
    assert api(w.outsider).post(f"/sittings/{w.sitting_id}/commands", {"command": "suspend"}).status_code == 404
    assert db.session.get(Sitting, w.sitting_id).state is SittingState.live


# --- setAttendance --------------------------------------------------------------------------------------

def test_set_attendance(api, w):
    path = f"/sittings/{w.sitting_id}/attendance"
    ids = [w.p["employer"].id, w.p["worker"].id]
    response = api(w.secretariat).put(path, {"participant_ids": ids, "member_states": ["ke", "DE"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"participants": sorted(ids), "member_states": ["DE", "KE"]}
    assert count(AttendanceEntry) == 4
    unknown = api(w.secretariat).put(path, {"member_states": ["NZ"]})
    assert unknown.status_code == 422 and "member_states" in unknown.get_json()["error"]["fields"]
    assert api(w.secretariat).put(path, {"participant_ids": [0]}).status_code == 422
    assert api(None).put(path, {"member_states": []}).status_code == 401
    assert api(w.u["chair"]).put(path, {"member_states": []}).status_code == 403
    assert api(w.outsider).put(path, {"member_states": []}).status_code == 404
    assert count(AttendanceEntry) == 4
