"""The speakers list: the customary order, points of order and objections, the Chair's changes,
timers and speaking time, observers (rule 5), and the per-user limit on requests for the floor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.db import unit_of_work
from forum.errors import InvalidState, NotAllowed, NotFound, Throttled, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Meeting
from forum.sittings import queries, throttle
from forum.sittings.models import RequestState, SpeakerRequest
from tests.sittings_world import build, run, sitting


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def waiting_names(w) -> list[str]:
    return [s["name"] for s in queries.state_for(w.u["chair"], sitting(w))["speakers"]["waiting"]]


@pytest.mark.postgres
def test_the_speakers_list_follows_the_customary_order_by_category(w):
    run(w, "chair", "invite_observers", invited=True)
    run(w, "observer", "request_floor")
    run(w, "worker", "request_floor")
    run(w, "kenya", "request_floor")
    run(w, "africa", "request_floor", on_behalf_of="AFRICA")
    run(w, "wkr_spokesperson", "request_floor")
    state = queries.state_for(w.u["chair"], sitting(w))
    assert [s["category"] for s in state["speakers"]["waiting"]] == [
        "spokesperson", "regional_group", "government", "member", "observer"]
    assert [s["position"] for s in state["speakers"]["waiting"]] == [1, 2, 3, 4, 5]
    assert state["speakers"]["waiting"][1]["on_behalf_of"] == "AFRICA"


def test_the_order_of_categories_is_a_setting_of_the_meeting(w):
    with unit_of_work():
        meeting = db.session.get(Meeting, w.meeting.id)
        meeting.settings = {**(meeting.settings or {}), "speakers_order": ["government", "spokesperson"]}
    run(w, "wkr_spokesperson", "request_floor")
    run(w, "kenya", "request_floor")
    run(w, "worker", "request_floor")
    assert waiting_names(w) == ["Kenya Delegate", "Worker Spokesperson", "Worker Member"]


def test_a_point_of_order_jumps_the_queue_and_a_reply_comes_last(w):
    run(w, "kenya", "request_floor")
    run(w, "germany", "request_floor", kind="reply")
    run(w, "worker", "request_floor")
    run(w, "italy", "request_floor", kind="point_of_order")
    kinds = [s["kind"] for s in queries.state_for(w.u["chair"], sitting(w))["speakers"]["waiting"]]
    assert kinds == ["point_of_order", "speak", "speak", "reply"]


def test_requests_can_be_registered_before_the_sitting_opens(make_user, make_meeting, make_participant):
    w = build(make_user, make_meeting, make_participant, opened=False)
    run(w, "kenya", "request_floor")
    assert waiting_names(w) == ["Kenya Delegate"]
    with pytest.raises(InvalidState):
        run(w, "kenya", "request_floor", kind="objection")  # an objection is made on an item before the sitting
    with pytest.raises(InvalidState):
        run(w, "chair", "grant_floor")  # the floor is given once the sitting is open
    run(w, "chair", "open")
    run(w, "chair", "grant_floor")
    assert queries.state_for(w.u["kenya"], sitting(w))["speakers"]["current"]["name"] == "Kenya Delegate"


def test_a_government_speaks_only_for_a_regional_group_of_its_state(w):
    with pytest.raises(ValidationFailed) as err:
        run(w, "kenya", "request_floor", on_behalf_of="GRULAC")
    assert "on_behalf_of" in err.value.fields
    with pytest.raises(ValidationFailed):
        run(w, "worker", "request_floor", on_behalf_of="AFRICA")


def test_a_second_identical_request_is_harmless(w):
    first = run(w, "kenya", "request_floor")
    again = run(w, "kenya", "request_floor")
    assert again["request_id"] == first["request_id"] and again["duplicate"] is True
    assert waiting_names(w) == ["Kenya Delegate"]


def test_another_users_id_in_the_payload_is_ignored(w):
    result = run(w, "kenya", "request_floor", participant_id=w.p["germany"].id, user_id=w.u["germany"].id)
    request = db.session.get(SpeakerRequest, result["request_id"])
    assert request.participant_id == w.p["kenya"].id and request.requested_by_id == w.u["kenya"].id


def test_only_ones_own_request_is_withdrawn(w):
    mine = run(w, "germany", "request_floor")
    with pytest.raises(NotAllowed):
        run(w, "kenya", "withdraw_request", request_id=mine["request_id"])
    run(w, "germany", "withdraw_request", request_id=mine["request_id"])
    assert db.session.get(SpeakerRequest, mine["request_id"]).state is RequestState.withdrawn
    with pytest.raises(NotFound):
        run(w, "germany", "withdraw_request", request_id=mine["request_id"] + 1000)


def test_rule_5_observers_take_the_floor_only_when_invited(w):
    with pytest.raises(NotAllowed) as err:
        run(w, "observer", "request_floor")
    assert "invite" in err.value.message
    with pytest.raises(NotAllowed):
        run(w, "gov_observer", "request_floor")
    run(w, "chair", "invite_observers", invited=True)
    run(w, "observer", "request_floor")
    assert waiting_names(w)[-1] == w.u["observer"].name


def test_the_secretariat_does_not_ask_for_the_floor_but_registers_those_who_signal(w):
    with pytest.raises(NotAllowed):
        run(w, "secretariat", "request_floor")
    run(w, "secretariat", "register_speaker", participant_id=w.p["senegal"].id, kind="speak")
    with pytest.raises(NotAllowed):
        run(w, "kenya", "register_speaker", participant_id=w.p["senegal"].id)
    with pytest.raises(ValidationFailed):
        run(w, "secretariat", "register_speaker", participant_id=w.p["kenya"].id + 10_000)
    (entry,) = queries.state_for(w.u["chair"], sitting(w))["speakers"]["waiting"]
    assert entry["participant_id"] == w.p["senegal"].id


@pytest.mark.postgres
def test_the_chair_grants_reorders_removes_and_sets_time_limits(w):
    for role in ("kenya", "germany", "italy"):
        run(w, role, "request_floor")
    ids = {s["name"]: s["id"] for s in queries.state_for(w.u["chair"], sitting(w))["speakers"]["waiting"]}
    italy = ids[w.u["italy"].name]
    run(w, "chair", "move_request", request_id=italy, position=1)
    assert waiting_names(w)[0] == w.u["italy"].name
    run(w, "chair", "remove_request", request_id=ids["Germany Delegate"])
    run(w, "chair", "set_time_limit", request_id=italy, seconds=120)
    run(w, "chair", "grant_floor")
    state = queries.state_for(w.u["kenya"], sitting(w))
    assert state["speakers"]["current"]["id"] == italy
    assert state["timer"]["seconds"] == 120 and state["timer"]["request_id"] == italy
    assert [s["name"] for s in state["speakers"]["waiting"]] == ["Kenya Delegate"]
    run(w, "chair", "grant_floor")  # the next one: Italy is done
    assert db.session.get(SpeakerRequest, italy).state is RequestState.done
    timer = queries.state_for(w.u["kenya"], sitting(w))["timer"]
    assert timer["seconds"] == queries.live_of(w.sitting_id).default_limit_seconds
    with pytest.raises(ValidationFailed):
        run(w, "chair", "set_time_limit", seconds=5)
    run(w, "chair", "finish_speaker")
    with pytest.raises(InvalidState):
        run(w, "chair", "grant_floor")  # nobody is waiting


def test_a_countdown_is_a_start_time_and_a_duration(w):
    run(w, "chair", "start_timer", seconds=90)
    timer = queries.state_for(w.u["observer"], sitting(w))["timer"]
    assert timer["seconds"] == 90 and timer["started_at"] is not None and timer["request_id"] is None
    run(w, "chair", "stop_timer")
    assert queries.state_for(w.u["observer"], sitting(w))["timer"] is None


@pytest.mark.postgres
def test_speaking_time_is_totalled_per_group_and_per_state_for_the_chair(w):
    for role in ("kenya", "worker"):
        run(w, role, "request_floor")
    for seconds in (90, 45):
        run(w, "chair", "grant_floor")
        with unit_of_work():  # the speaker began `seconds` ago
            current = db.session.scalars(db.select(SpeakerRequest).where(
                SpeakerRequest.state == RequestState.speaking)).one()
            current.granted_at = current.granted_at - timedelta(seconds=seconds)
        run(w, "chair", "finish_speaker")
    times = queries.state_for(w.u["chair"], sitting(w))["chair"]["speaking_times"]
    assert times["groups"]["government"]["seconds"] >= 90 and times["groups"]["worker"]["seconds"] >= 45
    assert times["states"]["KE"]["turns"] == 1 and "DE" not in times["states"]
    assert "chair" not in queries.state_for(w.u["kenya"], sitting(w))


def test_a_flood_of_requests_for_the_floor_is_limited_per_user(w, app):
    throttle.reset()
    limit = int(app.config.get("SITTING_FLOOR_LIMIT", "10 per minute").split()[0])
    for _ in range(limit):
        run(w, "kenya", "request_floor")  # duplicates are harmless but still count
    with pytest.raises(Throttled):
        run(w, "kenya", "request_floor")
    run(w, "germany", "request_floor")  # others are not affected
    throttle.reset()


def test_a_double_click_on_next_speaker_or_next_item_moves_once(w):
    for role in ("kenya", "germany"):
        run(w, role, "request_floor")
    first = run(w, "chair", "grant_floor", if_current="")
    again = run(w, "chair", "grant_floor", if_current="")  # sent before the first one's update arrived
    assert again == {"request_id": first["request_id"], "duplicate": True}
    assert waiting_names(w) == ["Germany Delegate"]
    key = queries.live_of(w.sitting_id).current_key
    run(w, "chair", "next_item", if_item=key)
    moved = queries.live_of(w.sitting_id).current_key
    assert run(w, "chair", "next_item", if_item=key)["duplicate"] is True
    assert queries.live_of(w.sitting_id).current_key == moved != key
