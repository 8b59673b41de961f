"""The dashboard's live list of who of the group is online, in a real browser."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_colleagues_of_the_group_appear_online_and_others_do_not(make_meeting, make_participant, signed_in_page):
    meeting = make_meeting(title="Global Tripartite Forum on Labour Migration")
    amina = make_participant(meeting, "worker", name="Amina Diallo")
    bruno = make_participant(meeting, "worker", name="Bruno Costa")
    carla = make_participant(meeting, "employer", name="Carla Employer")

    page_a = signed_in_page(amina.user, PASSWORD)
    presence = page_a.locator(".presence-list")
    presence.filter(has_text="Amina Diallo").wait_for()

    signed_in_page(carla.user, PASSWORD)  # another group: never listed in the Workers' caucus
    page_b = signed_in_page(bruno.user, PASSWORD)
    page_b.locator(".presence-list").filter(has_text="Amina Diallo").wait_for()
    presence.filter(has_text="Bruno Costa").wait_for()  # arrived without a reload
    assert "Carla Employer" not in presence.inner_text()

    page_b.close()
    presence.filter(has_not_text="Bruno Costa").wait_for()  # and left
    assert page_a.console_errors == []


def test_sign_out_in_one_tab_ends_the_live_channel_of_another(make_meeting, make_participant, signed_in_page):
    meeting = make_meeting()
    amina = make_participant(meeting, "worker", name="Amina Diallo")
    page = signed_in_page(amina.user, PASSWORD)
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    other_tab.locator(".presence-list").filter(has_text="Amina Diallo").wait_for()
    page.get_by_role("button", name="Sign out").click()
    # The server ends the other tab's socket; its page reloads to the sign-in form.
    other_tab.wait_for_url("**/login**", timeout=10000)
