"""API operations on the caller's own tokens: listTokens, createToken, revokeToken."""

from __future__ import annotations

import sqlalchemy as sa

from forum.accounts.models import ApiToken
from forum.accounts.services import MAX_TOKENS, hash_token
from forum.extensions import db


def test_create_a_token_shown_once_and_stored_hashed(api, make_user):
    client = api(make_user())
    response = client.post("/me/tokens", {"name": "room display"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("tf_") and body["name"] == "room display"
    row = db.session.get(ApiToken, body["id"])
    assert row.token_hash == hash_token(body["token"])
    # The new token works, and the list never shows a token itself.
    listed = api(token=body["token"]).get("/me/tokens").get_json()
    assert {t["name"] for t in listed["items"]} == {"tests", "room display"}
    assert all("token" not in t for t in listed["items"])


def test_create_token_refusals(api, make_user):
    client = api(make_user())
    for body, field in (({"name": ""}, "name"), ({}, "name"), ({"name": "x" * 101}, "name"),
                        ({"name": "ok", "scope": "all"}, "scope")):
        response = client.post("/me/tokens", body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    for n in range(MAX_TOKENS - 1):
        assert client.post("/me/tokens", {"name": f"t{n}"}).status_code == 201
    response = client.post("/me/tokens", {"name": "one too many"})
    assert response.status_code == 422 and "name" in response.get_json()["error"]["fields"]
    assert api(None).post("/me/tokens", {"name": "x"}).status_code == 401


def test_list_tokens_shows_only_the_callers_active_tokens(api, make_user, token_for):
    owner, other = make_user(), make_user()
    token_for(other, "someone else's")
    client = api(owner)
    created = client.post("/me/tokens", {"name": "to revoke"}).get_json()
    client.delete(f"/me/tokens/{created['id']}")
    names = [t["name"] for t in client.get("/me/tokens").get_json()["items"]]
    assert names == ["tests"]
    assert api(None).get("/me/tokens").status_code == 401
    assert client.get("/me/tokens", query={"per_page": "many"}).status_code == 422


def test_revoke_a_token_and_it_stops_working(api, make_user, token_for):
    user = make_user()
    doomed = token_for(user, "doomed")
    doomed_id = db.session.scalars(sa.select(ApiToken.id).where(ApiToken.name == "doomed")).one()
    response = api(user).delete(f"/me/tokens/{doomed_id}")
    assert response.status_code == 204 and not response.data
    assert api(token=doomed).get("/me/tokens").status_code == 401
    # A script may revoke the very token it uses.
    own = token_for(user, "self")
    own_id = db.session.scalars(sa.select(ApiToken.id).where(ApiToken.name == "self")).one()
    assert api(token=own).delete(f"/me/tokens/{own_id}").status_code == 204
    assert api(token=own).get("/me/tokens").status_code == 401


def test_another_users_token_is_404_and_stays_valid(api, make_user, token_for):
    victim = make_user()
    token = token_for(victim, "victim's")
    token_id = db.session.scalars(sa.select(ApiToken.id)).one()
    intruder = api(make_user(admin=True))
    response = intruder.delete(f"/me/tokens/{token_id}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert intruder.delete("/me/tokens/999999").status_code == 404
    assert api(None).delete(f"/me/tokens/{token_id}").status_code == 401
    assert api(token=token).get("/me/tokens").status_code == 200
