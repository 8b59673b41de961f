"""Accreditation of participants: the secretariat's CSV import, and explicit removal.

PROCEDURE.md rules 1–4, 7 and 10. An import is atomic (every row is checked before anything is
written; one bad row and nothing is), idempotent (the same file twice changes nothing the second
time) and additive: it adds or updates participants and offices and never removes anyone — removal
is `remove_participant`, an explicit and recorded step.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import pycountry
import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import gettext

from forum import realtime
from forum.accounts.models import User
from forum.accounts.services import has_control_characters
from forum.audit.services import record
from forum.db import utcnow
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import (
    Capacity,
    Group,
    Meeting,
    MembershipKind,
    Office,
    OfficeRole,
    Participant,
    RegionalGroup,
    RegionalGroupState,
)
from forum.meetings.notifications import group_secretary_ids, notify_group_secretaries
from forum.meetings.services import (
    default_membership,
    ensure_spaces,
    membership_cutoff_of,
    set_membership,
    setting,
)
from forum.permissions import (
    can_accredit_participants,
    can_remove_participant,
    can_restore_participant,
    forget_participations,
)

COLUMNS = ("email", "name", "group", "capacity", "member_state", "regional_groups", "membership", "roles")
# Meeting setting (rule 4): membership changes notified today take effect tomorrow.
NEXT_DAY_SETTING = "membership_effective_next_day"
# No password hash matches this prefix: imported accounts sign in only after a password reset.
UNUSABLE_PASSWORD = "!"
EMAIL_RE = re.compile(r"^[^@\s\"<>,;()\[\]]+@[^@\s\"<>,;()\[\]]+\.[^@\s\"<>,;()\[\].]+$")
# Offices that only a group's own people hold, and offices the secretariat and observers never hold.
GROUP_OFFICES = {OfficeRole.spokesperson: {Group.employer, Group.worker},
                 OfficeRole.group_secretary: {Group.employer, Group.worker},
                 OfficeRole.vice_chair: {Group.government, Group.employer, Group.worker},
                 OfficeRole.coordinator: {Group.government}}
NO_OFFICE_CAPACITIES = {Capacity.secretariat, Capacity.observer}
_CHUNK = 500

RowError = tuple[int, str, str]  # (row number, column, message); row 0 is the file itself


def _(message: str, **params: Any) -> str:
    """gettext in a request (the reader's language); plain English on the command line."""
    if has_request_context():
        return gettext(message, **params)
    return message % params if params else message


# --- results ----------------------------------------------------------------------------------------

@dataclass
class ParticipantChange:
    """What an import did to one participant; `fields` maps a column to its codes (before, after)."""

    row: int
    email: str
    name: str
    action: str  # "created" | "updated"
    fields: dict[str, tuple[Any, Any]]
    effective_from: date | None = None  # when the membership change takes effect (rule 4)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    changes: list[ParticipantChange] = field(default_factory=list)
    states_added: list[tuple[str, str]] = field(default_factory=list)  # (regional group code, State)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.states_added)


@dataclass
class Accreditation:
    """One valid row of the file."""

    row: int
    email: str
    name: str
    group: Group
    capacity: Capacity
    member_state: str | None
    regional_groups: list[RegionalGroup]
    membership: MembershipKind
    roles: list[OfficeRole]

    def offices(self) -> set[tuple[OfficeRole, int | None]]:
        """A coordinator coordinates each regional group named on the row; other offices have none."""
        result: set[tuple[OfficeRole, int | None]] = set()
        for role in self.roles:
            if role is OfficeRole.coordinator:
                result.update((role, rg.id) for rg in self.regional_groups)
            else:
                result.add((role, None))
        return result


# --- reading the file --------------------------------------------------------------------------------

def _fail(errors: list[RowError]) -> NoReturn:
    raise ValidationFailed(
        _("The file was not imported and nothing was changed: correct the rows listed and send it again."),
        errors=sorted(errors, key=lambda e: e[0]),
    )


def read_rows(data: bytes, max_bytes: int) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's records as (row number, {column: value}) and the problems found in the header or in
    a row's shape. Row numbers are those a spreadsheet shows: the header is row 1.

    Extra columns are rejected rather than ignored: a misspelt column (`rolls`) would otherwise be
    dropped silently.
    """
    if len(data) > max_bytes:
        _fail([(0, "file", _("The file is larger than %(limit)s KB. Split it into smaller files.",
                             limit=max_bytes // 1024))])
    if not data.strip():
        _fail([(0, "file", _("The file is empty. Send a CSV file with a header row and one row per participant."))])
    if b"\x00" in data:
        _fail([(0, "file", _("This is not a text file. Export the list as CSV (UTF-8) and send that."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail([(0, "file", _("The file is not UTF-8 text. Export the list as CSV (UTF-8) and send that."))])
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, record_ in enumerate(reader, start=1):
            records.append((number, record_))
    except csv.Error as exc:
        _fail([(len(records) + 1, "file", _("The CSV could not be read here: %(error)s", error=str(exc)))])
    records = [(n, r) for n, r in records if any(v.strip() for v in r)]
    if not records:
        _fail([(0, "file", _("The file is empty. Send a CSV file with a header row and one row per participant."))])
    header_row, raw_header = records[0]
    header = [h.strip().lower() for h in raw_header]
    errors: list[RowError] = []
    if len(header) == 1 and ";" in header[0]:
        _fail([(header_row, "file", _("Separate the columns with commas, not semicolons "
                                      "(semicolons separate several regional groups or roles)."))])
    # A column without a name (a spreadsheet's stray empty column) is ignored while it stays empty.
    unnamed = {i for i, name in enumerate(header) if not name}
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if name in seen:
            errors.append((header_row, name, _("The column %(column)s appears twice.", column=name)))
        seen.add(name)
        if name not in COLUMNS:
            errors.append((header_row, name, _("Unknown column %(column)s. The columns are: %(columns)s.",
                                               column=name, columns=", ".join(COLUMNS))))
    missing = [c for c in COLUMNS if c not in seen]
    for name in missing:
        errors.append((header_row, name, _("The column %(column)s is missing.", column=name)))
    if missing:
        _fail(errors)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in records[1:]:
        if len(values) > len(header):
            errors.append((number, "row", _("This row has more values than the header has columns "
                                            "(a comma inside a name needs quotes).")))
            continue
        values = values + [""] * (len(header) - len(values))
        if any(values[i].strip() for i in unnamed):
            errors.append((number, "row", _("This row has a value under a column without a name.")))
            continue
        rows.append((number, {name: value.strip() for name, value in zip(header, values, strict=False)
                              if name in COLUMNS}))
    if not records[1:]:
        errors.append((0, "file", _("The file has a header but no participant rows.")))
    return rows, errors


def _split(value: str) -> list[str]:
    items: list[str] = []
    for item in value.split(";"):
        item = item.strip()
        if item and item not in items:
            items.append(item)
    return items


def _enum(enum_cls: Any, value: str) -> Any:
    try:
        return enum_cls(value.strip().lower())
    except ValueError:
        return None


def _codes(enum_cls: Any) -> str:
    return "|".join(m.value for m in enum_cls)


# --- validating --------------------------------------------------------------------------------------

def _validate_row(number: int, values: dict[str, str], regional: dict[str, RegionalGroup],
                  errors: list[RowError]) -> Accreditation | None:
    """Check one row on its own; append every problem found to `errors`."""
    start = len(errors)

    def err(column: str, message: str) -> None:
        errors.append((number, column, message))

    email = values["email"].strip().lower()
    if not email:
        err("email", _("Enter the participant's email address."))
    elif len(email) > 254 or not EMAIL_RE.match(email) or has_control_characters(email):
        err("email", _("%(email)s is not a valid email address.", email=values["email"]))
    name = values["name"].strip()
    if not name:
        err("name", _("Enter the participant's name."))
    elif len(name) > 200:
        err("name", _("The name is longer than 200 characters."))
    elif has_control_characters(name):  # as for accounts made one by one (forum.accounts.services)
        err("name", _("Use letters, not line breaks or control characters."))
    group = _enum(Group, values["group"])
    if group is None:
        err("group", _("Unknown group %(value)s: use %(codes)s.", value=values["group"] or "(empty)",
                       codes=_codes(Group)))
    capacity = _enum(Capacity, values["capacity"])
    if capacity is None:
        err("capacity", _("Unknown capacity %(value)s: use %(codes)s.", value=values["capacity"] or "(empty)",
                          codes=_codes(Capacity)))
    if capacity is Capacity.secretariat and group not in (None, Group.none):
        err("group", _("The meeting secretariat belongs to no group: use none."))

    state = values["member_state"].strip().upper() or None
    if state is not None and pycountry.countries.get(alpha_2=state) is None:
        err("member_state", _("Unknown State code %(value)s: use the ISO 3166-1 alpha-2 code, e.g. KE.",
                              value=values["member_state"]))
    if state is None and group is Group.government:
        err("member_state", _("A Government participant represents a member State: "
                              "give its ISO 3166-1 alpha-2 code, e.g. KE."))
    if state is not None and group is Group.none:
        err("member_state", _("Participants without a group represent no State: leave it empty."))

    groups: list[RegionalGroup] = []
    for code in _split(values["regional_groups"]):
        rg = regional.get(code.upper())
        if rg is None:
            err("regional_groups", _("Unknown regional group %(value)s: use %(codes)s.", value=code,
                                     codes=", ".join(sorted(regional))))
        else:
            groups.append(rg)
    if groups and group not in (None, Group.government):
        err("regional_groups", _("Regional groups are groups of States: only Government participants "
                                 "belong to them."))

    membership: MembershipKind | None
    if values["membership"].strip():
        membership = _enum(MembershipKind, values["membership"])
        if membership is None:
            err("membership", _("Unknown membership %(value)s: use %(codes)s.", value=values["membership"],
                                codes=_codes(MembershipKind)))
        elif capacity in NO_OFFICE_CAPACITIES and membership is not MembershipKind.none:
            err("membership", _("The secretariat and observers are not members of the body: use none."))
    else:
        membership = default_membership(capacity) if capacity else None

    roles: list[OfficeRole] = []
    for code in _split(values["roles"]):
        role = _enum(OfficeRole, code)
        if role is None:
            err("roles", _("Unknown role %(value)s: use %(codes)s.", value=code, codes=_codes(OfficeRole)))
            continue
        roles.append(role)
        if capacity in NO_OFFICE_CAPACITIES:
            err("roles", _("The secretariat and observers hold no office (%(role)s).", role=role.value))
        elif group is not None and role in GROUP_OFFICES and group not in GROUP_OFFICES[role]:
            err("roles", _("A %(role)s must belong to one of these groups: %(groups)s.", role=role.value,
                           groups=", ".join(g.value for g in GROUP_OFFICES[role])))
        if role is OfficeRole.coordinator and not values["regional_groups"].strip():
            err("roles", _("A coordinator needs the regional group they coordinate in the "
                           "regional_groups column."))

    if len(errors) > start or group is None or capacity is None or membership is None:
        return None
    return Accreditation(number, email, name, group, capacity, state, groups, membership, roles)


def _latest_membership(p: Participant) -> MembershipKind:
    """The membership as it will stand once every recorded change is in force."""
    return p.membership_on(date.max)


def _office_codes(offices: Iterable[tuple[OfficeRole, int | None]], rg_codes: dict[int, str]) -> list[str]:
    return sorted(role.value + (f":{rg_codes[rg]}" if rg else "") for role, rg in offices)


def _existing_offices(p: Participant) -> set[tuple[OfficeRole, int | None]]:
    return {(o.role, o.regional_group_id) for o in p.offices}


def _would_change(p: Participant, acc: Accreditation) -> bool:
    return (p.group is not acc.group or p.capacity is not acc.capacity or p.member_state != acc.member_state
            or _latest_membership(p) is not acc.membership or bool(acc.offices() - _existing_offices(p)))


def _load_people(meeting: Meeting, emails: list[str]) -> tuple[dict[str, Participant], dict[str, User]]:
    """The meeting's participants (removed ones too) and the accounts among `emails`, by email."""
    participants = {
        p.user.email: p for p in db.session.scalars(
            sa.select(Participant).join(User, Participant.user_id == User.id)
            .where(Participant.meeting_id == meeting.id, User.email.in_(emails))
        ).unique()
    }
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    return participants, users


def validate(actor: Any, meeting: Meeting, data: bytes
             ) -> tuple[list[Accreditation], dict[str, Participant], dict[str, User]]:
    """Check the whole file against itself and the database; raise with every error found."""
    # Header trouble (a duplicate or unknown column) is reported together with the rows' errors.
    rows, errors = read_rows(data, current_app.config["IMPORT_MAX_BYTES"])
    regional = {rg.code.upper(): rg for rg in db.session.scalars(sa.select(RegionalGroup))}
    accreditations: list[Accreditation] = []
    first_row: dict[str, int] = {}
    for number, values in rows:
        acc = _validate_row(number, values, regional, errors)
        email = values["email"].strip().lower()
        if email in first_row:
            errors.append((number, "email", _("%(email)s is already on row %(row)d: one row per person.",
                                              email=email, row=first_row[email])))
            continue
        if email:
            first_row[email] = number
        if acc is not None:
            accreditations.append(acc)

    emails = [a.email for a in accreditations]
    participants: dict[str, Participant] = {}
    users: dict[str, User] = {}
    for i in range(0, len(emails), _CHUNK):
        p_chunk, u_chunk = _load_people(meeting, emails[i:i + _CHUNK])
        participants.update(p_chunk)
        users.update(u_chunk)
    actor_email = (getattr(actor, "email", "") or "").lower()
    for acc in accreditations:
        existing = participants.get(acc.email)
        if acc.email == actor_email:
            if acc.group is not Group.none:
                errors.append((acc.row, "group", _("Nobody can accredit themselves into a group: "
                                                   "ask another member of the secretariat.")))
                continue
            if existing is None or _would_change(existing, acc):
                errors.append((acc.row, "email", _("You cannot change your own accreditation: "
                                                   "ask another member of the secretariat.")))
                continue
        if existing is not None and existing.removed_at is not None:
            errors.append((acc.row, "email", _("%(email)s was removed from this meeting. Restore them from the "
                                               "list of removed participants before importing them again.",
                                               email=acc.email)))
    if errors:
        _fail(errors)
    return accreditations, participants, users


# --- writing ------------------------------------------------------------------------------------------

def meeting_now(meeting: Meeting) -> datetime:
    return datetime.now(ZoneInfo(meeting.timezone))


def meeting_today(meeting: Meeting) -> date:
    return meeting_now(meeting).date()


def change_effective_date(meeting: Meeting, effective_from: date | None = None) -> date:
    """When a change to an existing participant's membership takes effect (rule 4): the day after it
    is notified (a setting), and a change notified after the meeting's cut-off time counts as
    notified the next day."""
    if effective_from is not None:
        return effective_from
    now = meeting_now(meeting)
    cutoff = membership_cutoff_of(meeting)
    notified = now.date() + timedelta(days=1) if cutoff and now.time() > cutoff else now.date()
    return notified + timedelta(days=1) if setting(meeting, NEXT_DAY_SETTING) else notified


def _snapshot(p: Participant, rg_codes: dict[int, str]) -> dict[str, Any]:
    return {
        "group": p.group.value,
        "capacity": p.capacity.value,
        "member_state": p.member_state,
        "membership": _latest_membership(p).value,
        "roles": _office_codes(_existing_offices(p), rg_codes),
    }


def _new_account(actor: Any, meeting: Meeting, acc: Accreditation) -> User:
    user = User(email=acc.email, name=acc.name, locale="en", active=True, session_generation=1,
                is_staff=False, is_admin=False,
                password_hash=UNUSABLE_PASSWORD + secrets.token_urlsafe(24))
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, {"email": user.email, "source": "participant import"},
           meeting_id=meeting.id)
    return user


def import_participants(actor: Any, meeting: Meeting, data: bytes, *,
                        effective_from: date | None = None) -> ImportReport:
    """Accredit the participants listed in a CSV file (see the module docstring for the guarantees).

    New participants' membership is effective from `effective_from` or today (meeting time zone);
    changes to existing participants' membership from `effective_from` or, by default, the next day.
    """
    if not can_accredit_participants(actor, meeting):
        raise NotAllowed("Only the meeting secretariat accredits participants.")
    accreditations, participants, users = validate(actor, meeting, data)

    report = ImportReport()
    new_from = effective_from or meeting_today(meeting)
    change_from = change_effective_date(meeting, effective_from)
    rg_codes = {rg.id: rg.code for rg in db.session.scalars(sa.select(RegionalGroup))}
    pending: list[tuple[Group, dict[str, Any]]] = []  # notifications, sent once every row is written

    for acc in accreditations:
        _add_states(actor, meeting, acc, report)
        participant = participants.get(acc.email)
        if participant is None:
            user = users.get(acc.email)
            if user is None:
                user = _new_account(actor, meeting, acc)
                report.accounts_created += 1
            change = _accredit(actor, meeting, acc, user, new_from, rg_codes)
            report.created += 1
            report.changes.append(change)
            pending.append((acc.group, _note(change, "joined", user.name)))
        else:
            change = _update(actor, meeting, acc, participant, change_from, rg_codes)
            if change is None:
                report.unchanged += 1
                continue
            report.updated += 1
            report.changes.append(change)
            name = participant.user.name
            before_group = Group(change.fields["group"][0]) if "group" in change.fields else acc.group
            if before_group is not acc.group:
                pending.append((before_group, _note(change, "left", name)))
                pending.append((acc.group, _note(change, "joined", name)))
            else:
                pending.append((acc.group, _note(change, "updated", name)))

    if report.changed:
        secretaries: dict[Group, list[int]] = {}
        for group, data_ in pending:
            if group not in secretaries:
                secretaries[group] = group_secretary_ids(meeting, group)
            notify_group_secretaries(meeting, group, data_, secretaries[group])
        record(actor, "participants.import", meeting, {
            "sha256": hashlib.sha256(data).hexdigest(), "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "accounts_created": report.accounts_created,
            "states_added": [list(s) for s in report.states_added],
        }, meeting_id=meeting.id)
        realtime.bump_version(meeting)
        realtime.publish(realtime.room("meeting", meeting.id), "meeting.participants_changed",
                         {"meeting_id": meeting.id}, version=meeting.version)
    ensure_spaces(actor, meeting)
    forget_participations()
    return report


def _note(change: ParticipantChange, kind: str, name: str) -> dict[str, Any]:
    """The data of a membership.changed notification: codes only, rendered in the reader's language."""
    return {
        "participant": name,
        "email": change.email,
        "change": kind,
        "fields": {k: list(v) for k, v in change.fields.items()},
        "effective_from": change.effective_from.isoformat() if change.effective_from else None,
    }


def _add_states(actor: Any, meeting: Meeting, acc: Accreditation, report: ImportReport) -> None:
    """A Government row names its State's regional groups: add the State where it is missing."""
    if acc.group is not Group.government or acc.member_state is None:
        return
    for rg in acc.regional_groups:
        if acc.member_state in rg.state_codes:
            continue
        rg.states.append(RegionalGroupState(member_state=acc.member_state))
        report.states_added.append((rg.code, acc.member_state))
        record(actor, "regional_group.add_state", rg, {"code": rg.code, "member_state": acc.member_state},
               meeting_id=meeting.id)


def _accredit(actor: Any, meeting: Meeting, acc: Accreditation, user: User, effective_from: date,
              rg_codes: dict[int, str]) -> ParticipantChange:
    p = Participant(meeting_id=meeting.id, user_id=user.id, group=acc.group, capacity=acc.capacity,
                    member_state=acc.member_state, memberships=[], offices=[])
    db.session.add(p)
    db.session.flush()
    set_membership(actor, p, acc.membership, effective_from)
    for role, rg_id in sorted(acc.offices(), key=lambda o: (o[0].value, o[1] or 0)):
        p.offices.append(Office(meeting_id=meeting.id, role=role, regional_group_id=rg_id))
    db.session.flush()
    after = _snapshot(p, rg_codes)
    record(actor, "participant.accredit", p, {"email": acc.email, **after,
                                              "effective_from": effective_from.isoformat()},
           meeting_id=meeting.id)
    fields = {k: (None, v) for k, v in after.items() if v not in (None, [])}
    return ParticipantChange(acc.row, acc.email, user.name, "created", fields, effective_from)


def _update(actor: Any, meeting: Meeting, acc: Accreditation, p: Participant, effective_from: date,
            rg_codes: dict[int, str]) -> ParticipantChange | None:
    """Bring an existing participant in line with their row; offices are only added."""
    before = _snapshot(p, rg_codes)
    p.group, p.capacity, p.member_state = acc.group, acc.capacity, acc.member_state
    membership_changed = False
    if _latest_membership(p) is not acc.membership:
        membership_changed = set_membership(actor, p, acc.membership, effective_from)
    for role, rg_id in sorted(acc.offices() - _existing_offices(p), key=lambda o: (o[0].value, o[1] or 0)):
        p.offices.append(Office(meeting_id=meeting.id, role=role, regional_group_id=rg_id))
    after = _snapshot(p, rg_codes)
    fields = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if not fields:
        return None
    db.session.flush()
    when = effective_from if membership_changed else None
    record(actor, "participant.update", p, {
        "email": acc.email, "changes": {k: list(v) for k, v in fields.items()},
        "membership_effective_from": when.isoformat() if when else None,
    }, meeting_id=meeting.id)
    return ParticipantChange(acc.row, acc.email, p.user.name, "updated", fields, when)


# --- removal ------------------------------------------------------------------------------------------

def remove_participant(actor: Any, participant: Participant, reason: str) -> None:
    """Remove a participant from the meeting: explicit, with a reason, recorded (rule 10)."""
    if not can_remove_participant(actor, participant):
        if participant.user_id == getattr(actor, "id", None):
            raise NotAllowed("Nobody removes themselves from a meeting: ask another member of the secretariat.")
        if participant.removed_at is not None and can_restore_participant(actor, participant):
            raise InvalidState("This participant has already been removed.")
        raise NotAllowed("Only the meeting secretariat removes participants.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give a reason.", {"reason": ["Say why this participant is removed."]})
    if len(reason) > 500:
        raise ValidationFailed("Reason too long.", {"reason": ["Keep the reason under 500 characters."]})
    meeting = db.session.get(Meeting, participant.meeting_id)
    participant.removed_at = utcnow()
    record(actor, "participant.remove", participant, {
        "email": participant.user.email, "group": participant.group.value,
        "capacity": participant.capacity.value, "reason": reason,
    }, meeting_id=participant.meeting_id)
    notify_group_secretaries(meeting, participant.group, {
        "participant": participant.user.name, "email": participant.user.email, "change": "removed",
        "reason": reason, "fields": {}, "effective_from": None,
    })
    _changed(meeting)


def restore_participant(actor: Any, participant: Participant) -> None:
    """Undo a removal, recorded; the participant comes back as they were accredited."""
    if not can_restore_participant(actor, participant):
        if participant.removed_at is None and can_remove_participant(actor, participant):
            raise InvalidState("This participant has not been removed.")
        raise NotAllowed("Only the meeting secretariat restores participants.")
    meeting = db.session.get(Meeting, participant.meeting_id)
    removed_at = participant.removed_at
    participant.removed_at = None
    record(actor, "participant.restore", participant, {
        "email": participant.user.email, "removed_at": removed_at.isoformat(),
    }, meeting_id=participant.meeting_id)
    notify_group_secretaries(meeting, participant.group, {
        "participant": participant.user.name, "email": participant.user.email, "change": "restored",
        "fields": {}, "effective_from": None,
    })
    _changed(meeting)
    ensure_spaces(actor, meeting)


def _changed(meeting: Meeting) -> None:
    forget_participations()
    realtime.bump_version(meeting)
    realtime.publish(realtime.room("meeting", meeting.id), "meeting.participants_changed",
                     {"meeting_id": meeting.id}, version=meeting.version)


def first_secretariat(meeting: Meeting) -> User | None:
    """The default importer on the command line: the meeting's first secretariat participant."""
    return db.session.scalars(
        sa.select(User).join(Participant, Participant.user_id == User.id)
        .where(Participant.meeting_id == meeting.id, Participant.capacity == Capacity.secretariat,
               Participant.removed_at.is_(None), User.active.is_(True))
        .order_by(Participant.id)
    ).first()
