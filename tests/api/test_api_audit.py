"""API operations on the audit log: listAuditEntries (redacted as on the secretariat's page) and
verifyAudit (administrators)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from forum.audit import services as audit
from forum.audit.models import AuditChain, AuditEntry
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind

SECRET = "Our fallback position on paragraph 12"


@pytest.fixture
def scene(make_user, make_meeting, make_participant):
    secretary = make_user(staff=True)
    meeting = make_meeting(secretary)
    worker = make_participant(meeting, "worker").user
    outsider = make_user(staff=True)
    spaces = {(s.kind, s.group): s for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))}
    caucus, plenary = spaces[(SpaceKind.group, Group.worker)], spaces[(SpaceKind.plenary, None)]
    with unit_of_work():
        audit.record(db.session.merge(worker), "caucus.secret_probe", caucus, {"title": SECRET},
                     meeting_id=meeting.id, space_id=caucus.id)
        audit.record(db.session.merge(worker), "plenary.statement", plenary, {"text": "Open statement"},
                     meeting_id=meeting.id, space_id=plenary.id)
    return SimpleNamespace(meeting=meeting, secretary=secretary, worker=worker, outsider=outsider, caucus=caucus)


def log(scene):
    return f"/meetings/{scene.meeting.id}/audit"


def test_rule_11_the_secretariat_reads_the_log_with_caucus_entries_redacted(api, scene):
    response = api(scene.secretary).get(log(scene))
    assert response.status_code == 200
    body = response.get_json()
    assert SECRET not in response.get_data(as_text=True) and "secret_probe" not in response.get_data(as_text=True)
    redacted = [e for e in body["items"] if e["redacted"]]
    assert len(redacted) == 1 and redacted[0]["action"] is None and redacted[0]["payload"] is None
    statement = next(e for e in body["items"] if e["action"] == "plenary.statement")
    assert statement["payload"] == {"text": "Open statement"} and statement["actor"] == scene.worker.email
    assert [e["seq"] for e in body["items"]] == sorted((e["seq"] for e in body["items"]), reverse=True)


def test_rule_11_filters_on_hidden_fields_leave_redacted_entries_out(api, scene):
    client = api(scene.secretary)
    probe = client.get(log(scene), query={"action": "caucus."}).get_json()
    assert probe == {"items": [], "next": None, "total": 0}
    found = client.get(log(scene), query={"action": "plenary."}).get_json()
    assert [e["action"] for e in found["items"]] == ["plenary.statement"]


def test_list_audit_entries_refusals(api, scene):
    assert api(scene.worker).get(log(scene)).status_code == 403
    assert api(scene.outsider).get(log(scene)).status_code == 404
    assert api(None).get(log(scene)).status_code == 401
    response = api(scene.secretary).get(log(scene), query={"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert response.status_code == 422 and "date_to" in response.get_json()["error"]["fields"]
    assert api(scene.secretary).get(log(scene), query={"date_from": "yesterday"}).status_code == 422


def test_verify_audit_reports_every_chain_to_administrators(api, scene, make_user):
    admin = make_user(admin=True)
    body = api(admin).get("/audit/verify").get_json()
    assert body["ok"] is True
    assert f"meeting:{scene.meeting.id}" in {c["key"] for c in body["chains"]}
    chain_id = db.session.scalars(sa.select(AuditChain.id).where(AuditChain.key == f"meeting:{scene.meeting.id}")).one()
    with unit_of_work():
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.chain_id == chain_id, AuditEntry.seq == 2)
                           .values(payload=json.dumps({"forged": True})))
    body = api(admin).get("/audit/verify").get_json()
    broken = next(c for c in body["chains"] if c["key"] == f"meeting:{scene.meeting.id}")
    assert body["ok"] is False and broken["ok"] is False and broken["broken_seq"] == 2


def test_verify_audit_is_for_administrators_only(api, scene):
    for user in (scene.secretary, scene.worker, scene.outsider):
        response = api(user).get("/audit/verify")
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_allowed"
    assert api(None).get("/audit/verify").status_code == 401


def test_dates_at_the_ends_of_the_calendar_filter_rather_than_crash(api, scene, login):
    """0001-01-01 in Zurich is still year 0 in UTC: the filter clamps instead of overflowing."""
    for first, last in (("0001-01-01", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01")):
        response = api(scene.secretary).get(log(scene), query={"date_from": first, "date_to": last})
        assert response.status_code == 200, response.get_json()
    assert api(scene.secretary).get(log(scene), query={"date_from": "0001-01-01"}).get_json()["total"] > 0
    page = login(scene.secretary).get(f"{log(scene)}?date_from=0001-01-01&date_to=9999-12-31")
    assert page.status_code == 200  # the secretariat's page shares the query
