"""The API's contract: bearer tokens only, one error object, lists, rate limits, the OpenAPI document
and its reference page."""

from __future__ import annotations

import sqlalchemy as sa
from openapi_spec_validator import validate

from forum.accounts.models import ApiToken
from forum.db import unit_of_work
from forum.extensions import db

# Every operation named by issue 9.
OPERATION_IDS = {
    "listMeetings", "createMeeting", "getMeeting", "importParticipants", "listParticipants",
    "removeParticipant", "listSpaces", "listSittings", "listAuditEntries", "verifyAudit", "listTokens",
    "createToken", "revokeToken",
    "listThreads", "createThread", "getThread", "createPost",
    "listDocuments", "uploadDocument", "getDocument", "uploadDocumentVersion", "reissueDocument",
    "downloadDocumentVersion",
    "createDraft", "getDraft", "addDraftTranslation", "addAmendmentTranslation", "getAmendmentLanguages",
    "submitAmendment", "secondAmendment", "withdrawAmendment",
    "takeUpAmendment", "returnAmendment", "resubmitAmendment", "validateAmendment", "circulateAmendments",
    "reorderAmendments",
    "setGroupPosition", "addStatement", "openPoll", "answerPoll", "closePoll", "getTally",
    "openVote", "castBallot", "closeVote", "getVote", "decideItem",
    "exportDraft",
    "createSitting", "getSittingState", "sittingCommand", "setAttendance",
}


def operation_ids(spec):
    return {op["operationId"] for item in spec["paths"].values() for method, op in item.items()
            if method != "parameters"}


def test_the_openapi_document_is_valid_and_names_every_operation(client, spec):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    validate(document)
    ids = operation_ids(document)
    assert ids >= OPERATION_IDS
    assert len(ids) == sum(1 for item in document["paths"].values() for m in item if m != "parameters"), \
        "operationIds must be unique"
    assert document["security"] == [{"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_operation_documents_401_and_its_error_object(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            assert "401" in op["responses"], f"{op['operationId']} does not document 401"
            assert path.startswith("/api/v1/")
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_the_reference_page_lists_every_operation_without_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for operation_id in OPERATION_IDS:
        assert f'id="op-{operation_id}"' in html
    assert "<script" not in html and " style=" not in html
    assert "http://" not in html.replace("http://forum.test", "") and "https://" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_no_token_is_401_with_the_error_object(api):
    response = api(None).get("/meetings")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_alone_is_401(make_user, login, api):
    client = login(make_user(staff=True))
    assert client.get("/").status_code == 200  # signed in for the pages
    response = client.get("/api/v1/meetings")
    assert response.status_code == 401
    response = client.post("/api/v1/meetings", json={"title": "T", "symbol_prefix": "T/1"})
    assert response.status_code == 401


def test_unknown_revoked_and_deactivated_tokens_are_401(make_user, api, token_for):
    from forum.accounts.services import revoke_token, set_flags

    assert api(token="tf_not-a-token").get("/me/tokens").status_code == 401
    assert api(token=None).request("GET", "/me/tokens", headers={"Authorization": "Basic abc"}).status_code == 401
    user = make_user()
    token = token_for(user)
    assert api(token=token).get("/me/tokens").status_code == 200
    row = db.session.scalars(sa.select(ApiToken)).one()
    with unit_of_work():
        revoke_token(db.session.merge(user), row.id)
    assert api(token=token).get("/me/tokens").status_code == 401
    other = make_user()
    token = token_for(other)
    admin = make_user(admin=True)
    with unit_of_work():
        set_flags(db.session.merge(admin), db.session.merge(other), active=False)
    assert api(token=token).get("/me/tokens").status_code == 401


def test_a_token_records_when_it_was_last_used(make_user, api):
    client = api(make_user())
    assert db.session.scalars(sa.select(ApiToken.last_used_at)).one() is None
    client.get("/me/tokens")
    assert db.session.scalars(sa.select(ApiToken.last_used_at)).one() is not None


def test_csrf_does_not_apply_to_bearer_requests(session_app, make_user, token_for):
    """With CSRF on, the pages refuse a token-less form POST; the API accepts a bearer POST."""
    from forum import create_app

    strict = create_app({**session_app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    user = make_user(staff=True)
    token = token_for(user)
    with strict.test_client() as client:
        response = client.post("/api/v1/meetings", headers={"Authorization": f"Bearer {token}"},
                               json={"title": "Strict", "symbol_prefix": "ST/1"})
        assert response.status_code == 201, response.get_json()
        assert client.post("/account/tokens", data={"token-name": "x"}).status_code in (400, 302)


def test_unknown_paths_and_methods_answer_the_error_object(api, make_user):
    client = api(make_user())
    response = client.get("/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    response = client.request("PUT", "/meetings")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


def test_ids_beyond_the_database_range_are_404_not_500(api, make_user):
    client = api(make_user())
    assert client.get("/meetings/99999999999999999999").status_code == 404
    assert client.get("/meetings/0").status_code == 404


def test_malformed_json_is_400_and_a_wrong_shape_is_422_with_fields(api, make_user):
    client = api(make_user(staff=True))
    response = client.request("POST", "/meetings", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    response = client.post("/meetings", {"title": "", "languages": ["de"], "extra": 1})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "validation_failed"
    assert set(error["fields"]) == {"title", "symbol_prefix", "languages.0", "extra"}


def test_control_characters_are_refused(api, make_user):
    client = api(make_user(staff=True))
    response = client.post("/meetings", {"title": "A\x00B", "symbol_prefix": "X/1"})
    assert response.status_code == 422 and "title" in response.get_json()["error"]["fields"]
    response = client.get("/me/tokens", query={"page": "1\x00"})
    assert response.status_code == 422


def test_lists_have_items_next_and_total(api, make_user, make_meeting, make_participant):
    user = make_user()
    for _ in range(3):
        make_participant(make_meeting(), "worker", user=user)
    client = api(user)
    first = client.get("/meetings", query={"per_page": 2}).get_json()
    assert first["total"] == 3 and len(first["items"]) == 2
    assert first["next"].startswith("http://forum.test/api/v1/meetings?") and "page=2" in first["next"]
    second = client.get(first["next"].removeprefix("http://forum.test/api/v1")).get_json()
    assert len(second["items"]) == 1 and second["next"] is None
    assert len({m["id"] for m in first["items"] + second["items"]}) == 3  # no meeting twice, none missed
    beyond = client.get("/meetings", query={"page": 9}).get_json()
    assert beyond == {"items": [], "next": None, "total": 3}


def test_per_page_is_bounded(api, make_user):
    client = api(make_user())
    for bad in ("0", "101", "-1", "x"):
        response = client.get("/me/tokens", query={"per_page": bad})
        assert response.status_code == 422 and "per_page" in response.get_json()["error"]["fields"]
    assert client.get("/me/tokens", query={"page": "0"}).status_code == 422


def test_too_many_requests_is_429_with_retry_after(session_app, make_user, token_for):
    from forum import create_app

    limited = create_app({**session_app.config, "API_RATE_LIMIT": "3 per minute", "TESTING": True})
    token = token_for(make_user())
    client = limited.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [client.get("/api/v1/me/tokens", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me/tokens", headers=headers)
    assert response.get_json()["error"]["code"] == "throttled" and int(response.headers["Retry-After"]) >= 1


def test_answers_to_a_token_are_not_cached_and_set_no_cookie(api, make_user):
    response = api(make_user()).get("/me/tokens")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
