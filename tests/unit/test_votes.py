"""Votes (PROCEDURE.md rules 3 and 30–33): seats, weights, quorum, storage per type, results."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.db import unit_of_work, utcnow
from forum.drafting.models import ParagraphState
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings import attendance
from forum.meetings.models import BodyType, Meeting, Membership, MembershipKind, Participant, QuorumRule, Sitting
from forum.positions import votes
from forum.positions.items import item_of
from forum.positions.vote_models import GroupChoice, RecordChoice, SecretChoice, VoteParticipation
from tests import votes_helpers as vh
from tests.drafting_world import para


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return vh.build(make_user, make_meeting, make_participant)


# --- rule 31: weights and composition --------------------------------------------------------------------

def test_rule_31_weights_from_the_registered_composition_are_stored_with_the_vote(w):
    vote = vh.vote(vh.open_on(w))
    # 6 States (KE, DE, IT, BR, SN, ZA; the Thai observer does not count), 2 Employer and 1 Worker
    # regular members (group secretaries are not members): E·W=2, G·W=6, G·E=12, divided by 2.
    assert vote.composition["counts"] == {"government": 6, "employer": 2, "worker": 1}
    assert vote.weights == {"government": 1, "employer": 3, "worker": 6}
    assert vote.weighting == "equal_strength"
    assert "state:KE" in vote.composition["seats"]["government"]


def test_rule_31_composition_is_the_one_in_force_when_the_vote_opens(w, make_participant):
    make_participant(w.meeting, "worker", name="New Worker")  # registered now: in force
    tomorrow = make_participant(w.meeting, "worker", membership="none")
    with unit_of_work():
        p = db.session.get(Participant, tomorrow.id)
        p.memberships.append(Membership(kind=MembershipKind.regular, effective_from=date.today() + timedelta(days=2)))
    vote_id = vh.open_on(w)
    assert vh.vote(vote_id).composition["counts"]["worker"] == 2
    # A later registration does not change the weights of an open vote.
    make_participant(w.meeting, "worker")
    assert vh.vote(vote_id).composition["counts"]["worker"] == 2


def test_rule_31_one_person_one_vote_and_fixed_ratio_modes(make_user, make_meeting, make_participant):
    from forum.meetings.models import WeightingMode

    w = vh.build(make_user, make_meeting, make_participant, fixed_ratio={"government": 2, "employer": 1, "worker": 1})
    with unit_of_work():
        db.session.get(Meeting, w.meeting.id).weighting_mode = WeightingMode.fixed_ratio
    v = vh.vote(vh.open_on(w))
    counts, weights = v.composition["counts"], v.weights
    assert 6 * weights["government"] == 2 * 2 * weights["employer"] == 2 * 1 * weights["worker"]
    assert counts == {"government": 6, "employer": 2, "worker": 1}
    vh.close(w, v.id)
    with unit_of_work():
        db.session.get(Meeting, w.meeting.id).weighting_mode = WeightingMode.one_person_one_vote
    assert vh.vote(vh.open_on(w)).weights == {"government": 1, "employer": 1, "worker": 1}


# --- rule 3: who votes ---------------------------------------------------------------------------------

@pytest.mark.postgres
def test_rule_3_one_ballot_per_state_cast_by_any_of_its_participants(w):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya_adviser", "for")
    with pytest.raises(InvalidState, match="Kenya has already voted"):
        vh.cast(w, vote_id, "kenya", "against")
    v = vh.vote(vote_id)
    assert votes.ballots_cast(v) == 1
    row = db.session.scalars(sa.select(RecordChoice)).one()
    assert (row.voter_key, row.choice, row.participant_id) == ("state:KE", "for", w.p["kenya_adviser"].id)


@pytest.mark.parametrize("role", ["observer", "gov_observer", "secretariat", "emp_secretary"])
def test_rule_3_observers_secretariat_and_non_members_never_vote(w, role):
    vote_id = vh.open_on(w)
    with pytest.raises(NotAllowed):
        vh.cast(w, vote_id, role, "for")
    assert votes.ballots_cast(vh.vote(vote_id)) == 0


def test_rule_3_employer_and_worker_regular_members_vote_individually(w):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "employer", "for")
    vh.cast(w, vote_id, "emp_spokesperson", "against")
    keys = set(db.session.scalars(sa.select(VoteParticipation.voter_key)))
    assert keys == {f"participant:{w.p['employer'].id}", f"participant:{w.p['emp_spokesperson'].id}"}


def test_rule_3_deputy_votes_only_in_place_of_an_absent_regular_member_under_a_notice(w, make_participant):
    deputy = make_participant(w.meeting, "employer", membership="deputy", name="Employer Deputy")
    w.u["deputy"] = deputy.user
    vote_id = vh.open_on(w)
    with pytest.raises(NotAllowed, match="deputy"):
        vh.cast(w, vote_id, "deputy", "for")
    vh.close(w, vote_id)
    with unit_of_work():
        meeting = db.session.get(Meeting, w.meeting.id)
        attendance.record_substitution(w.secretariat, meeting, substitute=db.session.get(Participant, deputy.id),
                                       replaces=db.session.get(Participant, w.p["employer"].id), sitting=vh.sitting(w))
        # The member replaced is absent from the register.
        attendance.set_attendance(w.secretariat, vh.sitting(w), participant_ids=[
            w.p["emp_spokesperson"].id, w.p["worker"].id, deputy.id], member_states=["KE"])
    vote_id = vh.open_on(w, "2")
    vh.cast(w, vote_id, "deputy", "for")
    with pytest.raises(InvalidState):  # the seat has voted: the member cannot vote as well
        vh.cast(w, vote_id, "employer", "against")
    row = db.session.scalars(sa.select(RecordChoice).where(RecordChoice.vote_id == vote_id)).one()
    assert row.voter_key == f"participant:{w.p['employer'].id}" and row.weight == 3


def test_rule_3_deputy_cannot_replace_a_member_who_is_present(w, make_participant):
    deputy = make_participant(w.meeting, "worker", membership="deputy")
    w.u["deputy"] = deputy.user
    with unit_of_work():
        attendance.record_substitution(w.secretariat, db.session.get(Meeting, w.meeting.id),
                                       substitute=db.session.get(Participant, deputy.id),
                                       replaces=db.session.get(Participant, w.p["worker"].id))
    vote_id = vh.open_on(w)
    with pytest.raises(NotAllowed, match="present"):
        vh.cast(w, vote_id, "deputy", "for")


def test_rule_3_substitution_notice_refuses_a_non_deputy(w):
    with unit_of_work(), pytest.raises(ValidationFailed) as info:
        attendance.record_substitution(w.secretariat, db.session.get(Meeting, w.meeting.id),
                                       substitute=db.session.get(Participant, w.p["wkr_secretary"].id),
                                       replaces=db.session.get(Participant, w.p["worker"].id))
    assert "substitute_id" in info.value.fields


def test_rule_3_plenary_delegates_vote_and_advisers_only_with_a_notice_before_the_sitting(
        make_user, make_meeting, make_participant):
    w = vh.build(make_user, make_meeting, make_participant)
    with unit_of_work():
        meeting = db.session.get(Meeting, w.meeting.id)
        meeting.body_type = BodyType.plenary
        meeting.quorum_rule = QuorumRule.none
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    with pytest.raises(NotAllowed, match="adviser"):
        vh.cast(w, vote_id, "kenya_adviser", "for")
    vh.close(w, vote_id)
    # A notice recorded after the sitting started does not let the adviser vote in it.
    with unit_of_work():
        attendance.record_substitution(w.secretariat, db.session.get(Meeting, w.meeting.id),
                                       substitute=db.session.get(Participant, w.p["kenya_adviser"].id),
                                       replaces=db.session.get(Participant, w.p["kenya"].id), sitting=vh.sitting(w))
    vote_id = vh.open_on(w, "2")
    with pytest.raises(NotAllowed):
        vh.cast(w, vote_id, "kenya_adviser", "for")
    vh.close(w, vote_id)
    # In a later sitting, the notice recorded before it counts.
    with unit_of_work():
        later = Sitting(meeting_id=w.meeting.id, title="Fourth", starts_at=utcnow() + timedelta(minutes=5))
        db.session.add(later)
        db.session.flush()
        attendance.record_substitution(w.secretariat, db.session.get(Meeting, w.meeting.id),
                                       substitute=db.session.get(Participant, w.p["kenya_adviser"].id),
                                       replaces=db.session.get(Participant, w.p["kenya"].id), sitting=later)
        vote = votes.open_vote(db.session.merge(w.u["chair"]), item_of(para(w, "3")), vote_type="record",
                               sitting=later)
    vh.cast(w, vote.id, "kenya_adviser", "against")
    assert vh.vote(vote.id).composition["mode"] == "plenary"


def test_rule_3_plenary_non_government_delegate_without_counterpart_does_not_vote(
        make_user, make_meeting, make_participant):
    w = vh.build(make_user, make_meeting, make_participant)
    lone = make_participant(w.meeting, "employer", member_state="FR")
    pair_e = make_participant(w.meeting, "employer", member_state="KE")
    make_participant(w.meeting, "worker", member_state="KE")
    with unit_of_work():
        meeting = db.session.get(Meeting, w.meeting.id)
        meeting.body_type = BodyType.plenary
        meeting.quorum_rule = QuorumRule.none
    seats = vh.vote(vh.open_on(w)).composition["seats"]["employer"]
    assert f"participant:{lone.id}" not in seats
    assert f"participant:{pair_e.id}" in seats


# --- rule 30: types, storage, states ---------------------------------------------------------------------

def test_rule_30_ballots_before_open_after_close_and_bad_choices_are_refused(w):
    vote_id = vh.open_on(w)
    for bad in ("yes", "", None, 1, "FOR", "x" * 10000, {"choice": "for"}):
        with pytest.raises(ValidationFailed):
            vh.cast(w, vote_id, "kenya", bad)
    vh.close(w, vote_id)
    with pytest.raises(InvalidState, match="closed"):
        vh.cast(w, vote_id, "kenya", "for")
    assert votes.ballots_cast(vh.vote(vote_id)) == 0


def test_rule_30_while_open_only_the_number_of_ballots_is_shown(w):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    view = votes.vote_view(vh.vote(vote_id), w.u["kenya"])
    assert view["ballots_cast"] == 1 and view["outcome"] is None
    assert "totals" not in view and "ballots" not in view and "by_group" not in view


def test_rule_30_show_of_hands_stores_the_group_not_the_voter(w):
    vote_id = vh.open_on(w, vote_type="show_of_hands")
    vh.cast(w, vote_id, "kenya", "for")
    vh.cast(w, vote_id, "worker", "against")
    rows = db.session.scalars(sa.select(GroupChoice)).all()
    assert sorted((r.group, r.choice, r.weight) for r in rows) == [("government", "for", 1), ("worker", "against", 6)]
    assert {c.name for c in GroupChoice.__table__.columns} == {"key", "vote_id", "group", "choice", "weight"}
    vh.close(w, vote_id)
    view = votes.vote_view(vh.vote(vote_id), w.u["kenya"])
    assert view["by_group"]["worker"] == {"for": 0, "against": 1, "abstain": 0}
    assert "ballots" not in view


@pytest.mark.postgres
def test_rule_30_secret_ballot_has_no_link_no_time_and_is_final(w):
    vote_id = vh.open_on(w, vote_type="secret")
    result = vh.cast(w, vote_id, "kenya", "against")
    assert result["receipt"] and result["changed"] is False
    assert {c.name for c in SecretChoice.__table__.columns} == {"key", "vote_id", "choice", "weight", "receipt_hash"}
    with pytest.raises(InvalidState):
        vh.cast(w, vote_id, "kenya", "for")
    # No audit entry carries the choice.
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("vote.%"))).all()
    assert all("against" not in json.dumps(e.payload) for e in entries)
    vh.close(w, vote_id)
    view = votes.vote_view(vh.vote(vote_id), w.u["kenya"])
    assert "by_group" not in view and "ballots" not in view
    assert view["totals"]["against"] == {"raw": 1, "weighted": 1}
    assert votes.check_receipt(vh.vote(vote_id), result["receipt"].lower())
    assert not votes.check_receipt(vh.vote(vote_id), "AAAA-BBBB-CCCC")


@pytest.mark.postgres
def test_rule_30_ballot_changes_only_when_the_meeting_allows_it(make_user, make_meeting, make_participant):
    w = vh.build(make_user, make_meeting, make_participant, ballot_changes_allowed=True)
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    assert vh.cast(w, vote_id, "kenya_adviser", "against") == {"receipt": None, "changed": True}
    assert vh.cast(w, vote_id, "kenya", "against")["changed"] is False
    hands = vh.open_on(w, "2", vote_type="show_of_hands")
    vh.cast(w, hands, "worker", "for")
    vh.cast(w, hands, "worker", "abstain")
    assert [r.choice for r in db.session.scalars(sa.select(GroupChoice))] == ["abstain"]
    vh.close(w, hands)
    assert db.session.scalars(sa.select(VoteParticipation.choice_ref).where(
        VoteParticipation.vote_id == hands)).all() == [None]  # the link ends with the vote
    secret = vh.open_on(w, "3", vote_type="secret")
    vh.cast(w, secret, "worker", "for")
    with pytest.raises(InvalidState):
        vh.cast(w, secret, "worker", "against")


def test_rule_30_only_the_chair_or_the_secretariat_opens_and_closes(w):
    with pytest.raises(NotAllowed):
        vh.open_on(w, actor=w.u["kenya"])
    vote_id = vh.open_on(w, actor=w.secretariat)
    assert vh.vote(vote_id).for_chair is True
    with pytest.raises(NotAllowed):
        vh.close(w, vote_id, actor=w.u["worker"])
    vh.close(w, vote_id)
    with pytest.raises(InvalidState):
        vh.close(w, vote_id)


def test_rule_29_closing_a_vote_decides_nothing(w):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    assert vh.close(w, vote_id).results["outcome"] == "adopted"
    db.session.expire_all()
    assert para(w, "1").state is ParagraphState.pending


# --- rules 32–33: quorum, majority, results -----------------------------------------------------------------

@pytest.mark.postgres
def test_rule_32_quorum_from_the_attendance_register_not_from_who_is_connected(
        make_user, make_meeting, make_participant):
    w = vh.build(make_user, make_meeting, make_participant, everyone_present=False)
    with unit_of_work():
        attendance.set_attendance(w.secretariat, vh.sitting(w), participant_ids=[w.p["worker"].id],
                                  member_states=["KE", "DE"])
    vote_id = vh.open_on(w)
    quorum = vh.vote(vote_id).quorum
    assert (quorum["attending"], quorum["members"], quorum["required"], quorum["reached"]) == (3, 9, 5, False)
    vh.cast(w, vote_id, "kenya", "for")
    v = vh.close(w, vote_id)
    assert v.results["outcome"] == "void"


def test_rule_32_plenary_half_votes_cast_must_reach_half_of_delegates_attending(
        make_user, make_meeting, make_participant):
    w = vh.build(make_user, make_meeting, make_participant)
    with unit_of_work():
        db.session.get(Meeting, w.meeting.id).quorum_rule = QuorumRule.plenary_half
    vote_id = vh.open_on(w)
    assert vh.vote(vote_id).quorum["required"] == 5  # 9 members attending
    for role in ("kenya", "germany", "italy", "senegal"):
        vh.cast(w, vote_id, role, "for")
    vh.cast(w, vote_id, "worker", "abstain")  # abstentions are not votes cast
    v = vh.close(w, vote_id)
    assert v.results["quorum"]["votes_cast"] == 4
    assert v.results["outcome"] == "void"


@pytest.mark.postgres
def test_rule_32_weighted_majority_and_abstentions(w):
    vote_id = vh.open_on(w)
    for role in ("kenya", "germany", "italy", "senegal", "africa"):
        vh.cast(w, vote_id, role, "for")  # 5 × 1
    vh.cast(w, vote_id, "worker", "against")  # 1 × 6
    vh.cast(w, vote_id, "employer", "abstain")
    v = vh.close(w, vote_id)
    assert v.results["totals"]["for"] == {"raw": 5, "weighted": 5}
    assert v.results["totals"]["against"] == {"raw": 1, "weighted": 6}
    assert v.results["totals"]["abstain"] == {"raw": 1, "weighted": 3}
    assert v.results["outcome"] == "rejected"


def test_rule_32_two_thirds_majority(w):
    vote_id = vh.open_on(w, majority="two_thirds")
    vh.cast(w, vote_id, "worker", "for")  # 6
    vh.cast(w, vote_id, "employer", "against")  # 3
    assert vh.close(w, vote_id).results["outcome"] == "adopted"
    vote_id = vh.open_on(w, "2", majority="two_thirds")
    vh.cast(w, vote_id, "worker", "for")  # 6
    vh.cast(w, vote_id, "employer", "against")  # 3
    vh.cast(w, vote_id, "kenya", "against")  # 1: 6 of 10 is less than two thirds
    assert vh.close(w, vote_id).results["outcome"] == "rejected"


def test_rule_33_record_vote_publishes_every_choice_and_group_subtotals(w):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    vh.cast(w, vote_id, "worker", "against")
    vh.close(w, vote_id)
    view = votes.vote_view(vh.vote(vote_id), w.u["observer"])
    assert view["state"] == "closed" and view["outcome"] == "rejected"
    assert view["quorum"]["reached"] is True and view["majority"] == "simple"
    assert {(b["voter"], b["choice"]) for b in view["ballots"]} == {("Kenya", "for"), ("Worker Member", "against")}
    assert view["by_group"]["government"] == {"for": 1, "against": 0, "abstain": 0}
    assert view["weights"] == {"government": 1, "employer": 3, "worker": 6}


@pytest.mark.postgres
def test_recount_matches_and_detects_tampering(w):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    vh.cast(w, vote_id, "worker", "against")
    vh.close(w, vote_id)
    ok, _again, differences = votes.recount(vh.vote(vote_id))
    assert ok and not differences
    with unit_of_work():
        db.session.execute(sa.update(RecordChoice).where(RecordChoice.voter_key == "state:KE").values(choice="against"))
    ok, _again, differences = votes.recount(vh.vote(vote_id))
    assert not ok and "totals" in differences


def test_ballot_audit_entries_name_the_seat_and_never_a_secret_choice(w):
    record_vote = vh.open_on(w)
    vh.cast(w, record_vote, "worker", "abstain")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "vote.ballot")).one()
    payload = json.loads(entry.payload) if isinstance(entry.payload, str) else entry.payload
    assert payload["voter"] == f"participant:{w.p['worker'].id}" and payload["choice"] == "abstain"
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"vote.open", "attendance.update"} <= actions


def test_rule_33_recount_command_exits_non_zero_on_a_mismatch(app, w):
    vote_id = vh.open_on(w, vote_type="secret")
    vh.cast(w, vote_id, "kenya", "for")
    vh.cast(w, vote_id, "worker", "against")
    vh.close(w, vote_id)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forum", "recount", str(vote_id)])
    assert result.exit_code == 0, result.output
    assert "matches" in result.output and "outcome rejected" in result.output
    with unit_of_work():
        db.session.execute(sa.update(SecretChoice).where(SecretChoice.choice == "against").values(choice="for"))
    result = runner.invoke(args=["forum", "recount", str(vote_id)])
    assert result.exit_code == 1 and "differs" in result.output
    result = runner.invoke(args=["forum", "recount", "999999"])
    assert result.exit_code == 1


@pytest.mark.postgres
def test_a_ballot_takes_a_handful_of_queries(w, count_queries, backend):
    """Issue #12 benchmarks hundreds of voters: casting reads the vote, the voter, the seat and
    writes the ballot, the participation and the audit entry, and counts; nothing per member."""
    from forum.positions.vote_models import Vote

    vote_id = vh.open_on(w)
    db.session.rollback()
    user = w.u["worker"]
    with count_queries() as counter, unit_of_work():
        votes.cast_ballot(db.session.merge(user), db.session.get(Vote, vote_id), "for")
    assert counter.n <= 15, counter.statements
    if backend == "postgres":  # closing waits for ballots in flight (tests/web/test_votes_race.py)
        assert any("FOR SHARE" in statement for statement in counter.statements)


def test_rule_32_plenary_mode_counts_a_states_delegates_present_with_their_state(
        make_user, make_meeting, make_participant):
    w = vh.build(make_user, make_meeting, make_participant)
    with unit_of_work():
        meeting = db.session.get(Meeting, w.meeting.id)
        meeting.body_type = BodyType.plenary
        meeting.quorum_rule = QuorumRule.plenary_half
    quorum = vh.vote(vh.open_on(w)).quorum
    assert (quorum["attending"], quorum["members"], quorum["required"]) == (9, 9, 5)
