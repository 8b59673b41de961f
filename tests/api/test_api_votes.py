"""API operations on votes and decisions (openVote, castBallot, closeVote, getVote, decideItem): for
each, success, bad input (422), no token (401), not allowed (403), not visible (404) and the state
conflicts (409). Responses are checked against the OpenAPI document by the `api` client."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.drafting.models import AmendmentState, ParagraphState
from forum.extensions import db
from forum.positions.vote_models import Decision, Vote, VoteParticipation
from tests import votes_helpers as vh
from tests.drafting_world import para


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return vh.build(make_user, make_meeting, make_participant)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def votes_path(w, label="1"):
    return f"/items/paragraph/{para(w, label).id}/votes"


def opened(api, w, label="1", vote_type="record"):
    response = api(w.u["chair"]).post(votes_path(w, label), {"type": vote_type, "sitting_id": w.sitting_id})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- openVote -----------------------------------------------------------------------------------------

def test_open_vote_fixes_weights_and_quorum(api, w):
    vote = opened(api, w)
    assert vote["state"] == "open" and vote["type"] == "record" and vote["ballots_cast"] == 0
    assert vote["sitting_id"] == w.sitting_id and vote["item"]["label"] == "1"
    assert set(vote["weights"]) == {"government", "employer", "worker"} and vote["quorum"]["rule"] == "committee"
    assert "totals" not in vote and vote["outcome"] is None
    # The secretariat for the Chair; the live sitting when none is named.
    other = api(w.secretariat).post(votes_path(w, "2"), {"type": "secret"})
    assert other.status_code == 201 and other.get_json()["for_chair"] is True
    assert other.get_json()["sitting_id"] == w.sitting_id


def test_open_vote_refusals(api, w):
    path = votes_path(w)
    bad = api(w.u["chair"]).post(path, {"type": "acclamation", "majority": "most"})
    assert bad.status_code == 422 and {"type", "majority"} <= set(bad.get_json()["error"]["fields"])
    assert api(None).post(path, {"type": "record"}).status_code == 401
    assert api(w.u["kenya"]).post(path, {"type": "record"}).status_code == 403
    assert api(w.outsider).post(path, {"type": "record"}).status_code == 404
    assert count(Vote) == 0
    opened(api, w)
    twice = api(w.u["chair"]).post(path, {"type": "record"})
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "invalid_state"


# --- castBallot and getVote -------------------------------------------------------------------------------

def test_cast_ballot_once_per_seat(api, w):
    vote = opened(api, w)
    path = f"/votes/{vote['id']}/ballot"
    cast = api(w.u["kenya"]).put(path, {"choice": "for"})
    assert cast.status_code == 200, cast.get_json()
    assert cast.get_json()["receipt"] is None and cast.get_json()["vote"]["ballots_cast"] == 1
    # Kenya has voted, whoever of its delegation tries again.
    again = api(w.u["kenya_adviser"]).put(path, {"choice": "against"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    assert api(w.u["germany"]).put(path, {"choice": "maybe"}).status_code == 422
    assert api(None).put(path, {"choice": "for"}).status_code == 401
    assert api(w.u["observer"]).put(path, {"choice": "for"}).status_code == 403
    assert api(w.secretariat).put(path, {"choice": "for"}).status_code == 403
    assert api(w.outsider).put(path, {"choice": "for"}).status_code == 404
    assert count(VoteParticipation) == 1


def test_cast_ballot_honours_the_idempotency_key(api, w):
    vote = opened(api, w)
    path = f"/votes/{vote['id']}/ballot"
    first = api(w.u["germany"]).put(path, {"choice": "against"}, headers={"Idempotency-Key": "de-ballot"})
    again = api(w.u["germany"]).put(path, {"choice": "against"}, headers={"Idempotency-Key": "de-ballot"})
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert count(VoteParticipation) == 1


def test_rule_30_a_secret_ballots_receipt_is_never_kept_with_its_voter(api, w):
    """The idempotency store keeps answers with their user: a secret ballot's answer (its receipt)
    must not be one of them, or the voter could be tied to the ballot."""
    from forum.api.models import IdempotencyKey

    vote = opened(api, w, vote_type="secret")
    path = f"/votes/{vote['id']}/ballot"
    first = api(w.u["germany"]).put(path, {"choice": "for"}, headers={"Idempotency-Key": "secret-1"})
    assert first.status_code == 200 and first.get_json()["receipt"]
    assert count(IdempotencyKey) == 0
    again = api(w.u["germany"]).put(path, {"choice": "for"}, headers={"Idempotency-Key": "secret-1"})
    assert again.status_code == 409 and "Idempotent-Replayed" not in again.headers
    assert count(VoteParticipation) == 1


def test_a_secret_ballot_gets_a_receipt_and_shows_no_groups(api, w):
    vote = opened(api, w, vote_type="secret")
    receipt = api(w.u["italy"]).put(f"/votes/{vote['id']}/ballot", {"choice": "abstain"}).get_json()["receipt"]
    assert receipt and len(receipt) >= 6
    closed = api(w.u["chair"]).post(f"/votes/{vote['id']}/close").get_json()
    assert "by_group" not in closed and "ballots" not in closed and closed["totals"]["abstain"]["raw"] == 1


def test_get_vote_counts_only_while_open(api, w):
    vote = opened(api, w)
    api(w.u["kenya"]).put(f"/votes/{vote['id']}/ballot", {"choice": "for"})
    shown = api(w.u["worker"]).get(f"/votes/{vote['id']}").get_json()
    assert shown["ballots_cast"] == 1 and "totals" not in shown and "ballots" not in shown
    assert api(None).get(f"/votes/{vote['id']}").status_code == 401
    assert api(w.outsider).get(f"/votes/{vote['id']}").status_code == 404
    assert api(w.u["worker"]).get("/votes/999999").status_code == 404


# --- closeVote -------------------------------------------------------------------------------------------

def test_rule_32_close_vote_gives_weighted_totals_by_group_and_the_record(api, w):
    vote = opened(api, w)
    path = f"/votes/{vote['id']}"
    for who, choice in (("kenya", "for"), ("germany", "for"), ("italy", "against"), ("employer", "against"),
                        ("worker", "for"), ("emp_spokesperson", "for")):
        assert api(w.u[who]).put(f"{path}/ballot", {"choice": choice}).status_code == 200, who
    assert api(w.u["worker"]).post(f"{path}/close").status_code == 403
    closed = api(w.secretariat).post(f"{path}/close")
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert body["state"] == "closed" and body["ballots_cast"] == 6
    assert body["by_group"]["government"] == {"for": 2, "against": 1, "abstain": 0}
    assert body["by_group"]["employer"] == {"for": 1, "against": 1, "abstain": 0}
    weights = body["weights"]
    assert body["totals"]["for"]["weighted"] == 2 * weights["government"] + weights["employer"] + weights["worker"]
    assert {b["voter"] for b in body["ballots"]} and len(body["ballots"]) == 6
    assert body["outcome"] in ("adopted", "rejected", "void") and body["quorum"]["reached"] is not None
    assert api(w.u["chair"]).post(f"{path}/close").status_code == 409
    assert api(w.u["germany"]).put(f"{path}/ballot", {"choice": "for"}).status_code == 409  # closed
    assert api(None).post(f"{path}/close").status_code == 401
    # Rule 29: closing decided nothing.
    assert para(w, "1").state is ParagraphState.pending


# --- decideItem ----------------------------------------------------------------------------------------

def test_rule_29_decide_item_cites_the_vote_and_changes_the_state(api, w):
    vote = opened(api, w)
    for who in ("kenya", "germany", "italy", "chair", "senegal", "africa", "employer", "emp_spokesperson",
                "worker"):
        api(w.u[who]).put(f"/votes/{vote['id']}/ballot", {"choice": "for"})
    assert api(w.u["chair"]).post(f"/votes/{vote['id']}/close").get_json()["outcome"] == "adopted"
    path = f"/items/paragraph/{para(w, '1').id}/decision"
    wrong = api(w.u["chair"]).post(path, {"outcome": "rejected", "method": "vote"})
    assert wrong.status_code == 409  # the vote said adopted
    decided = api(w.u["chair"]).post(path, {"outcome": "adopted", "method": "vote"})
    assert decided.status_code == 201, decided.get_json()
    body = decided.get_json()
    assert body["method"] == "vote:record" and body["vote_id"] == vote["id"] and body["state"] == "adopted"
    assert body["for_chair"] is False
    assert para(w, "1").state is ParagraphState.adopted


def test_decide_item_by_consensus_for_the_chair_and_refusals(api, w):
    from forum.db import unit_of_work
    from forum.drafting import amendments as amend
    from tests.drafting_world import draft, state

    with unit_of_work():
        a = amend.file_amendment(db.session.merge(w.u["kenya"]), draft(w), para(w, "2"), mover=state("KE"),
                                 kind="delete", language="en", explanation="E")
        amend.submit_amendment(db.session.merge(w.u["kenya"]), a)
        amend.validate_amendment(db.session.merge(w.secretariat), a)
        amend.circulate_amendments(db.session.merge(w.secretariat), draft(w))
        amend.second_amendment(db.session.merge(w.u["germany"]), a)
        ident = a.id
    path = f"/items/amendment/{ident}/decision"
    assert api(w.u["chair"]).post(path, {"outcome": "adopted", "method": "acclamation"}).status_code == 422
    reservation = api(w.u["chair"]).post(path, {"outcome": "reservation", "method": "reservation"})
    assert reservation.status_code == 422
    assert api(w.u["chair"]).post(path, {"outcome": "withdrawn", "method": "none"}).status_code == 403
    assert api(None).post(path, {"outcome": "rejected", "method": "consensus"}).status_code == 401
    assert api(w.u["kenya"]).post(path, {"outcome": "rejected", "method": "consensus"}).status_code == 403
    assert api(w.outsider).post(path, {"outcome": "rejected", "method": "consensus"}).status_code == 404
    assert count(Decision) == 0
    decided = api(w.secretariat).post(path, {"outcome": "rejected", "method": "consensus", "note": "No support."})
    assert decided.status_code == 201, decided.get_json()
    assert decided.get_json()["for_chair"] is True and decided.get_json()["state"] == "rejected"
    from forum.drafting.models import Amendment

    assert db.session.get(Amendment, ident).state is AmendmentState.rejected
    # Declared: a second outcome on a decided amendment is a conflict.
    assert api(w.u["chair"]).post(path, {"outcome": "adopted", "method": "consensus"}).status_code == 409
