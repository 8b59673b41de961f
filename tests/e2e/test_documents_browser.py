"""Documents in a real browser: a newly published document appears in the open lists of everyone who
may see it without a reload (documents.js fetches the row the event names), a caucus document only
in its group's, and a withdrawn one leaves the lists."""

from __future__ import annotations

import os
import re

import sqlalchemy as sa

from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind
from tests.conftest import PASSWORD


def pdf(label: str) -> bytes:
    return b"%PDF-1.4\n% " + label.encode() + b" " + os.urandom(8).hex().encode() + b"\n%%EOF\n"


def test_a_published_document_appears_live_in_the_lists_of_those_who_may_see_it(
        make_user, make_meeting, make_participant, signed_in_page):
    secretariat = make_user(staff=True, name="Sam Secretariat")
    meeting = make_meeting(secretariat, symbol_prefix="TTMLM/2027")
    government = make_participant(meeting, "government", member_state="KE", name="Amina Diallo").user
    employer = make_participant(meeting, "employer", name="Carla Employer").user
    worker = make_participant(meeting, "worker", name="Wanda Worker").user
    colleague = make_participant(meeting, "worker", name="Bruno Costa").user
    caucus = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id, Space.kind == SpaceKind.group,
                                                       Space.group == Group.worker)).one()
    path = f"/meetings/{meeting.id}/documents"

    readers = {}
    for name, user in (("government", government), ("employer", employer), ("worker", worker)):
        page = signed_in_page(user, PASSWORD)
        page.goto(page.url.rstrip("/") + path)
        page.get_by_text("No document has been shared yet").wait_for()
        page.locator("html[data-live='on']").wait_for(state="attached")
        readers[name] = page
    readers["worker"].wait_for_timeout(300)  # the rooms are joined once the channel is on

    office = signed_in_page(secretariat, PASSWORD)
    office.goto(office.url.rstrip("/") + f"{path}/new")
    office.get_by_label("Official document, with a symbol").check()
    office.get_by_label("Symbol (official documents only)").fill("TTMLM/2027/1")
    office.get_by_label("Title").fill("Background report")
    office.get_by_label("File", exact=True).set_input_files(
        {"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf("report")})
    office.get_by_role("button", name="Share").click()
    office.get_by_role("heading", name="Background report").wait_for()
    report_url = office.url

    for page in readers.values():  # the plenary: everyone, without a reload
        page.locator("table.documents tbody tr", has_text="Background report").wait_for(timeout=10000)
        assert page.locator("table.documents tbody tr", has_text="TTMLM/2027/1").count() == 1

    sharer = signed_in_page(colleague, PASSWORD)
    sharer.goto(sharer.url.rstrip("/") + f"{path}/new")
    sharer.get_by_label("Space").select_option(label=caucus.name)
    sharer.get_by_label("Title").fill("Our statement on fees")
    sharer.get_by_label("File", exact=True).set_input_files(
        {"name": "statement.pdf", "mimeType": "application/pdf", "buffer": pdf("statement")})
    sharer.get_by_role("button", name="Share").click()
    sharer.get_by_role("heading", name="Our statement on fees").wait_for()
    readers["worker"].locator("table.documents tbody tr", has_text="Our statement on fees").wait_for(timeout=10000)

    office.goto(f"{report_url}/withdraw")
    office.get_by_label("Reason").fill("Issued in error")
    office.get_by_role("button", name="Withdraw the document").click()
    office.wait_for_url(re.compile(r"/documents$"))
    for page in readers.values():  # and gone again, without a reload
        page.locator("table.documents tbody tr", has_text="Background report").wait_for(state="detached",
                                                                                           timeout=10000)
    # The Workers' statement reached the Workers alone: the others heard of the withdrawal, later, and
    # never of the statement.
    for name in ("government", "employer"):
        assert readers[name].locator("text=Our statement on fees").count() == 0, name
    assert readers["worker"].locator("table.documents tbody tr", has_text="Our statement on fees").count() == 1
    for page in (*readers.values(), office, sharer):
        assert page.console_errors == []
