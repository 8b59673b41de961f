"""Accreditation by CSV import and explicit removal (PROCEDURE.md rules 1–4, 7, 10)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from forum.accounts.models import User
from forum.audit.models import AuditEntry
from forum.db import unit_of_work
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.accreditation import (
    COLUMNS,
    import_participants,
    remove_participant,
    restore_participant,
)
from forum.meetings.models import (
    Capacity,
    Group,
    Meeting,
    Membership,
    MembershipKind,
    Notification,
    Office,
    OfficeRole,
    Participant,
    RegionalGroup,
    RegionalGroupState,
    Space,
    SpaceKind,
)
from forum.meetings.notifications import describe

# Imports are transactions over many tables: run them on both engines.
pytestmark = pytest.mark.postgres

HEADER = ",".join(COLUMNS)
COUNTED = {"users": User, "participants": Participant, "memberships": Membership, "offices": Office,
           "audit": AuditEntry, "notifications": Notification, "regional_states": RegionalGroupState,
           "spaces": Space}


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def counts() -> dict[str, int]:
    db.session.rollback()
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for name, model in COUNTED.items()}


def run(actor: Any, meeting: Any, data: bytes, **kw: Any):
    with unit_of_work():
        return import_participants(db.session.merge(actor), db.session.get(Meeting, meeting.id), data, **kw)


def errors_of(actor: Any, meeting: Any, data: bytes) -> list[tuple[int, str, str]]:
    before = counts()
    with pytest.raises(ValidationFailed) as info:
        run(actor, meeting, data)
    assert counts() == before, "a refused file must write nothing"
    return info.value.data["errors"]


def participant(meeting: Any, email: str) -> Participant:
    return db.session.scalars(
        sa.select(Participant).join(User).where(Participant.meeting_id == meeting.id, User.email == email)
    ).one()


def today_in(meeting: Any) -> date:
    return datetime.now(ZoneInfo(meeting.timezone)).date()


@pytest.fixture
def secretary(make_user):
    return make_user("sec@example.org", "Sam Secretary", staff=True)


@pytest.fixture
def meeting(make_meeting, secretary):
    return make_meeting(secretary)


GOOD = csv_bytes(
    "amina@example.org,Amina Diallo,government,delegate,KE,AFRICA,,coordinator",
    "kenji@example.org,Kenji Sato,government,adviser,jp,aspag;imec,,",
    "eva@example.org,Eva Employer,employer,delegate,,,deputy,spokesperson",
    "gus@example.org,Gus Groupsec,employer,adviser,,,,group_secretary",
    "wanda@example.org,Wanda Worker,worker,delegate,BR,,,vice_chair;spokesperson",
    "olga@example.org,Olga Observer,none,observer,,,,",
    "sid@example.org,Sid Secretariat,none,secretariat,,,,",
)


# --- what an import does -------------------------------------------------------------------------

def test_import_accredits_participants_with_accounts_offices_and_spaces(secretary, meeting):
    report = run(secretary, meeting, GOOD)
    assert (report.created, report.updated, report.unchanged, report.accounts_created) == (7, 0, 0, 7)
    amina = participant(meeting, "amina@example.org")
    assert (amina.group, amina.capacity, amina.member_state) == (Group.government, Capacity.delegate, "KE")
    assert amina.membership_on(today_in(meeting)) is MembershipKind.regular  # default for a delegate
    assert [(o.role, o.regional_group.code) for o in amina.offices] == [(OfficeRole.coordinator, "AFRICA")]
    kenji = participant(meeting, "kenji@example.org")
    assert kenji.member_state == "JP" and kenji.membership_on(today_in(meeting)) is MembershipKind.none
    assert participant(meeting, "eva@example.org").membership_on(today_in(meeting)) is MembershipKind.deputy
    assert participant(meeting, "wanda@example.org").roles() == {OfficeRole.vice_chair, OfficeRole.spokesperson}
    # New accounts cannot sign in until their owner sets a password through the reset link.
    user = db.session.scalars(sa.select(User).where(User.email == "olga@example.org")).one()
    assert user.name == "Olga Observer" and user.active and not user.is_staff
    assert not user.check_password("") and not user.check_password(user.password_hash)
    # Delegation and regional rooms exist for the States now represented.
    spaces = db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id)).all()
    assert {s.member_state for s in spaces if s.kind is SpaceKind.delegation} == {"KE", "JP"}
    regional = {s.regional_group.code for s in spaces if s.kind is SpaceKind.regional}
    assert {"AFRICA", "ASPAG", "IMEC"} <= regional
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("participant.accredit") == 7 and "participants.import" in actions


def test_rule_1_codes_are_case_insensitive_and_the_file_may_have_a_bom_and_any_column_order(secretary, meeting):
    header = "Roles,EMAIL,name,Group,capacity,membership,regional_groups,member_state"
    data = "\ufeff".encode() + csv_bytes(" COORDINATOR ,Ana@Example.org , Ana ,GOVERNMENT,Delegate,,Aspag,ph",
                                         header=header)
    report = run(secretary, meeting, data)
    assert report.created == 1
    ana = participant(meeting, "ana@example.org")
    assert ana.member_state == "PH" and ana.offices[0].regional_group.code == "ASPAG"


def test_existing_account_joins_without_a_new_account_or_renaming(secretary, meeting, make_user):
    make_user("known@example.org", "Known Name")
    before = counts()["users"]
    report = run(secretary, meeting, csv_bytes("known@example.org,Other Name,worker,delegate,,,,"))
    assert (report.created, report.accounts_created) == (1, 0)
    assert counts()["users"] == before
    assert participant(meeting, "known@example.org").user.name == "Known Name"


def test_government_row_adds_its_state_to_the_named_regional_group(secretary, meeting):
    eu = db.session.scalars(sa.select(RegionalGroup).where(RegionalGroup.code == "EU")).one()
    assert "NO" not in eu.state_codes
    report = run(secretary, meeting, csv_bytes("nora@example.org,Nora,government,delegate,NO,EU,,"))
    assert report.states_added == [("EU", "NO")]
    db.session.expire_all()
    eu = db.session.scalars(sa.select(RegionalGroup).where(RegionalGroup.code == "EU")).one()
    assert "NO" in eu.state_codes
    assert run(secretary, meeting, csv_bytes("nora@example.org,Nora,government,delegate,NO,EU,,")).states_added == []
    db.session.execute(sa.delete(RegionalGroupState).where(RegionalGroupState.member_state == "NO",
                                                           RegionalGroupState.regional_group_id == eu.id))
    db.session.commit()  # reference data is shared by the whole test session: put it back


def test_update_is_recorded_with_before_and_after(secretary, meeting):
    run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,,"))
    report = run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,adviser,FR,,regular,spokesperson"))
    assert (report.created, report.updated) == (0, 1)
    change = report.changes[0]
    assert change.fields == {"capacity": ("delegate", "adviser"), "member_state": (None, "FR"),
                             "roles": ([], ["spokesperson"])}  # membership stays regular: no change
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "participant.update")).one()
    assert '"capacity":["delegate","adviser"]' in entry.payload
    assert entry.actor_id == secretary.id


# --- rule 10: idempotent, additive, nobody accredits themselves -------------------------------------

def test_rule_10_the_same_file_twice_changes_nothing_the_second_time(secretary, meeting):
    run(secretary, meeting, GOOD)
    before = counts()
    version = db.session.get(Meeting, meeting.id).version
    report = run(secretary, meeting, GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 7)
    assert report.changes == [] and not report.changed
    assert counts() == before  # no audit entry, no notification, no membership, no space
    assert db.session.get(Meeting, meeting.id).version == version


def test_rule_10_import_never_removes_participants_or_offices(secretary, meeting):
    run(secretary, meeting, GOOD)
    before = counts()
    report = run(secretary, meeting, csv_bytes("eva@example.org,Eva Employer,employer,delegate,,,deputy,"))
    assert report.unchanged == 1  # spokesperson dropped from the row: the office stays
    assert counts()["participants"] == before["participants"]
    active = db.session.scalars(sa.select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.removed_at.is_(None))).all()
    assert len(active) == 8  # the seven imported and the meeting's creator
    assert participant(meeting, "eva@example.org").roles() == {OfficeRole.spokesperson}


def test_rule_10_nobody_accredits_themselves_into_a_group(secretary, meeting):
    errors = errors_of(secretary, meeting, csv_bytes("sec@example.org,Sam Secretary,employer,delegate,,,,"))
    assert errors == [(2, "group", errors[0][2])]
    assert "Nobody can accredit themselves into a group" in errors[0][2]
    assert participant(meeting, "sec@example.org").group is Group.none


def test_rule_10_nobody_changes_their_own_accreditation(secretary, meeting):
    errors = errors_of(secretary, meeting, csv_bytes("SEC@example.org,Sam,none,observer,,,,"))
    assert [(r, f) for r, f, _m in errors] == [(2, "email")]
    # Listing oneself exactly as accredited is fine (a full list of the meeting, say).
    report = run(secretary, meeting, csv_bytes("sec@example.org,Sam,none,secretariat,,,,"))
    assert report.unchanged == 1


def test_rule_10_removal_is_explicit_recorded_and_never_of_oneself(secretary, meeting):
    run(secretary, meeting, GOOD)
    eva = participant(meeting, "eva@example.org")
    with pytest.raises(ValidationFailed), unit_of_work():
        remove_participant(db.session.merge(secretary), eva, "  ")
    assert participant(meeting, "eva@example.org").removed_at is None
    with unit_of_work():
        remove_participant(db.session.merge(secretary), participant(meeting, "eva@example.org"), "Left Geneva")
    eva = participant(meeting, "eva@example.org")
    assert eva.removed_at is not None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "participant.remove")).one()
    assert "Left Geneva" in entry.payload
    with pytest.raises(InvalidState), unit_of_work():
        remove_participant(db.session.merge(secretary), participant(meeting, "eva@example.org"), "again")
    with pytest.raises(NotAllowed), unit_of_work():
        remove_participant(db.session.merge(secretary), participant(meeting, "sec@example.org"), "me")
    sid = db.session.scalars(sa.select(User).where(User.email == "sid@example.org")).one()
    with pytest.raises(NotAllowed), unit_of_work():  # the other secretary cannot remove themselves either
        remove_participant(sid, participant(meeting, "sid@example.org"), "me")
    gus = db.session.scalars(sa.select(User).where(User.email == "gus@example.org")).one()
    with pytest.raises(NotAllowed), unit_of_work():
        remove_participant(gus, participant(meeting, "kenji@example.org"), "not yours")


def test_rule_10_a_removed_participant_comes_back_only_by_an_explicit_restore(secretary, meeting):
    run(secretary, meeting, GOOD)
    with unit_of_work():
        remove_participant(db.session.merge(secretary), participant(meeting, "eva@example.org"), "Error")
    errors = errors_of(secretary, meeting, GOOD)
    assert [(r, f) for r, f, _m in errors] == [(4, "email")]
    with unit_of_work():
        restore_participant(db.session.merge(secretary), participant(meeting, "eva@example.org"))
    assert participant(meeting, "eva@example.org").removed_at is None
    assert run(secretary, meeting, GOOD).unchanged == 7
    with pytest.raises(InvalidState), unit_of_work():
        restore_participant(db.session.merge(secretary), participant(meeting, "eva@example.org"))


# --- bad input: a clear message and nothing written ------------------------------------------------

BAD_CASES = {
    "missing column": (csv_bytes("a@example.org,A,worker,delegate,,,", header=",".join(COLUMNS[:-1])),
                       [(1, "roles")]),
    "unknown column": (csv_bytes("a@example.org,A,worker,delegate,,,,,x", header=HEADER + ",rolls"),
                       [(1, "rolls")]),
    "unknown group": (csv_bytes("a@example.org,A,workers,delegate,,,,"), [(2, "group")]),
    "unknown capacity": (csv_bytes("a@example.org,A,worker,member,,,,"), [(2, "capacity")]),
    "unknown State": (csv_bytes("a@example.org,A,government,delegate,XX,,,"), [(2, "member_state")]),
    "unknown regional group": (csv_bytes("a@example.org,A,government,delegate,KE,AFRIKA,,"),
                               [(2, "regional_groups")]),
    "unknown role": (csv_bytes("a@example.org,A,worker,delegate,,,,president"), [(2, "roles")]),
    "unknown membership": (csv_bytes("a@example.org,A,worker,delegate,,,full,"), [(2, "membership")]),
    "duplicate email": (csv_bytes("a@example.org,A,worker,delegate,,,,", "b@example.org,B,worker,delegate,,,,",
                                  "A@EXAMPLE.ORG,A again,employer,delegate,,,,"), [(4, "email")]),
    "invalid email": (csv_bytes("not-an-email,A,worker,delegate,,,,"), [(2, "email")]),
    "missing email": (csv_bytes(",A,worker,delegate,,,,"), [(2, "email")]),
    "missing name": (csv_bytes("a@example.org,,worker,delegate,,,,"), [(2, "name")]),
    # A quoted field may hold line breaks and escapes: they would forge lines in logs and terminals.
    "name with a line break": (csv_bytes('a@example.org,"Mallory\nOK global 1 entries",worker,delegate,,,,'),
                               [(2, "name")]),
    "name with an escape sequence": (csv_bytes("a@example.org,Mallory\x1b[2J,worker,delegate,,,,"), [(2, "name")]),
    "email with a control character": (csv_bytes("a\x07@example.org,A,worker,delegate,,,,"), [(2, "email")]),
    "government without State": (csv_bytes("a@example.org,A,government,delegate,,,,"), [(2, "member_state")]),
    "secretariat in a group": (csv_bytes("a@example.org,A,worker,secretariat,,,,"), [(2, "group")]),
    "coordinator without regional group": (csv_bytes("a@example.org,A,government,delegate,KE,,,coordinator"),
                                           [(2, "roles")]),
    "regional group for an employer": (csv_bytes("a@example.org,A,employer,delegate,,IMEC,,"),
                                       [(2, "regional_groups")]),
    "group secretary of no group": (csv_bytes("a@example.org,A,none,observer,,,,group_secretary"),
                                    [(2, "roles")]),
    "observer as a member": (csv_bytes("a@example.org,A,worker,observer,,,regular,"), [(2, "membership")]),
    "too many values": (csv_bytes("a@example.org,Doe, Jane,worker,delegate,,,,"), [(2, "row")]),
    "value under an unnamed column": (csv_bytes("a@example.org,A,worker,delegate,,,,,x", header=HEADER + ","),
                                      [(2, "row")]),
    "empty file": (b"", [(0, "file")]),
    "blank file": (b"\n \n\r\n", [(0, "file")]),
    "header only": (csv_bytes(), [(0, "file")]),
    "binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), [(0, "file")]),
    "not UTF-8": (csv_bytes("a@example.org,Jos\xe9,worker,delegate,,,,").replace(b"\xc3\xa9", b"\xe9"),
                  [(0, "file")]),
    "semicolon separated": (b"email;name;group;capacity\na@example.org;A;worker;delegate\n", [(1, "file")]),
}


@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_bad_input_is_refused_with_row_and_column_and_nothing_written(secretary, meeting, case):
    data, expected = BAD_CASES[case]
    errors = errors_of(secretary, meeting, data)
    assert [(row, column) for row, column, _message in errors] == expected
    assert all(message for _r, _c, message in errors)


def test_a_stray_empty_column_is_ignored(secretary, meeting):
    report = run(secretary, meeting, csv_bytes("a@example.org,A,worker,delegate,,,,,", header=HEADER + ","))
    assert report.created == 1


def test_not_utf8_really_is_latin1(secretary, meeting):
    data = "email,name\nx@example.org,José\n".encode("latin-1")
    assert "UTF-8" in errors_of(secretary, meeting, data)[0][2]


def test_a_file_over_the_import_limit_is_refused(app, secretary, meeting):
    limit = app.config["IMPORT_MAX_BYTES"]
    row = "someone@example.org,Some One,worker,delegate,,,,\n"
    data = HEADER.encode() + b"\n" + row.encode() * (limit // len(row) + 1)
    assert len(data) > limit
    errors = errors_of(secretary, meeting, data)
    assert [(r, c) for r, c, _m in errors] == [(0, "file")] and "larger than" in errors[0][2]


def test_every_error_of_every_row_is_reported_and_the_good_rows_are_not_imported(secretary, meeting):
    data = csv_bytes(
        "good@example.org,Good Row,worker,delegate,,,,",
        "bad,,government,chief,,MARS,,king",
        "also-good@example.org,Also Good,employer,delegate,,,,",
        "good@example.org,Twice,worker,delegate,,,,",
    )
    errors = errors_of(secretary, meeting, data)
    assert sorted((r, c) for r, c, _m in errors) == [
        (3, "capacity"), (3, "email"), (3, "member_state"), (3, "name"), (3, "regional_groups"), (3, "roles"),
        (5, "email"),
    ]
    assert "row 2" in next(m for r, c, m in errors if r == 5)
    assert db.session.scalars(sa.select(User).where(User.email == "good@example.org")).first() is None


def test_only_the_secretariat_imports(secretary, meeting, make_participant):
    observer = make_participant(meeting, "none", "observer").user
    chair = make_participant(meeting, "government", roles=("chair",)).user
    for actor in (observer, chair):
        before = counts()
        with pytest.raises(NotAllowed), unit_of_work():
            import_participants(actor, db.session.get(Meeting, meeting.id), GOOD)
        assert counts() == before


# --- rule 4: effective dates ------------------------------------------------------------------------

def test_rule_4_new_members_from_today_changes_from_the_next_day(secretary, meeting):
    today = today_in(meeting)
    run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,,"))
    eva = participant(meeting, "eva@example.org")
    assert [(m.kind, m.effective_from) for m in eva.memberships] == [(MembershipKind.regular, today)]
    report = run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,deputy,"))
    assert report.changes[0].effective_from == today + timedelta(days=1)
    db.session.expire_all()
    eva = participant(meeting, "eva@example.org")
    assert eva.membership_on(today) is MembershipKind.regular  # the composition in force today is unchanged
    assert eva.membership_on(today + timedelta(days=1)) is MembershipKind.deputy


def test_rule_4_same_day_setting_and_explicit_effective_date(secretary, meeting):
    today = today_in(meeting)
    with unit_of_work():
        db.session.get(Meeting, meeting.id).settings = {"membership_effective_next_day": False}
    run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,,"))
    run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,deputy,"))
    assert participant(meeting, "eva@example.org").membership_on(today) is MembershipKind.deputy
    later = today + timedelta(days=10)
    report = run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,regular,",
                                               "new@example.org,New,worker,delegate,,,,"), effective_from=later)
    assert {c.email: c.effective_from for c in report.changes} == {"eva@example.org": later,
                                                                   "new@example.org": later}
    db.session.expire_all()
    assert participant(meeting, "new@example.org").membership_on(today) is MembershipKind.none
    assert participant(meeting, "new@example.org").membership_on(later) is MembershipKind.regular


@pytest.mark.parametrize(("cutoff", "next_day", "notified_at", "effective"), [
    ("18:00", True, "2027-06-14T17:59", "2027-06-15"),
    ("18:00", True, "2027-06-14T18:00", "2027-06-15"),  # "by the cut-off time": 18:00 itself is in time
    ("18:00", True, "2027-06-14T18:01", "2027-06-16"),
    ("18:00", False, "2027-06-14T17:59", "2027-06-14"),
    ("18:00", False, "2027-06-14T23:30", "2027-06-15"),
    (None, True, "2027-06-14T23:59", "2027-06-15"),  # no cut-off: the day ends at midnight
])
def test_rule_4_a_change_notified_after_the_cut_off_counts_as_notified_the_next_day(
        secretary, meeting, monkeypatch, cutoff, next_day, notified_at, effective):
    from forum.meetings import accreditation
    from forum.meetings.services import update_meeting

    zone = ZoneInfo(meeting.timezone)
    monkeypatch.setattr(accreditation, "meeting_now",
                        lambda m: datetime.fromisoformat(notified_at).replace(tzinfo=zone))
    with unit_of_work():
        m = db.session.get(Meeting, meeting.id)
        update_meeting(db.session.merge(secretary), m, title=m.title, venue="", starts_on=None, ends_on=None,
                       settings={"membership_effective_next_day": next_day},
                       membership_cutoff=time.fromisoformat(cutoff) if cutoff else None)
    run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,,"))
    report = run(secretary, meeting, csv_bytes("eva@example.org,Eva,employer,delegate,,,deputy,"))
    assert report.changes[0].effective_from == date.fromisoformat(effective)


def test_rule_4_the_cut_off_is_a_recorded_setting_in_hours_and_minutes(secretary, meeting):
    from forum.meetings.services import membership_cutoff_of, update_meeting

    def save(**kw: Any) -> None:
        with unit_of_work():
            m = db.session.get(Meeting, meeting.id)
            update_meeting(db.session.merge(secretary), m, title=m.title, venue="", starts_on=None, ends_on=None,
                           settings={}, **kw)

    save(membership_cutoff=time(18, 0))
    assert membership_cutoff_of(db.session.get(Meeting, meeting.id)) == time(18, 0)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "meeting.update")).one()
    assert '"membership_cutoff":[null,"18:00"]' in entry.payload
    save()  # not given: kept
    assert membership_cutoff_of(db.session.get(Meeting, meeting.id)) == time(18, 0)
    with pytest.raises(ValidationFailed) as refused:
        save(membership_cutoff=time(18, 0, 30))
    assert "membership_cutoff" in refused.value.fields
    assert membership_cutoff_of(db.session.get(Meeting, meeting.id)) == time(18, 0)
    save(membership_cutoff=None)
    assert membership_cutoff_of(db.session.get(Meeting, meeting.id)) is None


# --- rule 7: group secretaries are told of every change to their group -------------------------------

def notes_for(email: str) -> list[Notification]:
    return db.session.scalars(
        sa.select(Notification).join(User, Notification.user_id == User.id)
        .where(User.email == email).order_by(Notification.id)).all()


def test_rule_7_group_secretaries_are_told_of_every_change_to_their_group(app, secretary, meeting):
    run(secretary, meeting, csv_bytes("gus@example.org,Gus,employer,adviser,,,,group_secretary",
                                      "wes@example.org,Wes,worker,adviser,,,,group_secretary"))
    run(secretary, meeting, csv_bytes("eva@example.org,Eva Employer,employer,delegate,,,,"))
    run(secretary, meeting, csv_bytes("eva@example.org,Eva Employer,employer,adviser,,,,"))
    run(secretary, meeting, csv_bytes("eva@example.org,Eva Employer,worker,adviser,,,,"))  # moves group
    run(secretary, meeting, csv_bytes("kim@example.org,Kim,government,delegate,KE,,,"))  # not their group
    gus = [n.data["change"] for n in notes_for("gus@example.org")]
    wes = [n.data["change"] for n in notes_for("wes@example.org")]
    assert gus == ["joined", "joined", "updated", "left"]  # himself, then Eva three times
    assert wes == ["joined", "joined"]  # himself, then Eva arriving from the Employers' group
    with unit_of_work():
        remove_participant(db.session.merge(secretary), participant(meeting, "eva@example.org"), "Withdrawn")
    assert notes_for("wes@example.org")[-1].data["change"] == "removed"
    with unit_of_work():
        restore_participant(db.session.merge(secretary), participant(meeting, "eva@example.org"))
    assert notes_for("wes@example.org")[-1].data["change"] == "restored"
    assert [n.data["change"] for n in notes_for("gus@example.org")] == gus  # not his group any more
    note = notes_for("gus@example.org")[2]
    assert note.code == "membership.changed" and note.data["participant"] == "Eva Employer"
    assert note.data["fields"] == {"capacity": ["delegate", "adviser"], "membership": ["regular", "none"]}
    with app.test_request_context():
        text = describe(note)
    assert "Eva Employer" in text and "delegate → adviser" in text and "Membership effective from" in text
    before = counts()["notifications"]
    run(secretary, meeting, csv_bytes("eva2@example.org,Eva Two,worker,adviser,,,,"))
    run(secretary, meeting, csv_bytes("eva2@example.org,Eva Two,worker,adviser,,,,"))  # nothing new
    assert counts()["notifications"] == before + 1


# --- the command line ---------------------------------------------------------------------------------

def test_cli_imports_as_the_first_secretariat_participant(app, secretary, meeting, tmp_path):
    path = tmp_path / "participants.csv"
    path.write_bytes(GOOD)
    result = app.test_cli_runner().invoke(args=["forum", "import-participants", str(path), "--meeting",
                                                str(meeting.id)])
    assert result.exit_code == 0, result.output
    assert "Imported as sec@example.org: 7 added, 0 updated, 0 unchanged, 7 new accounts." in result.output
    result = app.test_cli_runner().invoke(args=["forum", "import-participants", str(path), "--meeting",
                                                str(meeting.id), "--as", "sid@example.org",
                                                "--effective-from", "2030-01-02"])
    assert result.exit_code == 0 and "0 added, 0 updated, 7 unchanged" in result.output


def test_cli_reports_every_error_and_writes_nothing(app, secretary, meeting, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes("a@example.org,A,government,delegate,,,,", "b@example.org,B,martian,delegate,,,,"))
    before = counts()
    result = app.test_cli_runner().invoke(args=["forum", "import-participants", str(path), "--meeting",
                                                str(meeting.id)])
    assert result.exit_code == 1
    assert "row 2, member_state:" in result.output and "row 3, group:" in result.output
    assert counts() == before


def test_cli_refuses_an_importer_outside_the_secretariat(app, secretary, meeting, make_participant, tmp_path):
    worker = make_participant(meeting, "worker").user
    path = tmp_path / "p.csv"
    path.write_bytes(GOOD)
    before = counts()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forum", "import-participants", str(path), "--meeting", str(meeting.id),
                                 "--as", worker.email])
    assert result.exit_code == 1 and "secretariat" in result.output
    result = runner.invoke(args=["forum", "import-participants", str(path), "--meeting", "999999"])
    assert result.exit_code == 1 and "No meeting" in result.output
    assert counts() == before
