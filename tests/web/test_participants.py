"""The participants pages: list, CSV import in the browser, removal, notifications."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa

from forum.accounts.models import User
from forum.audit.models import AuditEntry
from forum.extensions import db
from forum.meetings.accreditation import COLUMNS
from forum.meetings.models import Membership, Notification, Office, Participant, Space

HEADER = ",".join(COLUMNS)
ROWS = [
    "amina@example.org,Amina Diallo,government,delegate,KE,AFRICA,,coordinator",
    "eva@example.org,Eva Employer,employer,delegate,,,,spokesperson",
    "gus@example.org,Gus Groupsec,employer,adviser,,,,group_secretary",
    "wanda@example.org,Wanda Worker,worker,delegate,,,,",
]


def csv_file(*rows: str, header: str = HEADER, name: str = "participants.csv") -> tuple[io.BytesIO, str]:
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode()), name


def counts() -> dict[str, int]:
    db.session.rollback()
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (User, Participant, Membership, Office, AuditEntry, Notification, Space)}


def participant(meeting: Any, email: str) -> Participant:
    return db.session.scalars(
        sa.select(Participant).join(User).where(Participant.meeting_id == meeting.id, User.email == email)).one()


@pytest.fixture
def secretary(make_user):
    return make_user("sec@example.org", "Sam Secretary", staff=True)


@pytest.fixture
def meeting(make_meeting, secretary):
    return make_meeting(secretary)


@pytest.fixture
def sec_client(login, secretary):
    return login(secretary)


def post_import(client: Any, meeting: Any, file: Any, **extra: Any):
    return client.post(f"/meetings/{meeting.id}/participants/import", data={"file": file, **extra},
                       content_type="multipart/form-data")


def test_import_in_the_browser_shows_the_counts_and_the_changes(sec_client, meeting):
    page = sec_client.get(f"/meetings/{meeting.id}/participants/import")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html and HEADER in html
    response = post_import(sec_client, meeting, csv_file(*ROWS))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Import done: 4 added, 0 updated, 0 unchanged." in html
    assert "Amina Diallo" in html and "Regional coordinator (AFRICA)" in html
    again = post_import(sec_client, meeting, csv_file(*ROWS))
    assert "0 added, 0 updated, 4 unchanged" in again.get_data(as_text=True)
    assert "Nothing changed" in again.get_data(as_text=True)


def test_import_with_an_effective_date(sec_client, meeting):
    response = post_import(sec_client, meeting, csv_file(*ROWS), effective_from="2031-05-04")
    assert response.status_code == 200
    assert {m.effective_from.isoformat() for m in participant(meeting, "eva@example.org").memberships} == {
        "2031-05-04"}


def test_a_bad_file_gets_every_error_in_a_table_with_422_and_nothing_written(sec_client, meeting):
    before = counts()
    response = post_import(sec_client, meeting, csv_file(
        "x@example.org,X,government,delegate,,,,",
        "sec@example.org,Sam Secretary,worker,delegate,,,,",
        "x@example.org,X again,worker,delegate,,,,",
    ))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The file was not imported" in html and "Nothing was changed" in html
    assert "<td>2</td><td><code>member_state</code></td>" in html
    assert "<td>3</td><td><code>group</code></td>" in html and "Nobody can accredit themselves" in html
    assert "<td>4</td><td><code>email</code></td>" in html
    assert counts() == before


def test_missing_columns_are_named(sec_client, meeting):
    before = counts()
    response = post_import(sec_client, meeting, csv_file("a@example.org,A", header="email,name"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for column in ("group", "capacity", "member_state", "regional_groups", "membership", "roles"):
        assert f"The column {column} is missing." in html
    assert counts() == before


def test_a_binary_file_is_refused_with_a_clear_message(sec_client, meeting):
    before = counts()
    response = post_import(sec_client, meeting, (io.BytesIO(b"PK\x03\x04\x14\x00\x00\x00" * 100), "list.xlsx"))
    assert response.status_code == 422
    assert "This is not a text file" in response.get_data(as_text=True)
    assert counts() == before


def test_an_empty_file_is_refused(sec_client, meeting):
    response = post_import(sec_client, meeting, (io.BytesIO(b""), "empty.csv"))
    assert response.status_code == 422
    assert "The file is empty" in response.get_data(as_text=True)


def test_no_file_chosen(sec_client, meeting):
    response = sec_client.post(f"/meetings/{meeting.id}/participants/import", data={},
                               content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_a_50_mb_upload_gets_413_with_a_clear_message(sec_client, meeting):
    before = counts()
    big = io.BytesIO(b"a" * (50 * 1024 * 1024))
    response = post_import(sec_client, meeting, (big, "huge.csv"))
    assert response.status_code == 413
    assert "The file is larger than this site accepts" in response.get_data(as_text=True)
    assert counts() == before


def test_a_file_over_the_import_limit_but_under_the_upload_limit_is_refused(app, sec_client, meeting):
    before = counts()
    data = b"email,name\n" + b"a" * app.config["IMPORT_MAX_BYTES"]
    response = post_import(sec_client, meeting, (io.BytesIO(data), "big.csv"))
    assert response.status_code == 422
    assert "The file is larger than" in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize("who", ["observer", "government", "employer_secretary", "chair"])
def test_only_the_secretariat_may_import(who, login, meeting, make_participant):
    kinds = {"observer": ("none", "observer", ()), "government": ("government", "delegate", ()),
             "employer_secretary": ("employer", "adviser", ("group_secretary",)),
             "chair": ("government", "delegate", ("chair",))}
    group, capacity, roles = kinds[who]
    client = login(make_participant(meeting, group, capacity, roles=roles).user)
    before = counts()
    assert client.get(f"/meetings/{meeting.id}/participants/import").status_code == 403
    assert post_import(client, meeting, csv_file(*ROWS)).status_code == 403
    assert counts() == before


def test_non_participants_get_404(login, meeting, make_user):
    client = login(make_user(staff=True, admin=True))
    for path in ("participants", "participants/import"):
        assert client.get(f"/meetings/{meeting.id}/{path}").status_code == 404
    assert post_import(client, meeting, csv_file(*ROWS)).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, meeting):
    response = client.get(f"/meetings/{meeting.id}/participants")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the list ------------------------------------------------------------------------------------------

def test_every_participant_sees_the_list_without_emails(sec_client, login, meeting, make_participant):
    post_import(sec_client, meeting, csv_file(*ROWS))
    observer = make_participant(meeting, "none", "observer").user
    html = login(observer).get(f"/meetings/{meeting.id}/participants").get_data(as_text=True)
    assert "Amina Diallo" in html and "Kenya" in html and "Regional coordinator (AFRICA)" in html
    assert "regular member" in html and "Spokesperson" in html
    assert "eva@example.org" not in html and "Import participants from a CSV file" not in html
    assert "/remove" not in html
    html = sec_client.get(f"/meetings/{meeting.id}/participants").get_data(as_text=True)
    assert "eva@example.org" in html and "/remove" in html


def test_the_list_filters_by_group_and_searches(sec_client, meeting):
    post_import(sec_client, meeting, csv_file(*ROWS))
    html = sec_client.get(f"/meetings/{meeting.id}/participants?group=employer").get_data(as_text=True)
    assert "Eva Employer" in html and "Gus Groupsec" in html and "Amina Diallo" not in html
    html = sec_client.get(f"/meetings/{meeting.id}/participants?q=wanda").get_data(as_text=True)
    assert "Wanda Worker" in html and "Eva Employer" not in html
    html = sec_client.get(f"/meetings/{meeting.id}/participants?q=nobody-at-all").get_data(as_text=True)
    assert "No participant matches this filter." in html


def test_the_list_is_paginated(app, sec_client, meeting):
    size = app.config["PAGE_SIZE"]
    rows = [f"p{i:03d}@example.org,Person {i:03d},worker,delegate,,,," for i in range(size + 5)]
    assert post_import(sec_client, meeting, csv_file(*rows)).status_code == 200
    first = sec_client.get(f"/meetings/{meeting.id}/participants").get_data(as_text=True)
    second = sec_client.get(f"/meetings/{meeting.id}/participants?page=2").get_data(as_text=True)
    assert first.count("@example.org</td>") == size
    assert second.count("@example.org</td>") == 6  # five left, plus the secretary
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_the_meeting_page_links_to_participants_and_for_the_secretariat_to_the_import(
        sec_client, login, meeting, make_participant):
    html = sec_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/participants" in html and f"/meetings/{meeting.id}/participants/import" in html
    worker = make_participant(meeting, "worker").user
    html = login(worker).get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/participants" in html
    assert f"/meetings/{meeting.id}/participants/import" not in html


# --- removal -------------------------------------------------------------------------------------------

def test_rule_10_removal_asks_for_confirmation_and_a_reason(sec_client, meeting):
    post_import(sec_client, meeting, csv_file(*ROWS))
    eva = participant(meeting, "eva@example.org")
    url = f"/meetings/{meeting.id}/participants/{eva.id}/remove"
    page = sec_client.get(url)
    assert page.status_code == 200 and "Remove Eva Employer from the meeting?" in page.get_data(as_text=True)
    before = counts()
    response = sec_client.post(url, data={"reason": ""})
    assert response.status_code == 422 and counts() == before
    response = sec_client.post(url, data={"reason": "Replaced by her alternate"})
    assert response.status_code == 302
    assert participant(meeting, "eva@example.org").removed_at is not None
    html = sec_client.get(f"/meetings/{meeting.id}/participants").get_data(as_text=True)
    assert "<td>Eva Employer</td>" not in html and "<td>Gus Groupsec</td>" in html
    removed = sec_client.get(f"/meetings/{meeting.id}/participants?removed=1").get_data(as_text=True)
    assert "<td>Eva Employer</td>" in removed and "/restore" in removed
    assert sec_client.post(f"/meetings/{meeting.id}/participants/{eva.id}/restore").status_code == 302
    assert participant(meeting, "eva@example.org").removed_at is None


def test_nobody_removes_themselves_and_only_the_secretariat_removes(sec_client, login, meeting):
    post_import(sec_client, meeting, csv_file(*ROWS))
    me = participant(meeting, "sec@example.org")
    assert sec_client.get(f"/meetings/{meeting.id}/participants/{me.id}/remove").status_code == 403
    assert sec_client.post(f"/meetings/{meeting.id}/participants/{me.id}/remove",
                           data={"reason": "bye"}).status_code == 403
    gus = db.session.scalars(sa.select(User).where(User.email == "gus@example.org")).one()
    gus.set_password("correct horse battery")
    db.session.commit()
    eva = participant(meeting, "eva@example.org")
    client = login(gus)
    assert client.get(f"/meetings/{meeting.id}/participants/{eva.id}/remove").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/participants/{eva.id}/remove",
                       data={"reason": "x"}).status_code == 403
    assert participant(meeting, "eva@example.org").removed_at is None
    assert sec_client.get(f"/meetings/{meeting.id}/participants/999999/remove").status_code == 404


# --- notifications --------------------------------------------------------------------------------------

def test_rule_7_the_group_secretary_reads_the_changes_and_marks_them_read(sec_client, login, meeting):
    post_import(sec_client, meeting, csv_file(*ROWS))
    post_import(sec_client, meeting, csv_file("eva@example.org,Eva Employer,employer,adviser,,,,"))
    gus = db.session.scalars(sa.select(User).where(User.email == "gus@example.org")).one()
    gus.set_password("correct horse battery")
    db.session.commit()
    client = login(gus)
    dashboard = client.get("/").get_data(as_text=True)
    assert "Notifications" in dashboard and "(3" in dashboard  # Gus and Eva joined, then Eva changed
    html = client.get("/notifications").get_data(as_text=True)
    assert "Eva Employer joined the Employers&#39; group." in html
    assert "The accreditation of Eva Employer (Employers&#39; group) changed. capacity: delegate → adviser" in html
    assert "Mark all as read" in html
    assert client.post("/notifications/read").status_code == 302
    html = client.get("/notifications").get_data(as_text=True)
    assert "Mark all as read" not in html and "<strong>New</strong>" not in html
    assert "No notification yet" in sec_client.get("/notifications").get_data(as_text=True)
