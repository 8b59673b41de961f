"""Stale rights in an open page: a participant removed while the dashboard follows their caucus is
told so at once (an alert, in words) and the page stops following the caucus (static/js/realtime.js
on `room.revoked`)."""

from __future__ import annotations

import requests

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.extensions import db
from tests.conftest import PASSWORD


def test_stale_caucus_in_an_open_page_after_removal_is_announced_and_no_longer_followed(
        make_meeting, make_participant, make_user, signed_in_page, live_server):
    secretariat = make_user(staff=True, name="Meeting Secretariat")
    meeting = make_meeting(secretariat)
    amina = make_participant(meeting, "worker", name="Amina Diallo")
    bruno = make_participant(meeting, "worker", name="Bruno Costa")
    with unit_of_work():
        token = create_token(db.session.merge(secretariat), "removal")

    page = signed_in_page(amina.user, PASSWORD)
    presence = page.locator(".presence-list")
    presence.filter(has_text="Amina Diallo").wait_for()
    alert = page.get_by_role("alert")
    assert alert.count() == 0

    response = requests.delete(f"{live_server}/api/v1/meetings/{meeting.id}/participants/{amina.id}",
                               params={"reason": "Accreditation withdrawn"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 204, response.text
    alert.filter(has_text="Your access to part of this page has ended").wait_for(timeout=10000)

    # The caucus is no longer followed: a colleague coming online is not shown on the stale page.
    other = signed_in_page(bruno.user, PASSWORD)
    other.locator(".presence-list").filter(has_text="Bruno Costa").wait_for()
    assert "Bruno Costa" not in presence.inner_text()
    assert page.get_by_role("alert").count() == 1  # said once, not for every later event
    assert page.console_errors == []
