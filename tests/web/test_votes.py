"""Votes and decisions through the browser: opening, casting (with the secret-ballot confirmation
and its receipt), refusals, closing, results with their charts, declaring, the attendance register
and substitution notices."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum.drafting.models import ParagraphState
from forum.extensions import db
from forum.positions.vote_models import Decision, SecretChoice, Vote, VoteParticipation
from tests import votes_helpers as vh
from tests.drafting_world import para


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return vh.build(make_user, make_meeting, make_participant)


def item_path(w, label="1") -> str:
    return f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/items/paragraph/{para(w, label).id}"


def vote_path(w, vote_id: int) -> str:
    return f"/meetings/{w.meeting.id}/votes/{vote_id}"


def test_chair_opens_a_vote_from_the_form(w, login):
    chair = login(w.u["chair"])
    page = chair.get(f"{item_path(w)}/votes/new")
    assert page.status_code == 200 and "Put Paragraph 1 to the vote" in page.text
    response = chair.post(f"{item_path(w)}/votes/new", data={"vote_type": "record", "majority": "simple",
                                                              "sitting_id": "0", "question": "Adopt 1?"})
    assert response.status_code == 302
    vote = db.session.scalars(sa.select(Vote)).one()
    assert (vote.type.value, vote.sitting_id, vote.question) == ("record", w.sitting_id, "Adopt 1?")
    assert response.headers["Location"].endswith(vote_path(w, vote.id))


def test_open_form_refuses_bad_input_with_field_errors(w, login):
    chair = login(w.u["chair"])
    response = chair.post(f"{item_path(w)}/votes/new", data={"vote_type": "lottery", "majority": "simple",
                                                              "sitting_id": "0"})
    assert response.status_code == 422 and "Not a valid choice" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0


def test_delegates_cannot_open_votes(w, login):
    assert login(w.u["kenya"]).get(f"{item_path(w)}/votes/new").status_code == 403


def test_voter_casts_once_and_sees_only_the_count_while_open(w, login):
    vote_id = vh.open_on(w)
    kenya = login(w.u["kenya"])
    page = kenya.get(vote_path(w, vote_id))
    assert "Cast your vote" in page.text and "You vote for Kenya" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert kenya.post(f"{vote_path(w, vote_id)}/ballot", data={"choice": "for"}).status_code == 302
    page = kenya.get(vote_path(w, vote_id))
    assert "A ballot for your seat has been cast" in page.text
    assert re.search(r"data-vote-count>1<", page.text)
    assert "How each member voted" not in page.text
    adviser = login(w.u["kenya_adviser"])
    again = adviser.post(f"{vote_path(w, vote_id)}/ballot", data={"choice": "against"})
    assert again.status_code == 409 and "Kenya has already voted" in again.text


@pytest.mark.parametrize("data", [{"choice": "yes"}, {}, {"choice": "for", "weight": "100"},
                                  {"choice": "for", "user_id": "1"}, {"choice": "x" * 5000}])
def test_tampered_ballots_are_refused_and_change_nothing(w, login, data):
    vote_id = vh.open_on(w)
    response = login(w.u["worker"]).post(f"{vote_path(w, vote_id)}/ballot", data=data)
    assert response.status_code == 422
    if "weight" in data or "user_id" in data:
        assert "Unexpected fields" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoteParticipation)) == 0


@pytest.mark.parametrize(("role", "status"), [("observer", 403), ("secretariat", 403), ("emp_secretary", 403)])
def test_ineligible_participants_are_refused(w, login, role, status):
    vote_id = vh.open_on(w)
    assert login(w.u[role]).post(f"{vote_path(w, vote_id)}/ballot", data={"choice": "for"}).status_code == status
    assert "Cast your vote" not in login(w.u[role]).get(vote_path(w, vote_id)).text


def test_outsiders_do_not_see_votes(w, login):
    vote_id = vh.open_on(w)
    outsider = login(w.outsider)
    assert outsider.get(vote_path(w, vote_id)).status_code == 404
    assert outsider.post(f"{vote_path(w, vote_id)}/ballot", data={"choice": "for"}).status_code == 404


def test_ballot_after_close_is_a_conflict(w, login):
    vote_id = vh.open_on(w)
    vh.close(w, vote_id)
    response = login(w.u["worker"]).post(f"{vote_path(w, vote_id)}/ballot", data={"choice": "for"})
    assert response.status_code == 409 and "closed" in response.text


def test_secret_ballot_needs_confirmation_and_shows_its_receipt_once(w, login):
    vote_id = vh.open_on(w, vote_type="secret")
    worker = login(w.u["worker"])
    response = worker.post(f"{vote_path(w, vote_id)}/ballot", data={"choice": "against"})
    assert response.status_code == 422 and "final" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SecretChoice)) == 0
    response = worker.post(f"{vote_path(w, vote_id)}/ballot", data={"choice": "against", "confirm": "y"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    code = re.search(r'class="receipt-code">([A-Z0-9-]+)<', response.text).group(1)
    assert code not in worker.get(vote_path(w, vote_id)).text  # shown once
    vh.close(w, vote_id)
    page = login(w.u["observer"]).post(f"{vote_path(w, vote_id)}/receipt", data={"receipt": code})
    assert "A ballot under this receipt was counted" in page.text
    assert "against" not in page.text.split("Check a receipt")[1]
    page = worker.post(f"{vote_path(w, vote_id)}/receipt", data={"receipt": "ZZZZ-ZZZZ-ZZZZ"})
    assert "No ballot under this receipt" in page.text
    page = worker.get(vote_path(w, vote_id))
    assert "By group" not in page.text and "How each member voted" not in page.text


def test_close_publishes_the_result_with_charts_and_each_record_ballot(w, login):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "kenya", "for")
    vh.cast(w, vote_id, "worker", "against")
    chair = login(w.u["chair"])
    assert "Close vote" in chair.get(f"{vote_path(w, vote_id)}/close").text
    assert login(w.u["kenya"]).post(f"{vote_path(w, vote_id)}/close").status_code == 403
    assert chair.post(f"{vote_path(w, vote_id)}/close").status_code == 302
    page = login(w.u["observer"]).get(vote_path(w, vote_id))
    assert "Result: Not carried" in page.text
    assert page.text.count("<svg") == 4  # one chart per group and one for the totals
    assert "<title id=\"chart-" in page.text and "Worker Member" in page.text and "Kenya" in page.text
    assert "✓ reached" in page.text
    assert "Declare the decision" in chair.get(vote_path(w, vote_id)).text


def test_chair_declares_the_decision_citing_the_vote(w, login):
    vote_id = vh.open_on(w)
    vh.cast(w, vote_id, "worker", "for")
    vh.close(w, vote_id)
    chair = login(w.u["chair"])
    assert chair.get(f"{item_path(w)}/decision").status_code == 200
    bad = chair.post(f"{item_path(w)}/decision", data={"outcome": "rejected", "method": "vote", "vote_id": "0",
                                                      "drafting_group": "0", "merged_into": "0"})
    assert bad.status_code == 409 and "does not support" in bad.text
    ok = chair.post(f"{item_path(w)}/decision", data={"outcome": "adopted", "method": "vote", "vote_id": str(vote_id),
                                                     "drafting_group": "0", "merged_into": "0"})
    assert ok.status_code == 302
    decision = db.session.scalars(sa.select(Decision)).one()
    assert (decision.method, decision.vote_id) == ("vote:record", vote_id)
    db.session.expire_all()
    assert para(w, "1").state is ParagraphState.adopted
    assert login(w.u["employer"]).get(f"{item_path(w)}/decision").status_code == 403


def test_attendance_register_kept_by_the_secretariat(w, login):
    path = f"/meetings/{w.meeting.id}/sittings/{w.sitting_id}/attendance"
    secretariat = login(w.secretariat)
    page = secretariat.get(path)
    assert page.status_code == 200 and "Kenya" in page.text
    response = secretariat.post(path, data={"member_states": ["KE"], "participant_ids": [str(w.p["worker"].id)]})
    assert response.status_code == 302
    from forum.meetings import attendance

    assert attendance.present(vh.sitting(w)) == {"participants": [w.p["worker"].id], "member_states": ["KE"]}
    assert login(w.u["chair"]).get(path).status_code == 200
    assert login(w.u["chair"]).post(path, data={"member_states": []}).status_code == 403
    assert login(w.u["worker"]).get(path).status_code == 403
    bad = secretariat.post(path, data={"member_states": ["XX"]})
    assert bad.status_code == 422


def test_substitution_notices_page(w, login, make_participant):
    deputy = make_participant(w.meeting, "worker", membership="deputy", name="Worker Deputy")
    secretariat = login(w.secretariat)
    path = f"/meetings/{w.meeting.id}/substitutions"
    assert secretariat.get(path).status_code == 200
    response = secretariat.post(path, data={"substitute_id": str(deputy.id), "replaces_id": str(w.p["worker"].id),
                                            "sitting_id": "0", "note": "Letter of 3 June"})
    assert response.status_code == 302
    assert "Worker Deputy" in secretariat.get(path).text
    wrong = secretariat.post(path, data={"substitute_id": str(w.p["employer"].id),
                                         "replaces_id": str(w.p["worker"].id), "sitting_id": "0"})
    assert wrong.status_code == 422
    assert login(w.u["chair"]).get(path).status_code == 403


def test_vote_list_and_query_count(w, login, count_queries):
    for label in ("1", "2", "3"):
        vote_id = vh.open_on(w, label)
        vh.cast(w, vote_id, "kenya", "for")
    client = login(w.u["observer"])
    with count_queries() as counter:
        page = client.get(f"/meetings/{w.meeting.id}/votes")
    assert page.status_code == 200 and page.text.count("Record vote") == 3
    assert counter.n < 40


def test_paragraph_page_shows_decisions_and_votes_with_the_chairs_buttons(w, login):
    vote_id = vh.open_on(w)
    path = f"/meetings/{w.meeting.id}/drafts/{w.draft_id}/paragraphs/{para(w, '1').id}"
    chair = login(w.u["chair"]).get(path)
    assert chair.status_code == 200 and "Decisions and votes" in chair.text
    assert f"/votes/{vote_id}" in chair.text and "Put Paragraph 1 to the vote" in chair.text
    delegate = login(w.u["kenya"]).get(path)
    assert "Decisions and votes" in delegate.text and "Put Paragraph 1 to the vote" not in delegate.text


def test_a_participant_who_does_not_vote_is_told_why(w, login):
    vote_id = vh.open_on(w)
    assert "Observers and the secretariat do not vote." in login(w.u["observer"]).get(vote_path(w, vote_id)).text
    assert "not a voting member" in login(w.u["emp_secretary"]).get(vote_path(w, vote_id)).text


def test_a_ballot_before_any_vote_is_opened_finds_nothing(w, login):
    response = login(w.u["worker"]).post(f"/meetings/{w.meeting.id}/votes/1/ballot", data={"choice": "for"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoteParticipation)) == 0


def test_a_ballot_on_another_meetings_vote_is_not_found(w, login, make_meeting, make_participant):
    other = make_meeting()
    stranger = make_participant(other, "worker")
    vote_id = vh.open_on(w)
    client = login(stranger.user)
    for meeting_id in (other.id, w.meeting.id):
        response = client.post(f"/meetings/{meeting_id}/votes/{vote_id}/ballot", data={"choice": "for"})
        assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoteParticipation)) == 0
