"""Layout, error pages, CSRF and the meeting pages of the foundation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import escape

from forum import create_app
from forum.extensions import db
from forum.meetings.models import Meeting, Participant, Space, SpaceKind


def test_csrf_is_enforced_when_enabled(session_app, make_user):
    app = create_app({**session_app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.org", "password": "whatever"})
    assert response.status_code == 400
    assert b"The form has expired" in response.data


def test_csrf_token_in_the_form_is_accepted(session_app, make_user):
    import re

    app = create_app({**session_app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    user = make_user()
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("status", [404])
def test_error_pages_are_pages(client, status):
    response = client.get("/no/such/page")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in html and 'lang="en"' in html


ERROR_PAGES = {
    400: ("The request could not be understood", "The form has expired"),
    403: ("You do not have access to this page", "does not give access to this page"),
    404: ("Page not found", "There is nothing here"),
    413: ("The file is too large", "larger than this site accepts"),
    429: ("Too many requests", "Wait a moment and try again"),
    500: ("Something went wrong on our side", "Back to your dashboard"),
}


def test_every_error_page_is_a_page_of_the_site_with_its_title_and_a_way_back(session_app):
    """400/403/404/413/429/500 each render the layout (language, skip link, heading, message, link
    to the dashboard), not a bare Werkzeug page or a traceback."""
    from flask import abort
    from flask_wtf.csrf import CSRFError

    app = create_app({**session_app.config, "TESTING": True, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/_fail/<int:status>")
    def _fail(status: int):
        if status == 400:
            raise CSRFError()
        if status == 500:
            raise RuntimeError("boom")
        abort(status)

    client = app.test_client()
    for status, (title, message) in ERROR_PAGES.items():
        response = client.get(f"/_fail/{status}")
        assert response.status_code == status
        assert response.mimetype == "text/html"
        html = response.get_data(as_text=True)
        assert f"<h1>{escape(title)}</h1>" in html, status
        assert f"<title>{status} · {escape(title)}" in html, status
        assert message in html, status
        assert 'lang="en"' in html and 'class="skip-link"' in html and 'href="/"' in html, status
        assert "Traceback" not in html and "RuntimeError" not in html


def test_error_pages_follow_the_readers_language(session_app):
    app = create_app({**session_app.config, "TESTING": True})
    client = app.test_client()
    client.post("/account/language", data={"lang-locale": "fr"})
    html = client.get("/no/such/page").get_data(as_text=True)
    assert 'lang="fr"' in html and "<h1>Page not found</h1>" not in html


def test_navigation_offers_each_role_its_own_links(make_user, login):
    """Staff create meetings, administrators manage accounts; a delegate sees neither link."""
    pages = {name: login(user).get("/").get_data(as_text=True) for name, user in {
        "delegate": make_user(), "staff": make_user(staff=True), "admin": make_user(admin=True)}.items()}
    assert [("/meetings/new" in html, "/admin/users" in html) for html in pages.values()] == [
        (False, False), (True, False), (False, True)]
    assert all("Sign out" in html and "/account" in html for html in pages.values())


def test_json_error_objects_for_json_clients(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_too_large_request_gets_413_with_a_clear_message(app, make_user, login):
    client = login(make_user(staff=True))
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/meetings/new", data={"title": "x" * 5000})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 25 * 1024 * 1024
    assert response.status_code == 413
    assert b"larger than this site accepts" in response.data


def test_server_error_page(session_app):
    app = create_app({**session_app.config, "TESTING": True, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/_boom")
    def _boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"RuntimeError" not in response.data and b"Traceback" not in response.data


def test_security_headers(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_staff_creates_a_meeting_with_its_spaces_and_becomes_its_secretariat(make_user, login):
    staff = make_user(staff=True)
    response = login(staff).post("/meetings/new", data={
        "title": "Tripartite Technical Meeting on Labour Migration", "symbol_prefix": "TTMLM/2027",
        "languages": ["en", "es"], "timezone": "America/Lima", "body_type": "experts",
        "weighting_mode": "one_person_one_vote", "quorum_rule": "plenary_half"})
    assert response.status_code == 302
    meeting = db.session.scalars(sa.select(Meeting)).one()
    # Every field of the form is kept (none of them left at its default).
    assert (meeting.title, meeting.symbol_prefix, meeting.language_list, meeting.timezone) == (
        "Tripartite Technical Meeting on Labour Migration", "TTMLM/2027", ["en", "es"], "America/Lima")
    assert (meeting.body_type.value, meeting.weighting_mode.value, meeting.quorum_rule.value) == (
        "experts", "one_person_one_vote", "plenary_half")
    kinds = sorted(s.kind.value for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id)))
    assert kinds == ["group", "group", "group", "officers", "plenary"]
    me = db.session.scalars(sa.select(Participant).where(Participant.meeting_id == meeting.id)).one()
    assert me.user_id == staff.id and me.capacity.value == "secretariat" and me.group.value == "none"


def test_meeting_form_reports_errors_field_by_field_and_writes_nothing(make_user, login):
    client = login(make_user(staff=True))
    response = client.post("/meetings/new", data={"title": "", "symbol_prefix": "HAS SPACE", "languages": ["de"],
                                                  "timezone": "Mars/Olympus", "body_type": "committee",
                                                  "weighting_mode": "equal_strength", "quorum_rule": "committee"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html
    assert "not a valid choice" in html.lower()  # the language "de"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_unknown_time_zone_is_refused(make_user, login):
    client = login(make_user(staff=True))
    response = client.post("/meetings/new", data={"title": "T", "symbol_prefix": "T/1", "languages": ["en"],
                                                  "timezone": "Mars/Olympus", "body_type": "committee",
                                                  "weighting_mode": "equal_strength", "quorum_rule": "committee"})
    assert response.status_code == 422
    assert b"Unknown time zone" in response.data


def test_dashboard_lists_meetings_spaces_and_offices(make_meeting, make_participant, login):
    meeting = make_meeting(title="Global Tripartite Forum on Labour Migration")
    chair = make_participant(meeting, "government", member_state="KE", roles=("chair",))
    html = login(chair.user).get("/").get_data(as_text=True)
    assert "Global Tripartite Forum on Labour Migration" in html
    assert "Chairperson" in html and "Kenya" in html
    assert "Government group" in html and "Workers&#39; group" not in html
    assert 'data-room="space:' in html  # the live presence list
    assert "times in Europe/Zurich" in html


def test_dashboard_empty_state(make_user, login):
    html = login(make_user()).get("/").get_data(as_text=True)
    assert "You are not accredited to any meeting yet." in html


def test_rule_9_chair_who_is_a_government_delegate_sees_only_the_government_caucus(make_meeting, make_participant,
                                                                                    login):
    meeting = make_meeting()
    chair = make_participant(meeting, "government", member_state="KE", roles=("chair",))
    html = login(chair.user).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    spaces = {s.kind: s for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))}
    assert "Government group" in html and "Employers&#39; group" not in html
    assert str(escape(spaces[SpaceKind.officers].name)) in html


def test_observer_reads_the_plenary_but_cannot_write(make_meeting, make_participant, login):
    meeting = make_meeting()
    observer = make_participant(meeting, "none", "observer")
    plenary = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id,
                                                        Space.kind == SpaceKind.plenary)).one()
    html = login(observer.user).get(f"/meetings/{meeting.id}/spaces/{plenary.id}").get_data(as_text=True)
    assert "You can read this space but not write in it." in html
