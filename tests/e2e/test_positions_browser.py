"""Positions in a real browser: a spokesperson records the group's position from the paragraph's
page, and the status board open elsewhere shows it (icon and word) without a reload; the Workers'
caucus runs a poll and its members see the count change live."""

from __future__ import annotations

from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import SpaceKind
from forum.positions import polls
from tests.conftest import PASSWORD
from tests.positions_world import amendment_item, build_positions, paragraph_item, space, user


def test_the_board_follows_positions_and_statements_live(make_user, make_meeting, make_participant,
                                                         signed_in_page, live_server):
    w = build_positions(make_user, make_meeting, make_participant)
    base = f"{live_server}/meetings/{w.meeting.id}/drafts/{w.draft_id}"
    item = paragraph_item(w, "2")

    observer = signed_in_page(w.u["observer"], PASSWORD)
    observer.goto(f"{base}/board")
    row = observer.locator(f"#board-paragraph-{item.id}")
    row.get_by_text("not stated").first.wait_for()
    observer.wait_for_timeout(500)  # the page has joined the draft's room

    spokesperson = signed_in_page(w.u["wkr_spokesperson"], PASSWORD)
    spokesperson.goto(f"{base}/paragraphs/{item.id}")
    form = spokesperson.locator("#record-position")
    form.get_by_label("Oppose").check()
    form.get_by_label("Short statement (optional)").fill("Too narrow.")
    form.get_by_role("button", name="Record the position").click()
    spokesperson.get_by_text("Position recorded: Workers' group — Oppose.").wait_for()

    row.locator(".stance-oppose", has_text="Oppose").wait_for(timeout=10000)  # without a reload
    assert "✖" in row.inner_text() and "Too narrow." in row.inner_text()
    observer.locator("[data-positions-status]").wait_for()

    kenya = signed_in_page(w.u["kenya"], PASSWORD)
    kenya.goto(f"{base}/paragraphs/{item.id}")
    statement = kenya.locator("#add-statement")
    statement.get_by_label("Support").check()
    statement.get_by_role("button", name="Record the statement").click()
    kenya.get_by_text("Statement recorded: Government of Kenya — Support.").wait_for()
    row.get_by_text("Government of Kenya").wait_for(timeout=10000)
    assert observer.console_errors == [] and spokesperson.console_errors == [] and kenya.console_errors == []


def test_a_caucus_poll_counts_answers_live_for_its_members(make_user, make_meeting, make_participant,
                                                           signed_in_page, live_server):
    w = build_positions(make_user, make_meeting, make_participant)
    caucus = space(w, SpaceKind.group, "worker")
    with unit_of_work():
        poll = polls.open_poll(user(w, "wkr_secretary"), db.session.merge(caucus), amendment_item(w, "employers"),
                               question="Support it?")
    url = f"{live_server}/meetings/{w.meeting.id}/spaces/{caucus.id}/polls/{poll.id}"
    secretary = signed_in_page(w.u["wkr_secretary"], PASSWORD)
    secretary.goto(url)
    secretary.locator("tfoot td", has_text="0").wait_for()
    secretary.wait_for_timeout(500)
    worker = signed_in_page(w.u["worker"], PASSWORD)
    worker.goto(url)
    worker.get_by_label("Oppose").check()
    worker.get_by_role("button", name="Answer").click()
    worker.get_by_text("Your answer is recorded: Oppose.").wait_for()
    secretary.locator("tfoot td", has_text="1").wait_for(timeout=10000)  # without a reload
    assert secretary.console_errors == [] and worker.console_errors == []
