"""Positions through the browser: the panel on a paragraph and an amendment, recording positions and
statements (and being refused), an item's history, the status board (icons and words, bounded
queries), and internal polls that only their caucus sees."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum.db import unit_of_work
from forum.drafting import amendments as amend
from forum.drafting.models import Amendment
from forum.extensions import db
from forum.meetings.models import SpaceKind
from forum.positions import polls, positions, queries
from forum.positions.models import Poll, PollAnswer, Position, PositionChange, Stance, Statement
from tests.drafting_world import TEXTS, draft, para, state
from tests.positions_world import amendment_item, build_positions, paragraph_item, space, user


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build_positions(make_user, make_meeting, make_participant)


def base(w) -> str:
    return f"/meetings/{w.meeting.id}/drafts/{w.draft_id}"


def item_path(w, kind: str, ident: int) -> str:
    return f"{base(w)}/items/{kind}/{ident}"


def rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- the panel on the drafting pages ---------------------------------------------------------------

def test_rule_27_the_spokesperson_records_the_groups_position_from_the_paragraph_page(w, login):
    item = paragraph_item(w, "2")
    client = login(w.u["emp_spokesperson"])
    page = client.get(f"{base(w)}/paragraphs/{item.id}")
    assert page.status_code == 200
    html = text_of(page)
    assert "Positions and statements" in html and "Record a group position" in html
    assert 'value="employer"' in html and 'value="worker"' not in html  # the groups they speak for only
    response = client.post(f"{item_path(w, 'paragraph', item.id)}/positions/record", data={
        "position-group": "employer", "position-stance": "oppose", "position-statement": "Too broad.",
        "next": "item"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/paragraphs/{item.id}")
    (position,) = queries.positions_for_item(paragraph_item(w, "2"))
    assert (position.holder, position.stance, position.statement) == ("employer", Stance.oppose, "Too broad.")
    html = text_of(client.get(f"{base(w)}/paragraphs/{item.id}"))
    assert "✖</span> Oppose" in html and "Too broad." in html  # icon and word


def test_a_member_who_is_not_the_spokesperson_sees_no_form_and_is_refused(w, login):
    item = paragraph_item(w, "2")
    client = login(w.u["employer"])
    html = text_of(client.get(f"{base(w)}/paragraphs/{item.id}"))
    assert "Positions and statements" in html and "Record a group position" not in html
    response = client.post(f"{item_path(w, 'paragraph', item.id)}/positions/record", data={
        "position-group": "employer", "position-stance": "support"})
    assert response.status_code == 403 and rows(Position) == 0


def test_bad_input_in_the_position_form_shows_field_errors_and_changes_nothing(w, login):
    item = paragraph_item(w, "2")
    client = login(w.u["wkr_secretary"])
    response = client.post(f"{item_path(w, 'paragraph', item.id)}/positions/record", data={
        "position-group": "worker", "position-stance": "perhaps"})
    assert response.status_code == 422 and "Choose support, oppose, reserve or none." in text_of(response)
    response = client.post(f"{item_path(w, 'paragraph', item.id)}/positions/record", data={
        "position-group": "employer", "position-stance": "support"})  # another group's
    assert response.status_code == 403
    response = client.post(f"{item_path(w, 'paragraph', item.id)}/positions/record", data={
        "position-group": "worker", "position-stance": "support", "position-statement": "x" * 501})
    assert response.status_code == 422
    assert rows(Position) == 0 and rows(PositionChange) == 0


def test_extra_fields_are_ignored_the_recorder_is_who_signed_in(w, login):
    item = paragraph_item(w, "2")
    client = login(w.u["wkr_secretary"])
    response = client.post(f"{item_path(w, 'paragraph', item.id)}/positions/record", data={
        "position-group": "worker", "position-stance": "support", "position-for_chair": "y", "for_chair": "1",
        "recorded_by_id": str(w.u["chair"].id), "position-stated_by": str(w.p["chair"].id)})
    assert response.status_code == 302
    (position,) = queries.positions_for_item(paragraph_item(w, "2"))
    assert position.recorded_by_id == w.u["wkr_secretary"].id and position.for_chair is False
    assert position.stated_by_id == w.p["wkr_secretary"].id


def test_rule_28_a_statement_for_another_state_is_refused_and_nothing_changes(w, login):
    item = amendment_item(w, "employers")
    client = login(w.u["kenya"])
    page = text_of(client.get(f"{base(w)}/amendments/{item.id}"))
    assert "Record a Government statement" in page
    assert '<option value="KE">Kenya</option>' in page and 'value="DE"' not in page
    response = client.post(f"{item_path(w, 'amendment', item.id)}/statements", data={
        "statement-member_state": "DE", "statement-stance": "support"})
    assert response.status_code == 403 and rows(Statement) == 0
    response = client.post(f"{item_path(w, 'amendment', item.id)}/statements", data={
        "statement-member_state": "KE", "statement-regional_group": "AFRICA", "statement-stance": "support",
        "statement-text": "We support it."})
    assert response.status_code == 302
    html = text_of(client.get(f"{item_path(w, 'amendment', item.id)}/positions"))
    assert "Government of Kenya, on behalf of Africa" in html and "We support it." in html


def test_the_secretariat_takes_note_and_the_page_says_for_the_chair(w, login):
    item = amendment_item(w, "kenya")
    client = login(w.secretariat)
    response = client.post(f"{item_path(w, 'amendment', item.id)}/positions/record", data={
        "position-group": "AFRICA", "position-stance": "reserve"})
    assert response.status_code == 302
    response = client.post(f"{item_path(w, 'amendment', item.id)}/statements", data={
        "statement-member_state": "IT", "statement-stance": "oppose"})
    assert response.status_code == 302
    html = text_of(client.get(f"{item_path(w, 'amendment', item.id)}/positions"))
    assert html.count("noted by Secretariat Officer for the Chair") >= 3  # the position, its history, the statement


def test_the_secretariat_names_who_stated_the_position_in_the_sitting(w, login):
    item = paragraph_item(w, "2")
    client = login(w.secretariat)
    html = text_of(client.get(f"{base(w)}/paragraphs/{item.id}"))
    assert f'<option value="{w.p["wkr_spokesperson"].id}">Worker Spokesperson (worker)</option>' in html
    path = f"{item_path(w, 'paragraph', item.id)}/positions/record"
    for wrong in (str(w.p["emp_spokesperson"].id), "nobody", "999999"):  # another group's, junk, unknown
        response = client.post(path, data={"position-group": "worker", "position-stance": "support",
                                           "position-stated_by": wrong})
        assert response.status_code == 422 and rows(Position) == 0, wrong
    response = client.post(path, data={"position-group": "worker", "position-stance": "support",
                                       "position-stated_by": str(w.p["wkr_spokesperson"].id)})
    assert response.status_code == 302
    (position,) = queries.positions_for_item(paragraph_item(w, "2"))
    assert position.stated_by_id == w.p["wkr_spokesperson"].id and position.for_chair is True
    assert position.recorded_by_id == w.secretariat.id
    html = text_of(client.get(f"{item_path(w, 'paragraph', item.id)}/positions"))
    assert "stated by Worker Spokesperson; noted by Secretariat Officer for the Chair" in html


def test_what_the_secretariat_notes_during_a_live_sitting_belongs_to_that_sitting(w, login):
    from datetime import UTC, datetime

    from forum.meetings.models import Sitting, SittingState

    with unit_of_work():
        sitting = Sitting(meeting_id=w.meeting.id, title="Third sitting", starts_at=datetime.now(UTC),
                          state=SittingState.live)
        db.session.add(sitting)
    item = paragraph_item(w, "2")
    path = item_path(w, "paragraph", item.id)
    assert login(w.secretariat).post(f"{path}/positions/record", data={
        "position-group": "employer", "position-stance": "reserve"}).status_code == 302
    assert login(w.secretariat).post(f"{path}/statements", data={
        "statement-member_state": "DE", "statement-stance": "oppose"}).status_code == 302
    assert login(w.u["wkr_spokesperson"]).post(f"{path}/positions/record", data={
        "position-group": "worker", "position-stance": "support"}).status_code == 302
    noted = {p.holder: p.sitting_id for p in queries.positions_for_item(paragraph_item(w, "2"))}
    assert noted == {"employer": sitting.id, "worker": None}  # a group's own record belongs to no sitting
    assert db.session.scalars(sa.select(Statement.sitting_id)).one() == sitting.id
    assert db.session.get(Sitting, sitting.id).version == 3  # one update per note


def test_an_items_page_lists_every_change_of_position(w, login):
    item = paragraph_item(w, "1")
    for role, stance in (("wkr_secretary", "reserve"), ("wkr_spokesperson", "support")):
        with unit_of_work():
            positions.record_position(user(w, role), paragraph_item(w, "1"), group="worker", stance=stance)
    html = text_of(login(w.u["observer"]).get(f"{item_path(w, 'paragraph', item.id)}/positions"))
    assert "History of positions" in html
    assert re.search(r"Workers&#39; group: .*◐</span> Reservation</span>.*Reservation → .*✔</span> Support", html)
    assert "stated by Worker Secretary" in html and "stated by Worker Spokesperson" in html


def test_an_uncirculated_amendment_has_no_positions_and_outsiders_do_not_see_it(w, login):
    item = amendment_item(w, "hidden")
    assert login(w.u["worker"]).get(f"{item_path(w, 'amendment', item.id)}/positions").status_code == 404
    page = login(w.u["kenya"]).get(f"{item_path(w, 'amendment', item.id)}/positions")
    assert page.status_code == 200 and "once the amendment is circulated" in text_of(page)
    assert "Record a Government statement" not in text_of(page)


# --- the status board ---------------------------------------------------------------------------------

def test_the_status_board_shows_every_item_with_icons_and_words(w, login):
    with unit_of_work():
        positions.record_position(user(w, "emp_spokesperson"), amendment_item(w, "kenya"), group="employer",
                                  stance="oppose")
        positions.record_position(user(w, "africa"), amendment_item(w, "kenya"), group="AFRICA", stance="support")
        positions.add_statement(user(w, "senegal"), amendment_item(w, "kenya"), member_state="SN",
                                regional_group="AFRICA", stance="support")
    response = login(w.u["observer"]).get(f"{base(w)}/board")
    assert response.status_code == 200
    html = text_of(response)
    assert html.count("<tr id=\"board-") == 9  # seven paragraphs and the two circulated amendments
    row = re.search(rf'<tr id="board-amendment-{w.kenya_amendment}".*?</tr>', html).group(0)
    assert "✖</span> Oppose" in row and "not stated" in row  # Employers oppose; the Workers have said nothing
    assert "Africa" in row and "✔</span> Support" in row
    assert "Government of Senegal, on behalf of Africa" in row
    assert f"board-amendment-{w.hidden_amendment}" not in html
    assert f'data-room="draft:{w.draft_id}"' in html and "js/board.js" in html
    assert login(w.outsider).get(f"{base(w)}/board").status_code == 404


def test_the_status_board_page_runs_a_bounded_number_of_queries(w, login, count_queries):
    client = login(w.u["worker"])
    client.get(f"{base(w)}/board")
    with count_queries() as few:
        client.get(f"{base(w)}/board")
    for label in ("preamble", "1", "2", "3", "3(a)", "3(b)", "4"):
        with unit_of_work():
            positions.record_position(user(w, "emp_spokesperson"), paragraph_item(w, label), group="employer",
                                      stance="support")
            positions.record_position(user(w, "wkr_spokesperson"), paragraph_item(w, label), group="worker",
                                      stance="reserve")
            positions.add_statement(user(w, "kenya"), paragraph_item(w, label), member_state="KE", stance="oppose")
    with count_queries() as many:
        client.get(f"{base(w)}/board")
    assert many.n == few.n, many.statements
    assert many.n <= 15, many.statements  # the amendments read once for the rows and their texts (B10)


def test_the_status_board_page_runs_the_same_queries_whatever_the_number_of_amendments(w, login, count_queries):
    """B10: the amendments are read once, with what the board shows of them; no query per row."""
    client = login(w.u["worker"])
    client.get(f"{base(w)}/board")
    with count_queries() as few:
        assert client.get(f"{base(w)}/board").status_code == 200
    with unit_of_work():
        d = draft(w)
        for i, label in enumerate(("1", "2", "4") * 3):
            a = amend.file_amendment(w.u["kenya"], d, para(w, label), mover=state("KE"), kind="modify",
                                     language="en", text=f"{TEXTS[label]} Note {i}.", explanation="x")
            amend.submit_amendment(w.u["kenya"], a)
            amend.validate_amendment(w.secretariat, a)
        amend.circulate_amendments(w.secretariat, d)
        parent = db.session.scalars(sa.select(Amendment).where(Amendment.text == f"{TEXTS['2']} Note 1.")).one()
        amend.second_amendment(w.u["germany"], parent)
        amend.start_discussion(w.u["chair"], parent)
        sub = amend.file_amendment(w.u["germany"], d, para(w, "2"), mover=state("DE"), kind="modify", language="en",
                                   text=parent.text.replace("ratify", "swiftly ratify"), explanation="x", parent=parent)
        amend.submit_amendment(w.u["germany"], sub)
        amend.validate_amendment(w.secretariat, sub)
        amend.circulate_amendments(w.secretariat, d)
    with count_queries() as many:
        html = client.get(f"{base(w)}/board").get_data(as_text=True)
    assert html.count('<tr id="board-amendment-') == 12  # two, nine more and a sub-amendment
    assert many.n == few.n, many.statements


# --- internal polls --------------------------------------------------------------------------------------

def _open_poll(w, minutes: int | None = None) -> Poll:
    with unit_of_work():
        return polls.open_poll(user(w, "wkr_secretary"), db.session.merge(space(w, SpaceKind.group, "worker")),
                               amendment_item(w, "employers"), question="Support it?", minutes=minutes)


def test_rule_27_the_workers_poll_run_answer_close_then_publish_the_position(w, login):
    caucus = space(w, SpaceKind.group, "worker")
    item = amendment_item(w, "employers")
    secretary = login(w.u["wkr_secretary"])
    html = text_of(secretary.get(f"{base(w)}/amendments/{item.id}"))
    assert f"/spaces/{caucus.id}/polls/new?kind=amendment&amp;item={item.id}" in html
    form = secretary.get(f"/meetings/{w.meeting.id}/spaces/{caucus.id}/polls/new?kind=amendment&item={item.id}")
    assert form.status_code == 200 and "Open the poll" in text_of(form)
    response = secretary.post(f"/meetings/{w.meeting.id}/spaces/{caucus.id}/polls/new", data={
        "kind": "amendment", "item": str(item.id), "question": "Can we accept it?", "minutes": "15"})
    assert response.status_code == 302
    poll = db.session.scalars(sa.select(Poll)).one()
    poll_url = f"/meetings/{w.meeting.id}/spaces/{caucus.id}/polls/{poll.id}"
    worker = login(w.u["worker"])
    assert worker.post(f"{poll_url}/answer", data={"choice": "oppose"}).status_code == 302
    assert worker.post(f"{poll_url}/answer", data={"choice": "maybe"}).status_code == 422
    assert worker.post(f"{poll_url}/answer", data={"choice": "abstain"}).status_code == 302  # changed
    assert rows(PollAnswer) == 1
    html = text_of(worker.get(poll_url))
    assert "Your answer: Abstain" in html and "Close the poll" not in html
    assert worker.get(f"{poll_url}/close").status_code == 403
    confirm = secretary.get(f"{poll_url}/close")
    assert confirm.status_code == 200 and "Close the poll now?" in text_of(confirm)
    assert secretary.post(f"{poll_url}/close").status_code == 302
    assert worker.post(f"{poll_url}/answer", data={"choice": "support"}).status_code == 409
    html = text_of(secretary.get(poll_url))
    assert "closed" in html and "Publish the group's position" in html
    assert f"{item_path(w, 'amendment', item.id)}/positions#record-position" in html
    listing = text_of(worker.get(f"/meetings/{w.meeting.id}/spaces/{caucus.id}/polls"))
    assert "Can we accept it?" in listing and "1 answer" in listing


@pytest.mark.parametrize("role", ["employer", "emp_spokesperson", "chair", "kenya", "secretariat", "observer",
                                  "outsider", "admin"])
def test_a_caucus_poll_is_hidden_from_everyone_outside_the_caucus(w, login, make_user, role):
    poll = _open_poll(w)
    who = {"outsider": w.outsider, "admin": make_user(admin=True)}.get(role) or w.u[role]
    client = login(who)
    caucus = space(w, SpaceKind.group, "worker")
    poll_url = f"/meetings/{w.meeting.id}/spaces/{caucus.id}/polls/{poll.id}"
    for method, url, data in (("get", poll_url, None), ("get", f"/meetings/{w.meeting.id}/spaces/{caucus.id}/polls",
                                                         None),
                              ("post", f"{poll_url}/answer", {"choice": "support"}), ("get", f"{poll_url}/close", None),
                              ("post", f"{poll_url}/close", None)):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (role, method, url)
    assert rows(PollAnswer) == 0 and db.session.get(Poll, poll.id).is_open()
    # Nor does the item's page link to the caucus's polls.
    html = text_of(client.get(f"{base(w)}/amendments/{w.employer_amendment}"))
    assert f"/spaces/{caucus.id}/polls" not in html


def test_a_poll_in_another_meeting_or_space_is_not_found(w, login):
    poll = _open_poll(w)
    employers = space(w, SpaceKind.group, "employer")
    client = login(w.u["emp_spokesperson"])
    assert client.get(f"/meetings/{w.meeting.id}/spaces/{employers.id}/polls/{poll.id}").status_code == 404


def test_rule_11_the_audit_log_redacts_a_caucus_poll_for_the_secretariat(w, login):
    _open_poll(w)
    with unit_of_work():
        positions.record_position(user(w, "wkr_spokesperson"), paragraph_item(w, "1"), group="worker",
                                  stance="support", statement="Stated in the plenary.")
    html = text_of(login(w.secretariat).get(f"/meetings/{w.meeting.id}/audit"))
    assert "position.record" in html and "poll.open" not in html and "Support it?" not in html
