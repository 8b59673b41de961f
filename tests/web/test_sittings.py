"""Pages of live sittings: the list, making a sitting live, the console, the delegates' view, the
projector, and console commands posted as plain forms (the same services as the sockets)."""

from __future__ import annotations

import json
import re

import pytest

from forum.extensions import db
from forum.meetings.models import SittingState
from forum.sittings import queries
from tests.drafting_world import para
from tests.sittings_world import build, run, sitting


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    return build(make_user, make_meeting, make_participant)


def url(w, tail: str = "") -> str:
    return f"/meetings/{w.meeting.id}/sittings/{w.sitting_id}{tail}"


def embedded_state(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="sitting-state">(.*?)</script>', html, re.S)
    assert found, "the page embeds the sitting's state"
    return json.loads(found.group(1))


def test_the_list_links_each_sitting_by_role(w, login):
    page = login(w.u["kenya"]).get(f"/meetings/{w.meeting.id}/sittings").get_data(as_text=True)
    assert "Third sitting" in page and url(w) in page and url(w, "/projector") in page
    assert url(w, "/console") not in page
    chair = login(w.u["chair"]).get(f"/meetings/{w.meeting.id}/sittings").get_data(as_text=True)
    assert url(w, "/console") in chair


def test_the_secretariat_makes_a_sitting_live_through_the_form(make_user, make_meeting, make_participant, login):
    w = build(make_user, make_meeting, make_participant, live=False, opened=False)
    client = login(w.secretariat)
    form = client.get(url(w, "/make-live"))
    assert form.status_code == 200 and "Draft conclusions" in form.get_data(as_text=True)
    response = client.post(url(w, "/make-live"), data={"draft_id": w.draft_id})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(w, "/console"))
    assert queries.live_of(w.sitting_id).draft_id == w.draft_id
    assert login(w.u["chair"]).get(url(w, "/make-live")).status_code == 403


def test_the_console_shows_the_agenda_item_speakers_script_and_officers_room(w, login):
    run(w, "kenya", "request_floor")
    run(w, "secretariat", "set_script", text="Thank the Employers.")
    run(w, "reporter", "officers_message", body="Quorum is fine.")
    response = login(w.u["chair"]).get(url(w, "/console"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    for text in ("Agenda", "Paragraph preamble", "Kenya Delegate", "Thank the Employers.", "Quorum is fine.",
                 "Any objection?", "Speaking time", "aria-live"):
        assert text in html, text
    assert url(w, "/attendance") in html  # the register, kept by the secretariat, one click away
    state = embedded_state(html)
    assert state["you"]["presides"] is True and state["officers"]["script"] == "Thank the Employers."
    assert "operate the console for the Chair" not in html
    secretariat = login(w.secretariat).get(url(w, "/console")).get_data(as_text=True)
    assert "operate the console for the Chair" in secretariat and "Record the oral amendment" in secretariat


@pytest.mark.parametrize("role", ["kenya", "worker", "observer", "reporter"])
def test_only_the_chair_and_the_secretariat_open_the_console(w, login, role):
    assert login(w.u[role]).get(url(w, "/console")).status_code == 403


def test_outsiders_are_told_nothing(w, login):
    for tail in ("", "/console", "/projector"):
        assert login(w.outsider).get(url(w, tail)).status_code == 404
    assert login(w.u["kenya"]).get(f"/meetings/{w.meeting.id}/sittings/999999").status_code == 404


def test_the_delegates_view_has_the_floor_buttons_and_no_officers_data(w, login):
    run(w, "secretariat", "set_script", text="Secret script")
    html = login(w.u["kenya"]).get(url(w)).get_data(as_text=True)
    for text in ("Ask for the floor", "Point of order", "Object", "Withdraw my request", 'role="timer"',
                 'aria-live="polite"', "Africa"):
        assert text in html, text
    assert "Secret script" not in html and "officers" not in embedded_state(html)


def test_the_projector_has_no_controls_and_a_dark_theme(w, login):
    run(w, "kenya", "request_floor")
    run(w, "chair", "grant_floor")
    html = login(w.u["observer"]).get(url(w, "/projector")).get_data(as_text=True)
    assert "css/projector.css" in html and "Kenya Delegate" in html and 'role="timer"' in html
    assert "data-command" not in html and "<button" not in html.split('id="main"')[1].split("</main>")[0]


def test_a_command_posted_as_a_form_runs_the_same_service(w, login):
    client = login(w.u["chair"])
    response = client.post(url(w, "/commands/announce"), data={"text": "Lunch until 15:00", "next": "console"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(w, "/console"))
    assert queries.live_of(w.sitting_id).announcement == "Lunch until 15:00"
    client.post(url(w, "/commands/set_item"), data={"kind": "paragraph", "id": str(para(w, "2").id)})
    assert queries.live_of(w.sitting_id).paragraph_id == para(w, "2").id
    client.post(url(w, "/commands/suspend"))
    assert sitting(w).state is SittingState.suspended


def test_a_delegate_posting_a_chair_command_gets_403_and_bad_input_a_message(w, login):
    client = login(w.u["kenya"])
    assert client.post(url(w, "/commands/close")).status_code == 403
    assert sitting(w).state is SittingState.live
    response = client.post(url(w, "/commands/request_floor"), data={"kind": "sing", "next": "live"},
                           follow_redirects=True)
    assert "Choose the kind of request" in response.get_data(as_text=True)
    assert client.post(url(w, "/commands/no_such_command")).status_code == 404
    ok = client.post(url(w, "/commands/request_floor"), data={"kind": "speak", "next": "live"})
    assert ok.headers["Location"].endswith(url(w))
    assert db.session.get(type(sitting(w)), w.sitting_id) is not None
    assert [s["name"] for s in queries.speakers_view(w.sitting_id)["waiting"]] == ["Kenya Delegate"]


def test_forms_need_their_csrf_token(w, login, app):
    client = login(w.u["chair"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(url(w, "/commands/announce"), data={"text": "x"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert queries.live_of(w.sitting_id).announcement == ""


def test_the_console_page_runs_a_bounded_number_of_queries(w, login, count_queries):
    for role in ("kenya", "germany", "italy", "worker", "wkr_spokesperson"):
        run(w, role, "request_floor")
    client = login(w.u["chair"])
    client.get(url(w, "/console"))
    with count_queries() as counter:
        assert client.get(url(w, "/console")).status_code == 200
    assert counter.n <= 60, counter.statements


def test_without_javascript_a_delegate_withdraws_their_own_request(w, login):
    client = login(w.u["kenya"])
    mine = run(w, "kenya", "request_floor")
    html = client.get(url(w)).get_data(as_text=True)
    assert f'name="request_id" value="{mine["request_id"]}"' in html
    client.post(url(w, "/commands/withdraw_request"), data={"request_id": str(mine["request_id"]), "next": "live"})
    assert queries.speakers_view(w.sitting_id)["waiting"] == []
