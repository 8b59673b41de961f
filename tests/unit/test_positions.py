"""Group positions (rule 27), attributed Government statements (rule 28) and the status board:
every rule has a test named after it, and every bad input is refused with nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum import realtime
from forum.audit.models import AuditEntry
from forum.db import unit_of_work, utcnow
from forum.drafting import amendments as amend
from forum.drafting import drafts
from forum.drafting.models import Draft
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Sitting
from forum.positions import board, positions, queries
from forum.positions.models import Position, PositionChange, Stance, Statement
from tests.drafting_world import para
from tests.positions_world import amendment_item, build_positions, paragraph_item, user


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build_positions(make_user, make_meeting, make_participant)


def counts() -> dict[str, int]:
    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {m.__name__: count(m) for m in (Position, PositionChange, Statement, AuditEntry)}


def record(w, role: str, item, **kwargs):
    with unit_of_work():
        return positions.record_position(user(w, role), item, **kwargs)


def state_says(w, role: str, item, **kwargs):
    with unit_of_work():
        return positions.add_statement(user(w, role), item, **kwargs)


def pending_events() -> list:
    return db.session.info.get(realtime._PENDING, [])


# --- rule 27: group positions ------------------------------------------------------------------------

def test_rule_27_the_spokesperson_and_the_group_secretary_record_their_groups_one_position(w):
    item = paragraph_item(w, "2")
    record(w, "emp_spokesperson", item, group="employer", stance="support", statement="  Good   text. ")
    record(w, "wkr_secretary", item, group="worker", stance="oppose")
    record(w, "emp_secretary", item, group="employer", stance="reserve")  # replaces, never adds
    rows = queries.positions_for_item(paragraph_item(w, "2"))
    assert [(p.holder, p.stance) for p in rows] == [("employer", Stance.reserve), ("worker", Stance.oppose)]
    employer = rows[0]
    assert employer.statement == "" and employer.stated_by_name == "Employer Secretary"
    assert employer.recorded_by_id == w.u["emp_secretary"].id and employer.for_chair is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Position)) == 2


@pytest.mark.parametrize("role, group", [
    ("employer", "employer"),  # a member, not the spokesperson or secretary
    ("worker", "worker"),
    ("wkr_spokesperson", "employer"),  # another group's spokesperson
    ("emp_secretary", "worker"),
    ("kenya", "employer"),  # a Government delegate
    ("chair", "worker"),  # the Chair does not speak for a group
    ("observer", "employer"),
    ("africa", "GRULAC"),  # another regional group's coordinator
    ("senegal", "AFRICA"),  # a member State, not the coordinator
])
def test_rule_27_a_position_recorded_by_someone_who_does_not_speak_for_the_group_is_refused(w, role, group):
    before = counts()
    with pytest.raises(NotAllowed):
        record(w, role, paragraph_item(w, "2"), group=group, stance="support")
    assert counts() == before


def test_rule_27_a_regional_group_position_is_recorded_by_its_coordinator(w):
    item = amendment_item(w, "kenya")
    record(w, "africa", item, group="AFRICA", stance="oppose", statement="The paragraph is needed.")
    (position,) = queries.positions_for_item(amendment_item(w, "kenya"))
    assert position.holder == "AFRICA" and position.is_regional and position.regional_group.name
    assert position.stated_by_name == "Africa Coordinator" and position.amendment_id == w.kenya_amendment


def test_rule_27_the_secretariat_takes_note_in_the_sitting_for_the_chair_and_is_named_as_recorder(w):
    item = paragraph_item(w, "1")
    with unit_of_work():
        sitting = Sitting(meeting_id=w.meeting.id, title="Second sitting", starts_at=db.func.now())
        db.session.add(sitting)
    sitting = db.session.scalars(sa.select(Sitting)).one()
    version = sitting.version
    with unit_of_work():
        positions.record_position(user(w, "secretariat"), item, group="worker", stance="support",
                                  sitting=db.session.merge(sitting), stated_by=db.session.merge(w.p["wkr_secretary"]))
        events = list(pending_events())
    (position,) = queries.positions_for_item(paragraph_item(w, "1"))
    assert position.for_chair is True and position.recorded_by_name == "Secretariat Officer"
    assert position.stated_by_name == "Worker Secretary" and position.sitting_id == sitting.id
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "position.record")).one()
    assert entry.for_chair is True and entry.actor_id == w.secretariat.id and entry.space_id is None
    payload = json.loads(entry.payload)
    assert payload["stance"] == "support" and payload["group"] == "worker"
    names = [(room, name) for room, name, _ in events]
    assert (f"draft:{w.draft_id}", "position.changed") in names
    update = next(data for room, name, data in events if room == f"sitting:{sitting.id}")
    assert update["type"] == "position_recorded" and update["data"]["item"] == {"kind": "paragraph", "id": item.id}
    assert db.session.get(Sitting, sitting.id).version == version + 1


def test_rule_27_the_secretariat_names_only_a_speaker_of_that_group(w):
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        record(w, "secretariat", paragraph_item(w, "1"), group="worker", stance="support",
               stated_by=db.session.merge(w.p["emp_spokesperson"]))
    assert "stated_by" in err.value.fields and counts() == before


def test_rule_27_every_change_is_kept_and_rerecording_the_same_is_a_harmless_no_op(w):
    item = paragraph_item(w, "2")
    record(w, "emp_spokesperson", item, group="employer", stance="reserve", statement="Consulting.")
    record(w, "emp_spokesperson", item, group="employer", stance="support")
    before = counts()
    draft_version = db.session.get(Draft, w.draft_id).version
    with unit_of_work():
        again = positions.record_position(user(w, "emp_spokesperson"), paragraph_item(w, "2"), group="employer",
                                          stance="support", statement="")
        assert pending_events() == []
    assert counts() == before and again.stance is Stance.support
    assert db.session.get(Draft, w.draft_id).version == draft_version
    history = queries.history_for_item(paragraph_item(w, "2"))
    assert [(c.previous_stance, c.stance, c.statement) for _, c in history] == [
        (None, Stance.reserve, "Consulting."), (Stance.reserve, Stance.support, "")]
    assert [json.loads(e.payload)["stance"] for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "position.record").order_by(AuditEntry.seq))] == [
        "reserve", "support"]


@pytest.mark.parametrize("fields, field", [
    ({"group": "employer", "stance": "maybe"}, "stance"),
    ({"group": "employer", "stance": ""}, "stance"),
    ({"group": "employer", "stance": None}, "stance"),
    ({"group": "employer", "stance": "support", "statement": "x" * 501}, "statement"),
    ({"group": "employer", "stance": "support", "statement": ["a list"]}, "statement"),
    ({"group": "government", "stance": "support"}, "group"),  # never a Government group position (rule 28)
    ({"group": "NOWHERE", "stance": "support"}, "group"),
    ({"group": "", "stance": "support"}, "group"),
])
def test_bad_input_to_a_position_is_refused_with_a_field_error_and_nothing_changes(w, fields, field):
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        record(w, "secretariat", paragraph_item(w, "2"), **fields)
    assert field in err.value.fields and counts() == before


def test_extra_fields_are_not_accepted_by_the_service(w):
    with pytest.raises(TypeError):
        record(w, "emp_spokesperson", paragraph_item(w, "2"), group="employer", stance="support",
               for_chair=True)  # type: ignore[call-arg]
    assert counts()["Position"] == 0


def test_positions_wait_for_circulation_and_for_the_draft_to_be_open(w, make_user, make_meeting,
                                                                       make_participant):
    before = counts()
    with pytest.raises(InvalidState):
        record(w, "secretariat", amendment_item(w, "hidden"), group="employer", stance="support")
    with pytest.raises(InvalidState):
        record(w, "emp_spokesperson", amendment_item(w, "hidden"), group="employer", stance="support")
    assert counts() == before
    from tests.drafting_world import build

    closed = build(make_user, make_meeting, make_participant, open_draft=False)
    with pytest.raises(InvalidState):
        record(closed, "secretariat", paragraph_item(closed, "1"), group="employer", stance="support")


# --- rule 28: Government statements ------------------------------------------------------------------

def test_rule_28_a_state_records_its_own_statement_attributed_and_on_behalf_of_its_regional_group(w):
    item = amendment_item(w, "employers")
    state_says(w, "senegal", item, member_state="SN", regional_group="AFRICA", stance="support",
               text="On behalf of the Africa group.")
    state_says(w, "kenya_adviser", item, member_state="KE", stance="oppose")
    statements = queries.statements_for_item(amendment_item(w, "employers"))
    assert [(s.member_state, s.regional_group.code if s.regional_group else None, s.stance) for s in statements] == [
        ("SN", "AFRICA", Stance.support), ("KE", None, Stance.oppose)]
    assert statements[0].recorded_by_id == w.u["senegal"].id and statements[0].for_chair is False
    from forum.positions.labels import government_label

    assert government_label("KE", "Africa group") == "Government of Kenya, on behalf of Africa group"


@pytest.mark.parametrize("role, fields", [
    ("kenya", {"member_state": "DE"}),  # another State
    ("kenya", {"member_state": "SN", "regional_group": "AFRICA"}),  # another State, even of its region
    ("africa", {"member_state": "DE"}),  # a coordinator, for a State outside its group
    ("africa", {"member_state": "SN"}),  # a coordinator speaks for a member State in the group's name only
    ("grulac", {"member_state": "SN", "regional_group": "AFRICA"}),  # another group's coordinator
    ("emp_spokesperson", {"member_state": "SE"}),  # not a Government
    ("chair", {"member_state": "KE"}),  # the Chair (Brazil) for Kenya
    ("gov_observer", {"member_state": "TH"}),  # observers make no statements
    ("observer", {"member_state": "KE"}),
])
def test_rule_28_a_statement_for_another_state_is_refused_and_nothing_changes(w, role, fields):
    before = counts()
    with pytest.raises(NotAllowed):
        state_says(w, role, paragraph_item(w, "2"), stance="support", **fields)
    assert counts() == before


def test_rule_28_a_coordinator_records_a_member_states_statement_on_the_groups_behalf(w):
    state_says(w, "africa", paragraph_item(w, "2"), member_state="SN", regional_group="AFRICA", stance="reserve")
    (s,) = queries.statements_for_item(paragraph_item(w, "2"))
    assert (s.member_state, s.regional_group.code, s.recorded_by_name) == ("SN", "AFRICA", "Africa Coordinator")


def test_rule_28_the_secretariat_takes_note_of_any_states_statement_for_the_chair(w):
    state_says(w, "secretariat", paragraph_item(w, "2"), member_state="it", stance="oppose", text="Italy objects.")
    (s,) = queries.statements_for_item(paragraph_item(w, "2"))
    assert s.member_state == "IT" and s.for_chair is True
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "statement.add")).one()
    assert entry.for_chair is True and json.loads(entry.payload)["member_state"] == "IT"


@pytest.mark.parametrize("fields, field", [
    ({"member_state": "XX", "stance": "support"}, "member_state"),
    ({"member_state": "", "stance": "support"}, "member_state"),
    ({"member_state": 12, "stance": "support"}, "member_state"),
    ({"member_state": "KE", "stance": "for"}, "stance"),
    ({"member_state": "KE", "stance": "support", "regional_group": "GRULAC"}, "regional_group"),  # not a member
    ({"member_state": "KE", "stance": "support", "regional_group": "NOWHERE"}, "regional_group"),
    ({"member_state": "KE", "stance": "support", "text": "x" * 1001}, "text"),
])
def test_bad_input_to_a_statement_is_refused_with_a_field_error_and_nothing_changes(w, fields, field):
    before = counts()
    with pytest.raises(ValidationFailed) as err:
        state_says(w, "secretariat", paragraph_item(w, "2"), **fields)
    assert field in err.value.fields and counts() == before


def test_rule_28_the_same_statement_twice_is_recorded_once_and_a_new_one_is_added_to_the_list(w):
    item = paragraph_item(w, "2")
    state_says(w, "kenya", item, member_state="KE", stance="support")
    state_says(w, "kenya_adviser", item, member_state="KE", stance="support")  # a double submission
    state_says(w, "kenya", item, member_state="KE", stance="reserve", text="On reflection.")
    assert [s.stance for s in queries.statements_for_item(paragraph_item(w, "2"))] == [Stance.support,
                                                                                       Stance.reserve]
    assert counts()["AuditEntry"] >= 2


def test_rule_28_the_board_lists_every_statement_and_never_derives_a_government_position(w):
    item = paragraph_item(w, "2")
    for role, code in (("kenya", "KE"), ("germany", "DE"), ("italy", "IT"), ("senegal", "SN")):
        state_says(w, role, item, member_state=code, stance="support")
    row = next(r for r in board.status_board(user(w, "observer"), db.session.get(Draft, w.draft_id))
               if r["kind"] == "paragraph" and r["label"] == "2")
    assert [s["member_state"] for s in row["statements"]] == ["KE", "DE", "IT", "SN"]
    assert "government" not in row and row["employer"] is None and row["worker"] is None
    assert not any(p["group"] == "government" for p in row["regional"])
    assert queries.positions_for_item(item) == []  # four supporting States make no Government position


# --- the status board -------------------------------------------------------------------------------

def test_the_board_lists_paragraphs_and_circulated_amendments_in_document_order_with_positions(w):
    record(w, "emp_spokesperson", amendment_item(w, "kenya"), group="employer", stance="oppose",
           statement="Needed.")
    record(w, "wkr_spokesperson", amendment_item(w, "kenya"), group="worker", stance="oppose")
    record(w, "africa", amendment_item(w, "kenya"), group="AFRICA", stance="support")
    record(w, "grulac", amendment_item(w, "kenya"), group="GRULAC", stance="reserve")
    state_says(w, "kenya", amendment_item(w, "kenya"), member_state="KE", stance="support")
    rows = board.status_board(user(w, "worker"), db.session.get(Draft, w.draft_id))
    assert [(r["kind"], r["label"]) for r in rows] == [
        ("paragraph", "preamble"), ("paragraph", "1"), ("paragraph", "2"), ("paragraph", "3"),
        ("amendment", "D.1"), ("amendment", "D.2"), ("paragraph", "3(a)"), ("paragraph", "3(b)"),
        ("paragraph", "4")]  # Kenya's draft on paragraph 4 is not circulated: not on the board
    kenya = rows[4]
    assert kenya["item"] == {"kind": "amendment", "id": w.kenya_amendment, "draft_id": w.draft_id, "label": "D.1"}
    assert kenya["employer"]["stance"] == "oppose" and kenya["employer"]["statement"] == "Needed."
    assert kenya["worker"]["stance"] == "oppose" and kenya["state"] == "circulated" and kenya["depth"] == 1
    assert [(p["group"], p["stance"]) for p in kenya["regional"]] == [("AFRICA", "support"), ("GRULAC", "reserve")]
    assert kenya["statements"][0]["member_state"] == "KE" and kenya["decision"] is None


def test_the_board_shows_the_latest_decision_declared_and_who_declared_it(w):
    with unit_of_work():
        drafts.decide_paragraph(user(w, "chair"), para(w, "1"), "under_discussion")
    rows = {r["label"]: r for r in board.status_board(user(w, "kenya"), db.session.get(Draft, w.draft_id))}
    assert rows["1"]["decision"] is None and rows["1"]["state"] == "under_discussion"  # taken up: not a decision
    with unit_of_work():
        drafts.decide_paragraph(user(w, "secretariat"), para(w, "1"), "adopted")
        a = db.session.merge(amendment_item(w, "kenya").amendment)
        amend.decide_amendment(user(w, "chair"), a, "not_moved")
    rows = {r["label"]: r for r in board.status_board(user(w, "kenya"), db.session.get(Draft, w.draft_id))}
    decision = rows["1"]["decision"]
    assert decision["outcome"] == "adopted" and decision["declared_by"] == "Secretariat Officer"
    assert decision["for_chair"] is True
    assert rows["D.1"]["decision"]["outcome"] == "not_moved" and rows["D.1"]["decision"]["for_chair"] is False
    with unit_of_work():
        drafts.decide_paragraph(user(w, "chair"), para(w, "1"), "under_discussion", note="The body agreed.")
    rows = {r["label"]: r for r in board.status_board(user(w, "kenya"), db.session.get(Draft, w.draft_id))}
    assert rows["1"]["decision"] is None  # reopened: the adoption no longer stands


def test_the_board_is_for_the_meetings_participants(w, make_user):
    with pytest.raises(NotAllowed):
        board.status_board(make_user(admin=True), db.session.get(Draft, w.draft_id))


def test_the_board_runs_a_fixed_number_of_queries_whatever_the_number_of_positions(w, count_queries):
    def measure() -> int:
        db.session.expire_all()
        from forum import permissions

        permissions.forget_participations()
        with count_queries() as counter:
            board.status_board(user(w, "worker"), db.session.get(Draft, w.draft_id))
        return counter.n

    record(w, "emp_spokesperson", paragraph_item(w, "1"), group="employer", stance="support")
    record(w, "africa", paragraph_item(w, "1"), group="AFRICA", stance="support")
    small = measure()
    for label in ("preamble", "2", "3", "3(a)", "3(b)", "4"):
        record(w, "emp_spokesperson", paragraph_item(w, label), group="employer", stance="support")
        record(w, "wkr_spokesperson", paragraph_item(w, label), group="worker", stance="oppose")
        record(w, "africa", paragraph_item(w, label), group="AFRICA", stance="reserve")
        state_says(w, "kenya", paragraph_item(w, label), member_state="KE", stance="support")
    with unit_of_work():
        drafts.decide_paragraph(user(w, "chair"), para(w, "2"), "under_discussion")
        drafts.decide_paragraph(user(w, "chair"), para(w, "2"), "adopted")
    large = measure()
    assert large == small and large <= 16, large


def test_the_board_shows_the_method_of_a_decision_declared_through_the_votes_module(w):
    from forum.positions import decisions
    from forum.positions.vote_models import Decision

    with unit_of_work():
        decisions.declare(user(w, "chair"), paragraph_item(w, "2"), outcome="adopted", method="consensus")
        decisions.declare(user(w, "secretariat"), amendment_item(w, "kenya"), outcome="not_moved", method="none")
    rows = {r["label"]: r for r in board.status_board(user(w, "observer"), db.session.get(Draft, w.draft_id))}
    adopted = rows["2"]["decision"]
    assert (adopted["outcome"], adopted["method"], adopted["declared_by"], adopted["for_chair"], adopted["source"]) \
        == ("adopted", "consensus", "The Chair", False, "decision")
    assert rows["2"]["state"] == "adopted"
    assert rows["D.1"]["decision"]["for_chair"] is True and rows["D.1"]["decision"]["source"] == "decision"
    # Decided again later on the drafting pages alone: the later history entry wins, without a method.
    with unit_of_work():
        db.session.execute(sa.update(Decision).values(created_at=utcnow() - timedelta(hours=1)))
    with unit_of_work():
        drafts.decide_paragraph(user(w, "chair"), para(w, "2"), "under_discussion", note="The body agreed.")
    rows = {r["label"]: r for r in board.status_board(user(w, "observer"), db.session.get(Draft, w.draft_id))}
    assert rows["2"]["decision"] is None and rows["2"]["state"] == "under_discussion"


# --- double submissions at the same moment ------------------------------------------------------------

@pytest.mark.postgres
def test_the_same_position_and_answer_submitted_at_the_same_moment_are_recorded_once(app, w, backend):
    import threading

    from forum.accounts.models import User
    from forum.meetings.models import SpaceKind
    from forum.positions import polls
    from forum.positions.items import load_item
    from forum.positions.models import Poll, PollAnswer
    from tests.positions_world import space

    with unit_of_work():
        poll = polls.open_poll(user(w, "wkr_secretary"), db.session.merge(space(w, SpaceKind.group, "worker")),
                               paragraph_item(w, "2"))
    poll_id, paragraph_id = poll.id, paragraph_item(w, "2").id
    ids = {role: w.u[role].id for role in ("wkr_secretary", "wkr_spokesperson", "worker")}
    db.session.rollback()
    errors: list[BaseException] = []

    def run(action) -> None:
        try:
            with app.app_context():
                with unit_of_work():
                    action()
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    def record_it(role: str) -> None:
        positions.record_position(db.session.get(User, ids[role]), load_item("paragraph", paragraph_id),
                                  group="worker", stance="oppose", statement="As agreed in the caucus.")

    def answer_it() -> None:
        polls.answer_poll(db.session.get(User, ids["worker"]), db.session.get(Poll, poll_id), "oppose")

    threads = [threading.Thread(target=run, args=(lambda role=role: record_it(role),))
               for role in ("wkr_secretary", "wkr_spokesperson") * 4]
    threads += [threading.Thread(target=run, args=(answer_it,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Position)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PositionChange)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PollAnswer)) == 1
