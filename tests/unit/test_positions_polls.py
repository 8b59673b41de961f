"""Internal polls (rule 27): a group's officers run them in its space, only its members see and
answer them (rule 9), the audit entries carry the space (rule 11), and they close on time."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum import permissions, realtime
from forum.audit.models import AuditEntry
from forum.db import unit_of_work, utcnow
from forum.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from forum.extensions import db
from forum.meetings.models import SpaceKind
from forum.positions import polls, queries
from forum.positions.models import Poll, PollAnswer, PollChoice, PollState
from tests.positions_world import amendment_item, build_positions, paragraph_item, space, user


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build_positions(make_user, make_meeting, make_participant)


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Poll, PollAnswer, AuditEntry)}


def open_(w, role: str, kind: SpaceKind = SpaceKind.group, key: str = "worker", item=None, **kwargs) -> Poll:
    with unit_of_work():
        return polls.open_poll(user(w, role), db.session.merge(space(w, kind, key)),
                               item or amendment_item(w, "employers"), **kwargs)


def answer(w, role: str, poll_id: int, choice: str) -> PollAnswer:
    with unit_of_work():
        return polls.answer_poll(user(w, role), db.session.get(Poll, poll_id), choice)


def close(w, role: str, poll_id: int) -> Poll:
    with unit_of_work():
        return polls.close_poll(user(w, role), db.session.get(Poll, poll_id))


def test_rule_27_a_group_runs_an_internal_poll_its_members_answer_and_only_they_see_it(w):
    poll = open_(w, "wkr_secretary", question="Support the Employers' amendment?", minutes=30)
    assert poll.is_open() and poll.closes_at is not None and poll.space_id == space(w, SpaceKind.group, "worker").id
    answer(w, "worker", poll.id, "oppose")
    answer(w, "wkr_spokesperson", poll.id, "support")
    answer(w, "worker", poll.id, "abstain")  # changed while open
    assert queries.poll_results(poll.id) == {"support": 1, "oppose": 0, "abstain": 1, "total": 2}
    close(w, "wkr_spokesperson", poll.id)
    closed = db.session.get(Poll, poll.id)
    assert closed.state is PollState.closed and closed.closed_at is not None and not closed.is_open()
    members = {"worker", "wkr_secretary", "wkr_spokesperson"}
    for role in ("worker", "wkr_secretary", "wkr_spokesperson", "employer", "emp_spokesperson", "kenya", "chair",
                 "secretariat", "observer", "africa"):
        assert permissions.can_view_poll(user(w, role), closed) is (role in members), role


def test_rule_27_a_regional_groups_coordinator_polls_its_states(w):
    poll = open_(w, "africa", SpaceKind.regional, "AFRICA", item=paragraph_item(w, "2"))
    answer(w, "senegal", poll.id, "support")
    for role in ("kenya", "germany", "grulac", "secretariat"):
        expected = NotFound if role != "kenya" else None
        if expected is None:
            answer(w, role, poll.id, "oppose")  # Kenya is an African State
        else:
            with pytest.raises(expected):
                answer(w, role, poll.id, "oppose")
    assert queries.poll_results(poll.id)["total"] == 2


@pytest.mark.parametrize("role, error", [
    ("worker", NotAllowed),  # a member, not an officer
    ("emp_spokesperson", NotFound),  # another group's officer does not see the caucus
    ("chair", NotFound),
    ("secretariat", NotFound),
    ("observer", NotFound),
])
def test_only_the_groups_secretary_or_spokesperson_opens_a_poll_in_its_caucus(w, role, error):
    before = counts()
    with pytest.raises(error):
        open_(w, role)
    assert counts() == before


def test_nobody_outside_the_space_answers_closes_or_learns_of_a_poll(w, make_user):
    poll = open_(w, "wkr_secretary")
    before = counts()
    for role in ("employer", "emp_secretary", "kenya", "chair", "secretariat", "observer"):
        with pytest.raises(NotFound):
            answer(w, role, poll.id, "support")
        with pytest.raises(NotFound):
            close(w, role, poll.id)
    admin = make_user(admin=True)
    with pytest.raises(NotFound), unit_of_work():
        polls.answer_poll(admin, db.session.get(Poll, poll.id), "support")
    with pytest.raises(NotAllowed):
        close(w, "worker", poll.id)  # a member, not an officer
    assert counts() == before


def test_poll_events_and_audit_entries_carry_the_space_and_never_a_choice(w):
    caucus = space(w, SpaceKind.group, "worker")
    with unit_of_work():
        polls.open_poll(user(w, "wkr_secretary"), db.session.merge(caucus), amendment_item(w, "employers"))
        events = list(db.session.info.get(realtime._PENDING, []))
    assert [(room, name) for room, name, _ in events] == [(f"space:{caucus.id}", "poll.changed")]
    poll_id = db.session.scalars(sa.select(Poll.id)).one()
    with unit_of_work():
        polls.answer_poll(user(w, "worker"), db.session.get(Poll, poll_id), "oppose")
        (event,) = db.session.info.get(realtime._PENDING, [])
    assert event[0] == f"space:{caucus.id}" and event[2]["results"]["oppose"] == 1
    assert "participant_id" not in event[2] and "user_id" not in event[2]
    entries = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("poll.%"))
                                      .order_by(AuditEntry.seq)))
    assert [e.action for e in entries] == ["poll.open", "poll.answer"]
    assert {e.space_id for e in entries} == {caucus.id}
    assert "oppose" not in entries[1].payload and json.loads(entries[1].payload) == {"changed": False}


def test_the_same_answer_twice_and_a_second_opening_are_harmless(w):
    poll = open_(w, "wkr_secretary")
    again = open_(w, "wkr_spokesperson")  # the same item, still open: the same poll
    assert again.id == poll.id
    answer(w, "worker", poll.id, "support")
    before = counts()
    answer(w, "worker", poll.id, "support")
    assert counts() == before
    other = open_(w, "wkr_secretary", item=paragraph_item(w, "1"))
    assert other.id != poll.id


@pytest.mark.parametrize("choice", ["for", "", None, "SUPPORT", 1])
def test_an_unknown_choice_is_refused_and_nothing_changes(w, choice):
    poll = open_(w, "wkr_secretary")
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        answer(w, "worker", poll.id, choice)
    assert "choice" in err.value.fields and counts() == before


@pytest.mark.parametrize("fields, field", [
    ({"minutes": 0}, "minutes"), ({"minutes": -5}, "minutes"), ({"minutes": 24 * 60 + 1}, "minutes"),
    ({"minutes": "ten"}, "minutes"), ({"question": "x" * 301}, "question"),
])
def test_bad_poll_settings_are_refused_with_a_field_error(w, fields, field):
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        open_(w, "wkr_secretary", **fields)
    assert field in err.value.fields and counts() == before


def test_a_poll_on_an_amendment_the_group_cannot_see_does_not_exist(w):
    with pytest.raises(NotFound):
        open_(w, "wkr_secretary", item=amendment_item(w, "hidden"))  # Kenya's own draft amendment


def test_an_expired_poll_is_closed_on_read_and_refuses_answers(w):
    poll = open_(w, "wkr_secretary", minutes=5)
    answer(w, "worker", poll.id, "support")
    with unit_of_work():
        db.session.get(Poll, poll.id).closes_at = utcnow() - timedelta(seconds=1)  # its time is up
    expired = db.session.get(Poll, poll.id)
    assert expired.state is PollState.open and not expired.is_open()
    assert expired.effective_state() is PollState.closed
    assert not permissions.can_answer_poll(user(w, "worker"), expired)
    before = counts()
    with pytest.raises(InvalidState):
        answer(w, "wkr_spokesperson", poll.id, "oppose")
    assert counts() == before
    # A new poll on the same item may be opened; closing the expired one records when it ended.
    assert open_(w, "wkr_secretary").id != poll.id
    closed = close(w, "wkr_secretary", poll.id)
    assert closed.closed_at == closed.closes_at and closed.closed_by_id is None
    assert queries.poll_results(poll.id) == {"support": 1, "oppose": 0, "abstain": 0, "total": 1}


def test_closing_twice_is_harmless_and_a_closed_poll_takes_no_answers(w):
    poll = open_(w, "wkr_secretary")
    close(w, "wkr_secretary", poll.id)
    before = counts()
    close(w, "wkr_spokesperson", poll.id)
    with pytest.raises(InvalidState):
        answer(w, "worker", poll.id, "support")
    assert counts() == before
    assert db.session.scalars(sa.select(PollAnswer)).all() == []
    assert [c.value for c in PollChoice] == ["support", "oppose", "abstain"]


def test_rule_9_a_chair_sees_a_caucus_poll_only_as_a_member_of_the_group(w, make_participant):
    poll = open_(w, "wkr_secretary")
    worker_chair = make_participant(w.meeting, "worker", roles=("chair",), name="A Worker in the Chair")
    assert permissions.can_view_poll(worker_chair.user, db.session.get(Poll, poll.id))
    answer_id = None
    with unit_of_work():
        answer_id = polls.answer_poll(db.session.merge(worker_chair.user), db.session.get(Poll, poll.id),
                                      "support").id
    assert answer_id is not None
    assert not permissions.can_view_poll(user(w, "chair"), db.session.get(Poll, poll.id))  # a Government Chair
