"""Recording group positions (rule 27) and attributed Government statements (rule 28).

Each service checks the permission, writes, appends the audit entry and queues the live events
(`position.changed` / `statement.added` in the draft's room, and an `update` in the sitting's when
one is named); none commits. Re-recording what is already recorded changes nothing. There is no
function here, nor anywhere, that turns Government statements into one Government position.
"""

from __future__ import annotations

from typing import Any

import pycountry
import sqlalchemy as sa

from forum import permissions
from forum.audit.services import record
from forum.db import utcnow
from forum.drafting import diff
from forum.drafting.drafts import actor_name
from forum.drafting.events import publish_draft
from forum.drafting.models import Draft
from forum.errors import InvalidState, NotAllowed, ValidationFailed
from forum.extensions import db
from forum.meetings.models import Sitting
from forum.positions import queries
from forum.positions.items import ItemRef
from forum.positions.models import GROUP_HOLDERS, Position, PositionChange, Stance, Statement

MAX_POSITION_STATEMENT = 500
MAX_STATEMENT_TEXT = 1000
STANCE_CHOICES = "support, oppose, reserve or none"


def parse_stance(value: Any) -> Stance:
    try:
        return Stance(value)
    except ValueError as exc:
        raise ValidationFailed("Unknown stance.", {"stance": [f"Choose {STANCE_CHOICES}."]}) from exc


def _text(value: Any, field: str, limit: int) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed("The text could not be read.", {field: ["Enter text."]})
    text = diff.normalise(value or "")
    if len(text) > limit:
        raise ValidationFailed("The text is too long.", {field: [f"Use at most {limit:,} characters."]})
    return text


def _check_item(item: ItemRef) -> None:
    if not item.draft.open_for_amendments:
        raise InvalidState("Positions are recorded while the draft is open for amendments.")
    if item.amendment is not None and not item.amendment.is_circulated:
        raise InvalidState("Positions are recorded on circulated amendments only.")


def _check_sitting(item: ItemRef, sitting: Sitting | None) -> None:
    if sitting is not None and sitting.meeting_id != item.meeting_id:
        raise ValidationFailed("That sitting is not one of this meeting's.", {"sitting": ["Choose a sitting."]})


def _holder(item: ItemRef, group: Any) -> tuple[str, Any]:
    """`employer`, `worker` or a regional group's code, with the regional group (or None)."""
    if not isinstance(group, str) or not group:
        raise ValidationFailed("Name the group.", {"group": ["Choose the Employers', the Workers' or a regional "
                                                             "group."]})
    if group in GROUP_HOLDERS:
        return group, None
    regional = queries.regional_group_by_code(group)
    if regional is None:
        raise ValidationFailed("Unknown group.", {"group": ["Choose the Employers', the Workers' or a regional "
                                                            "group."]})
    return regional.code, regional


def _lock_draft(item: ItemRef) -> None:
    """Writers on one draft's positions take its row in turn (PostgreSQL), so that two identical
    submissions at the same moment find each other instead of colliding on the unique key."""
    db.session.execute(sa.select(Draft.id).where(Draft.id == item.draft.id).with_for_update())


def item_payload(item: ItemRef) -> dict[str, Any]:
    cols = item.columns()
    return {"item": {"kind": item.kind, "id": item.id}, "paragraph_id": cols["paragraph_id"],
            "amendment_id": cols["amendment_id"]}


def record_position(actor: Any, item: ItemRef, *, group: str, stance: str, statement: str = "",
                    sitting: Sitting | None = None, stated_by: Any = None) -> Position:
    """Record a group's one current position on an item; the change is kept in its history.

    The group's spokesperson or secretary (a regional group's coordinator) records it in the group's
    name; the secretariat may take note of it in the sitting (`for_chair`, its own name kept as the
    recorder, and `stated_by` naming who spoke, if given).
    """
    holder, regional = _holder(item, group)
    p = permissions.participation(actor, item.meeting_id)
    if not permissions.can_record_position(actor, item, holder):
        _check_item(item)
        raise NotAllowed("Only the group's spokesperson or secretary (a regional group's coordinator), or the "
                         "secretariat taking note in the sitting, records its position.")
    _check_item(item)
    _check_sitting(item, sitting)
    chosen = parse_stance(stance)
    text = _text(statement, "statement", MAX_POSITION_STATEMENT)
    for_chair = holder not in permissions.position_holders(p)  # the secretariat taking note
    speaker = p if not for_chair else stated_by
    if for_chair and stated_by is not None and (stated_by.meeting_id != item.meeting_id
                                                or holder not in permissions.position_holders(stated_by)):
        raise ValidationFailed("Name who stated the position.",
                               {"stated_by": ["Choose the group's spokesperson, secretary or coordinator."]})
    _lock_draft(item)
    position = queries.position_of(item, holder)
    if position is not None and position.stance is chosen and position.statement == text:
        return position  # recorded already: a second submission changes nothing
    previous = position.stance if position is not None else None
    now = utcnow()
    if position is None:
        position = Position(**item.columns(), item_key=queries.key_of(item), holder=holder,
                            regional_group_id=regional.id if regional is not None else None, stance=chosen)
        db.session.add(position)
    position.stance = chosen
    position.statement = text
    position.stated_by_id = speaker.id if speaker is not None else None
    position.stated_by_name = speaker.user.name if speaker is not None else ""
    position.recorded_by_id = actor.id
    position.recorded_by_name = actor_name(actor)
    position.for_chair = for_chair
    position.sitting_id = sitting.id if sitting is not None else None
    position.updated_at = now
    db.session.flush()
    db.session.add(PositionChange(
        position_id=position.id, previous_stance=previous, stance=chosen, statement=text,
        stated_by_id=position.stated_by_id, stated_by_name=position.stated_by_name, recorded_by_id=actor.id,
        recorded_by_name=position.recorded_by_name, for_chair=for_chair, sitting_id=position.sitting_id,
        created_at=now))
    data = {**item_payload(item), "group": holder, "stance": chosen.value,
            "previous": previous.value if previous else None, "for_chair": for_chair}
    record(actor, "position.record", position, {**data, "label": item.label, "statement": text,
                                                "sitting_id": position.sitting_id},
           meeting_id=item.meeting_id, for_chair=for_chair)
    publish_draft(item.draft, "position.changed", data)
    if sitting is not None:
        from forum.meetings.live import publish_sitting_update

        publish_sitting_update(sitting, "position_recorded", data)
    return position


def _member_state(value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationFailed("Unknown State.", {"member_state": ["Choose a member State."]})
    return code


def add_statement(actor: Any, item: ItemRef, *, member_state: str, stance: str, regional_group: str | None = None,
                  text: str = "", sitting: Sitting | None = None) -> Statement:
    """Record what a Government said, attributed to its State (and the regional group it spoke for).

    A State's own participants record its statements; a coordinator those of a member State of its
    regional group, in the group's name; the secretariat any, taking note in the sitting. A
    statement for another State is refused and nothing changes.
    """
    state = _member_state(member_state)
    regional = None
    if regional_group not in (None, ""):
        if not isinstance(regional_group, str) or (regional := queries.regional_group_by_code(regional_group)) is None:
            raise ValidationFailed("Unknown regional group.", {"regional_group": ["Choose a regional group."]})
        if state not in regional.state_codes:
            raise ValidationFailed("That State is not a member of that regional group.",
                                   {"regional_group": ["Choose a regional group the State belongs to."]})
    code = regional.code if regional is not None else None
    if not permissions.can_add_statement(actor, item, state, code):
        _check_item(item)
        raise NotAllowed("You may record statements of your own State only (a coordinator: of the group's member "
                         "States, on its behalf; the secretariat: of any State).")
    _check_item(item)
    _check_sitting(item, sitting)
    chosen = parse_stance(stance)
    words = _text(text, "text", MAX_STATEMENT_TEXT)
    _lock_draft(item)
    latest = next((s for s in reversed(queries.statements_for_item(item)) if s.member_state == state), None)
    if latest is not None and (latest.regional_group_id, latest.stance, latest.text) == (
            regional.id if regional is not None else None, chosen, words):
        return latest  # the same statement again: a double submission changes nothing
    p = permissions.participation(actor, item.meeting_id)
    for_chair = bool(p is not None and p.is_secretariat)
    statement = Statement(**item.columns(), member_state=state, regional_group_id=regional.id if regional else None,
                          stance=chosen, text=words, recorded_by_id=actor.id, recorded_by_name=actor_name(actor),
                          for_chair=for_chair, sitting_id=sitting.id if sitting is not None else None)
    db.session.add(statement)
    db.session.flush()
    data = {**item_payload(item), "statement_id": statement.id, "member_state": state, "regional_group": code,
            "stance": chosen.value, "for_chair": for_chair}
    record(actor, "statement.add", statement, {**data, "label": item.label, "text": words,
                                               "sitting_id": statement.sitting_id},
           meeting_id=item.meeting_id, for_chair=for_chair)
    publish_draft(item.draft, "statement.added", data)
    if sitting is not None:
        from forum.meetings.live import publish_sitting_update

        publish_sitting_update(sitting, "statement_recorded", data)
    return statement
