"""A weighted record vote in a real browser: the Chair opens it from the paragraph's page, members
vote (the Chair's page counts live), the Chair closes it, reads the result by group and declares
the paragraph adopted by vote; a secret ballot asks for confirmation and shows its receipt."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.positions.vote_models import SecretChoice
from tests import votes_helpers as vh
from tests.conftest import PASSWORD
from tests.drafting_world import para


def test_chair_takes_a_paragraph_through_a_weighted_record_vote(make_user, make_meeting, make_participant,
                                                                 signed_in_page, live_server):
    w = vh.build(make_user, make_meeting, make_participant)
    paragraph_url = f"{live_server}/meetings/{w.meeting.id}/drafts/{w.draft_id}/paragraphs/{para(w, '1').id}"

    chair = signed_in_page(w.u["chair"], PASSWORD)
    chair.goto(paragraph_url)
    chair.get_by_role("link", name="Put Paragraph 1 to the vote").click()
    chair.get_by_label("Record vote (each voter's choice is published)").check()
    chair.get_by_role("button", name="Open the vote").click()
    chair.get_by_text("The vote is open.").wait_for()
    vote_url = chair.url
    count = chair.locator("[data-vote-count]")
    assert count.inner_text() == "0"
    chair.wait_for_timeout(500)  # the page has joined the meeting's room

    for role, choice in (("worker", "For"), ("kenya", "Against")):
        voter = signed_in_page(w.u[role], PASSWORD)
        voter.goto(vote_url)
        voter.get_by_label(choice, exact=True).check()
        voter.get_by_role("button", name="Vote").click()
        voter.get_by_text("Your vote has been recorded.").wait_for()
        assert voter.console_errors == []
    chair.locator("[data-vote-count]", has_text="2").wait_for(timeout=10000)  # live, without a reload

    chair.get_by_role("link", name="Close the vote").click()
    chair.get_by_role("button", name="Close the vote and publish the result").click()
    chair.get_by_role("heading", name="Result: Carried").wait_for()
    assert chair.locator("figure.vote-chart svg").count() == 4
    assert chair.locator(".vote-ballots").inner_text().count("Kenya") == 1

    chair.get_by_role("link", name="Declare the decision").click()
    chair.get_by_label("Outcome").select_option("adopted")
    chair.get_by_label("Method").select_option("vote")
    chair.get_by_role("button", name="Record the decision").click()
    chair.get_by_text("Decision recorded: Adopted.").wait_for()
    chair.locator(".votes-panel", has_text="vote:record").wait_for()
    assert chair.console_errors == []


def test_a_secret_ballot_is_confirmed_and_gives_a_receipt(make_user, make_meeting, make_participant, signed_in_page,
                                                          live_server):
    w = vh.build(make_user, make_meeting, make_participant)
    vote_id = vh.open_on(w, vote_type="secret")
    worker = signed_in_page(w.u["worker"], PASSWORD)
    worker.goto(f"{live_server}/meetings/{w.meeting.id}/votes/{vote_id}")
    worker.get_by_label("Against", exact=True).check()
    worker.get_by_role("button", name="Cast my secret ballot").click()
    worker.get_by_text("Confirm that you understand a secret ballot is final.").wait_for()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SecretChoice)) == 0
    worker.console_errors.clear()  # the refusal was a 422 page, as intended
    worker.get_by_label("Against", exact=True).check()
    worker.get_by_label("I understand that a secret ballot is final").check()
    worker.get_by_role("button", name="Cast my secret ballot").click()
    code = worker.locator(".receipt-code").inner_text()
    assert len(code) == 14
    worker.get_by_label("Receipt code").fill(code)
    worker.get_by_role("button", name="Check").click()
    worker.get_by_text("A ballot under this receipt was counted.").wait_for()
    assert worker.console_errors == []
