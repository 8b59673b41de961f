"""API operations on meetings, participants, spaces and sittings: for each, success, bad input, no
token, and a caller who may not (403) or may not even see (404)."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import Meeting, Participant, QuorumRule, Space, SpaceKind

HEADER = "email,name,group,capacity,member_state,regional_groups,membership,roles\n"
CSV = HEADER + ("ana.lima@example.org,Ana Lima,worker,delegate,,,,\n"
                "kofi.mensah@example.org,Kofi Mensah,government,delegate,GH,AFRICA,,\n")


class Meet:
    """A meeting with its secretariat, a participant per group, an observer, and an outsider."""

    def __init__(self, make_user, make_meeting, make_participant):
        self.secretariat = make_user(staff=True)
        self.meeting = make_meeting(self.secretariat, title="Labour migration")
        self.government = make_participant(self.meeting, "government", member_state="KE")
        self.employer = make_participant(self.meeting, "employer")
        self.worker = make_participant(self.meeting, "worker")
        self.observer = make_participant(self.meeting, "none", "observer")
        self.outsider = make_user(staff=True)
        self.other = make_meeting(self.outsider, title="Another meeting")


@pytest.fixture
def m(make_user, make_meeting, make_participant):
    return Meet(make_user, make_meeting, make_participant)


def url(m, rest=""):
    return f"/meetings/{m.meeting.id}{rest}"


# --- listMeetings / createMeeting / getMeeting ------------------------------------------------------

def test_list_meetings_shows_the_callers_meetings_only(api, m):
    body = api(m.worker.user).get("/meetings").get_json()
    assert [x["id"] for x in body["items"]] == [m.meeting.id] and body["total"] == 1
    assert body["items"][0]["you"]["group"] == "worker"
    # Staff rights open no meeting: a staff member lists only the meetings they take part in.
    assert [x["id"] for x in api(m.outsider).get("/meetings").get_json()["items"]] == [m.other.id]
    assert api(None).get("/meetings").status_code == 401
    assert api(m.worker.user).get("/meetings", query={"per_page": 0}).status_code == 422


def test_create_meeting_makes_the_caller_its_secretariat(api, make_user):
    staff = make_user(staff=True)
    response = api(staff).post("/meetings", {
        "title": "Tripartite meeting on platform work", "symbol_prefix": "TMPW/2027", "languages": ["en", "fr"],
        "time_zone": "America/Lima", "body_type": "experts", "weighting": "one_person_one_vote", "quorum": None,
        "starts_on": "2027-03-01", "ends_on": "2027-03-05", "venue": "Lima"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["languages"] == ["en", "fr"] and body["time_zone"] == "America/Lima"
    assert body["quorum"] is None and body["weighting"] == "one_person_one_vote"
    assert body["you"]["capacity"] == "secretariat"
    meeting = db.session.get(Meeting, body["id"])
    assert meeting.quorum_rule is QuorumRule.none
    kinds = {s.kind for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))}
    assert {SpaceKind.plenary, SpaceKind.group, SpaceKind.officers} <= kinds
    defaults = api(staff).post("/meetings", {"title": "Defaults", "symbol_prefix": "D/1"}).get_json()
    assert (defaults["body_type"], defaults["weighting"], defaults["quorum"], defaults["languages"]) == (
        "committee", "equal_strength", 0.5, ["en", "fr", "es"])


def test_create_meeting_takes_the_quorum_as_a_fraction(api, make_user):
    """Issue 9: `quorum` is null or a fraction of the voting members attending; the votes count it
    from the meeting's setting `quorum_fraction` (forum/positions/weights.py)."""
    staff = make_user(staff=True)
    body = api(staff).post("/meetings", {"title": "Two thirds", "symbol_prefix": "Q/1", "quorum": 0.66}).get_json()
    meeting = db.session.get(Meeting, body["id"])
    assert body["quorum"] == 0.66 and meeting.quorum_rule is QuorumRule.committee
    assert meeting.settings["quorum_fraction"] == 0.66
    whole = api(staff).post("/meetings", {"title": "All", "symbol_prefix": "Q/2", "quorum": 1}).get_json()
    assert whole["quorum"] == 1.0
    plenary = api(staff).post("/meetings", {"title": "P", "symbol_prefix": "Q/3", "quorum": "plenary_half"})
    assert plenary.get_json()["quorum"] == "plenary_half"
    assert api(staff).get(f"/meetings/{body['id']}").get_json()["quorum"] == 0.66


@pytest.mark.parametrize("body, field", [
    ({"title": "T", "symbol_prefix": "T/1", "time_zone": "Europe"}, "time_zone"),  # a folder, not a zone
    ({"title": "T", "symbol_prefix": "T/1", "time_zone": "Mars/Olympus"}, "time_zone"),
    ({"title": "T", "symbol_prefix": "T 1"}, "symbol_prefix"),
    ({"title": "T", "symbol_prefix": "T/1", "starts_on": "2027-03-05", "ends_on": "2027-03-01"}, "ends_on"),
    ({"title": "T", "symbol_prefix": "T/1", "languages": []}, "languages"),
    ({"title": "T", "symbol_prefix": "T/1", "quorum": "two_thirds"}, "quorum"),
    ({"title": "T", "symbol_prefix": "T/1", "quorum": 0}, "quorum"),
    ({"title": "T", "symbol_prefix": "T/1", "quorum": 1.5}, "quorum"),
    ({"title": "T", "symbol_prefix": "T/1", "quorum": True}, "quorum"),
    ({"title": "T", "symbol_prefix": "T/1", "quorum": "0.5"}, "quorum"),
    ({"symbol_prefix": "T/1"}, "title"),
])
def test_create_meeting_refuses_bad_values_and_creates_nothing(api, make_user, body, field):
    response = api(make_user(staff=True)).post("/meetings", body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_only_staff_create_meetings(api, m):
    response = api(m.worker.user).post("/meetings", {"title": "Mine", "symbol_prefix": "M/1"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_allowed"
    assert api(None).post("/meetings", {"title": "Mine", "symbol_prefix": "M/1"}).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 2


def test_get_meeting_is_404_for_outsiders_and_unknown_ids(api, m):
    body = api(m.government.user).get(url(m)).get_json()
    assert body["title"] == "Labour migration" and body["you"]["member_state"] == "KE"
    for caller, meeting_id in ((m.outsider, m.meeting.id), (m.worker.user, m.other.id), (m.worker.user, 999999)):
        response = api(caller).get(f"/meetings/{meeting_id}")
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert api(None).get(url(m)).status_code == 401


# --- listParticipants ----------------------------------------------------------------------------------

def test_list_participants_shows_emails_to_the_secretariat_only(api, m):
    seen = api(m.worker.user).get(url(m, "/participants")).get_json()
    assert seen["total"] == 5
    assert all(p["user"]["email"] is None for p in seen["items"])
    by_secretariat = api(m.secretariat).get(url(m, "/participants")).get_json()
    assert m.worker.user.email in {p["user"]["email"] for p in by_secretariat["items"]}
    workers = api(m.worker.user).get(url(m, "/participants"), query={"group": "worker"}).get_json()
    assert [p["id"] for p in workers["items"]] == [m.worker.id]
    found = api(m.worker.user).get(url(m, "/participants"), query={"q": m.employer.user.name}).get_json()
    assert [p["id"] for p in found["items"]] == [m.employer.id]


def test_list_participants_refusals(api, m):
    assert api(m.worker.user).get(url(m, "/participants"), query={"group": "bosses"}).status_code == 422
    assert api(m.worker.user).get(url(m, "/participants"), query={"removed": "true"}).status_code == 403
    assert api(m.secretariat).get(url(m, "/participants"), query={"removed": "true"}).status_code == 200
    assert api(m.outsider).get(url(m, "/participants")).status_code == 404
    assert api(None).get(url(m, "/participants")).status_code == 401


# --- importParticipants ---------------------------------------------------------------------------------

def test_import_participants_from_csv(api, m):
    client = api(m.secretariat)
    response = client.request("POST", url(m, "/participants/import"), data=CSV, content_type="text/csv")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["created"], report["updated"], report["accounts_created"]) == (2, 0, 2)
    assert {c["email"] for c in report["changes"]} == {"ana.lima@example.org", "kofi.mensah@example.org"}
    again = client.request("POST", url(m, "/participants/import"), data=CSV, content_type="text/csv").get_json()
    assert (again["created"], again["unchanged"]) == (0, 2)  # idempotent by nature, too
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                             .where(Participant.meeting_id == m.meeting.id)) == 7


def test_rule_10_import_is_atomic_and_lists_every_bad_row(api, m):
    bad = CSV + "x@example.org,X,bosses,delegate,,,,\ny@example.org,Y,government,delegate,,,,\n"
    response = api(m.secretariat).request("POST", url(m, "/participants/import"), data=bad, content_type="text/csv")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert {(e["row"], e["field"]) for e in error["errors"]} == {(4, "group"), (5, "member_state")}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                             .where(Participant.meeting_id == m.meeting.id)) == 5


def test_import_refuses_other_content_types_and_oversized_files(api, m, app):
    client = api(m.secretariat)
    response = client.request("POST", url(m, "/participants/import"), json_body={"csv": CSV})
    assert response.status_code == 400
    big = HEADER + "z" * (app.config["IMPORT_MAX_BYTES"] + 10)
    response = client.request("POST", url(m, "/participants/import"), data=big, content_type="text/csv")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    response = client.request("POST", url(m, "/participants/import"), data=b"\x00\x01binary",
                              content_type="text/csv")
    assert response.status_code == 422 and response.get_json()["error"]["errors"][0]["field"] == "file"


def test_nobody_accredits_themselves_into_a_group_through_the_api(api, m):
    own = HEADER + f"{m.secretariat.email},Me,worker,delegate,,,,\n"
    response = api(m.secretariat).request("POST", url(m, "/participants/import"), data=own, content_type="text/csv")
    assert response.status_code == 422 and response.get_json()["error"]["errors"][0]["field"] == "group"


def test_only_the_secretariat_imports(api, m):
    for caller, status in ((m.worker.user, 403), (m.outsider, 404), (None, 401)):
        response = api(caller).request("POST", url(m, "/participants/import"), data=CSV, content_type="text/csv")
        assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                             .where(Participant.meeting_id == m.meeting.id)) == 5


# --- removeParticipant ----------------------------------------------------------------------------------

def test_rule_10_removal_is_explicit_and_recorded(api, m):
    path = url(m, f"/participants/{m.worker.id}")
    response = api(m.secretariat).delete(path, query={"reason": "Left the meeting"})
    assert response.status_code == 204 and not response.data
    assert db.session.get(Participant, m.worker.id).removed_at is not None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "participant.remove")).one()
    assert "Left the meeting" in entry.payload
    again = api(m.secretariat).delete(path, query={"reason": "Twice"})
    assert again.status_code == 409
    # The removed participant's token opens the meeting no more.
    assert api(m.worker.user).get(url(m)).status_code == 404


def test_removal_refusals(api, m):
    path = url(m, f"/participants/{m.worker.id}")
    assert api(m.secretariat).delete(path).status_code == 422  # no reason
    assert api(m.secretariat).delete(path, query={"reason": "x" * 501}).status_code == 422
    me = db.session.scalars(sa.select(Participant).where(Participant.user_id == m.secretariat.id)).one()
    assert api(m.secretariat).delete(url(m, f"/participants/{me.id}"), query={"reason": "Me"}).status_code == 403
    assert api(m.employer.user).delete(path, query={"reason": "Rival"}).status_code == 403
    assert api(m.outsider).delete(path, query={"reason": "x"}).status_code == 404
    other_meetings = db.session.scalars(sa.select(Participant).where(Participant.meeting_id == m.other.id)).one()
    assert api(m.secretariat).delete(url(m, f"/participants/{other_meetings.id}"),
                                     query={"reason": "x"}).status_code == 404
    assert api(None).delete(path, query={"reason": "x"}).status_code == 401
    assert db.session.get(Participant, m.worker.id).removed_at is None


# --- listSpaces -----------------------------------------------------------------------------------------

def test_rule_9_list_spaces_gives_each_caller_their_own_spaces(api, m):
    def kinds(user):
        body = api(user).get(url(m, "/spaces")).get_json()
        return {(s["kind"], s["group"] or s["member_state"] or s["regional_group"]) for s in body["items"]}

    assert kinds(m.worker.user) == {("plenary", None), ("group", "worker")}
    assert kinds(m.employer.user) == {("plenary", None), ("group", "employer")}
    assert ("delegation", "KE") in kinds(m.government.user) and ("group", "worker") not in kinds(m.government.user)
    # The secretariat sees no caucus (rule 9).
    assert kinds(m.secretariat) == {("plenary", None), ("officers", None)}
    observer = api(m.observer.user).get(url(m, "/spaces")).get_json()["items"]
    assert [s["can_write"] for s in observer] == [False]


def test_list_spaces_refusals(api, m):
    assert api(m.outsider).get(url(m, "/spaces")).status_code == 404
    assert api(None).get(url(m, "/spaces")).status_code == 401
    assert api(m.worker.user).get(url(m, "/spaces"), query={"page": "zero"}).status_code == 422


# --- listSittings ---------------------------------------------------------------------------------------

def test_list_sittings_reads_the_programme(api, m):
    from forum.meetings import programme

    with unit_of_work():
        meeting = db.session.get(Meeting, m.meeting.id)
        item = programme.add_agenda_item(db.session.merge(m.secretariat), meeting, number="2", title="Conclusions")
        programme.schedule_sitting(db.session.merge(m.secretariat), meeting, title="Second sitting",
                                   starts_at=datetime(2030, 6, 4, 15, 0), agenda_item_id=item.id)
        programme.schedule_sitting(db.session.merge(m.secretariat), meeting, title="First sitting",
                                   starts_at=datetime(2030, 6, 4, 10, 0))
    body = api(m.observer.user).get(url(m, "/sittings")).get_json()
    assert [s["title"] for s in body["items"]] == ["First sitting", "Second sitting"]
    assert body["items"][1]["agenda_item"]["number"] == "2" and body["items"][0]["state"] == "scheduled"
    assert body["items"][0]["starts_at"] == "2030-06-04T08:00:00+00:00"  # 10:00 in Zurich, in UTC
    assert api(m.outsider).get(url(m, "/sittings")).status_code == 404
    assert api(None).get(url(m, "/sittings")).status_code == 401
    assert api(m.worker.user).get(url(m, "/sittings"), query={"per_page": 1000}).status_code == 422
