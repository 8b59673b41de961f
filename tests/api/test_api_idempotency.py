"""`Idempotency-Key`: a repeat returns the first response; the same key with another request is 422."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from forum.api.models import IdempotencyKey
from forum.db import unit_of_work, utcnow
from forum.extensions import db
from forum.meetings.models import Meeting, Participant

pytestmark = pytest.mark.postgres  # the key table's constraints and locks, on both engines

BODY = {"title": "Tripartite meeting on care work", "symbol_prefix": "TMCW/2028"}


def meetings() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) or 0


def test_a_repeat_returns_the_first_response_and_creates_nothing_more(api, make_user):
    client = api(make_user(staff=True))
    first = client.post("/meetings", BODY, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = client.post("/meetings", BODY, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert meetings() == 1
    # Without a key, or with a new one, a repeat is a new request.
    client.post("/meetings", BODY, headers={"Idempotency-Key": "k-2"})
    client.post("/meetings", BODY)
    assert meetings() == 3


def test_a_json_body_is_compared_by_value_not_by_spelling(api, make_user):
    client = api(make_user(staff=True))
    client.request("POST", "/meetings", data='{"title": "A", "symbol_prefix": "A/1"}', content_type="application/json",
                   headers={"Idempotency-Key": "same"})
    again = client.request("POST", "/meetings", data='{"symbol_prefix":"A/1","title":"A"}',
                           content_type="application/json", headers={"Idempotency-Key": "same"})
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert meetings() == 1


def test_the_same_key_with_another_request_is_422(api, make_user):
    client = api(make_user(staff=True))
    client.post("/meetings", BODY, headers={"Idempotency-Key": "k"})
    response = client.post("/meetings", {**BODY, "title": "Another"}, headers={"Idempotency-Key": "k"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "idempotency_key_reused" and "Idempotency-Key" in error["fields"]
    assert meetings() == 1


def test_a_failed_request_releases_its_key(api, make_user):
    client = api(make_user(staff=True))
    bad = client.post("/meetings", {"title": "No symbol"}, headers={"Idempotency-Key": "retry"})
    assert bad.status_code == 422
    fixed = client.post("/meetings", {"title": "No symbol", "symbol_prefix": "NS/1"},
                        headers={"Idempotency-Key": "retry"})
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers
    refused = api(make_user()).post("/meetings", BODY, headers={"Idempotency-Key": "not-staff"})
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 1


def test_a_key_still_being_processed_answers_409(api, make_user, app):
    from forum.api.idempotency import request_fingerprint

    user = make_user(staff=True)
    client = api(user)
    with app.test_request_context("/api/v1/meetings", method="POST", json=BODY):
        fingerprint = request_fingerprint()
    with unit_of_work():  # as if the same request were still running
        db.session.add(IdempotencyKey(user_id=user.id, key="busy", request_hash=fingerprint))
    response = client.post("/meetings", BODY, headers={"Idempotency-Key": "busy"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "idempotency_key_in_use"
    assert meetings() == 0


def test_keys_belong_to_their_user_and_expire(api, make_user, app):
    alice, bob = make_user(staff=True), make_user(staff=True)
    api(alice).post("/meetings", BODY, headers={"Idempotency-Key": "shared"})
    response = api(bob).post("/meetings", {**BODY, "title": "Bob's"}, headers={"Idempotency-Key": "shared"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    with unit_of_work():
        db.session.execute(sa.update(IdempotencyKey).values(
            created_at=utcnow() - timedelta(hours=app.config["IDEMPOTENCY_TTL_HOURS"] + 1)))
    response = api(alice).post("/meetings", {**BODY, "title": "Later"}, headers={"Idempotency-Key": "shared"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert meetings() == 3


def test_a_malformed_key_is_400(api, make_user):
    client = api(make_user(staff=True))
    for key in ("x" * 201, "   "):
        response = client.post("/meetings", BODY, headers={"Idempotency-Key": key})
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert meetings() == 0


def test_an_import_retried_with_its_key_is_not_run_twice(api, make_user, make_meeting):
    secretariat = make_user(staff=True)
    meeting = make_meeting(secretariat)
    csv = ("email,name,group,capacity,member_state,regional_groups,membership,roles\n"
           "li.wei@example.org,Li Wei,employer,delegate,,,,\n")
    client = api(secretariat)
    path = f"/meetings/{meeting.id}/participants/import"
    first = client.request("POST", path, data=csv, content_type="text/csv", headers={"Idempotency-Key": "imp"})
    again = client.request("POST", path, data=csv, content_type="text/csv", headers={"Idempotency-Key": "imp"})
    assert first.get_json()["created"] == 1 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                             .where(Participant.meeting_id == meeting.id)) == 2


def test_concurrent_repeats_with_one_key_create_one_meeting(app, make_user, token_for):
    """Retries racing each other: one runs, the others get 409 (in progress) or the first answer."""
    token = token_for(make_user(staff=True))
    n = 6
    barrier = threading.Barrier(n)
    answers: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            client = FlaskClient(app, app.response_class)  # no test context to leave: a thread has none
            barrier.wait()
            response = client.post("/api/v1/meetings", json=BODY,
                                   headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race"})
            answers.append((response.status_code, response.get_json()))
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(n)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=60)
    assert not errors, errors
    assert {status for status, _ in answers} <= {201, 409}
    assert len({body["id"] for status, body in answers if status == 201}) == 1
    assert meetings() == 1
