"""Appending to and verifying the audit chains."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from forum.audit.models import GENESIS, AuditChain, AuditEntry
from forum.db import utcnow
from forum.extensions import db


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: AuditEntry) -> str:
    body = canonical_json({
        "chain": entry.chain_id,
        "seq": entry.seq,
        "at": entry.created_at.isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "for_chair": entry.for_chair,
        "action": entry.action,
        "object": [entry.object_type, entry.object_id],
        "space": entry.space_id,
        "payload": entry.payload,
        "prev": entry.prev_hash,
    })
    return hashlib.sha256(body.encode()).hexdigest()


def _chain(meeting_id: int | None) -> AuditChain:
    key = f"meeting:{meeting_id}" if meeting_id else "global"
    stmt = sa.select(AuditChain).where(AuditChain.key == key).with_for_update()
    chain = db.session.scalars(stmt).first()
    if chain is None:
        chain = AuditChain(key=key, meeting_id=meeting_id, head_seq=0, head_hash=GENESIS)
        db.session.add(chain)
        db.session.flush()
    return chain


def record(actor: Any, action: str, obj: Any = None, payload: dict[str, Any] | None = None, *,
           meeting_id: int | None = None, space_id: int | None = None,
           for_chair: bool = False) -> AuditEntry:
    """Append an entry to the meeting's chain (or the global one) inside the current transaction."""
    object_type, object_id = "", ""
    if obj is not None:
        object_type = getattr(obj, "__tablename__", type(obj).__name__)
        object_id = str(getattr(obj, "id", "") or "")
    chain = _chain(meeting_id)
    entry = AuditEntry(
        chain_id=chain.id,
        seq=chain.head_seq + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or "system",
        for_chair=for_chair,
        action=action,
        object_type=object_type,
        object_id=object_id,
        space_id=space_id,
        payload=canonical_json(payload or {}),
        prev_hash=chain.head_hash,
    )
    entry.hash = entry_hash(entry)
    chain.head_seq = entry.seq
    chain.head_hash = entry.hash
    db.session.add(entry)
    return entry


@dataclass
class ChainReport:
    key: str
    entries: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chains() -> list[ChainReport]:
    """Recompute every chain; name the first broken entry of each."""
    reports = []
    for chain in db.session.scalars(sa.select(AuditChain).order_by(AuditChain.id)):
        report = ChainReport(chain.key, 0)
        prev = GENESIS
        expected_seq = 1
        stmt = sa.select(AuditEntry).where(AuditEntry.chain_id == chain.id).order_by(AuditEntry.seq)
        for entry in db.session.scalars(stmt).yield_per(500):
            report.entries += 1
            if entry.seq != expected_seq:
                report.broken_seq, report.reason = entry.seq, f"sequence gap: expected {expected_seq}"
                break
            if entry.prev_hash != prev:
                report.broken_seq, report.reason = entry.seq, "previous hash does not match"
                break
            if entry_hash(entry) != entry.hash:
                report.broken_seq, report.reason = entry.seq, "content does not match its hash"
                break
            prev, expected_seq = entry.hash, expected_seq + 1
        if report.ok and (chain.head_hash != prev or chain.head_seq != expected_seq - 1):
            report.broken_seq, report.reason = chain.head_seq, "chain head does not match the last entry"
        reports.append(report)
    return reports
