"""A sitting in real browsers: the Chair at the console, the secretariat typing an oral amendment,
a delegate asking for the floor and voting, and the room projector, all live without reloads."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD
from tests.drafting_world import para
from tests.sittings_world import build


def test_a_sitting_runs_in_the_browser_with_console_delegate_and_projector(
        make_user, make_meeting, make_participant, signed_in_page, live_server):
    w = build(make_user, make_meeting, make_participant)
    base = f"{live_server}/meetings/{w.meeting.id}/sittings/{w.sitting_id}"
    paragraph_2 = para(w, "2").id

    chair = signed_in_page(w.u["chair"], PASSWORD)
    chair.goto(f"{base}/console")
    chair.locator("[data-live-indicator][data-on='1']").wait_for()

    kenya = signed_in_page(w.u["kenya"], PASSWORD)
    kenya.goto(base)
    kenya.locator("[data-live-indicator][data-on='1']").wait_for()

    projector = signed_in_page(w.u["observer"], PASSWORD)
    projector.goto(f"{base}/projector")
    projector.locator("[data-live-indicator][data-on='1']").wait_for()
    assert projector.get_by_role("button").count() == 0  # no controls on the room screen (chrome hidden)

    # The Chair takes up paragraph 2 from the agenda: everyone sees it without reloading.
    chair.locator(f"[data-agenda] form:has(input[name=id][value='{paragraph_2}']) button").click()
    kenya.locator("[data-item-heading]").filter(has_text="2").wait_for()
    projector.locator("[data-item-heading]").filter(has_text="2").wait_for()
    kenya.locator("[data-announcer]").filter(has_text="2").wait_for()  # said once, politely

    # The delegate asks for the floor; the console and the projector list them; the Chair gives the floor.
    kenya.get_by_role("button", name="Ask for the floor").click()
    kenya.locator("[data-own-place]").filter(has_text="1").wait_for()
    chair.locator("[data-speakers-list]").filter(has_text="Kenya Delegate").wait_for()
    projector.locator("[data-speakers-list]").filter(has_text="Kenya Delegate").wait_for()
    kenya_entry = chair.locator("[data-speakers-list] li").filter(has_text="Kenya Delegate")
    kenya_entry.get_by_label("Time limit (seconds)").fill("90")
    kenya_entry.get_by_role("button", name="Set").click()
    chair.locator("[data-speakers-list] li").filter(has_text="Kenya Delegate").filter(has_text="(90 s)").wait_for()
    chair.get_by_role("button", name="Next speaker").click()
    kenya.locator("[data-own-place]").filter(has_text="You have the floor").wait_for()
    projector.locator("[data-current-speaker]").filter(has_text="Kenya Delegate").wait_for()
    projector.locator("[data-timer]").filter(has_text=re.compile(r"^1:[23]\d remaining")).wait_for()

    # The secretariat types an oral amendment: the room sees the change as it is typed.
    secretariat = signed_in_page(w.secretariat, PASSWORD)
    secretariat.goto(f"{base}/console")
    secretariat.locator("[data-live-indicator][data-on='1']").wait_for()
    box = secretariat.get_by_label("Text as moved (the room sees it as you type)")
    box.fill(box.input_value().replace("relevant", "fundamental"))
    projector.locator("[data-oral-text] ins").filter(has_text="fundamental").wait_for()
    projector.locator("[data-oral-text] del").filter(has_text="relevant").wait_for()

    # "Any objection?" and an objection from the floor.
    chair.get_by_role("button", name="Any objection?").click()
    kenya.locator("[data-objections]:not([hidden])").wait_for()
    kenya.get_by_role("button", name="Object").click()
    chair.locator("[data-speakers-list] li.kind-objection").filter(has_text="Kenya Delegate").wait_for()

    # By keyboard alone: a point of order, flagged and first on the list.
    kenya.get_by_role("button", name="Point of order").focus()
    kenya.keyboard.press("Enter")
    chair.locator("[data-speakers-list] li").first.filter(has_text="[point of order]").wait_for()

    # A vote: opened at the console, cast by the delegate, the count live, the result at close.
    chair.get_by_role("button", name="Open a vote on the current item").click()
    kenya.locator("[data-ballot]:not([hidden])").wait_for()
    kenya.get_by_role("button", name="For", exact=True).click()
    chair.locator("[data-vote]").filter(has_text="1").wait_for()
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.get_by_role("button", name="Close the vote").click()
    projector.locator("[data-vote] .vote-closed").wait_for()
    kenya.locator("[data-ballot][hidden]").wait_for(state="attached")

    # The announcement line reaches the projector; the officers' room stays among officers.
    chair.get_by_label("Announcement line (shown to everyone)").fill("Lunch until 15:00")
    chair.get_by_role("button", name="Show").click()
    projector.locator("[data-announcement]").filter(has_text="Lunch until 15:00").wait_for()
    secretariat.get_by_label("Message to the officers").fill("Interpreters need a break")
    secretariat.get_by_role("button", name="Send").click()
    chair.locator("[data-messages]").filter(has_text="Interpreters need a break").wait_for()
    assert "Interpreters" not in kenya.content()

    # Only the steps that make sense now are offered; the room follows the sitting's state.
    assert chair.get_by_role("button", name="Open the sitting").count() == 0
    chair.get_by_role("button", name="Suspend").click()
    kenya.locator("[data-sitting-state]").filter(has_text="Suspended").wait_for()
    projector.locator("[data-sitting-state]").filter(has_text="Suspended").wait_for()
    chair.get_by_role("button", name="Resume").wait_for()
    assert chair.get_by_role("button", name="Suspend").count() == 0

    for page in (chair, kenya, projector, secretariat):
        assert page.console_errors == [], page.console_errors
