"""Attacks on sign-in and sessions: brute force, user enumeration, fixation, stolen or idle sessions."""

from __future__ import annotations

import re

from forum import create_app
from forum.accounts import services
from forum.audit.models import AuditEntry
from forum.extensions import db
from tests.conftest import PASSWORD, IsolatingClient


def post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def copy_cookies(source, target):
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def test_brute_force_on_one_account_is_stopped_even_with_the_right_password(app, client, make_user):
    user = make_user()
    statuses = [post_login(client, user.email, f"guess {n}").status_code for n in range(5)]
    assert statuses == [200] * 5
    assert post_login(client, user.email, PASSWORD).status_code == 429
    assert client.get("/").status_code == 302  # not signed in


def test_brute_force_from_rotating_accounts_hits_the_address_limit(session_app, make_user):
    """Spraying one password over many accounts from one address: the address limit stops it."""
    app = create_app({**session_app.config, "LOGIN_ADDRESS_LIMIT": "10 per 15 minutes"})
    app.test_client_class = IsolatingClient
    client = app.test_client()
    users = [make_user() for _ in range(11)]
    statuses = [post_login(client, u.email, "Summer2027!").status_code for u in users]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_user_enumeration_gets_the_same_answer_for_unknown_email_and_wrong_password(client, make_user):
    user = make_user()
    wrong = post_login(client, user.email, "not the password")
    unknown = post_login(client, "nobody-here@example.org", "not the password")
    assert wrong.status_code == unknown.status_code
    def strip(response) -> str:
        """The page bar the typed address and the CSRF tokens (signed with the time, so they differ)."""
        html = response.get_data(as_text=True).replace("nobody-here@example.org", "").replace(user.email, "")
        return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", html)

    assert strip(wrong) == strip(unknown)  # the very same page


def test_user_enumeration_by_timing_unknown_email_checks_a_real_strength_hash(app, client, monkeypatch):
    """An unknown email still costs one password check, with the method and cost of real hashes."""
    import werkzeug.security

    checked: list[str] = []
    real = werkzeug.security.check_password_hash

    def spy(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(werkzeug.security, "check_password_hash", spy)
    post_login(client, "nobody-at-all@example.org", "some password")
    assert len(checked) == 1
    method = checked[0].split("$", 1)[0]
    assert method == werkzeug.security.generate_password_hash("x").split("$", 1)[0]  # e.g. scrypt:32768:8:1


def test_user_enumeration_by_lockout_unknown_emails_lock_like_known_ones(client, make_user):
    for n in range(5):
        post_login(client, "ghost@example.org", f"guess {n}")
    locked_unknown = post_login(client, "ghost@example.org", "again")
    user = make_user()
    for n in range(5):
        post_login(client, user.email, f"guess {n}")
    locked_known = post_login(client, user.email, "again")
    assert locked_unknown.status_code == locked_known.status_code == 429
    def strip(response, email: str) -> str:
        return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", response.get_data(as_text=True).replace(email, ""))

    assert strip(locked_unknown, "ghost@example.org") == strip(locked_known, user.email)


def test_admin_unlocks_a_locked_account_and_it_is_recorded(app, make_user, login):
    user, admin = make_user(), make_user(admin=True)
    attacker = app.test_client()
    for n in range(6):
        post_login(attacker, user.email, f"guess {n}")
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 429
    delegate = login(make_user())
    assert delegate.post(f"/admin/users/{user.id}/unlock").status_code == 403
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 429
    response = login(admin).post(f"/admin/users/{user.id}/unlock")
    assert response.status_code == 302
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 302
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.unlock")).one()
    assert entry.actor_id == admin.id


def test_session_fixation_a_planted_session_is_not_the_signed_in_one(app, make_user):
    """An attacker plants a session cookie in the victim's browser, then waits for them to sign in."""
    user = make_user()
    victim = app.test_client()
    victim.get("/login")
    with victim.session_transaction() as s:
        s["planted"] = "by the attacker"
        s["_user_id"] = "999.1"  # and a forged identity, for good measure
    attacker = app.test_client()
    copy_cookies(victim, attacker)  # the attacker keeps the planted cookie
    assert post_login(victim, user.email, PASSWORD).status_code == 302
    with victim.session_transaction() as s:
        assert "planted" not in s  # a new session at sign-in: nothing carried over
        assert s["_user_id"] == f"{user.id}.1"
    assert attacker.get("/").status_code == 302  # the planted cookie is not signed in


def test_stolen_session_cookie_dies_with_logout(app, make_user, login):
    user = make_user()
    client = login(user)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get("/account").status_code == 200
    client.post("/logout")
    assert thief.get("/account").status_code == 302


def test_session_left_idle_on_a_shared_machine_signs_out(app, make_user, login):
    client = login(make_user())
    assert client.get("/").status_code == 200
    with client.session_transaction() as s:
        s["seen_at"] -= int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds()) + 60
    assert client.get("/").status_code == 302


def test_session_in_use_is_not_idle(app, make_user, login):
    client = login(make_user())
    assert client.get("/").status_code == 200
    with client.session_transaction() as s:
        s["seen_at"] -= int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds()) - 120
    assert client.get("/").status_code == 200
    with client.session_transaction() as s:
        s["seen_at"] -= 180  # measured from the last request, not from sign-in
    assert client.get("/").status_code == 200


def test_session_defaults_are_no_31_day_cookie(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 12 * 3600
    assert app.config["SESSION_IDLE_TIMEOUT"] <= app.config["PERMANENT_SESSION_LIFETIME"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_cookie_flags_on_sign_in(make_user, client):
    user = make_user()
    response = post_login(client, user.email, PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("FORUM_ENV", "production")
    monkeypatch.setenv("FORUM_SECRET_KEY", "a-production-secret-of-enough-length")
    monkeypatch.setenv("FORUM_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.debug is False


def test_hijacked_idle_session_cannot_hand_out_tokens_without_the_password(app, make_user, login):
    """Sensitive account actions ask for the password again once the sign-in is not recent."""
    user = make_user()
    client = login(user)
    with client.session_transaction() as s:
        s["auth_at"] -= int(app.config["REAUTH_MAX_AGE"].total_seconds()) + 60
    response = client.post("/account/tokens", data={"token-name": "exfiltrate"},
                           headers={"Referer": "http://forum.test/account"})
    assert response.status_code == 302 and "/login/confirm" in response.headers["Location"]
    assert db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.token_create")).first() is None
    wrong = client.post("/login/confirm?next=/account", data={"password": "not it"})
    assert wrong.status_code == 422
    confirmed = client.post("/login/confirm?next=/account", data={"password": PASSWORD})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/account")
    assert client.post("/account/tokens", data={"token-name": "display"}).status_code == 200


def test_confirmation_page_refuses_an_open_redirect(make_user, login):
    client = login(make_user())
    response = client.post("/login/confirm?next=https://evil.example/", data={"password": PASSWORD})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_password_guessing_through_the_confirmation_page_is_throttled(make_user, login):
    user = make_user()
    client = login(user)
    for n in range(5):
        client.post("/login/confirm", data={"password": f"guess {n}"})
    assert client.post("/login/confirm", data={"password": PASSWORD}).status_code == 429


def test_unknown_email_reset_request_reveals_nothing(client):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert services.user_by_email("nobody@example.org") is None


def test_hijacked_idle_secretariat_session_cannot_remove_or_accredit_without_the_password(app, make_user,
                                                                                         make_meeting,
                                                                                         make_participant, login):
    from forum.meetings.models import Participant

    secretariat = make_user(staff=True)
    meeting = make_meeting(secretariat)
    delegate = make_participant(meeting, "worker")
    client = login(secretariat)
    with client.session_transaction() as s:
        s["auth_at"] -= int(app.config["REAUTH_MAX_AGE"].total_seconds()) + 60
    base = f"/meetings/{meeting.id}/participants"
    removal = client.post(f"{base}/{delegate.id}/remove", data={"reason": "Hijacked"})
    assert removal.status_code == 302 and "/login/confirm" in removal.headers["Location"]
    accreditation = client.post(f"{base}/import", data={})
    assert accreditation.status_code == 302 and "/login/confirm" in accreditation.headers["Location"]
    db.session.rollback()
    assert db.session.get(Participant, delegate.id).removed_at is None
    assert client.post(f"/login/confirm?next={base}", data={"password": PASSWORD}).status_code == 302
    assert client.post(f"{base}/{delegate.id}/remove", data={"reason": "Left"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Participant, delegate.id).removed_at is not None


def test_password_reset_flood_creates_a_few_links_and_answers_the_same(client, make_user):
    """Mail bombing a delegate (or filling the secretariat's list of links) through the reset form."""
    from forum.accounts.models import PasswordReset

    user = make_user()
    answers = [client.post("/password/forgot", data={"email": user.email.upper()}, follow_redirects=True)
               for _ in range(6)]
    assert {a.status_code for a in answers} == {200}
    flashes = {a.get_data(as_text=True).count("If an account exists for this address") for a in answers}
    assert flashes == {1}  # the same answer, throttled or not
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(PasswordReset)
                             .where(PasswordReset.user_id == user.id)) == 3
