"""The interface in the reader's language: the switcher, the remembered choice, the browser's
default for a new user, dates and numbers per locale, the meeting's time zone (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import refresh

from forum.accounts.models import User
from forum.extensions import db
from forum.templating import local_time, number, time_zone_label
from tests.conftest import PASSWORD


def test_language_switcher_is_in_the_header_for_everyone(client):
    page = client.get("/login").get_data(as_text=True)
    header = page[page.index("<header"):page.index("</header>")]
    assert 'name="lang-locale"' in header and "Français" in header and "Español" in header


def test_anonymous_choice_is_kept_in_the_session(client):
    client.post("/account/language", data={"lang-locale": "es", "next": "/login"})
    assert 'lang="es"' in client.get("/login").get_data(as_text=True)
    with client.session_transaction() as s:
        assert s["locale"] == "es"


def test_browser_language_is_the_default_before_any_choice(client):
    page = client.get("/login", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert 'lang="fr"' in page.get_data(as_text=True)


def test_first_sign_in_takes_the_browser_language(app, make_user):
    user = make_user()
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD},
                headers={"Accept-Language": "es-AR,es;q=0.9"})
    assert db.session.get(User, user.id).locale == "es"
    # Remembered: another device with another browser language still gets Spanish.
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD}, headers={"Accept-Language": "fr"})
    assert db.session.get(User, user.id).locale == "es"
    assert 'lang="es"' in other.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_first_sign_in_keeps_the_language_chosen_on_the_sign_in_page(app, make_user):
    user = make_user()
    client = app.test_client()
    client.post("/account/language", data={"lang-locale": "fr"})
    client.post("/login", data={"email": user.email, "password": PASSWORD}, headers={"Accept-Language": "es"})
    assert db.session.get(User, user.id).locale == "fr"


def test_signed_in_choice_is_remembered_across_sessions(app, make_user, login):
    user = make_user()
    login(user).post("/account/language", data={"lang-locale": "es"})
    again = login(user)
    assert 'lang="es"' in again.get("/").get_data(as_text=True)


def test_dates_and_numbers_follow_the_reader_language(app):
    instant = datetime(2026, 6, 3, 13, 5, tzinfo=UTC)
    # Flask-Babel keeps the locale on `g`, which the fixture's app context shares: refresh per request.
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        refresh()
        assert local_time(instant, "Europe/Zurich", "EEEE d MMMM y, HH:mm") == "mercredi 3 juin 2026, 15:05"
        assert number(3570) == "3\u202f570"
        assert "UTC+02:00" in time_zone_label("Europe/Zurich", instant)
    with app.test_request_context(headers={"Accept-Language": "es"}):
        refresh()
        assert local_time(instant, "Europe/Zurich", "EEEE d MMMM y, HH:mm") == "miércoles 3 junio 2026, 15:05"
        assert number(13570.5) == "13.570,5"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert number(3570) == "3,570"
        assert time_zone_label("America/New_York", instant) == (
            "Times in the meeting's time zone: Eastern Daylight Time (GMT-04:00)")


def test_meeting_pages_show_the_meeting_time_zone(make_meeting, make_participant, login):
    meeting = make_meeting(timezone="America/New_York")
    delegate = make_participant(meeting)
    page = login(delegate.user).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Times in the meeting&#39;s time zone: Eastern" in page
