"""API operations on positions, statements, polls and the tally: for each, success, bad input (422),
no token (401), not allowed (403) and not visible (404). Responses are checked against the OpenAPI
document by the `api` client."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import SpaceKind
from forum.positions.models import Poll, Position, Statement
from tests import positions_world as pw
from tests.drafting_world import para


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return pw.build_positions(make_user, make_meeting, make_participant)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def position_path(w, group, label="3"):
    return f"/items/paragraph/{para(w, label).id}/positions/{group}"


def statements_path(w, kind="paragraph", ident=None):
    return f"/items/{kind}/{ident or para(w, '3').id}/statements"


# --- setGroupPosition -------------------------------------------------------------------------------

def test_set_group_position_by_the_groups_officers_and_the_secretariat(api, w):
    response = api(w.u["wkr_spokesperson"]).put(position_path(w, "worker"), {"stance": "support",
                                                                            "statement": "Long overdue."})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["group"], body["stance"], body["for_chair"]) == ("worker", "support", False)
    assert body["item"] == {"kind": "paragraph", "id": para(w, "3").id, "draft_id": w.draft_id, "label": "3"}
    africa = api(w.u["africa"]).put(position_path(w, "AFRICA"), {"stance": "reserve"}).get_json()
    assert africa["group"] == "AFRICA" and africa["regional_group"]
    noted = api(w.secretariat).put(position_path(w, "employer"), {"stance": "oppose"}).get_json()
    assert noted["for_chair"] is True
    changed = api(w.u["wkr_spokesperson"]).put(position_path(w, "worker"), {"stance": "oppose"}).get_json()
    assert changed["stance"] == "oppose"
    assert count(Position) == 3  # one current position per group and item
    amendment = api(w.u["emp_spokesperson"]).put(f"/items/amendment/{w.kenya_amendment}/positions/employer",
                                                 {"stance": "support"})
    assert amendment.status_code == 200 and amendment.get_json()["item"]["kind"] == "amendment"


def test_set_group_position_validation(api, w):
    client = api(w.u["wkr_spokesperson"])
    assert client.put(position_path(w, "worker"), {"stance": "maybe"}).status_code == 422
    assert client.put(position_path(w, "worker"), {}).status_code == 422
    long = client.put(position_path(w, "worker"), {"stance": "support", "statement": "x" * 501})
    assert long.status_code == 422 and "statement" in long.get_json()["error"]["fields"]
    unknown = api(w.secretariat).put(position_path(w, "MOON"), {"stance": "support"})
    assert unknown.status_code == 422 and "group" in unknown.get_json()["error"]["fields"]
    assert count(Position) == 0


def test_set_group_position_refusals(api, w):
    body = {"stance": "support"}
    assert api(None).put(position_path(w, "worker"), body).status_code == 401
    assert api(w.u["worker"]).put(position_path(w, "worker"), body).status_code == 403  # a member, no officer
    assert api(w.u["emp_spokesperson"]).put(position_path(w, "worker"), body).status_code == 403
    assert api(w.u["kenya"]).put(position_path(w, "AFRICA"), body).status_code == 403
    assert api(w.outsider).put(position_path(w, "worker"), body).status_code == 404
    hidden = f"/items/amendment/{w.hidden_amendment}/positions/worker"
    assert api(w.u["wkr_spokesperson"]).put(hidden, body).status_code == 404  # not circulated: Kenya's alone
    # Kenya sees its own draft amendment, but positions are taken on circulated ones only.
    assert api(w.u["kenya"]).put(hidden, body).status_code == 409
    assert api(w.u["wkr_spokesperson"]).put("/items/paragraph/999999/positions/worker", body).status_code == 404
    assert count(Position) == 0


# --- addStatement ---------------------------------------------------------------------------------------

def test_rule_28_add_statement_is_attributed_to_its_state(api, w):
    response = api(w.u["kenya"]).post(statements_path(w), {"stance": "oppose", "text": "Too broad."})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["member_state"], body["stance"], body["regional_group"]) == ("KE", "oppose", None)
    africa = api(w.u["africa"]).post(statements_path(w), {"member_state": "SN", "regional_group": "AFRICA",
                                                          "stance": "support"}).get_json()
    assert (africa["member_state"], africa["regional_group"]) == ("SN", "AFRICA")
    noted = api(w.secretariat).post(statements_path(w), {"member_state": "DE", "stance": "support"}).get_json()
    assert noted["for_chair"] is True
    # Never summed: three statements, three rows, no Government position among the positions.
    assert count(Statement) == 3 and count(Position) == 0


def test_add_statement_validation_and_refusals(api, w):
    path = statements_path(w)
    assert api(w.u["kenya"]).post(path, {"stance": "loud"}).status_code == 422
    bad_state = api(w.secretariat).post(path, {"member_state": "ZZ", "stance": "support"})
    assert bad_state.status_code == 422 and "member_state" in bad_state.get_json()["error"]["fields"]
    no_state = api(w.secretariat).post(path, {"stance": "support"})
    assert no_state.status_code == 422 and "member_state" in no_state.get_json()["error"]["fields"]
    assert api(None).post(path, {"stance": "support"}).status_code == 401
    assert api(w.u["kenya"]).post(path, {"member_state": "DE", "stance": "support"}).status_code == 403
    assert api(w.u["worker"]).post(path, {"stance": "support"}).status_code == 403
    assert api(w.u["observer"]).post(path, {"stance": "support"}).status_code == 403
    assert api(w.outsider).post(path, {"stance": "support"}).status_code == 404
    assert api(w.u["germany"]).post(statements_path(w, "amendment", w.hidden_amendment),
                                    {"stance": "support"}).status_code == 404
    assert count(Statement) == 0


# --- polls ---------------------------------------------------------------------------------------------

def test_a_caucus_poll_from_opening_to_closing(api, w):
    caucus = pw.space(w, SpaceKind.group, "worker")
    opened = api(w.u["wkr_secretary"]).post(f"/spaces/{caucus.id}/polls", {
        "item": {"kind": "paragraph", "id": para(w, "3").id}, "question": "Support paragraph 3?", "minutes": 30})
    assert opened.status_code == 201, opened.get_json()
    poll = opened.get_json()
    assert poll["state"] == "open" and poll["results"] == {"support": 0, "oppose": 0, "abstain": 0, "total": 0}
    path = f"/polls/{poll['id']}"
    answered = api(w.u["worker"]).put(f"{path}/answer", {"choice": "support"})
    assert answered.status_code == 200 and answered.get_json()["your_answer"] == "support"
    assert api(w.u["worker"]).put(f"{path}/answer", {"choice": "maybe"}).status_code == 422
    assert api(w.u["wkr_spokesperson"]).get(path).get_json()["results"]["support"] == 1
    assert api(w.u["worker"]).post(f"{path}/close").status_code == 403  # members answer, officers close
    closed = api(w.u["wkr_spokesperson"]).post(f"{path}/close")
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    late = api(w.u["worker"]).put(f"{path}/answer", {"choice": "oppose"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "invalid_state"


def test_polls_are_their_rooms_alone(api, w):
    caucus = pw.space(w, SpaceKind.group, "worker")
    item = {"kind": "paragraph", "id": para(w, "3").id}
    assert api(None).post(f"/spaces/{caucus.id}/polls", {"item": item}).status_code == 401
    assert api(w.u["emp_spokesperson"]).post(f"/spaces/{caucus.id}/polls", {"item": item}).status_code == 404
    assert api(w.secretariat).post(f"/spaces/{caucus.id}/polls", {"item": item}).status_code == 404
    assert api(w.u["worker"]).post(f"/spaces/{caucus.id}/polls", {"item": item}).status_code == 403
    bad = api(w.u["wkr_secretary"]).post(f"/spaces/{caucus.id}/polls", {"item": {"kind": "part", "id": 1}})
    assert bad.status_code == 422 and "item.kind" in bad.get_json()["error"]["fields"]
    assert api(w.u["wkr_secretary"]).post(f"/spaces/{caucus.id}/polls", {
        "item": {"kind": "amendment", "id": w.hidden_amendment}}).status_code == 404
    plenary = pw.space(w, SpaceKind.plenary)
    assert api(w.secretariat).post(f"/spaces/{plenary.id}/polls", {"item": item}).status_code == 404
    poll = api(w.u["wkr_secretary"]).post(f"/spaces/{caucus.id}/polls", {"item": item}).get_json()
    for other in ("emp_spokesperson", "kenya", "secretariat", "chair"):
        assert api(w.u[other]).get(f"/polls/{poll['id']}").status_code == 404, other
        assert api(w.u[other]).put(f"/polls/{poll['id']}/answer", {"choice": "support"}).status_code == 404
    assert api(None).get(f"/polls/{poll['id']}").status_code == 401
    assert count(Poll) == 1


# --- getTally ------------------------------------------------------------------------------------------

def test_get_tally_is_the_status_board_as_data(api, w):
    api(w.u["wkr_spokesperson"]).put(position_path(w, "worker"), {"stance": "support"})
    api(w.u["kenya"]).post(statements_path(w), {"stance": "oppose"})
    api(w.u["germany"]).post(statements_path(w), {"stance": "support"})
    body = api(w.u["observer"]).get(f"/drafts/{w.draft_id}/tally").get_json()
    assert body["draft"]["id"] == w.draft_id
    rows = {(r["item"]["kind"], r["item"]["label"]): r for r in body["items"]}
    three = rows[("paragraph", "3")]
    assert three["worker"]["stance"] == "support" and three["employer"] is None
    assert [(s["member_state"], s["stance"]) for s in three["statements"]] == [("KE", "oppose"), ("DE", "support")]
    assert "government" not in three  # statements are never summed into a Government position
    labels = [r["item"]["label"] for r in body["items"]]
    assert labels.index("3") < labels.index("D.1") < labels.index("3(a)")  # amendments follow their paragraph
    assert w.hidden_amendment not in {r["item"]["id"] for r in body["items"] if r["item"]["kind"] == "amendment"}
    assert api(None).get(f"/drafts/{w.draft_id}/tally").status_code == 401
    assert api(w.outsider).get(f"/drafts/{w.draft_id}/tally").status_code == 404
