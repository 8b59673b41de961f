"""The programme of work (PROCEDURE.md rule 13): agenda items, sittings, deadlines, announcements.

The secretariat types wall-clock times in the meeting's time zone; they are stored as UTC
instants, so that a deadline is the same moment for a delegate in Nairobi and one in Geneva,
and a clock change in the night does not move it. Times the clocks skip or repeat are refused
rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from forum import realtime
from forum.audit.services import record
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import (
    AgendaItem,
    Announcement,
    Deadline,
    DeadlineKind,
    Meeting,
    Sitting,
    SittingState,
)
from forum.permissions import can_manage_programme

# How far from the meeting's own dates a deadline or an announcement may lie: written amendments
# are due before the meeting, corrections to the report weeks after it; further is a typo.
DAYS_AROUND_MEETING = 180
MAX_SITTING = timedelta(hours=24)
MAX_ANNOUNCEMENT = 2000

Errors = dict[str, list[str]]


# --- time -------------------------------------------------------------------------------------------

def meeting_zone(meeting: Meeting) -> ZoneInfo:
    try:
        return ZoneInfo(meeting.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed("The meeting's time zone is unknown; correct the meeting first.",
                               {"timezone": ["Unknown time zone."]}) from exc


def meeting_today(meeting: Meeting) -> date:
    return datetime.now(meeting_zone(meeting)).date()


def local_date(meeting: Meeting, instant: datetime) -> date:
    """The day of the meeting's calendar on which an instant falls."""
    return instant.astimezone(meeting_zone(meeting)).date()


def to_local_naive(meeting: Meeting, instant: datetime | None) -> datetime | None:
    """The wall-clock time in the meeting's zone, as a form shows it for editing."""
    if instant is None:
        return None
    return instant.astimezone(meeting_zone(meeting)).replace(tzinfo=None)


def to_utc(meeting: Meeting, value: datetime, field: str, errors: Errors) -> datetime | None:
    """A wall-clock time in the meeting's zone as a UTC instant, or None with an error for `field`.

    An aware datetime is taken as the instant it names. A naive one is read in the meeting's zone;
    a time that does not exist there (the clocks jump over it) or that occurs twice (the clocks go
    back) is refused, because guessing would put a deadline an hour off.
    """
    if not isinstance(value, datetime):
        errors.setdefault(field, []).append("Enter a date and time.")
        return None
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC)
    tz = meeting_zone(meeting)
    earlier = value.replace(tzinfo=tz, fold=0)
    later = value.replace(tzinfo=tz, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        round_trip = earlier.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != value:
            errors.setdefault(field, []).append(
                "This time does not exist in the meeting's time zone: the clocks go forward then.")
        else:
            errors.setdefault(field, []).append(
                "This time occurs twice in the meeting's time zone: the clocks go back then. "
                "Choose another time.")
        return None
    return earlier.astimezone(UTC)


def _meeting_window(meeting: Meeting) -> tuple[date, date] | None:
    if meeting.starts_on is None and meeting.ends_on is None:
        return None
    first = meeting.starts_on or meeting.ends_on
    last = meeting.ends_on or meeting.starts_on
    assert first is not None and last is not None
    return first, last


def _check_near_meeting(meeting: Meeting, day: date, field: str, errors: Errors) -> None:
    window = _meeting_window(meeting)
    if window is None:
        if not 2000 <= day.year <= 2100:
            errors.setdefault(field, []).append("Enter a date between 2000 and 2100.")
        return
    first, last = window
    if day < first - timedelta(days=DAYS_AROUND_MEETING) or day > last + timedelta(days=DAYS_AROUND_MEETING):
        errors.setdefault(field, []).append(
            f"The date must lie within {DAYS_AROUND_MEETING} days of the meeting's dates.")


def _check_on_meeting_days(meeting: Meeting, day: date, field: str, errors: Errors) -> None:
    window = _meeting_window(meeting)
    if window is None:
        _check_near_meeting(meeting, day, field, errors)
        return
    first, last = window
    if not first <= day <= last:
        errors.setdefault(field, []).append("A sitting must fall on one of the meeting's days.")


def _text(value: str | None, field: str, limit: int, errors: Errors, *, required: bool = True,
          missing: str = "Enter a title.") -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(missing)
    elif len(text) > limit:
        errors.setdefault(field, []).append(f"Use at most {limit} characters.")
    return text


def _raise(errors: Errors, message: str) -> None:
    if errors:
        raise ValidationFailed(message, errors)


# --- common tail of every change -----------------------------------------------------------------

def _require(actor: Any, meeting: Meeting) -> None:
    if not can_manage_programme(actor, meeting):
        raise NotAllowed("Only the meeting secretariat keeps the programme of work.")


def _changed(actor: Any, meeting: Meeting, action: str, obj: Any, payload: dict[str, Any],
             *, for_chair: bool = False) -> None:
    """Audit the change, bump the meeting's version and tell its room (after commit)."""
    record(actor, action, obj, payload, meeting_id=meeting.id, for_chair=for_chair)
    version = realtime.bump_version(meeting)
    subject, _, verb = action.partition(".")
    room = realtime.room("meeting", meeting.id)
    realtime.publish(room, "programme.changed", {"room": room, "meeting_id": meeting.id, "subject": subject,
                                                 "action": verb, "id": getattr(obj, "id", None)}, version=version)


# --- agenda items ----------------------------------------------------------------------------------

def _validate_agenda_item(meeting: Meeting, number: str, title: str, position: int | None,
                          item: AgendaItem | None = None) -> tuple[str, str, Errors]:
    errors: Errors = {}
    number = _text(number, "number", 20, errors, missing="Enter the item's number, e.g. 2 or 3(a).")
    title = _text(title, "title", 300, errors)
    if position is not None and position < 0:
        errors.setdefault("position", []).append("Use a position of 0 or more.")
    if number:
        clash = db.session.scalars(sa.select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.number == number,
            AgendaItem.id != (item.id if item else -1))).first()
        if clash is not None:
            errors.setdefault("number", []).append("Another agenda item has this number.")
    return number, title, errors


def add_agenda_item(actor: Any, meeting: Meeting, *, number: str, title: str,
                    position: int | None = None) -> AgendaItem:
    """Add an item to the agenda; without a position it goes last."""
    _require(actor, meeting)
    number, title, errors = _validate_agenda_item(meeting, number, title, position)
    _raise(errors, "The agenda item could not be added.")
    if position is None:
        last = db.session.scalar(sa.select(sa.func.max(AgendaItem.position))
                                 .where(AgendaItem.meeting_id == meeting.id))
        position = 0 if last is None else last + 1
    item = AgendaItem(meeting_id=meeting.id, number=number, title=title, position=position)
    db.session.add(item)
    db.session.flush()
    _changed(actor, meeting, "agenda_item.add", item, {"number": number, "title": title, "position": position})
    return item


def edit_agenda_item(actor: Any, item: AgendaItem, *, number: str, title: str,
                     position: int | None = None) -> AgendaItem:
    meeting = db.session.get(Meeting, item.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    number, title, errors = _validate_agenda_item(meeting, number, title, position, item)
    _raise(errors, "The agenda item could not be saved.")
    before = {"number": item.number, "title": item.title, "position": item.position}
    item.number, item.title = number, title
    if position is not None:
        item.position = position
    after = {"number": item.number, "title": item.title, "position": item.position}
    if after != before:
        _changed(actor, meeting, "agenda_item.edit", item, {"before": before, "after": after})
    return item


def delete_agenda_item(actor: Any, item: AgendaItem) -> None:
    """Remove an item; its sittings stay on the programme without it."""
    meeting = db.session.get(Meeting, item.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    payload = {"number": item.number, "title": item.title}
    for sitting in db.session.scalars(sa.select(Sitting).where(Sitting.agenda_item_id == item.id)):
        sitting.agenda_item_id = None
        sitting.agenda_item = None
    db.session.delete(item)
    db.session.flush()
    _changed(actor, meeting, "agenda_item.delete", item, payload)


# --- sittings --------------------------------------------------------------------------------------

def _validate_sitting(meeting: Meeting, title: str, starts_at: datetime | None, ends_at: datetime | None,
                      room: str, agenda_item_id: int | None) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "title": _text(title, "title", 200, errors),
        "room": _text(room, "room", 100, errors, required=False),
        "agenda_item_id": agenda_item_id or None,
    }
    start = to_utc(meeting, starts_at, "starts_at", errors) if starts_at is not None else None
    if starts_at is None:
        errors.setdefault("starts_at", []).append("Enter when the sitting starts.")
    end = to_utc(meeting, ends_at, "ends_at", errors) if ends_at is not None else None
    if start is not None:
        _check_on_meeting_days(meeting, local_date(meeting, start), "starts_at", errors)
    if start is not None and end is not None:
        if end <= start:
            errors.setdefault("ends_at", []).append("The sitting must end after it starts.")
        elif end - start > MAX_SITTING:
            errors.setdefault("ends_at", []).append("A sitting cannot last more than 24 hours.")
    if values["agenda_item_id"] is not None:
        item = db.session.get(AgendaItem, values["agenda_item_id"])
        if item is None or item.meeting_id != meeting.id:
            errors.setdefault("agenda_item_id", []).append("Choose an item of this meeting's agenda.")
    values["starts_at"], values["ends_at"] = start, end
    return values, errors


def _sitting_payload(sitting: Sitting) -> dict[str, Any]:
    return {"title": sitting.title, "starts_at": sitting.starts_at.isoformat(),
            "ends_at": sitting.ends_at.isoformat() if sitting.ends_at else None,
            "room": sitting.room, "agenda_item_id": sitting.agenda_item_id}


def schedule_sitting(actor: Any, meeting: Meeting, *, title: str, starts_at: datetime,
                     ends_at: datetime | None = None, room: str = "",
                     agenda_item_id: int | None = None) -> Sitting:
    """Put a sitting on the programme; it stays `scheduled` until the live sittings open it."""
    _require(actor, meeting)
    values, errors = _validate_sitting(meeting, title, starts_at, ends_at, room, agenda_item_id)
    _raise(errors, "The sitting could not be scheduled.")
    sitting = Sitting(meeting_id=meeting.id, state=SittingState.scheduled, **values)
    db.session.add(sitting)
    db.session.flush()
    _changed(actor, meeting, "sitting.schedule", sitting, _sitting_payload(sitting))
    return sitting


def _require_scheduled(sitting: Sitting) -> None:
    if sitting.state is not SittingState.scheduled:
        raise InvalidState("This sitting has begun; it can no longer be changed here.")


def edit_sitting(actor: Any, sitting: Sitting, *, title: str, starts_at: datetime,
                 ends_at: datetime | None = None, room: str = "", agenda_item_id: int | None = None) -> Sitting:
    meeting = db.session.get(Meeting, sitting.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    _require_scheduled(sitting)
    values, errors = _validate_sitting(meeting, title, starts_at, ends_at, room, agenda_item_id)
    _raise(errors, "The sitting could not be saved.")
    before = _sitting_payload(sitting)
    for name, value in values.items():
        setattr(sitting, name, value)
    sitting.version = (sitting.version or 0) + 1
    db.session.flush()
    after = _sitting_payload(sitting)
    if after != before:
        _changed(actor, meeting, "sitting.edit", sitting, {"before": before, "after": after})
    return sitting


def cancel_sitting(actor: Any, sitting: Sitting) -> None:
    """Take a sitting that has not begun off the programme; the audit log keeps what it was."""
    meeting = db.session.get(Meeting, sitting.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    _require_scheduled(sitting)
    payload = _sitting_payload(sitting)
    db.session.delete(sitting)
    db.session.flush()
    _changed(actor, meeting, "sitting.cancel", sitting, payload)


# --- deadlines -------------------------------------------------------------------------------------

def _deadline_payload(deadline: Deadline) -> dict[str, Any]:
    return {"kind": deadline.kind.value, "title": deadline.title, "due_at": deadline.due_at.isoformat()}


def _validate_deadline(meeting: Meeting, kind: DeadlineKind | str, title: str,
                       due_at: datetime | None) -> tuple[DeadlineKind | None, str, datetime | None, Errors]:
    errors: Errors = {}
    try:
        kind_value = DeadlineKind(kind)
    except ValueError:
        kind_value = None
        errors["kind"] = ["Choose amendments, sub-amendments, corrections to the report or other."]
    title = _text(title, "title", 200, errors)
    due = None
    if due_at is None:
        errors.setdefault("due_at", []).append("Enter when the deadline falls.")
    else:
        due = to_utc(meeting, due_at, "due_at", errors)
        if due is not None:
            _check_near_meeting(meeting, local_date(meeting, due), "due_at", errors)
    return kind_value, title, due, errors


def set_deadline(actor: Any, meeting: Meeting, *, kind: DeadlineKind | str, title: str,
                 due_at: datetime) -> Deadline:
    """Set a deadline at an absolute time, typed in the meeting's zone."""
    _require(actor, meeting)
    kind_value, title, due, errors = _validate_deadline(meeting, kind, title, due_at)
    _raise(errors, "The deadline could not be set.")
    assert kind_value is not None and due is not None
    deadline = Deadline(meeting_id=meeting.id, kind=kind_value, title=title, due_at=due,
                        original_due_at=None, extension_note="")
    db.session.add(deadline)
    db.session.flush()
    _changed(actor, meeting, "deadline.set", deadline, _deadline_payload(deadline))
    return deadline


def edit_deadline(actor: Any, deadline: Deadline, *, kind: DeadlineKind | str, title: str,
                  due_at: datetime) -> Deadline:
    """Correct a deadline. Once extended, its time moves only by another recorded extension."""
    meeting = db.session.get(Meeting, deadline.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    kind_value, title, due, errors = _validate_deadline(meeting, kind, title, due_at)
    if due is not None and deadline.original_due_at is not None and due != deadline.due_at:
        errors.setdefault("due_at", []).append(
            "This deadline has been extended; record a further extension instead of editing its time.")
    _raise(errors, "The deadline could not be saved.")
    assert kind_value is not None and due is not None
    before = _deadline_payload(deadline)
    deadline.kind, deadline.title, deadline.due_at = kind_value, title, due
    after = _deadline_payload(deadline)
    if after != before:
        _changed(actor, meeting, "deadline.edit", deadline, {"before": before, "after": after})
    return deadline


def extend_deadline(actor: Any, deadline: Deadline, *, due_at: datetime, note: str = "",
                    granted_by_chair: bool = False) -> Deadline:
    """Move a deadline later, keeping the first time it was set and why it moved (rule 13).

    An extension granted by the Chairperson is recorded by the secretariat on the Chair's behalf.
    """
    meeting = db.session.get(Meeting, deadline.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    errors: Errors = {}
    note = _text(note, "note", 300, errors, required=False)
    due = to_utc(meeting, due_at, "due_at", errors) if due_at is not None else None
    if due_at is None:
        errors.setdefault("due_at", []).append("Enter the new time of the deadline.")
    if due is not None:
        if due <= deadline.due_at:
            errors.setdefault("due_at", []).append("An extension must move the deadline later.")
        else:
            _check_near_meeting(meeting, local_date(meeting, due), "due_at", errors)
    _raise(errors, "The deadline could not be extended.")
    assert due is not None
    previous = deadline.due_at
    if deadline.original_due_at is None:
        deadline.original_due_at = previous
    deadline.due_at = due
    deadline.extension_note = note
    deadline.extension_by_chair = bool(granted_by_chair)
    _changed(actor, meeting, "deadline.extend", deadline, {
        "kind": deadline.kind.value, "title": deadline.title, "from": previous.isoformat(),
        "to": due.isoformat(), "original": deadline.original_due_at.isoformat(),
        "note": note, "granted_by_chair": bool(granted_by_chair),
    }, for_chair=bool(granted_by_chair))
    return deadline


def delete_deadline(actor: Any, deadline: Deadline) -> None:
    meeting = db.session.get(Meeting, deadline.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    payload = _deadline_payload(deadline)
    db.session.delete(deadline)
    db.session.flush()
    _changed(actor, meeting, "deadline.delete", deadline, payload)


# --- announcements ---------------------------------------------------------------------------------

def post_announcement(actor: Any, meeting: Meeting, *, day: date, body: str) -> Announcement:
    """Add a line to the bulletin of a day of the meeting's calendar."""
    _require(actor, meeting)
    errors: Errors = {}
    body = _text(body, "body", MAX_ANNOUNCEMENT, errors, missing="Write the announcement.")
    if not isinstance(day, date):
        errors.setdefault("day", []).append("Choose a day.")
    else:
        _check_near_meeting(meeting, day, "day", errors)
    _raise(errors, "The announcement could not be posted.")
    announcement = Announcement(meeting_id=meeting.id, day=day, body=body, created_by_id=getattr(actor, "id", None))
    db.session.add(announcement)
    db.session.flush()
    _changed(actor, meeting, "announcement.post", announcement, {"day": day.isoformat(), "body": body})
    return announcement


def delete_announcement(actor: Any, announcement: Announcement) -> None:
    meeting = db.session.get(Meeting, announcement.meeting_id)
    assert meeting is not None
    _require(actor, meeting)
    payload = {"day": announcement.day.isoformat(), "body": announcement.body}
    db.session.delete(announcement)
    db.session.flush()
    _changed(actor, meeting, "announcement.delete", announcement, payload)
