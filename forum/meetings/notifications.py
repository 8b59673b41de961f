"""Notifications: stored as a code and data, rendered in the reader's language when shown.

Group secretaries are told of every change to their group's membership (PROCEDURE.md rule 7);
`describe()` turns each stored code into a translated sentence.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from babel.dates import format_date
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from forum import labels, realtime
from forum.db import utcnow
from forum.extensions import db
from forum.meetings import queries
from forum.meetings.models import Capacity, Group, Meeting, Notification, OfficeRole, Participant
from forum.meetings.services import state_name

MEMBERSHIP_CHANGED = "membership.changed"
# Other modules describe their own codes: code -> function(data) -> sentence in the reader's language.
DESCRIBERS: dict[str, Any] = {}
MENTIONED = "discussion.mention"  # data: author, thread_title, meeting_id, space_id, thread_id, post_id


def notify(user_id: int, meeting_id: int | None, code: str, data: dict[str, Any]) -> Notification:
    """Store a notification and tell the user's open pages (after commit)."""
    note = Notification(user_id=user_id, meeting_id=meeting_id, code=code, data=data)
    db.session.add(note)
    realtime.publish(realtime.room("user", user_id), "notification.created",
                     {"code": code, "meeting_id": meeting_id})
    return note


def group_secretary_ids(meeting: Meeting, group: Group) -> list[int]:
    """The users holding the group_secretary office of `group` (none for participants without a group)."""
    if group is Group.none:
        return []
    db.session.flush()
    stmt = queries.holders(meeting.id, OfficeRole.group_secretary, group).with_only_columns(
        Participant.user_id).distinct()
    return list(db.session.scalars(stmt))


def notify_group_secretaries(meeting: Meeting, group: Group, data: dict[str, Any],
                             recipients: list[int] | None = None) -> int:
    """Tell each group secretary of `group` about a change to its membership (rule 7)."""
    if recipients is None:
        recipients = group_secretary_ids(meeting, group)
    for user_id in recipients:
        notify(user_id, meeting.id, MEMBERSHIP_CHANGED, {**data, "group": group.value})
    return len(recipients)


def notifications_of_user(user_id: int) -> sa.Select:
    return (
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


def mark_all_read(user: Any) -> int:
    """Mark the user's unread notifications read; returns how many there were."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


# --- rendering ------------------------------------------------------------------------------------

def membership_label(code: str | None) -> str:
    if code == "regular":
        return _("regular member")
    if code == "deputy":
        return _("deputy member")
    return _("not a member")


def value_label(field: str, value: Any) -> str:
    """A stored code (group, capacity, State, membership, offices) in the reader's words."""
    if value in (None, "", []):
        return "—"
    if field == "group" and value in Group._value2member_map_:
        return labels.group_label(Group(value))
    if field == "capacity" and value in Capacity._value2member_map_:
        return labels.capacity_label(Capacity(value))
    if field == "member_state":
        return state_name(value)
    if field == "membership":
        return membership_label(value)
    if field == "roles":
        return ", ".join(_office(v) for v in value)
    return str(value)


def _office(code: str) -> str:
    """Offices are stored as `role` or `role:REGIONAL_GROUP`."""
    role, _sep, rg = code.partition(":")
    try:
        label = labels.office_label(OfficeRole(role))
    except ValueError:
        label = role
    return f"{label} ({rg})" if rg else label


def field_label(field: str) -> str:
    return {
        "group": _("group"), "capacity": _("capacity"), "member_state": _("member State"),
        "membership": _("membership"), "roles": _("offices"),
    }.get(field, field)


def _date(value: str | None) -> str:
    if not value:
        return ""
    return format_date(date.fromisoformat(value), "long", locale=get_locale() or "en")


def describe_changes(fields: dict[str, Any], *, skip: tuple[str, ...] = ()) -> str:
    """`capacity: delegate → adviser; offices: Spokesperson` (a new value alone when there was none)."""
    parts = []
    for field, (before, after) in fields.items():
        if field in skip:
            continue
        if before is None:
            parts.append(_("%(field)s: %(value)s", field=field_label(field), value=value_label(field, after)))
        else:
            parts.append(_("%(field)s: %(before)s → %(after)s", field=field_label(field),
                           before=value_label(field, before), after=value_label(field, after)))
    return "; ".join(parts)


def describe(note: Notification) -> str:
    """The notification as a sentence in the reader's language."""
    data = note.data or {}
    if note.code == MENTIONED:
        return _("%(author)s mentioned you in the discussion “%(title)s”.", author=data.get("author", ""),
                 title=data.get("thread_title", ""))
    if note.code in DESCRIBERS:
        return DESCRIBERS[note.code](data)
    if note.code != MEMBERSHIP_CHANGED:
        return note.code
    name = data.get("participant", "")
    group = labels.group_label(Group(data["group"])) if data.get("group") in Group._value2member_map_ else ""
    change = data.get("change")
    # Joining or leaving is said by the sentence itself; the details say the rest.
    details = describe_changes(data.get("fields") or {}, skip=("group",) if change in ("joined", "left") else ())
    effective = _date(data.get("effective_from"))
    if change == "joined":
        text = _("%(name)s joined the %(group)s.", name=name, group=group)
    elif change == "left":
        text = _("%(name)s left the %(group)s.", name=name, group=group)
    elif change == "removed":
        text = _("%(name)s was removed from the meeting (%(group)s). Reason: %(reason)s",
                 name=name, group=group, reason=data.get("reason", ""))
    elif change == "restored":
        text = _("%(name)s was restored to the meeting (%(group)s).", name=name, group=group)
    else:
        text = _("The accreditation of %(name)s (%(group)s) changed.", name=name, group=group)
    if details:
        text += " " + details + "."
    if effective:
        text += " " + _("Membership effective from %(date)s.", date=effective)
    return text


def link(note: Notification) -> str | None:
    """Where the notification leads, if anywhere (the page checks access again)."""
    data = note.data or {}
    if note.code == MENTIONED and all(isinstance(data.get(k), int) for k in
                                      ("meeting_id", "space_id", "thread_id", "post_id")):
        return url_for("discussions.go_to_post", meeting_id=data["meeting_id"], space_id=data["space_id"],
                       thread_id=data["thread_id"], post_id=data["post_id"])
    return None
