"""Drafting in a real browser: amend by editing the text (the change shows as it is typed), and the
draft's page follows the Chair's decisions without a reload."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.drafting_world import build, para


def test_a_delegate_amends_by_editing_and_another_sees_the_adoption_live(make_user, make_meeting, make_participant,
                                                                         signed_in_page, live_server):
    w = build(make_user, make_meeting, make_participant)
    base = f"{live_server}/meetings/{w.meeting.id}/drafts/{w.draft_id}"

    kenya = signed_in_page(w.u["kenya"], PASSWORD)
    kenya.goto(f"{base}/amendments/new?paragraph={para(w, '2').id}")
    text = kenya.get_by_label("Text", exact=True)
    text.fill("Member States shall promptly ratify the relevant international labour standards.")
    preview = kenya.locator("[data-diff-preview]")
    preview.locator("ins", has_text="shall promptly").wait_for()
    assert preview.locator("del").inner_text().strip() == "should"
    kenya.get_by_label("Explanation").fill("A firmer commitment.")
    kenya.get_by_role("button", name="Save the draft amendment").click()
    kenya.get_by_role("button", name="Submit to the secretariat").click()
    kenya.get_by_text("Amendment submitted to the secretariat.").wait_for()

    amendment_url = kenya.url

    secretariat = signed_in_page(w.secretariat, PASSWORD)
    secretariat.goto(f"{base}/validation")
    secretariat.get_by_role("button", name="Validate").click()
    secretariat.get_by_role("link", name="Circulate them as a compilation").click()
    secretariat.get_by_role("button", name="Circulate").click()
    secretariat.get_by_text("Compilation 1 circulated.").wait_for()

    germany = signed_in_page(w.u["germany"], PASSWORD)
    germany.goto(amendment_url)
    germany.get_by_role("button", name="Second it").click()
    germany.get_by_text("You seconded the amendment.").wait_for()

    observer = signed_in_page(w.u["observer"], PASSWORD)
    observer.goto(base)
    observer.locator("#p-3 .amendment").wait_for()  # circulated: listed under paragraph 2
    observer.wait_for_timeout(500)  # the page has joined the draft's room

    chair = signed_in_page(w.u["chair"], PASSWORD)
    chair.goto(amendment_url)
    chair.get_by_role("button", name="Take up for discussion").click()
    chair.get_by_role("link", name="Record the outcome").click()
    chair.get_by_label("Outcome").select_option("adopted")
    chair.get_by_role("button", name="Record the outcome").click()
    chair.get_by_text("Outcome recorded.").wait_for()
    observer.locator("#p-3 .text", has_text="shall promptly ratify").wait_for(timeout=10000)  # without a reload
    observer.locator("[data-live-status]").wait_for()
    assert observer.console_errors == [] and kenya.console_errors == [] and chair.console_errors == []
