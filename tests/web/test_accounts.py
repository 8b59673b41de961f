"""Signing in and out, throttling, passwords and their reset, and account administration."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from forum.accounts.models import PasswordReset, User
from forum.audit.models import AuditEntry
from forum.db import unit_of_work, utcnow
from forum.extensions import db
from tests.conftest import PASSWORD


def post_login(client, email, password, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_sign_in_and_out(client, make_user):
    user = make_user()
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive(client, make_user):
    user = make_user(email="Mixed@Example.org".lower())
    assert post_login(client, "  MIXED@example.ORG ", PASSWORD).status_code == 302
    assert user.email == "mixed@example.org"


def test_wrong_password_and_unknown_email_get_the_same_message(client, make_user):
    user = make_user()
    wrong = post_login(client, user.email, "not the password")
    unknown = post_login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert b"Wrong email or password." in wrong.data
    assert b"Wrong email or password." in unknown.data
    assert client.get("/").status_code == 302


def test_inactive_account_is_refused_with_a_clear_message(client, make_user):
    user = make_user(active=False)
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 403
    assert b"deactivated" in response.data
    assert client.get("/").status_code == 302


def test_login_throttled_per_account(client, make_user):
    user = make_user()
    for _ in range(5):
        post_login(client, user.email, "wrong password")
    response = post_login(client, user.email, PASSWORD)  # even the right password waits
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.data
    assert client.get("/").status_code == 302


def test_throttle_on_one_account_spares_colleagues_behind_the_same_address(app, make_user):
    victim, colleague = make_user(), make_user()
    attacker = app.test_client()
    for _ in range(6):
        post_login(attacker, victim.email, "wrong password")
    # The whole venue shares one address: a colleague still signs in.
    assert post_login(app.test_client(), colleague.email, PASSWORD).status_code == 302


def test_address_throttle_applies_past_its_own_limit(app, make_user):
    app.config["LOGIN_ADDRESS_LIMIT"] = "3 per 15 minutes"
    try:
        user = make_user()
        client = app.test_client()
        for n in range(3):
            post_login(client, f"other{n}@example.org", "wrong password")
        assert post_login(client, user.email, PASSWORD).status_code == 429
    finally:
        app.config["LOGIN_ADDRESS_LIMIT"] = "200 per 15 minutes"


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    user = make_user()
    response = post_login(client, user.email, PASSWORD, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "Expires=" in remember[0] and "HttpOnly" in remember[0]


def test_no_remember_cookie_without_remember_me(client, make_user):
    user = make_user()
    response = post_login(client, user.email, PASSWORD)
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


def test_logout_invalidates_a_copied_session_cookie(app, make_user, login):
    user = make_user()
    client = login(user)
    stolen = app.test_client()
    for cookie in client._cookies.values():
        stolen.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert stolen.get("/").status_code == 200
    client.post("/logout")
    assert stolen.get("/").status_code == 302


def test_change_password_ends_other_sessions_and_keeps_this_one(app, make_user, login):
    user = make_user()
    here, elsewhere = login(user), login(user)
    response = here.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": "a new long password",
                                           "pw-confirm": "a new long password"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert post_login(app.test_client(), user.email, "a new long password").status_code == 302


def test_change_password_also_ends_a_remembered_device(app, make_user, login):
    """"Remember me" outlives the browser's session cookie, not a password change made elsewhere."""
    user = make_user()
    remembered, here = login(user, remember=True), login(user)

    def restart_browser() -> None:
        remembered.delete_cookie("session", domain="forum.test")
        assert remembered.get_cookie("session", domain="forum.test") is None
        assert remembered.get_cookie("remember_token", domain="forum.test") is not None

    restart_browser()
    assert remembered.get("/").status_code == 200  # signed in again from the remember cookie alone
    here.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": "a new long password",
                                "pw-confirm": "a new long password"})
    restart_browser()
    assert remembered.get("/").status_code == 302


def test_change_password_with_wrong_current_password_changes_nothing(make_user, login):
    user = make_user()
    client = login(user)
    response = client.post("/account", data={"pw-current_password": "nope", "pw-new_password": "a new long password",
                                             "pw-confirm": "a new long password"})
    assert response.status_code == 422
    assert b"The current password is wrong." in response.data
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_new_password_too_short_is_refused_field_by_field(make_user, login):
    client = login(make_user())
    response = client.post("/account", data={"pw-current_password": PASSWORD, "pw-new_password": "short",
                                             "pw-confirm": "short"})
    assert b'id="pw-new_password-error"' in response.data


def _request_reset(client, email):
    return client.post("/password/forgot", data={"email": email})


def _reset_token(user_id):
    from forum.accounts.services import reset_link

    reset = db.session.scalars(sa.select(PasswordReset).where(PasswordReset.user_id == user_id)
                               .order_by(PasswordReset.id.desc())).first()
    return reset_link(reset).rsplit("/", 1)[1]


def test_password_reset_link_works_once(app, client, make_user):
    user = make_user()
    assert _request_reset(client, user.email).status_code == 302
    token = _reset_token(user.id)
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 200
    new = {"password": "brand new password", "confirm": "brand new password"}
    done = client.post(f"/password/reset/{token}", data=new)
    assert done.status_code == 302
    assert post_login(app.test_client(), user.email, "brand new password").status_code == 302
    again = client.post(f"/password/reset/{token}", data={"password": "another password!",
                                                          "confirm": "another password!"})
    assert again.status_code == 302 and "/password/forgot" in again.headers["Location"]
    assert db.session.get(User, user.id).check_password("brand new password")


def test_reset_for_unknown_email_says_the_same_and_creates_nothing(client):
    response = _request_reset(client, "nobody@example.org")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PasswordReset)) == 0


def test_expired_reset_link_is_refused(client, make_user):
    user = make_user()
    _request_reset(client, user.email)
    token = _reset_token(user.id)
    with unit_of_work():
        for reset in db.session.scalars(sa.select(PasswordReset)):
            reset.expires_at = utcnow() - timedelta(minutes=1)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 302


def test_tampered_reset_link_is_refused(client, make_user):
    user = make_user()
    _request_reset(client, user.email)
    token = _reset_token(user.id)
    assert client.get(f"/password/reset/{token[:-2]}xx").status_code == 302


def test_reset_link_handed_over_by_the_meeting_secretariat_and_audited(make_meeting, make_participant, make_user,
                                                                         login, client):
    staff = make_user(staff=True)
    meeting = make_meeting(staff)
    delegate = make_participant(meeting, "worker")
    outsider = make_user()
    _request_reset(client, delegate.user.email)
    _request_reset(client, outsider.email)
    secretariat = login(staff)
    page = secretariat.get(f"/meetings/{meeting.id}/password-resets")
    assert page.status_code == 200
    assert delegate.user.email.encode() in page.data
    assert outsider.email.encode() not in page.data  # not a participant of this meeting
    reset_id = int(re.search(rb'name="reset_id" value="(\d+)"', page.data).group(1))
    shown = secretariat.post(f"/meetings/{meeting.id}/password-resets", data={"reset_id": reset_id})
    assert b"/password/reset/" in shown.data
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "user.password_reset_link_handed_over" in actions


def test_without_a_mail_server_the_reset_link_is_written_to_the_log(app, client, make_user, caplog):
    """No SMTP: the operator finds the link in the log (the secretariat's page is the other way)."""
    user = make_user()
    assert not app.config.get("SMTP_HOST")
    with caplog.at_level("WARNING", logger="forum.accounts.services"):
        _request_reset(client, user.email)
    logged = [r.getMessage() for r in caplog.records if r.name == "forum.accounts.services"]
    token = _reset_token(user.id)
    assert any(user.email in line and f"/password/reset/{token}" in line for line in logged), logged
    assert db.session.scalars(sa.select(PasswordReset.delivered_by_mail)).one() is False
    caplog.clear()
    with caplog.at_level("WARNING", logger="forum.accounts.services"):
        _request_reset(client, "nobody@example.org")
    assert not [r for r in caplog.records if "/password/reset/" in r.getMessage()]


def test_delegates_cannot_see_reset_links(make_meeting, make_participant, login):
    meeting = make_meeting()
    delegate = make_participant(meeting, "employer")
    assert login(delegate.user).get(f"/meetings/{meeting.id}/password-resets").status_code == 403


def test_reset_sent_by_smtp_when_configured(app, client, make_user, smtp_server):
    user = make_user()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    try:
        _request_reset(client, user.email)
    finally:
        app.config["SMTP_HOST"] = None
    assert smtp_server.messages, "no mail was sent"
    assert user.email in smtp_server.messages[0]
    assert "/password/reset/" in smtp_server.messages[0]
    assert db.session.scalars(sa.select(PasswordReset.delivered_by_mail)).one() is True


def test_an_unreachable_mail_server_neither_reveals_the_account_nor_loses_the_link(
        app, client, make_meeting, make_participant, make_user, login, caplog):
    """Known and unknown emails get the same answer; the link goes to the secretariat and the log."""
    import socket

    staff = make_user(staff=True)
    meeting = make_meeting(staff)
    delegate = make_participant(meeting, "worker")
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port)
    try:
        with caplog.at_level("WARNING", logger="forum.accounts.services"):
            known = _request_reset(client, delegate.user.email)
            unknown = _request_reset(client, "nobody@example.org")
    finally:
        app.config["SMTP_HOST"] = None
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    reset = db.session.scalars(sa.select(PasswordReset)).one()
    assert reset.user_id == delegate.user_id and reset.delivered_by_mail is False
    token = _reset_token(delegate.user_id)
    assert any(f"/password/reset/{token}" in r.getMessage() for r in caplog.records)
    page = login(staff).get(f"/meetings/{meeting.id}/password-resets")
    assert delegate.user.email.encode() in page.data


def test_admin_creates_an_account_and_gets_a_link(make_user, login):
    admin = make_user(admin=True)
    client = login(admin)
    response = client.post("/admin/users", data={"email": "new.person@example.org", "name": "New Person",
                                                 "staff": "y"}, follow_redirects=True)
    assert b"new.person@example.org" in response.data
    created = db.session.scalars(sa.select(User).where(User.email == "new.person@example.org")).one()
    assert created.is_staff and not created.is_admin


def test_admin_gives_an_existing_account_the_staff_flag_and_it_may_then_create_meetings(make_user, login):
    admin, user = make_user(admin=True), make_user()
    user_client = login(user)
    assert user_client.get("/meetings/new").status_code == 403
    login(admin).post(f"/admin/users/{user.id}", data={"staff": "y", "admin": "", "active": "y"})
    assert db.session.get(User, user.id).is_staff and not db.session.get(User, user.id).is_admin
    assert user_client.get("/meetings/new").status_code == 200
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user.flags")).one()
    assert entry.actor_id == admin.id and '"is_staff":true' in entry.payload


def test_create_user_command_makes_plain_staff_and_admin_accounts(app):
    runner = app.test_cli_runner()
    for email, flags in (("plain@example.org", []), ("staff@example.org", ["--staff"]),
                         ("both@example.org", ["--staff", "--admin"])):
        result = runner.invoke(args=["forum", "create-user", "--email", email.upper(), "--name", "A Person",
                                     "--password", "a long password", *flags])
        assert result.exit_code == 0, result.output
        assert f"Created {email}" in result.output
    flags = {u.email: (u.is_staff, u.is_admin) for u in db.session.scalars(sa.select(User))}
    assert flags == {"plain@example.org": (False, False), "staff@example.org": (True, False),
                     "both@example.org": (True, True)}
    assert post_login(app.test_client(), "both@example.org", "a long password").status_code == 302
    assert "user.create" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_create_user_command_refuses_bad_input_and_writes_nothing(app, make_user):
    make_user("taken@example.org")
    runner = app.test_cli_runner()
    cases = {("taken@example.org", "a long password", "N"): "An account with this email exists.",
             ("new@example.org", "short", "N"): "Use at least 10 characters.",
             ("not-an-email", "a long password", "N"): "Enter a valid email address.",
             ("new@example.org", "a long password", " "): "Enter a name."}
    for (email, password, name), message in cases.items():
        result = runner.invoke(args=["forum", "create-user", "--email", email, "--name", name,
                                     "--password", password])
        assert result.exit_code == 1 and message in result.output, result.output
    assert db.session.scalars(sa.select(User.email)).all() == ["taken@example.org"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_admin_cannot_create_a_duplicate_account(make_user, login):
    admin = make_user(admin=True)
    other = make_user()
    response = login(admin).post("/admin/users", data={"email": other.email, "name": "Again"})
    assert b"An account with this email exists." in response.data


def test_deactivating_a_user_ends_their_sessions(make_user, login):
    admin, user = make_user(admin=True), make_user()
    user_client = login(user)
    login(admin).post(f"/admin/users/{user.id}", data={"staff": "", "admin": "", "active": ""})
    assert user_client.get("/").status_code == 302


def test_admin_cannot_remove_own_rights(make_user, login):
    admin = make_user(admin=True)
    login(admin).post(f"/admin/users/{admin.id}", data={"admin": "", "active": "y"})
    assert db.session.get(User, admin.id).is_admin


def test_non_admin_cannot_manage_accounts(make_user, login):
    client = login(make_user(staff=True))
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users", data={"email": "x@example.org", "name": "X"}).status_code == 403


def test_sign_in_redirects_only_to_local_pages(client, make_user):
    user = make_user()
    evil = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert evil.headers["Location"] == "/"


def test_language_choice_is_remembered(make_user, login):
    user = make_user()
    client = login(user)
    client.post("/account/language", data={"lang-locale": "fr"})
    assert db.session.get(User, user.id).locale == "fr"
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)


def test_session_ends_after_its_absolute_lifetime_however_active(app, make_user, login):
    user = make_user()
    client = login(user)
    with client.session_transaction() as s:
        s["started_at"] -= int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()) + 60
    assert client.get("/").status_code == 302


def test_remembered_session_lives_longer(app, make_user, login):
    user = make_user()
    client = login(user, remember=True)
    with client.session_transaction() as s:
        s["started_at"] -= int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()) + 60
    assert client.get("/").status_code == 200
