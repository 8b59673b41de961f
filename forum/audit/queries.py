"""Reads of the audit log, and the redaction every reader of a meeting's log goes through.

Redaction (PROCEDURE.md rule 11): an entry naming a space the reader does not belong to keeps
only its sequence number and time; its actor, action, object, space and payload never leave
this module. Filters obey one rule: **a filter only tests what the reader can see of an entry**.
The date filters test the time, which a redacted row shows, so they apply to every entry; the
actor, action and object filters test hidden fields, so while any of them is set redacted entries
are left out altogether, whatever they contain. A result set (its rows, its count, its pages) is
then the same whether or not a hidden entry would have matched, and cannot be used as an oracle.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from forum.accounts.models import User
from forum.audit.models import AuditChain, AuditEntry
from forum.audit.services import chain_key
from forum.extensions import db


@dataclass(frozen=True)
class LogFilters:
    actor: str = ""  # part of the actor's email or name, any case
    action: str = ""  # an action or its prefix: "user." matches "user.login"
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None  # days in the meeting's time zone, both ends included
    date_to: date | None = None
    timezone: str = "UTC"

    @property
    def tests_hidden_fields(self) -> bool:
        return bool(self.actor or self.action or self.object_type or self.object_id)


@dataclass(frozen=True)
class LogRow:
    """One entry as a given reader may see it; a redacted row carries nothing but seq and time."""

    seq: int
    created_at: datetime
    redacted: bool
    actor: str = ""
    actor_name: str = ""
    for_chair: bool = False
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    space_id: int | None = None
    payload: str = ""


# The days a filter can name: a zone offset at either end of the calendar would step outside what a
# datetime can hold (0001-01-01 in Zurich is 0000-12-31 in UTC), and the end date is taken + 1 day.
_FIRST_DAY, _LAST_DAY = date(1, 1, 2), date(9999, 12, 31)


def _day_start(day: date, tz: str) -> datetime:
    day = min(max(day, _FIRST_DAY), _LAST_DAY)
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _visible(visible_space_ids: Collection[int]) -> sa.ColumnElement[bool]:
    return sa.or_(AuditEntry.space_id.is_(None), AuditEntry.space_id.in_(list(visible_space_ids)))


def meeting_log(meeting_id: int, visible_space_ids: Collection[int],
                filters: LogFilters | None = None) -> sa.Select:
    """The meeting's entries matching `filters`, newest first, under the filter rule above."""
    filters = filters or LogFilters()
    stmt = (
        sa.select(AuditEntry)
        .join(AuditChain, AuditEntry.chain_id == AuditChain.id)
        .where(AuditChain.key == chain_key(meeting_id))
        .order_by(AuditEntry.seq.desc())
    )
    if filters.date_from:
        stmt = stmt.where(AuditEntry.created_at >= _day_start(filters.date_from, filters.timezone))
    if filters.date_to:
        end = filters.date_to + timedelta(days=1) if filters.date_to < _LAST_DAY else _LAST_DAY
        stmt = stmt.where(AuditEntry.created_at < _day_start(end, filters.timezone))
    if not filters.tests_hidden_fields:
        return stmt
    stmt = stmt.where(_visible(visible_space_ids))
    if filters.actor:
        needle = filters.actor.lower()
        named = sa.select(User.id).where(sa.func.lower(User.name).contains(needle, autoescape=True))
        stmt = stmt.where(sa.or_(sa.func.lower(AuditEntry.actor_label).contains(needle, autoescape=True),
                                 AuditEntry.actor_id.in_(named)))
    if filters.action:
        stmt = stmt.where(AuditEntry.action.startswith(filters.action, autoescape=True))
    if filters.object_type:
        stmt = stmt.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        stmt = stmt.where(AuditEntry.object_id == filters.object_id)
    return stmt


def visible_vocabulary(meeting_id: int, visible_space_ids: Collection[int]) -> dict[str, list[str]]:
    """The actions and object types of the entries the reader can see, to suggest in the filters."""
    base = (sa.select(AuditEntry).join(AuditChain, AuditEntry.chain_id == AuditChain.id)
            .where(AuditChain.key == chain_key(meeting_id), _visible(visible_space_ids)).subquery())
    pairs = db.session.execute(sa.select(base.c.action, base.c.object_type).distinct()).all()
    return {"actions": sorted({a for a, _ in pairs}), "object_types": sorted({t for _, t in pairs if t})}


def redact(entry: AuditEntry, visible_space_ids: Collection[int], actor_name: str = "") -> LogRow:
    """The entry as seen by a reader who belongs to `visible_space_ids` (rule 11)."""
    if entry.space_id is not None and entry.space_id not in visible_space_ids:
        return LogRow(seq=entry.seq, created_at=entry.created_at, redacted=True)
    return LogRow(
        seq=entry.seq, created_at=entry.created_at, redacted=False, actor=entry.actor_label,
        actor_name=actor_name, for_chair=entry.for_chair, action=entry.action,
        object_type=entry.object_type, object_id=entry.object_id, space_id=entry.space_id,
        payload=entry.payload,
    )


def _actor_names(entries: Iterable[AuditEntry], session: Session) -> dict[int, str]:
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    if not ids:
        return {}
    return {uid: name for uid, name in session.execute(sa.select(User.id, User.name).where(User.id.in_(ids)))}


def log_rows(entries: list[AuditEntry], visible_space_ids: Collection[int],
             session: Session | None = None) -> list[LogRow]:
    """A page of entries as the reader may see them, actors' names loaded in one query."""
    visible = [e for e in entries if e.space_id is None or e.space_id in visible_space_ids]
    names = _actor_names(visible, session or db.session())
    return [redact(e, visible_space_ids, names.get(e.actor_id or 0, "")) for e in entries]


def iter_log_rows(stmt: sa.Select, visible_space_ids: Collection[int], session: Session,
                  chunk: int = 1000) -> Iterator[LogRow]:
    """Every entry of `stmt` as the reader may see it, streamed in chunks (for exports)."""
    for part in session.scalars(stmt.execution_options(yield_per=chunk)).partitions():
        yield from log_rows(list(part), visible_space_ids, session)
