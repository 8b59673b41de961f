"""Appending to and verifying the audit chains.

Each entry's hash covers its chain's key, its sequence number, its UTC time, its actor, action,
object, space and payload, and the previous entry's hash: editing, deleting, reordering or moving
an entry to another chain breaks every later link, and `verify_chains` names the first break.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum.audit.models import GENESIS, AuditChain, AuditEntry
from forum.db import utcnow
from forum.extensions import db

GLOBAL_CHAIN = "global"


def chain_key(meeting_id: int | None) -> str:
    return GLOBAL_CHAIN if meeting_id is None else f"meeting:{meeting_id}"


def utc_iso(value: datetime) -> str:
    """The one spelling of an instant in hashed material: UTC, microseconds, explicit offset."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in audit material")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def canonical_json(data: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, datetimes as UTC ISO 8601: one spelling per value."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=_canonical_default)


def entry_hash(entry: Any, key: str) -> str:
    """SHA-256 of the entry's canonical form; `entry` is an AuditEntry or a row of its table."""
    body = canonical_json({
        "chain": key,
        "seq": entry.seq,
        "at": utc_iso(entry.created_at),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "for_chair": bool(entry.for_chair),
        "action": entry.action,
        "object": [entry.object_type, entry.object_id],
        "space": entry.space_id,
        "payload": entry.payload,
        "prev": entry.prev_hash,
    })
    return hashlib.sha256(body.encode()).hexdigest()


def _lock_chain(meeting_id: int | None) -> AuditChain:
    """The chain's head row, locked until the transaction ends (created on first use).

    On PostgreSQL `FOR UPDATE` serialises appenders; on SQLite writers hold the database lock from
    `BEGIN IMMEDIATE` (see db.unit_of_work). `populate_existing` makes sure a head loaded earlier in
    the session is re-read under the lock. Two first appends racing to create the head row meet at
    `ON CONFLICT DO NOTHING` instead of failing on the unique key.
    """
    key = chain_key(meeting_id)
    stmt = (sa.select(AuditChain).where(AuditChain.key == key).with_for_update()
            .execution_options(populate_existing=True))
    chain = db.session.scalars(stmt).first()
    if chain is None:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        db.session.execute(
            insert(AuditChain)
            .values(key=key, meeting_id=meeting_id, head_seq=0, head_hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        chain = db.session.scalars(stmt).one()
    return chain


def record(actor: Any, action: str, obj: Any = None, payload: Mapping[str, Any] | None = None, *,
           meeting_id: int | None = None, space_id: int | None = None,
           for_chair: bool = False) -> AuditEntry:
    """Append an entry to the meeting's chain (or the global one) inside the current transaction.

    `space_id` names the space the action happened in: entries about a restricted space are shown
    only to its members (PROCEDURE.md rule 11). `for_chair` marks an action of the secretariat on
    the Chairperson's behalf (rule 8). Call it inside `unit_of_work()`; it never commits.
    The chain's head stays locked until the commit, so record late in the service; a transaction
    that writes to two chains should take the meeting's before the global one (lock order).
    """
    if not action or len(action) > 60:
        raise ValueError(f"audit action must have 1 to 60 characters: {action!r}")
    object_type, object_id = "", ""
    if obj is not None:
        object_type = getattr(obj, "__tablename__", type(obj).__name__)[:40]
        object_id = str(getattr(obj, "id", "") or "")[:40]
    chain = _lock_chain(meeting_id)
    entry = AuditEntry(
        chain_id=chain.id,
        seq=chain.head_seq + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=(getattr(actor, "email", "") or "system")[:254],
        for_chair=for_chair,
        action=action,
        object_type=object_type,
        object_id=object_id,
        space_id=space_id,
        payload=canonical_json(dict(payload or {})),
        prev_hash=chain.head_hash,
    )
    entry.hash = entry_hash(entry, chain.key)
    chain.head_seq = entry.seq
    chain.head_hash = entry.hash
    db.session.add(entry)
    return entry


# --- verification ---------------------------------------------------------------------------------

@dataclass
class ChainReport:
    key: str
    entries: int
    head_seq: int = 0
    head_hash: str = GENESIS
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None

    def line(self) -> str:
        if self.ok:
            return f"OK {self.key} {self.entries} entries"
        return f"BROKEN {self.key} at entry {self.broken_seq}: {self.reason}"


def chain_heads() -> list[dict[str, Any]]:
    """The committed head of every chain: an anchor to keep outside the database (backups do)."""
    rows = db.session.execute(sa.select(AuditChain.key, AuditChain.head_seq, AuditChain.head_hash)
                              .order_by(AuditChain.key))
    return [{"key": k, "head_seq": s, "head_hash": h} for k, s, h in rows]


def verify_chains(anchors: Mapping[str, tuple[int, str]] | None = None, *,
                  engine: sa.Engine | None = None) -> list[ChainReport]:
    """Recompute every committed chain; name the first broken entry of each.

    Reads one snapshot on its own connection (REPEATABLE READ on PostgreSQL, a read transaction
    on SQLite's WAL), so entries appended while it runs cannot look like a mismatched head.
    `anchors` maps a chain key to a (seq, hash) recorded earlier, e.g. in a backup manifest: a
    chain rewritten wholesale since then, hashes included, fails there. `engine` checks another
    database (a restored copy) instead of the app's.
    """
    anchors = dict(anchors or {})
    chains_t, entries_t = AuditChain.__table__, AuditEntry.__table__
    engine = engine or db.engine
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            chains = conn.execute(sa.select(chains_t).order_by(chains_t.c.key)).all()
            reports = [_verify_chain(conn, entries_t, chain, anchors.pop(chain.key, None)) for chain in chains]
    for key, (seq, _hash) in sorted(anchors.items()):
        reports.append(ChainReport(key, 0, broken_seq=seq, reason="the chain is missing"))
    return reports


def _verify_chain(conn: sa.Connection, entries_t: sa.Table, chain: Any,
                  anchor: tuple[int, str] | None) -> ChainReport:
    report = ChainReport(chain.key, 0, chain.head_seq, chain.head_hash)

    def broken(seq: int, reason: str) -> ChainReport:
        report.broken_seq, report.reason = seq, reason
        return report

    prev, expected = GENESIS, 1
    stmt = (sa.select(entries_t).where(entries_t.c.chain_id == chain.id).order_by(entries_t.c.seq)
            .execution_options(yield_per=500))
    for entry in conn.execute(stmt):
        if entry.seq != expected:
            return broken(expected, f"entry missing (the next entry is {entry.seq})")
        report.entries += 1
        if entry.prev_hash != prev:
            return broken(entry.seq, "its previous hash does not match the entry before it")
        if entry_hash(entry, chain.key) != entry.hash:
            return broken(entry.seq, "its content does not match its hash")
        if anchor is not None and anchor[0] == entry.seq and anchor[1] != entry.hash:
            return broken(entry.seq, "its hash differs from the anchor recorded earlier")
        prev, expected = entry.hash, expected + 1
    last = expected - 1
    if chain.head_seq > last:
        return broken(expected, f"entry missing (the chain head is at {chain.head_seq})")
    if chain.head_seq < last:
        return broken(chain.head_seq + 1, f"entries after the chain head ({chain.head_seq})")
    if chain.head_hash != prev:
        return broken(last, "the chain head's hash does not match this entry")
    if anchor is not None and anchor[0] > last:
        return broken(last + 1, f"entry missing (an anchor recorded earlier reached {anchor[0]})")
    return report
