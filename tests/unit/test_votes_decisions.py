"""Decisions (PROCEDURE.md rule 29): the Chair declares; the software records how and where."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.drafting import amendments as svc
from forum.drafting import drafts as drafting
from forum.drafting.models import Amendment, AmendmentState, Mover, MoverKind, ParagraphState
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Participant
from forum.positions import decisions
from forum.positions.items import item_of
from forum.positions.vote_models import Decision, Vote
from tests import votes_helpers as vh
from tests.drafting_world import draft, para


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return vh.build(make_user, make_meeting, make_participant)


def declare(w, obj, role="chair", **kwargs) -> Decision:
    with unit_of_work():
        obj = db.session.merge(obj)
        vote = kwargs.pop("vote", None)
        return decisions.declare(db.session.merge(w.u.get(role, role)), item_of(obj),
                                 vote=db.session.get(Vote, vote) if vote else None, **kwargs)


def circulated_amendment(w, label="2") -> Amendment:
    with unit_of_work():
        a = svc.file_amendment(w.u["emp_secretary"], draft(w), para(w, label), mover=Mover(MoverKind.employer_group),
                               kind="modify", language="en", text="Member States shall ratify the standards.",
                               explanation="Stronger.")
        svc.submit_amendment(w.u["emp_secretary"], a)
        svc.validate_amendment(w.secretariat, a)
        svc.circulate_amendments(w.secretariat, draft(w))
    return db.session.get(Amendment, a.id)


def test_rule_29_chair_declares_adoption_by_consensus(w):
    d = declare(w, para(w, "1"), outcome="adopted", method="consensus")
    db.session.expire_all()
    assert para(w, "1").state is ParagraphState.adopted
    stored = db.session.get(Decision, d.id)
    assert (stored.outcome, stored.method, stored.for_chair, stored.sitting_id) == ("adopted", "consensus", False,
                                                                                     w.sitting_id)
    assert stored.declared_by_id == w.u["chair"].id


def test_rule_29_secretariat_declares_on_the_chairs_behalf_recorded_as_such(w):
    d = declare(w, para(w, "1"), role=w.secretariat, outcome="deferred", method="none")
    assert db.session.get(Decision, d.id).for_chair is True
    db.session.expire_all()
    assert para(w, "1").state is ParagraphState.deferred


@pytest.mark.parametrize("role", ["kenya", "employer", "observer"])
def test_rule_29_nobody_else_declares(w, role):
    with pytest.raises(NotAllowed):
        declare(w, para(w, "1"), role=role, outcome="adopted", method="consensus")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0


@pytest.mark.postgres
def test_rule_29_method_vote_needs_a_closed_vote_whose_result_matches(w):
    with pytest.raises(InvalidState, match="No vote"):
        declare(w, para(w, "1"), outcome="adopted", method="vote")
    vote_id = vh.open_on(w)
    with pytest.raises(InvalidState, match="still open"):
        declare(w, para(w, "1"), outcome="adopted", method="vote", vote=vote_id)
    vh.cast(w, vote_id, "worker", "against")
    vh.close(w, vote_id)
    with pytest.raises(InvalidState, match="rejected"):
        declare(w, para(w, "1"), outcome="adopted", method="vote", vote=vote_id)
    d = declare(w, para(w, "1"), outcome="rejected", method="vote", vote=vote_id)
    assert db.session.get(Decision, d.id).method == "vote:record"
    db.session.expire_all()
    assert para(w, "1").state is ParagraphState.deleted


def test_rule_29_a_void_vote_decides_nothing(make_user, make_meeting, make_participant):
    w = vh.build(make_user, make_meeting, make_participant, everyone_present=False)
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    vh.close(w, vote_id)
    with pytest.raises(InvalidState, match="void"):
        declare(w, para(w, "1"), outcome="adopted", method="vote", vote=vote_id)


def test_rule_29_vote_on_another_item_is_refused(w):
    vote_id = vh.open_on(w, "2")
    vh.cast(w, vote_id, "worker", "for")
    vh.close(w, vote_id)
    with pytest.raises(ValidationFailed):
        declare(w, para(w, "1"), outcome="adopted", method="vote", vote=vote_id)


def test_rule_29_reservation_recorded_instead_of_a_vote(w):
    with pytest.raises(ValidationFailed):
        declare(w, para(w, "1"), outcome="reservation", method="reservation")  # whose reservation?
    with pytest.raises(ValidationFailed):
        declare(w, para(w, "1"), outcome="reservation", method="consensus", note="Workers")
    d = declare(w, para(w, "1"), outcome="reservation", method="reservation",
                note="The Workers' group expressed a reservation.")
    db.session.expire_all()
    assert para(w, "1").state is ParagraphState.adopted
    assert db.session.get(Decision, d.id).method == "reservation"


def test_rule_29_reopening_records_the_bodys_agreement(w):
    declare(w, para(w, "1"), outcome="adopted", method="consensus")
    with pytest.raises(ValidationFailed):
        declare(w, para(w, "1"), outcome="reopened", method="consensus")
    declare(w, para(w, "1"), outcome="reopened", method="consensus", note="The committee agreed to reopen.")
    db.session.expire_all()
    assert para(w, "1").state is ParagraphState.under_discussion


def test_rule_29_referred_to_a_drafting_group(w):
    with unit_of_work():
        group = drafting.create_drafting_group(w.secretariat, draft(w), name="Recruitment", participant_ids=[
            w.p["kenya"].id, w.p["employer"].id, w.p["worker"].id])
    with pytest.raises(ValidationFailed):
        declare(w, para(w, "3"), role=w.secretariat, outcome="referred", method="none")
    with unit_of_work():
        decisions.declare(db.session.merge(w.secretariat), item_of(para(w, "3")), outcome="referred", method="none",
                          drafting_group=db.session.merge(group))
    db.session.expire_all()
    assert para(w, "3").drafting_group_id == group.id and para(w, "3").state is ParagraphState.deferred


@pytest.mark.postgres
def test_rule_29_amendment_adopted_by_vote_changes_the_text_through_drafting(w):
    a = circulated_amendment(w)
    with unit_of_work():
        vote = vh.votes.open_vote(db.session.merge(w.u["chair"]), item_of(a), vote_type="show_of_hands",
                                  sitting=vh.sitting(w))
    vh.cast(w, vote.id, "worker", "for")
    vh.close(w, vote.id)
    d = declare(w, db.session.get(Amendment, a.id), outcome="adopted", method="vote", vote=vote.id)
    db.session.expire_all()
    assert db.session.get(Amendment, a.id).state is AmendmentState.adopted
    assert db.session.get(Decision, d.id).method == "vote:show_of_hands"
    declare(w, para(w, "2"), outcome="adopted_as_amended", method="consensus")
    db.session.expire_all()
    assert para(w, "2").state is ParagraphState.adopted_as_amended


def test_rule_29_withdrawal_is_the_movers_alone(w):
    a = circulated_amendment(w)
    with pytest.raises(NotAllowed, match="mover"):
        declare(w, a, outcome="withdrawn", method="none")


@pytest.mark.parametrize(("outcome", "method"), [("adopted", "magic"), ("merged_twice", "consensus"),
                                                 ("fell", "consensus")])
def test_rule_29_unknown_outcomes_and_methods_are_refused(w, outcome, method):
    with pytest.raises(ValidationFailed):
        declare(w, para(w, "1"), outcome=outcome, method=method)


def test_rule_29_decision_in_the_audit_chain(w):
    from forum.audit.models import AuditEntry

    declare(w, para(w, "1"), outcome="adopted", method="consensus")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "decision.declare")).one()
    assert entry.actor_id == w.u["chair"].id
    assert db.session.get(Participant, w.p["chair"].id) is not None


def test_rule_22_an_unseconded_amendment_is_not_put_to_the_vote(w):
    from forum.drafting.models import Mover, MoverKind

    with unit_of_work():
        a = svc.file_amendment(w.u["kenya"], draft(w), para(w, "4"), mover=Mover(MoverKind.state, states=("KE",)),
                               kind="delete", language="en", explanation="Covered elsewhere.")
        svc.submit_amendment(w.u["kenya"], a)
        svc.validate_amendment(w.secretariat, a)
        svc.circulate_amendments(w.secretariat, draft(w))
    with unit_of_work(), pytest.raises(InvalidState, match="seconded"):
        vh.votes.open_vote(db.session.merge(w.u["chair"]), item_of(db.session.get(Amendment, a.id)),
                           vote_type="record", sitting=vh.sitting(w))
