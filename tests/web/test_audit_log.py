"""The meeting's audit log page and CSV export: access, redaction (rule 11), filters."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from forum import permissions
from forum.audit import queries
from forum.audit import services as audit
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings.models import Group, Space, SpaceKind

SECRET = "Walk-out plan for Thursday"


@pytest.fixture
def scene(make_user, make_meeting, make_participant):
    """A meeting with its secretariat, a Worker member who acted in the Workers' caucus, a
    Government Chair, and an entry in the officers' room."""
    secretary = make_user(name="Sofia Secretariat")
    meeting = make_meeting(creator=make_user(staff=True))
    make_participant(meeting, "none", "secretariat", user=secretary)
    worker = make_participant(meeting, "worker", "delegate", name="Wanda Worker",
                              email="wanda.worker@unions.example").user
    caucus_member = make_participant(meeting, "worker", "adviser", name="Walter Quiet",
                                     email="walter.quiet@unions.example").user
    chair = make_participant(meeting, "government", "delegate", member_state="KE", roles=("chair",)).user
    spaces = {(s.kind, s.group): s for s in db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id))}
    caucus = spaces[(SpaceKind.group, Group.worker)]
    officers = spaces[(SpaceKind.officers, None)]
    plenary = spaces[(SpaceKind.plenary, None)]
    with unit_of_work():
        audit.record(caucus_member, "caucus.secret_probe", caucus, {"title": SECRET},
                     meeting_id=meeting.id, space_id=caucus.id)
        audit.record(chair, "officers.note", officers, {"text": "Officers agree the order of work"},
                     meeting_id=meeting.id, space_id=officers.id)
        audit.record(worker, "plenary.statement", plenary, {"text": "Open statement"},
                     meeting_id=meeting.id, space_id=plenary.id)
    return SimpleNamespace(meeting=meeting, secretary=secretary, worker=worker, chair=chair,
                           caucus=caucus, officers=officers)


def log_url(scene, suffix="", **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/meetings/{scene.meeting.id}/audit{suffix}" + (f"?{query}" if query else "")


def get_csv(client, url):
    """The export is streamed: read it after the request, as a browser would."""
    return client.get(url)


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


# --- access ----------------------------------------------------------------------------------------

def test_secretariat_sees_the_log(scene, login):
    response = login(scene.secretary).get(log_url(scene))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "meeting.create" in html and "plenary.statement" in html
    assert "Open statement" in html and "Wanda Worker" in html


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_delegate_gets_403(scene, login, suffix):
    assert get_csv(login(scene.worker), log_url(scene, suffix)).status_code == 403
    assert get_csv(login(scene.chair), log_url(scene, suffix)).status_code == 403


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_non_participant_gets_404(scene, login, make_user, suffix):
    assert get_csv(login(make_user(staff=True, admin=True)), log_url(scene, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_anonymous_is_sent_to_sign_in(scene, client, suffix):
    response = client.get(log_url(scene, suffix))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_meeting_navigation_links_the_log_for_the_secretariat_only(scene, login):
    url = log_url(scene)
    assert url in login(scene.secretary).get(f"/meetings/{scene.meeting.id}").get_data(as_text=True)
    assert url not in login(scene.worker).get(f"/meetings/{scene.meeting.id}").get_data(as_text=True)


# --- redaction (rule 11) ---------------------------------------------------------------------------

@pytest.mark.postgres
def test_rule_11_caucus_entry_is_redacted_for_the_secretariat(backend, scene, login):
    html = login(scene.secretary).get(log_url(scene)).get_data(as_text=True)
    assert "Redacted: an action in a restricted space." in html
    (row,) = re.findall(r'<tr class="redacted">(.*?)</tr>', html, re.S)
    assert re.findall(r"<td[^>]*>", row) == ["<td>", "<td>", '<td colspan="4">']  # seq, time, the notice
    for leak in (SECRET, "caucus.secret_probe", "walter.quiet@unions.example", "Walter Quiet"):
        assert leak not in html
    # The officers' room is the secretariat's own space: its entries are shown.
    assert "officers.note" in html and "Officers agree the order of work" in html


def test_rule_11_caucus_entry_is_shown_to_caucus_members_only(scene):
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "caucus.secret_probe")).one()
    worker_view = queries.redact(entry, permissions.visible_space_ids(scene.worker, scene.meeting))
    assert not worker_view.redacted and worker_view.action == "caucus.secret_probe" and SECRET in worker_view.payload
    # A Government Chair is not in the Workers' caucus (group membership alone decides, rule 9).
    for outsider in (scene.chair, scene.secretary):
        row = queries.redact(entry, permissions.visible_space_ids(outsider, scene.meeting))
        assert row.redacted
        assert (row.seq, row.created_at) == (entry.seq, entry.created_at)
        assert (row.actor, row.actor_name, row.action, row.object_type, row.object_id, row.space_id,
                row.payload, row.for_chair) == ("", "", "", "", "", None, "", False)


@pytest.mark.postgres
def test_rule_11_members_find_their_caucus_entries_with_filters(backend, scene):
    visible = permissions.visible_space_ids(scene.worker, scene.meeting)
    stmt = queries.meeting_log(scene.meeting.id, visible, queries.LogFilters(action="caucus."))
    assert [e.action for e in db.session.scalars(stmt)] == ["caucus.secret_probe"]


@pytest.mark.postgres
@pytest.mark.parametrize("probe", [
    {"action": "caucus.secret_probe"},
    {"action": "caucus."},
    {"actor": "walter"},
    {"object_type": "spaces"},
])
def test_rule_11_filters_cannot_probe_redacted_entries(backend, scene, login, probe):
    """A filter on hidden fields leaves redacted entries out whether or not they match, so a
    matching probe and a non-matching one give the same answer."""
    client = login(scene.secretary)
    probe_page = client.get(log_url(scene, **probe)).get_data(as_text=True)
    assert "Redacted" not in probe_page.split("</form>", 1)[1].split("Download", 1)[1]
    miss = {k: "zz-no-such-value" for k in probe}
    visible = permissions.visible_space_ids(scene.secretary, scene.meeting)
    matched = queries.meeting_log(scene.meeting.id, visible, queries.LogFilters(**probe))
    missed = queries.meeting_log(scene.meeting.id, visible, queries.LogFilters(**miss))
    hits = [e for e in db.session.scalars(matched) if e.space_id == scene.caucus.id]
    assert hits == [] == [e for e in db.session.scalars(missed) if e.space_id == scene.caucus.id]
    csv_rows = read_csv(get_csv(client, log_url(scene, ".csv", **probe)))
    assert all(row["redacted"] == "" for row in csv_rows)


def test_rule_11_redacted_actions_are_not_suggested_in_the_filters(scene, login):
    html = login(scene.secretary).get(log_url(scene)).get_data(as_text=True)
    assert '<option value="officers.note">' in html
    assert "caucus.secret_probe" not in html


@pytest.mark.postgres
def test_date_filters_keep_redacted_rows_because_their_time_is_shown(backend, scene, login):
    today = datetime.now(ZoneInfo(scene.meeting.timezone)).date()
    client = login(scene.secretary)
    html = client.get(log_url(scene, date_from=today.isoformat(), date_to=today.isoformat())).get_data(as_text=True)
    assert "Redacted" in html and "officers.note" in html
    yesterday = (today - timedelta(days=1)).isoformat()
    assert "No entry matches these filters." in client.get(log_url(scene, date_to=yesterday)).get_data(as_text=True)


# --- filters ---------------------------------------------------------------------------------------

def rows_for(scene, **filters) -> list[str]:
    visible = permissions.visible_space_ids(scene.secretary, scene.meeting)
    stmt = queries.meeting_log(scene.meeting.id, visible, queries.LogFilters(timezone="Europe/Zurich", **filters))
    return [e.action for e in db.session.scalars(stmt)]


@pytest.mark.postgres
def test_filter_by_actor_email_or_name_any_case(backend, scene):
    assert rows_for(scene, actor="WANDA.WORKER@") == ["plenary.statement"]
    assert rows_for(scene, actor="wanda worker") == ["plenary.statement"]
    assert rows_for(scene, actor="system")[-1] == "space.create"


@pytest.mark.postgres
def test_filter_by_action_prefix_treats_wildcards_literally(backend, scene):
    assert set(rows_for(scene, action="space.")) == {"space.create"}
    assert rows_for(scene, action="officers.note") == ["officers.note"]
    assert rows_for(scene, action="%") == [] and rows_for(scene, action="_") == []


@pytest.mark.postgres
def test_filter_by_object_type_and_id(backend, scene):
    assert rows_for(scene, object_type="spaces", object_id=str(scene.officers.id)) == ["officers.note", "space.create"]
    assert rows_for(scene, object_type="meetings") == ["meeting.create"]


def test_filters_on_the_page(scene, login):
    html = login(scene.secretary).get(log_url(scene, action="officers.")).get_data(as_text=True)
    assert "<code>officers.note</code>" in html and "<code>plenary.statement</code>" not in html
    assert "1 entry" in html


def test_invalid_dates_are_reported_and_ignored(scene, login):
    client = login(scene.secretary)
    response = client.get(log_url(scene, date_from="2027-13-45"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "meeting.create" in html
    backwards = client.get(log_url(scene, date_from="2027-06-02", date_to="2027-06-01")).get_data(as_text=True)
    assert "The end date is before the start date." in backwards
    assert get_csv(client, log_url(scene, ".csv", date_from="nonsense")).status_code == 400


def test_pages_keep_the_filters(scene, login, app):
    with unit_of_work():
        for n in range(app.config["PAGE_SIZE"] + 5):
            audit.record(scene.secretary, "test.bulk", None, {"n": n}, meeting_id=scene.meeting.id)
    html = login(scene.secretary).get(log_url(scene, action="test.")).get_data(as_text=True)
    assert "Page 1 of 2" in html and "action=test." in html and "page=2" in html


# --- CSV export ------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_csv_export_has_the_visible_log_with_the_same_redaction(backend, scene, login):
    response = get_csv(login(scene.secretary), log_url(scene, ".csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    for leak in (SECRET, "caucus.secret_probe", "walter.quiet@unions.example", "Walter Quiet"):
        assert leak not in body
    rows = read_csv(response)
    assert list(rows[0]) == ["seq", "time_utc", "redacted", "actor", "actor_name", "for_chair", "action",
                             "object_type", "object_id", "space_id", "payload"]
    assert [int(r["seq"]) for r in rows] == sorted((int(r["seq"]) for r in rows), reverse=True)
    (redacted,) = [r for r in rows if r["redacted"] == "yes"]
    assert {k: v for k, v in redacted.items() if k not in ("seq", "time_utc", "redacted")} == dict.fromkeys(
        ("actor", "actor_name", "for_chair", "action", "object_type", "object_id", "space_id", "payload"), "")
    assert redacted["time_utc"].endswith("+00:00")
    note = next(r for r in rows if r["action"] == "officers.note")
    assert note["space_id"] == str(scene.officers.id) and "order of work" in note["payload"]


def test_csv_export_applies_the_filters(scene, login):
    rows = read_csv(get_csv(login(scene.secretary), log_url(scene, ".csv", action="plenary.")))
    assert [(r["action"], r["actor_name"]) for r in rows] == [("plenary.statement", "Wanda Worker")]


def test_csv_cells_cannot_become_spreadsheet_formulas(scene, login):
    with unit_of_work():
        audit.record(SimpleNamespace(id=None, email="=HYPERLINK(\"http://x\")"), "test.inject",
                     meeting_id=scene.meeting.id)
    rows = read_csv(get_csv(login(scene.secretary), log_url(scene, ".csv", action="test.inject")))
    assert rows[0]["actor"] == "'=HYPERLINK(\"http://x\")"


def test_log_page_query_count_does_not_grow_with_the_actors(scene, login, make_user, count_queries):
    client = login(scene.secretary)
    with count_queries() as few:
        assert client.get(log_url(scene)).status_code == 200
    actors = [make_user() for _ in range(20)]
    with unit_of_work():
        for actor in actors:
            audit.record(actor, "test.many_actors", meeting_id=scene.meeting.id)
    with count_queries() as many:
        assert client.get(log_url(scene)).status_code == 200
    assert many.n == few.n, many.statements
    assert many.n <= 14, many.statements
