"""Changes to meetings: creation with their spaces, participants, memberships, the programme."""

from __future__ import annotations

import functools
from datetime import date, time
from typing import Any
from zoneinfo import available_timezones

import pycountry
import sqlalchemy as sa

from forum import realtime
from forum.audit.services import record
from forum.errors import NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import (
    BodyType,
    Capacity,
    Group,
    Meeting,
    Membership,
    MembershipKind,
    Participant,
    QuorumRule,
    RegionalGroup,
    Space,
    SpaceKind,
    WeightingMode,
)
from forum.permissions import can_create_meeting

GROUP_SPACE_NAMES = {
    Group.government: "Government group",
    Group.employer: "Employers' group",
    Group.worker: "Workers' group",
}
LANGUAGES = ("en", "fr", "es")


def state_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


@functools.cache
def known_time_zones() -> frozenset[str]:
    """IANA names only: ZoneInfo() alone would take "Europe" (a folder) and fail with an OSError."""
    return frozenset(available_timezones())


def validate_meeting_fields(title: str, symbol_prefix: str, languages: list[str], timezone: str) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Enter a title."]
    if not symbol_prefix.strip() or any(c.isspace() for c in symbol_prefix.strip()):
        errors["symbol_prefix"] = ["Enter a symbol prefix without spaces, e.g. TTMLM/2027."]
    if not languages or any(code not in LANGUAGES for code in languages):
        errors["languages"] = ["Choose at least one of English, French and Spanish."]
    if timezone not in known_time_zones():
        errors["timezone"] = ["Unknown time zone; use a name such as Europe/Zurich."]
    if errors:
        raise ValidationFailed("The meeting could not be saved.", errors)


def create_meeting(actor: Any, *, title: str, symbol_prefix: str, languages: list[str],
                   timezone: str, body_type: BodyType = BodyType.committee,
                   weighting_mode: WeightingMode = WeightingMode.equal_strength,
                   quorum_rule: QuorumRule = QuorumRule.committee, starts_on: date | None = None,
                   ends_on: date | None = None, venue: str = "", quorum_fraction: float | None = None) -> Meeting:
    """Create a meeting, its spaces, and make its creator the first of its secretariat.

    `quorum_fraction` (0 < q <= 1) is the share of the voting members a committee quorum needs
    (setting `quorum_fraction`, read by forum/positions/weights.py; default one half)."""
    if not can_create_meeting(actor):
        raise NotAllowed("Only staff can create meetings.")
    validate_meeting_fields(title, symbol_prefix, languages, timezone)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed("Dates out of order.", {"ends_on": ["The meeting cannot end before it starts."]})
    settings: dict[str, Any] = {}
    if quorum_fraction is not None:
        if quorum_rule is not QuorumRule.committee or not 0 < quorum_fraction <= 1:
            raise ValidationFailed("The quorum could not be accepted.", {"quorum_fraction": [
                "A committee quorum is a fraction of the voting members, more than 0 and at most 1."]})
        settings["quorum_fraction"] = float(quorum_fraction)
    meeting = Meeting(
        title=title.strip(), symbol_prefix=symbol_prefix.strip(), languages=",".join(languages),
        timezone=timezone, body_type=body_type, weighting_mode=weighting_mode, quorum_rule=quorum_rule,
        starts_on=starts_on, ends_on=ends_on, venue=venue.strip(), created_by_id=actor.id, settings=settings,
    )
    db.session.add(meeting)
    db.session.flush()
    creator = Participant(meeting_id=meeting.id, user_id=actor.id, group=Group.none,
                          capacity=Capacity.secretariat)
    db.session.add(creator)
    db.session.flush()
    record(actor, "meeting.create", meeting, {"title": meeting.title, "symbol_prefix": meeting.symbol_prefix,
                                              "quorum": quorum_rule.value, **settings}, meeting_id=meeting.id)
    ensure_spaces(actor, meeting)
    return meeting


def ensure_spaces(actor: Any, meeting: Meeting) -> list[Space]:
    """Create the spaces a meeting needs and does not have yet (idempotent).

    The plenary, a caucus per group and the officers' room always; a room per regional group
    with a State among the participants, and a delegation room per State represented.
    """
    existing = list(db.session.scalars(sa.select(Space).where(Space.meeting_id == meeting.id)))
    have = {(s.kind, s.group, s.regional_group_id, s.member_state) for s in existing}
    wanted: list[Space] = [
        Space(kind=SpaceKind.plenary, name="Plenary"),
        *(Space(kind=SpaceKind.group, group=g, name=name) for g, name in GROUP_SPACE_NAMES.items()),
        Space(kind=SpaceKind.officers, name="Officers' room"),
    ]
    states = set(db.session.scalars(
        sa.select(Participant.member_state).where(
            Participant.meeting_id == meeting.id, Participant.member_state.is_not(None),
            Participant.group == Group.government, Participant.removed_at.is_(None),
        )
    ))
    for rg in db.session.scalars(sa.select(RegionalGroup).order_by(RegionalGroup.code)):
        if rg.state_codes & states:
            wanted.append(Space(kind=SpaceKind.regional, regional_group_id=rg.id, name=rg.name))
    for code in sorted(states):
        wanted.append(Space(kind=SpaceKind.delegation, member_state=code,
                            name=f"Delegation of {state_name(code)}"))
    created = []
    for space in wanted:
        if (space.kind, space.group, space.regional_group_id, space.member_state) in have:
            continue
        space.meeting_id = meeting.id
        db.session.add(space)
        created.append(space)
    if created:
        db.session.flush()
        for space in created:
            record(actor, "space.create", space, {"kind": space.kind.value, "name": space.name},
                   meeting_id=meeting.id)
        realtime.bump_version(meeting)
        realtime.publish(realtime.room("meeting", meeting.id), "meeting.spaces_changed",
                         {"meeting_id": meeting.id}, version=meeting.version)
    return created


def default_membership(capacity: Capacity) -> MembershipKind:
    return MembershipKind.regular if capacity is Capacity.delegate else MembershipKind.none


def set_membership(actor: Any, participant: Participant, kind: MembershipKind, effective_from: date) -> bool:
    """Record a membership change effective from a date; nothing if it is already in force."""
    if participant.membership_on(effective_from) is kind and participant.memberships:
        return False
    participant.memberships.append(
        Membership(kind=kind, effective_from=effective_from, recorded_by_id=getattr(actor, "id", None))
    )
    return True


# Settings the secretariat switches on the meeting's settings page (rules 4 and 9).
SETTINGS = {
    "participants_share_in_plenary": False,  # participants may share working files in the plenary
    "membership_effective_next_day": True,  # membership changes notified today take effect tomorrow
    "ballot_changes_allowed": False,  # rule 30: a voter may change a record or show-of-hands ballot while open
}


def setting(meeting: Meeting, name: str) -> bool:
    return bool((meeting.settings or {}).get(name, SETTINGS[name]))


# Rule 4's cut-off: a membership change notified after this time of day (the meeting's zone) counts as
# notified the next day. Stored as "HH:MM" in the settings; absent means the day ends at midnight.
CUTOFF_SETTING = "membership_cutoff"


def membership_cutoff_of(meeting: Meeting) -> time | None:
    value = (meeting.settings or {}).get(CUTOFF_SETTING)
    return time.fromisoformat(value) if value else None


_UNCHANGED: Any = object()


def update_meeting(actor: Any, meeting: Meeting, *, title: str, venue: str, starts_on: date | None,
                   ends_on: date | None, settings: dict[str, bool], membership_cutoff: Any = _UNCHANGED) -> None:
    """Edit what a meeting can change once it exists; symbol prefix, zone and languages stay fixed.

    `membership_cutoff`: a `time` (minutes only) or None for none; left as it is when not given."""
    from forum.permissions import can_manage_meeting

    if not can_manage_meeting(actor, meeting):
        raise NotAllowed("Only the meeting secretariat changes the meeting.")
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Enter a title."]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = ["The meeting cannot end before it starts."]
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        errors["settings"] = [f"Unknown setting: {', '.join(sorted(unknown))}."]
    if membership_cutoff is not _UNCHANGED and membership_cutoff is not None and (
            not isinstance(membership_cutoff, time) or membership_cutoff.second or membership_cutoff.microsecond
            or membership_cutoff.tzinfo is not None):
        errors[CUTOFF_SETTING] = ["Give a time of day in hours and minutes, e.g. 18:00."]
    if errors:
        raise ValidationFailed("The meeting could not be saved.", errors)

    def state() -> dict[str, Any]:
        cutoff = membership_cutoff_of(meeting)
        return {"title": meeting.title, "venue": meeting.venue, "starts_on": meeting.starts_on,
                "ends_on": meeting.ends_on, **{k: setting(meeting, k) for k in SETTINGS},
                CUTOFF_SETTING: cutoff.strftime("%H:%M") if cutoff else None}

    before = state()
    meeting.title, meeting.venue = title.strip(), venue.strip()
    meeting.starts_on, meeting.ends_on = starts_on, ends_on
    values: dict[str, Any] = {**(meeting.settings or {}), **{k: bool(v) for k, v in settings.items()}}
    if membership_cutoff is not _UNCHANGED:
        values.pop(CUTOFF_SETTING, None)
        if membership_cutoff is not None:
            values[CUTOFF_SETTING] = membership_cutoff.strftime("%H:%M")
    meeting.settings = values
    after = state()
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        return
    record(actor, "meeting.update", meeting, changed, meeting_id=meeting.id)
    realtime.bump_version(meeting)
    realtime.publish(realtime.room("meeting", meeting.id), "meeting.changed",
                     {"room": realtime.room("meeting", meeting.id), "meeting_id": meeting.id},
                     version=meeting.version)
