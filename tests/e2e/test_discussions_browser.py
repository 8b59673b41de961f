"""Discussions in a real browser: a reply appears in an open thread and the unread count of the
space page moves, without a reload, and nothing breaks the page's content security policy."""

from __future__ import annotations

import sqlalchemy as sa

from forum.db import unit_of_work
from forum.discussions import services
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind
from tests.conftest import PASSWORD


def test_a_reply_appears_live_and_the_unread_count_follows(make_meeting, make_participant, signed_in_page):
    meeting = make_meeting()
    grace = make_participant(meeting, "worker", name="Grace Mensah").user
    tomas = make_participant(meeting, "worker", name="Tomás Silva").user
    sunita = make_participant(meeting, "worker", name="Sunita Gurung").user
    caucus = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id, Space.kind == SpaceKind.group,
                                                       Space.group == Group.worker)).one()
    with unit_of_work():
        thread = services.start_thread(db.session.merge(grace), db.session.merge(caucus),
                                       title="Recruitment fees", body="Our line: **no fees** for workers.")
    base = f"/meetings/{meeting.id}/spaces/{caucus.id}"

    reader = signed_in_page(tomas, PASSWORD)
    reader.goto(reader.url.rstrip("/") + f"{base}/threads/{thread.id}")
    reader.locator("article.post").first.wait_for()
    lister = signed_in_page(sunita, PASSWORD)
    lister.goto(lister.url.rstrip("/") + base)
    badge = lister.locator(f'[data-unread-for="{thread.id}"] .unread-count')
    assert badge.inner_text() == "1"
    # Both pages have joined their rooms once the live channel says so (a locator, not a
    # string predicate: Playwright evals those in the page, which our CSP rightly refuses).
    reader.locator("html[data-live='on']").wait_for(state="attached")
    lister.locator("html[data-live='on']").wait_for(state="attached")
    reader.wait_for_timeout(300)

    writer = signed_in_page(grace, PASSWORD)  # the server publishes what its own requests commit
    writer.goto(writer.url.rstrip("/") + f"{base}/threads/{thread.id}")
    writer.get_by_label("Your reply").fill("And contract substitution, *explicitly*.")
    writer.get_by_role("button", name="Post the reply").click()
    writer.wait_for_url("**#post-*")
    reader.locator("article.post.arrived", has_text="contract substitution").wait_for(timeout=10000)
    assert reader.locator("article.post.arrived em").inner_text() == "explicitly"
    lister.locator(f'[data-unread-for="{thread.id}"] .unread-count', has_text="2").wait_for(timeout=10000)
    assert reader.console_errors == [] and lister.console_errors == []
