"""Personal API tokens: created on the account page or the command line, stored hashed, revocable."""

from __future__ import annotations

import re

import sqlalchemy as sa

from forum.accounts.models import ApiToken
from forum.accounts.services import hash_token
from forum.extensions import db


def test_a_token_is_shown_once_and_stored_hashed(make_user, login):
    client = login(make_user())
    response = client.post("/account/tokens", data={"token-name": "room display"})
    html = response.get_data(as_text=True)
    token = re.search(r'id="new-token">(tf_[^<]+)<', html).group(1)
    row = db.session.scalars(sa.select(ApiToken)).one()
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    again = client.get("/account").get_data(as_text=True)
    assert token not in again and "room display" in again


def test_token_needs_a_name(make_user, login):
    response = login(make_user()).post("/account/tokens", data={"token-name": "  "})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_revoking_asks_for_confirmation_then_revokes(make_user, login):
    client = login(make_user())
    client.post("/account/tokens", data={"token-name": "script"})
    row = db.session.scalars(sa.select(ApiToken)).one()
    page = client.get(f"/account/tokens/{row.id}/revoke")
    assert page.status_code == 200 and b"cannot be undone" in page.data
    assert db.session.get(ApiToken, row.id).revoked_at is None
    client.post(f"/account/tokens/{row.id}/revoke")
    assert db.session.get(ApiToken, row.id).revoked_at is not None


def test_nobody_revokes_someone_elses_token(make_user, login):
    owner_client = login(make_user())
    owner_client.post("/account/tokens", data={"token-name": "script"})
    row = db.session.scalars(sa.select(ApiToken)).one()
    intruder = login(make_user(admin=True))
    assert intruder.get(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert intruder.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_create_token_command_prints_email_tab_token(app, make_user):
    a, b = make_user(), make_user()
    result = app.test_cli_runner().invoke(args=["forum", "create-token", a.email, b.email])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == [a.email, b.email]
    assert all(line.split("\t")[1].startswith("tf_") for line in lines)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 2


def test_create_token_command_for_an_unknown_email_creates_nothing(app, make_user):
    a = make_user()
    result = app.test_cli_runner().invoke(args=["forum", "create-token", a.email, "nobody@example.org"])
    assert result.exit_code == 1 and "nobody@example.org" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_a_revoked_token_loses_its_socket_rights_at_once(make_user, login, socket_client):
    from forum.accounts.services import create_token, revoke_token
    from forum.db import unit_of_work

    user = make_user()
    with unit_of_work():
        token = create_token(db.session.merge(user), "display")
    sock = socket_client(auth={"token": token})
    assert sock.emit("subscribe", {"room": f"user:{user.id}"}, callback=True)["ok"]
    row = db.session.scalars(sa.select(ApiToken)).one()
    with unit_of_work():
        revoke_token(db.session.merge(user), row.id)
    ack = sock.emit("subscribe", {"room": f"user:{user.id}"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
