"""The demo meeting: the composition the issue asks for, loaded through the import, idempotent."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from forum.accounts.models import User
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.extensions import db
from forum.meetings import demo
from forum.meetings.models import (
    Announcement,
    Capacity,
    Deadline,
    DeadlineKind,
    Group,
    Membership,
    MembershipKind,
    Office,
    OfficeRole,
    Participant,
    RegionalGroup,
    Sitting,
    Space,
)

ACCOUNT_LINE = re.compile(r"^(\S+@demo\.forum)  (\S+)  (.+)$")


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    """Forty-odd scrypt hashes per load would make these tests slow; the scheme is not under test."""
    monkeypatch.setattr("forum.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def load():
    with unit_of_work():
        result = demo.load_demo()
    return result


def counts() -> dict[str, int]:
    models = (User, Participant, Membership, Office, Space, Sitting, Deadline, Announcement, AuditEntry)
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models}


def test_demo_has_the_required_composition(app):
    result = load()
    meeting = result.meeting
    assert meeting.title == "Global Tripartite Forum on Labour Migration"
    assert meeting.starts_on == datetime.now(ZoneInfo(meeting.timezone)).date()  # today's programme shows
    people = list(db.session.scalars(sa.select(Participant).where(Participant.meeting_id == meeting.id)))
    members = [p for p in people if p.membership_on(meeting.starts_on) is MembershipKind.regular]
    assert Counter(p.group for p in members) == {Group.government: 12, Group.employer: 12, Group.worker: 12}
    government_states = {p.member_state for p in members if p.group is Group.government}
    assert len(government_states) == 12
    regions = {rg.code: rg.state_codes for rg in db.session.scalars(sa.select(RegionalGroup))}
    for code in ("AFRICA", "GRULAC", "ASPAG", "EUROPE"):
        assert government_states & regions[code], code
    assert government_states & {"JO", "QA", "LB", "BH", "KW", "OM", "SA", "AE"}  # Arab States
    assert "CA" in government_states or "US" in government_states  # North America

    def holders(role: OfficeRole) -> list[Participant]:
        return [p for p in people if role in p.roles()]

    (chair,) = holders(OfficeRole.chair)
    assert chair.group is Group.government and chair.capacity is Capacity.delegate
    assert chair.user.email == "chair@demo.forum"
    assert {p.group for p in holders(OfficeRole.vice_chair)} == {Group.employer, Group.worker}
    assert holders(OfficeRole.vice_chair) == holders(OfficeRole.spokesperson)
    assert len(holders(OfficeRole.reporter)) == 1
    assert {p.group for p in holders(OfficeRole.group_secretary)} == {Group.employer, Group.worker}
    coordinated = {o.regional_group.code for p in holders(OfficeRole.coordinator) for o in p.offices
                   if o.role is OfficeRole.coordinator}
    assert {"AFRICA", "GRULAC"} <= coordinated
    assert len([p for p in people if p.capacity is Capacity.secretariat]) == 2
    observers = [p for p in people if p.capacity is Capacity.observer]
    assert sorted(p.group.value for p in observers) == ["government", "none"]

    staff = db.session.scalars(sa.select(User).where(User.email == "staff@demo.forum")).one()
    admin = db.session.scalars(sa.select(User).where(User.email == "admin@demo.forum")).one()
    assert staff.is_staff and admin.is_admin
    assert not {staff.id, admin.id} & {p.user_id for p in people}


def test_demo_participants_come_through_the_accreditation_import(app):
    meeting = load().meeting
    actions = Counter(db.session.scalars(sa.select(AuditEntry.action)))
    assert actions["participants.import"] == 1
    assert actions["participant.accredit"] == len(demo.PEOPLE) - 3  # not the creator, staff, admin
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                             .where(Participant.meeting_id == meeting.id)) == len(demo.PEOPLE) - 2


def test_demo_programme_spans_three_days_with_deadlines_and_an_announcement(app):
    meeting = load().meeting
    tz = ZoneInfo(meeting.timezone)
    sittings = list(db.session.scalars(sa.select(Sitting).where(Sitting.meeting_id == meeting.id)))
    days = {s.starts_at.astimezone(tz).date() for s in sittings}
    assert len(days) == 3 and min(days) == meeting.starts_on and max(days) == meeting.ends_on
    assert all(s.agenda_item_id for s in sittings)
    kinds = {d.kind for d in db.session.scalars(sa.select(Deadline).where(Deadline.meeting_id == meeting.id))}
    assert {DeadlineKind.amendments, DeadlineKind.sub_amendments} <= kinds
    first_sitting = min(sittings, key=lambda s: s.starts_at)
    assert first_sitting.starts_at.astimezone(tz).strftime("%H:%M") == "10:00"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Announcement)) >= 1


def test_demo_is_idempotent_and_prints_the_same_accounts(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["forum", "demo"])
    assert first.exit_code == 0, first.output
    before = counts()
    second = runner.invoke(args=["forum", "demo"])
    assert second.exit_code == 0, second.output
    assert counts() == before

    def accounts(output: str) -> list[tuple[str, ...]]:
        return [m.groups() for line in output.splitlines() if (m := ACCOUNT_LINE.match(line))]

    assert accounts(first.output) == accounts(second.output)
    listed = accounts(first.output)
    assert len(listed) == len(demo.PEOPLE)
    assert {password for _, password, _ in listed} == {demo.DEMO_PASSWORD}
    assert ("chair@demo.forum", demo.DEMO_PASSWORD, "Chairperson (Government of Kenya)") in listed


def test_demo_accounts_sign_in_and_see_todays_programme(app):
    load()
    client = app.test_client()
    response = client.post("/login", data={"email": "chair@demo.forum", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    dashboard = client.get("/").get_data(as_text=True)
    assert "Global Tripartite Forum on Labour Migration" in dashboard
    assert "First sitting" in dashboard and "Written amendments to the draft conclusions" in dashboard


def test_demo_csv_uses_the_import_columns():
    header = demo.participants_csv().decode().splitlines()[0]
    assert header == "email,name,group,capacity,member_state,regional_groups,membership,roles"
